// Decodes the management API's `application/bert` answers (Erlang's external term format, the
// broker's term_to_binary of the data it would otherwise encode as JSON) into the document the JSON
// answer would have parsed to, so the mappers read either. Encoding BERT costs the broker less CPU
// than JSON (README, "BERT").
#ifndef WARREN_METRICS_BERT_H_
#define WARREN_METRICS_BERT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace warren::metrics {

// Nesting deeper than this is refused (RabbitMQ's answers nest a few levels).
inline constexpr size_t kMaxBertDepth = 256;

// Parses `body` into `doc`, without recursion. The mapping to JSON values:
//   integers (small, 32-bit, bignums) -> int64/uint64 when they fit, else double
//   floats -> double; atoms true/false -> bool; null/undefined -> null; other atoms -> strings
//   binaries and byte lists (STRING_EXT) -> strings (bytes kept as they are, like the JSON path)
//   a non-empty list of 2-tuples whose first elements are binaries or atoms -> object (a proplist)
//   other lists, the empty list and tuples -> arrays; maps with binary/atom keys -> objects
// Returns kDataLoss naming `what` and the offset on malformed, truncated or unsupported input
// (bit strings, pids, funs, compressed terms, improper lists, non-finite floats).
absl::Status ParseBert(absl::string_view body, absl::string_view what, rapidjson::Document* doc);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_BERT_H_
