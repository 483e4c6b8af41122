#include "metrics/join_rows.h"

#include <algorithm>
#include <tuple>

namespace warren::metrics {

FamilyBuilder JoinFamily(const char* name, const char* help, const char* first_label, const char* second_label,
                         std::vector<JoinRow> rows) {
  auto by_labels = [](const JoinRow& a, const JoinRow& b) {
    return std::tie(a.first, a.second) < std::tie(b.first, b.second);
  };
  if (!std::is_sorted(rows.begin(), rows.end(), by_labels)) std::stable_sort(rows.begin(), rows.end(), by_labels);
  FamilyBuilder family(name, help, prometheus::MetricType::Gauge);
  for (const JoinRow& row : rows) family.Label(first_label, row.first).Label(second_label, row.second).Value(row.value);
  return family;
}

}  // namespace warren::metrics
