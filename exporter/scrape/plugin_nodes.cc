#include "exporter/scrape/plugin_nodes.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "util/log.h"

namespace warren {

void PluginNodes::Record(const std::string& node, const std::string& url, const std::string& reason, absl::Time now,
                         const std::string& error) {
  absl::MutexLock lock(&mu_);
  auto [it, first] = nodes_.try_emplace(node);
  Node& state = it->second;
  const bool changed = first || state.reason != reason || state.url != url;
  state.url = url;
  state.reason = reason;
  // A node that keeps failing the same way without being asked (no URL yet) keeps its retry time.
  if (reason == "ok") {
    state.retry_at = absl::InfinitePast();
  } else if (changed || now >= state.retry_at) {
    state.retry_at = now + retry_interval_;
  }
  if (!changed) return;
  if (reason == "ok") {
    Log(LogLevel::kInfo, absl::StrCat(purpose_, " from the ", source_), {{"node", node}, {"url", url}});
  } else {
    Log(LogLevel::kWarn, absl::StrCat(source_, " not used for ", purpose_),
        {{"node", node},
         {"url", url},
         {"reason", reason},
         {"err", error},
         {"retry_in", absl::FormatDuration(retry_interval_)}});
  }
}

std::string PluginNodes::Waiting(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [node, state] : nodes_) {
    if (state.reason != "ok" && now < state.retry_at) return node;
  }
  return "";
}

bool PluginNodes::Due(const std::string& node, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(node);
  return it == nodes_.end() || it->second.reason == "ok" || now >= it->second.retry_at;
}

void PluginNodes::KeepOnly(const std::vector<std::string>& running) {
  absl::MutexLock lock(&mu_);
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    it = std::find(running.begin(), running.end(), it->first) == running.end() ? nodes_.erase(it) : std::next(it);
  }
}

std::vector<prometheus::MetricFamily> PluginNodes::SelfMetrics() const {
  prometheus::MetricFamily up = FamilyOf(up_);
  absl::MutexLock lock(&mu_);
  if (nodes_.empty()) return {};  // no HELP and TYPE without a sample
  for (const auto& [node, state] : nodes_) {
    AddSample(&up, {{"node", node}, {"reason", state.reason}}, state.reason == "ok" ? 1 : 0);
  }
  return {std::move(up)};
}

}  // namespace warren
