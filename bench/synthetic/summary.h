// Median and range of repeated measurements, and how the reports print them.
#ifndef WARREN_BENCH_SYNTHETIC_SUMMARY_H_
#define WARREN_BENCH_SYNTHETIC_SUMMARY_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace warren::bench {

struct Summary {
  double median = 0, min = 0, max = 0;
};

// The median of an even count is the mean of the middle two.
inline Summary Summarize(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

// "12.3 (11.9–13.0)", or just "12.3" for one measurement.
inline std::string Format(const Summary& s, int decimals = 1) {
  if (s.min == s.max) return absl::StrFormat("%.*f", decimals, s.median);
  return absl::StrFormat("%.*f (%.*f–%.*f)", decimals, s.median, decimals, s.min, decimals, s.max);
}

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_SUMMARY_H_
