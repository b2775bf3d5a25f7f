#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace shmcount {

Spread spread_of(std::vector<double> xs) {
  Spread s;
  s.n = xs.size();
  if (xs.empty()) return s;
  std::sort(xs.begin(), xs.end());
  s.min = xs.front();
  s.max = xs.back();
  const std::size_t mid = xs.size() / 2;
  s.median = xs.size() % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  s.mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
  if (xs.size() > 1 && s.mean > 0) {
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.cv = std::sqrt(ss / static_cast<double>(xs.size() - 1)) / s.mean;
  }
  return s;
}

}  // namespace shmcount
