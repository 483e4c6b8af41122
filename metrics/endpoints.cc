#include "metrics/endpoints.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace warren::metrics {

std::span<const Endpoint* const> AllEndpoints() {
  static const Endpoint* const kAll[] = {&kOverview, &kNodes, &kQueues, &kConsumers};
  return kAll;
}

std::vector<std::string> ColumnsOf(const Endpoint& endpoint) {
  std::vector<std::string> columns;
  auto add = [&columns](const char* path) {
    if (std::find(columns.begin(), columns.end(), path) == columns.end()) columns.push_back(path);
  };
  for (const Label& label : endpoint.labels) add(label.path);
  for (const Field& field : endpoint.fields) add(field.path);
  for (const Info& info : endpoint.infos) {
    for (const Label& label : info.labels) add(label.path);
  }
  return columns;
}

bool SkipSortSupported(absl::string_view rabbitmq_version) {
  std::vector<absl::string_view> parts = absl::StrSplit(rabbitmq_version, '.');
  int major = 0, minor = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &major) ||
      !absl::SimpleAtoi(parts[1], &minor)) {
    return false;
  }
  return major == 3 && minor < 13;
}

std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version) {
  std::vector<std::string> params;
  if (*endpoint.params != '\0') params.push_back(endpoint.params);
  params.push_back(absl::StrCat("columns=", absl::StrJoin(ColumnsOf(endpoint), ",")));
  if (endpoint.sortable && SkipSortSupported(rabbitmq_version)) params.push_back("sort=");
  return absl::StrCat(endpoint.path, "?", absl::StrJoin(params, "&"));
}

}  // namespace warren::metrics
