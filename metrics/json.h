// Small helpers over RapidJSON shared by the mappers: parsing that never recurses or throws,
// dotted-path lookup where the last duplicate key wins, and UTF-8 repair for label values.
#ifndef WARREN_METRICS_JSON_H_
#define WARREN_METRICS_JSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
// stack. Returns kDataLoss naming `what` and the offset on malformed input. A number too big for a
// double or an unpaired surrogate escape fails no body: see RepairJsonValues.
absl::Status ParseJson(absl::string_view body, absl::string_view what, rapidjson::Document* doc);

// `body` with every number too big for a double replaced by [] (padded with spaces) and every
// unpaired UTF-16 surrogate escape by \ufffd, each in place so offsets hold; nullopt if there was
// nothing to repair. One pass; strings and escapes are followed, nothing else is checked.
std::optional<std::string> RepairJsonValues(absl::string_view body);

// Follows `path` from `object`. Returns nullptr when a key is absent or an intermediate value is
// not an object. With duplicate keys the last one wins: RabbitMQ has sent a stale value first.
const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPath& path);
// The first alternative that resolves to a non-null value, or nullptr.
const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPaths& paths);

// Finds many paths in one object with one pass over its members, instead of one scan of the
// members per path: an /api/queues object has about twenty members and the table reads most of
// them. A MemberIndex knows the first keys of the paths compiled with it.
class MemberIndex {
 public:
  struct Path {
    size_t slot;    // where Index() puts the value of the first key
    JsonPath rest;  // the keys after the first, usually none
  };
  using Paths = std::vector<Path>;  // alternatives, as JsonPaths

  // What the previous object of a list had at each member position: the objects of one response
  // list their members in the same order, so a name is mostly compared once, not hashed.
  struct Order {
    std::vector<std::pair<absl::string_view, size_t>> at;  // member name, its slot or kNone
  };
  static constexpr size_t kNone = ~size_t{0};

  // Compiles `paths` (all made before the first Index()).
  Paths Compile(const JsonPaths& paths);
  // Fills `found` with each first key's value in `object` (the last duplicate wins; nullptr when
  // absent or when `object` is not an object). `order` must not outlive the document.
  void Index(const rapidjson::Value& object, std::vector<const rapidjson::Value*>* found, Order* order) const;

 private:
  absl::flat_hash_map<std::string, size_t> slots_;
};

// Resolve() over an indexed object: the first alternative that resolves to a non-null value.
const rapidjson::Value* Resolve(const std::vector<const rapidjson::Value*>& found, const MemberIndex::Paths& paths);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_JSON_H_
