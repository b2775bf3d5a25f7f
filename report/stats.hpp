// Summaries derived from raw times, never stored instead of them.
#pragma once

#include <vector>

namespace shmcount {

struct Spread {
  double min = 0;
  double median = 0;
  double max = 0;
  double mean = 0;
  double cv = 0;  // Coefficient of variation: sample standard deviation / mean.
  std::size_t n = 0;
};

Spread spread_of(std::vector<double> samples);

}  // namespace shmcount
