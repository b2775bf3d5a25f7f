#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fault.hpp"

namespace shmcount {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Closes a descriptor and removes the temporary file unless released.
struct TempFile {
  int fd = -1;
  std::string path;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

void check_can_create(const std::string& path) {
  const std::string folder = folder_of(path);
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw Error("output folder '" + folder + "' does not exist; create it or choose another " +
                "--output");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw Error("output folder '" + folder + "' is not writable; choose another --output");
  }
  if (::lstat(path.c_str(), &st) == 0) {
    throw Error("'" + path + "' already exists; shmcount never overwrites results: choose " +
                "another --output or move the old file");
  }
}

void write_new_file(const std::string& path, std::string_view content) {
  TempFile tmp;
  tmp.path = path + ".tmp.XXXXXX";
  tmp.fd = ::mkstemp(tmp.path.data());
  if (tmp.fd < 0) {
    const int err = errno;
    tmp.path.clear();
    throw Error(describe_errno("creating a temporary file beside '" + path + "'", err));
  }
  ::fchmod(tmp.fd, 0644);
  maybe_stall("write");
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(tmp.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(describe_errno("writing '" + tmp.path + "'", errno));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(tmp.fd) != 0) throw Error(describe_errno("fsync of '" + tmp.path + "'", errno));
  const int fd = tmp.fd;
  tmp.fd = -1;
  if (::close(fd) != 0) throw Error(describe_errno("closing '" + tmp.path + "'", errno));
  // link() fails with EEXIST instead of replacing, unlike rename().
  if (::link(tmp.path.c_str(), path.c_str()) != 0) {
    throw Error(describe_errno("link('" + tmp.path + "', '" + path + "')", errno));
  }
}

}  // namespace shmcount
