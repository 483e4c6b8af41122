// What a fetch that asks every node (queue depth and node resources from each node's
// rabbitmq_prometheus plugin, each node's view through its management listener) knows of each
// node between scrapes: whether it answered as that node at its last attempt, why not, and when to
// try a failed one again. A node that fails is asked once per retry interval, never once per
// scrape.
#ifndef WARREN_EXPORTER_SCRAPE_PLUGIN_NODES_H_
#define WARREN_EXPORTER_SCRAPE_PLUGIN_NODES_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/scrape/self_metrics.h"
#include "prometheus/metric_family.h"

namespace warren {

class PluginNodes {
 public:
  // `up`: the self-metric of each node's state ({node,reason}); `purpose`: what the node is
  // asked for, and `source`: what answers, in log lines ("queue depth", "node's plugin").
  PluginNodes(absl::Duration retry_interval, const SelfMetric& up, std::string purpose,
              std::string source = "node's plugin")
      : retry_interval_(retry_interval), up_(up), purpose_(std::move(purpose)), source_(std::move(source)) {}

  // The outcome for `node`: "ok", or why it is not used ("not_listed", "no_host",
  // "wrong_node", or an ErrorReason) and what went wrong (`error`, for the log). `url` is safe to
  // log (no credentials). Logs a change.
  void Record(const std::string& node, const std::string& url, const std::string& reason, absl::Time now,
              const std::string& error = "");
  // A node that failed and whose retry is not yet due at `now`, or "" if none.
  std::string Waiting(absl::Time now) const;
  // False while `node` failed and its retry is not yet due at `now`.
  bool Due(const std::string& node, absl::Time now) const;
  // Forgets the nodes not in `running` (sorted or not).
  void KeepOnly(const std::vector<std::string>& running);

  // `up`{node,reason}: 1 where the node answered as that node.
  std::vector<prometheus::MetricFamily> SelfMetrics() const;

 private:
  struct Node {
    std::string url;
    std::string reason;  // "ok" when up
    absl::Time retry_at = absl::InfinitePast();
  };
  const absl::Duration retry_interval_;
  const SelfMetric& up_;
  const std::string purpose_;
  const std::string source_;
  mutable absl::Mutex mu_;
  std::map<std::string, Node> nodes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLUGIN_NODES_H_
