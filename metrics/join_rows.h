// The series of a join (two labels each: vhost and queue or upstream), written in label order.
#ifndef WARREN_METRICS_JOIN_ROWS_H_
#define WARREN_METRICS_JOIN_ROWS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/family_builder.h"

namespace warren::metrics {

struct JoinRow {
  absl::string_view first;   // the first label's value, e.g. the vhost
  absl::string_view second;  // e.g. the queue
  double value;
};

// A gauge family of `rows`, sorted by their label values. The rows come from the mapped keys,
// which are already in that order when their endpoint's labels lead its keys: then nothing is
// sorted.
FamilyBuilder JoinFamily(const char* name, const char* help, const char* first_label, const char* second_label,
                         std::vector<JoinRow> rows);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_JOIN_ROWS_H_
