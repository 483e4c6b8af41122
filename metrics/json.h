// Small helpers over RapidJSON shared by the mappers: parsing that never recurses or throws,
// dotted-path lookup where the last duplicate key wins, and UTF-8 repair for label values.
#ifndef WARREN_METRICS_JSON_H_
#define WARREN_METRICS_JSON_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace warren::metrics {

using JsonPath = std::vector<std::string>;

// "queue.name" -> {"queue", "name"}.
JsonPath ParsePath(absl::string_view dotted);

// "leader|node" -> {{"leader"}, {"node"}}: alternatives, the first present wins.
using JsonPaths = std::vector<JsonPath>;
JsonPaths ParsePaths(absl::string_view alternatives);

// Parses `body` into `doc` with the iterative parser, so deeply nested input cannot overflow the
// stack. Returns kDataLoss naming `what` and the offset on malformed input.
absl::Status ParseJson(absl::string_view body, absl::string_view what, rapidjson::Document* doc);

// Follows `path` from `object`. Returns nullptr when a key is absent or an intermediate value is
// not an object. With duplicate keys the last one wins: RabbitMQ has sent a stale value first.
const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPath& path);
// The first alternative that resolves to a non-null value, or nullptr.
const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPaths& paths);

// Returns `in` unchanged if it is valid UTF-8, else a copy with each invalid byte replaced by
// U+FFFD, so a label value can never make the exposition unparsable.
std::string ValidUtf8(absl::string_view in);
// The same without a copy in the common case: `in` itself if it is valid, else the repaired text
// in `*scratch`.
absl::string_view ValidUtf8(absl::string_view in, std::string* scratch);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_JSON_H_
