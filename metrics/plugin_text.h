// Per-queue depths from the rabbitmq_prometheus plugin's
// `/metrics/detailed?family=queue_coarse_metrics` text (docs/design/plugin-depth.md).
// Pure: text in, depths out. The scraper reads each node's answer with it (metrics/queue_depth.h).
//
// RabbitMQ 3.10.8 writes label values unescaped: a queue named `a"b\c` comes out as
// `queue="a"b\c"`. With LabelEscaping::kNone the label block is therefore read by its fixed
// layout `{vhost="V",queue="Q"} VALUE`, from the right; a line whose V",queue="Q text contains
// `",queue="` more than once cannot be split and is counted as ambiguous, never guessed.
// LabelEscaping::kStandard reads the exposition format's escapes (\\, \", \n) instead.
#ifndef WARREN_METRICS_PLUGIN_TEXT_H_
#define WARREN_METRICS_PLUGIN_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace warren::metrics {

enum class LabelEscaping {
  kNone,      // 3.10.8: values written as they are
  kStandard,  // text exposition format 0.0.4: \\ \" \n escaped
};

// A field is empty when the text had no usable sample for it (absent, NaN, negative, not an
// integer, above 2^53): never 0 in its place.
struct QueueDepth {
  std::optional<double> messages;
  std::optional<double> ready;
  std::optional<double> unacked;
};

struct PluginDepths {
  std::string node;     // rabbitmq_identity_info's rabbitmq_node, empty when absent
  std::string cluster;  // its rabbitmq_cluster
  // (vhost, queue) -> depth. A queue with two different samples of one metric is dropped, and so
  // is one without a single usable sample.
  absl::flat_hash_map<std::pair<std::string, std::string>, QueueDepth> queues;
  std::size_t ambiguous_lines = 0;  // kNone: the label text splits in more than one way
  std::size_t malformed_lines = 0;  // a depth line not in the expected layout, or over the length limit
  std::size_t invalid_values = 0;   // a depth sample whose value is not a count (NaN, -1, 1.5, +Inf, ...)
  std::size_t conflicts = 0;        // queues dropped for two different values of one metric
};

// The line that names the node and cluster a plugin belongs to.
inline constexpr absl::string_view kPluginIdentityPrefix = "rabbitmq_identity_info{";
// The value of `label="..."` in such a line, up to the next quote (node and cluster names carry
// no quotes); empty when absent.
std::string PluginIdentityLabel(absl::string_view line, absl::string_view label);

inline constexpr std::size_t kDefaultMaxLineBytes = std::size_t{64} * 1024;

// Reads every line; lines of other metrics and comments are skipped. Never fails: what it could
// not read is counted in the result.
PluginDepths ParseCoarseDepths(absl::string_view text, LabelEscaping escaping,
                               std::size_t max_line_bytes = kDefaultMaxLineBytes);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_PLUGIN_TEXT_H_
