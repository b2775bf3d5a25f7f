// Prints shmcount's manual page (man_page()): the build writes it to man/shmcount.1.
#include <cstdio>

#include "cli/options.hpp"
#include "runners/commands.hpp"

int main() {
  const std::string page = shmcount::man_page(shmcount::list_table());
  return std::fwrite(page.data(), 1, page.size(), stdout) == page.size() ? 0 : 1;
}
