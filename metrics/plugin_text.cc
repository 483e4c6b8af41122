#include "metrics/plugin_text.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace warren::metrics {
namespace {

enum class Which { kMessages, kReady, kUnacked };

struct DepthName {
  absl::string_view name;
  Which which = Which::kMessages;
};

constexpr DepthName kDepthNames[] = {
    {"rabbitmq_detailed_queue_messages", Which::kMessages},
    {"rabbitmq_detailed_queue_messages_ready", Which::kReady},
    {"rabbitmq_detailed_queue_messages_unacked", Which::kUnacked},
};
constexpr absl::string_view kDepthPrefix = "rabbitmq_detailed_queue_messages";
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

// A count: finite, not negative, whole, exactly representable.
std::optional<double> ParseCount(absl::string_view text) {
  double v = 0;
  if (text.empty() || !absl::SimpleAtod(text, &v)) return std::nullopt;
  if (!std::isfinite(v) || v < 0 || v != std::floor(v) || v > kMaxExactInteger) return std::nullopt;
  return v;
}

struct Labels {
  std::string vhost;
  std::string queue;
};

enum class Split { kOk, kMalformed, kAmbiguous };

// kNone: `{vhost="V",queue="Q"} VALUE`, read from the right; `label_block` is everything from
// just after '{' up to the value's separating space.
Split SplitRaw(absl::string_view label_block, Labels& out) {
  constexpr absl::string_view kHead = "vhost=\"";
  constexpr absl::string_view kTail = "\"}";
  constexpr absl::string_view kSep = "\",queue=\"";
  if (!absl::ConsumePrefix(&label_block, kHead) || !absl::ConsumeSuffix(&label_block, kTail)) return Split::kMalformed;
  const std::size_t at = label_block.find(kSep);
  if (at == absl::string_view::npos) return Split::kMalformed;
  if (label_block.find(kSep, at + 1) != absl::string_view::npos) return Split::kAmbiguous;
  out.vhost = std::string(label_block.substr(0, at));
  out.queue = std::string(label_block.substr(at + kSep.size()));
  return Split::kOk;
}

bool IsLabelNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

// kStandard: `{name="value",...}` with \\ \" \n escapes; `rest` starts just after '{'. On success
// `rest` is left just after '}'.
bool ParseEscapedLabels(absl::string_view& rest, Labels& out) {
  bool have_vhost = false, have_queue = false;
  while (true) {
    if (absl::ConsumePrefix(&rest, "}")) break;
    std::size_t n = 0;
    while (n < rest.size() && IsLabelNameChar(rest[n], n == 0)) ++n;
    if (n == 0) return false;
    const absl::string_view name = rest.substr(0, n);
    rest.remove_prefix(n);
    if (!absl::ConsumePrefix(&rest, "=\"")) return false;
    std::string value;
    bool closed = false;
    while (!rest.empty()) {
      const char c = rest.front();
      rest.remove_prefix(1);
      if (c == '"') {
        closed = true;
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (rest.empty()) return false;
      const char e = rest.front();
      rest.remove_prefix(1);
      if (e == '\\' || e == '"') {
        value.push_back(e);
      } else if (e == 'n') {
        value.push_back('\n');
      } else {
        return false;
      }
    }
    if (!closed) return false;
    if (name == "vhost") {
      if (have_vhost) return false;
      have_vhost = true;
      out.vhost = std::move(value);
    } else if (name == "queue") {
      if (have_queue) return false;
      have_queue = true;
      out.queue = std::move(value);
    }
    if (absl::ConsumePrefix(&rest, ",")) continue;
    if (absl::ConsumePrefix(&rest, "}")) break;
    return false;
  }
  return have_vhost && have_queue;
}

struct Entry {
  QueueDepth depth;
  bool conflict = false;
};

void Store(Entry& e, Which which, std::optional<double> v, PluginDepths& out) {
  if (!v) {
    ++out.invalid_values;
    return;
  }
  std::optional<double>* slot = which == Which::kMessages ? &e.depth.messages
                                : which == Which::kReady  ? &e.depth.ready
                                                          : &e.depth.unacked;
  if (slot->has_value() && **slot != *v) e.conflict = true;
  *slot = v;
}

}  // namespace

std::string PluginIdentityLabel(absl::string_view line, absl::string_view label) {
  const std::string key = std::string(label) + "=\"";
  std::size_t at = 0;
  // the label must start the block or follow a comma, so `rabbitmq_cluster=` does not match
  // `rabbitmq_cluster_permanent_id=`... and vice versa
  while ((at = line.find(key, at)) != absl::string_view::npos) {
    if (at > 0 && (line[at - 1] == '{' || line[at - 1] == ',')) {
      const std::size_t start = at + key.size();
      const std::size_t end = line.find('"', start);
      if (end == absl::string_view::npos) return "";
      return std::string(line.substr(start, end - start));
    }
    at += key.size();
  }
  return "";
}

PluginDepths ParseCoarseDepths(absl::string_view text, LabelEscaping escaping, std::size_t max_line_bytes) {
  PluginDepths out;
  absl::flat_hash_map<std::pair<std::string, std::string>, Entry> seen;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line.front() == '#') continue;

    if (absl::StartsWith(line, kPluginIdentityPrefix)) {
      if (line.size() <= max_line_bytes) {
        out.node = PluginIdentityLabel(line, "rabbitmq_node");
        out.cluster = PluginIdentityLabel(line, "rabbitmq_cluster");
      }
      continue;
    }
    if (!absl::StartsWith(line, kDepthPrefix)) continue;
    const std::size_t brace = line.find('{');
    const absl::string_view name = line.substr(0, brace == absl::string_view::npos ? line.find(' ') : brace);
    const DepthName* which = nullptr;
    for (const DepthName& d : kDepthNames) {
      if (d.name == name) which = &d;
    }
    if (which == nullptr) continue;  // another metric that shares the prefix
    if (line.size() > max_line_bytes || brace == absl::string_view::npos) {
      ++out.malformed_lines;
      continue;
    }

    Labels labels;
    absl::string_view value;
    if (escaping == LabelEscaping::kNone) {
      const std::size_t space = line.rfind(' ');
      if (space == absl::string_view::npos || space < brace) {
        ++out.malformed_lines;
        continue;
      }
      const Split split = SplitRaw(line.substr(brace + 1, space - brace - 1), labels);
      if (split == Split::kAmbiguous) {
        ++out.ambiguous_lines;
        continue;
      }
      if (split == Split::kMalformed) {
        ++out.malformed_lines;
        continue;
      }
      value = line.substr(space + 1);
    } else {
      absl::string_view rest = line.substr(brace + 1);
      if (!ParseEscapedLabels(rest, labels) || !absl::ConsumePrefix(&rest, " ")) {
        ++out.malformed_lines;
        continue;
      }
      const std::size_t space = rest.find(' ');  // an optional timestamp follows
      value = rest.substr(0, space);
      if (space != absl::string_view::npos) {
        const absl::string_view ts = rest.substr(space + 1);
        int64_t ignored = 0;
        if (!absl::SimpleAtoi(ts, &ignored)) {
          ++out.malformed_lines;
          continue;
        }
      }
    }
    Entry& e = seen[std::make_pair(std::move(labels.vhost), std::move(labels.queue))];
    Store(e, which->which, ParseCount(value), out);
  }
  out.queues.reserve(seen.size());
  for (auto& [key, e] : seen) {
    if (e.conflict) {
      ++out.conflicts;
      continue;
    }
    // Only invalid values (counted above): nothing to report for it.
    if (!e.depth.messages && !e.depth.ready && !e.depth.unacked) continue;
    out.queues.emplace(key, e.depth);
  }
  return out;
}

}  // namespace warren::metrics
