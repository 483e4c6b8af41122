#include "metrics/filter.h"

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace warren::metrics {

absl::StatusOr<std::unique_ptr<Filter>> Filter::Create(const FilterPatterns& patterns) {
  std::unique_ptr<Filter> filter(new Filter);
  const struct {
    const std::string* pattern;
    const char* name;
    std::unique_ptr<re2::RE2>* slot;
  } all[] = {
      {&patterns.vhosts, "vhosts", &filter->include_[0]},
      {&patterns.vhosts_exclude, "vhosts_exclude", &filter->exclude_[0]},
      {&patterns.queues, "queues", &filter->include_[1]},
      {&patterns.queues_exclude, "queues_exclude", &filter->exclude_[1]},
      {&patterns.exchanges, "exchanges", &filter->include_[2]},
      {&patterns.exchanges_exclude, "exchanges_exclude", &filter->exclude_[2]},
  };
  for (const auto& one : all) {
    if (one.pattern->empty()) continue;
    auto compiled = std::make_unique<re2::RE2>(*one.pattern, re2::RE2::Quiet);
    if (!compiled->ok()) return absl::InvalidArgumentError(absl::StrCat(one.name, ": ", compiled->error()));
    *one.slot = std::move(compiled);
  }
  return filter;
}

Filter::~Filter() = default;

bool Filter::Keeps(Subject subject, absl::string_view name) const {
  const int i = static_cast<int>(subject);
  const re2::StringPiece text(name.data(), name.size());
  if (include_[i] && !re2::RE2::FullMatch(text, *include_[i])) return false;
  return !(exclude_[i] && re2::RE2::FullMatch(text, *exclude_[i]));
}

bool Filter::Empty() const {
  for (int i = 0; i < 3; ++i) {
    if (include_[i] || exclude_[i]) return false;
  }
  return true;
}

bool Filter::FiltersVhosts() const {
  const int i = static_cast<int>(Subject::kVhost);
  return include_[i] != nullptr || exclude_[i] != nullptr;
}

}  // namespace warren::metrics
