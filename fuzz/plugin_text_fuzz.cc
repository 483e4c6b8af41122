// ParseCoarseDepths, which reads the rabbitmq_prometheus plugin's text (outside input): every
// depth it keeps is a whole number in [0, 2^53], and what it read survives a round trip through
// the standard exposition escapes unchanged. The first byte picks the label escaping.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/check.h"
#include "metrics/family_builder.h"
#include "metrics/plugin_text.h"

namespace {

using warren::fuzz::Check;
using warren::metrics::PluginDepths;

bool IsCount(const std::optional<double>& value) {
  return !value || (*value >= 0 && *value <= 9007199254740992.0 && std::floor(*value) == *value);
}

// The depths as the plugin would write them with standard escapes.
std::string Rewrite(const PluginDepths& depths) {
  std::string out;
  auto line = [&out](const char* metric, const std::pair<std::string, std::string>& key,
                     const std::optional<double>& value) {
    if (!value) return;
    std::string labels;  // AppendLabel puts the comma between labels itself
    warren::metrics::AppendLabel(&labels, "vhost", key.first);
    warren::metrics::AppendLabel(&labels, "queue", key.second);
    absl::StrAppend(&out, metric, "{", labels, "} ", static_cast<int64_t>(*value), "\n");
  };
  for (const auto& [key, depth] : depths.queues) {
    line("rabbitmq_detailed_queue_messages", key, depth.messages);
    line("rabbitmq_detailed_queue_messages_ready", key, depth.ready);
    line("rabbitmq_detailed_queue_messages_unacked", key, depth.unacked);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto escaping = data[0] & 1 ? warren::metrics::LabelEscaping::kStandard : warren::metrics::LabelEscaping::kNone;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const PluginDepths depths = warren::metrics::ParseCoarseDepths(text, escaping);
  for (const auto& [key, depth] : depths.queues) {
    Check(IsCount(depth.messages) && IsCount(depth.ready) && IsCount(depth.unacked), "depths are counts");
    Check(depth.messages || depth.ready || depth.unacked, "a kept queue has a depth");
  }
  const PluginDepths again =
      warren::metrics::ParseCoarseDepths(Rewrite(depths), warren::metrics::LabelEscaping::kStandard, 1u << 30);
  Check(again.malformed_lines == 0 && again.invalid_values == 0 && again.conflicts == 0, "the rewrite reads cleanly");
  Check(again.queues.size() == depths.queues.size(), "the rewrite keeps every queue");
  for (const auto& [key, depth] : depths.queues) {
    auto it = again.queues.find(key);
    Check(it != again.queues.end(), "the rewrite keeps the names");
    if (it == again.queues.end()) continue;
    Check(
        it->second.messages == depth.messages && it->second.ready == depth.ready && it->second.unacked == depth.unacked,
        "the rewrite keeps the depths");
  }
  return 0;
}
