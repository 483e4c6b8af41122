// Include and exclude patterns for vhosts, queues and exchanges (RE2, matched against the whole
// name: linear time, safe for patterns from users). Applied by the Mapper to every object that
// carries a vhost, queue or exchange label, join key or count label.
#ifndef WARREN_METRICS_FILTER_H_
#define WARREN_METRICS_FILTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace re2 {
class RE2;
}

namespace warren::metrics {

// "" means: include everything / exclude nothing.
struct FilterPatterns {
  std::string vhosts, vhosts_exclude;
  std::string queues, queues_exclude;
  std::string exchanges, exchanges_exclude;
};

class Filter {
 public:
  enum class Subject { kVhost, kQueue, kExchange };

  // InvalidArgument naming the pattern that does not compile, e.g. "queues_exclude: missing )".
  static absl::StatusOr<std::unique_ptr<Filter>> Create(const FilterPatterns& patterns);
  ~Filter();
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  // True if `name` is included and not excluded for `subject`.
  bool Keeps(Subject subject, absl::string_view name) const;
  bool Empty() const;
  // True if a vhost include or exclude pattern is set.
  bool FiltersVhosts() const;

 private:
  Filter() = default;
  std::unique_ptr<re2::RE2> include_[3], exclude_[3];
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_FILTER_H_
