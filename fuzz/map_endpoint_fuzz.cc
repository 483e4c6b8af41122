// One management API body through an endpoint's Mapper, as a fetch maps it, then out through the
// assembly, as /metrics serves it. Input: a byte choosing the endpoint ('a' + its index in
// AllEndpoints, wrapping), a digit of options (bit 0: the filters on; bits 1-2: keep at most that
// many objects, the deepest), then the body.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/check.h"
#include "fuzz/exposition_check.h"
#include "fuzz/test_filter.h"
#include "metrics/endpoints.h"
#include "metrics/mapper.h"

namespace warren::fuzz {
namespace {

using metrics::Endpoint;

// Patterns on all three subjects, so filtering is exercised wherever a table has names.
const std::vector<std::unique_ptr<metrics::Mapper>>& Mappers() {
  static const auto* mappers = [] {
    auto* out = new std::vector<std::unique_ptr<metrics::Mapper>>;
    for (const Endpoint* endpoint : metrics::AllEndpoints())
      out->push_back(std::make_unique<metrics::Mapper>(*endpoint));
    return out;
  }();
  return *mappers;
}

void MapOne(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const auto& mappers = Mappers();
  const metrics::Mapper& mapper = *mappers[static_cast<uint8_t>(data[0] - 'a') % mappers.size()];
  const int options = (data[1] - '0') & 7;
  const metrics::MapOptions map_options{.filter = (options & 1) != 0 ? &TestFilter() : nullptr,
                                        .max_objects = static_cast<size_t>(options >> 1),
                                        .rank_path = "messages"};
  const absl::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  absl::StatusOr<metrics::Mapped> mapped = mapper.Map(body, map_options);
  if (!mapped.ok()) {
    Check(mapped.status().code() == absl::StatusCode::kDataLoss, "a body fails only as kDataLoss");
    return;
  }
  const Endpoint& endpoint = mapper.endpoint();
  for (const metrics::LabelValues& key : mapped->keys) {
    Check(key.size() == endpoint.keys.size(), "one join key value per key of the table");
  }
  if (mapped->capped > 0) {
    Check(map_options.max_objects > 0, "objects are capped only with a cap");
    if (!endpoint.keys.empty()) Check(mapped->keys.size() <= map_options.max_objects, "the cap holds");
  }
  if (map_options.filter == nullptr) Check(mapped->filtered == 0, "objects are filtered only with a filter");
  CheckServedText(mapped->families);
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::MapOne(data, size);
  return 0;
}
