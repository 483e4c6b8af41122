// Each node's own view of the cluster (metrics/node_views.h): after the nodes plan, in a cluster,
// every listed member is asked through its own management listener which members it sees
// running, so a split shows even where the `partitions` field says nothing (3.10 during a
// sustained split, always on 4.3). A single node asks nothing and serves nothing.
#ifndef WARREN_EXPORTER_SCRAPE_NODE_VIEWS_PLAN_H_
#define WARREN_EXPORTER_SCRAPE_NODE_VIEWS_PLAN_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/plugin_nodes.h"
#include "prometheus/metric_family.h"

namespace warren {

// Each member's management URL comes from the overview's listeners (the listener of the target's
// scheme), is kept while the target no longer lists the node (a node cut off from the target
// drops out of its listeners), and is guessed (the target's port on the node name's host) for a
// node never listed. Each is asked with the target's credentials and TLS options, all at once,
// and must say it is that node. A member that does not answer has no view: what the others say
// of it is peer_running only (it may simply be down). Its failure counts only if the target sees
// it running.
class NodeViewsPlan final : public FetchPlan {
 public:
  // `retry_interval`: what the log says of a node that failed (each fetch asks every node).
  NodeViewsPlan(const RabbitClient* management, absl::Duration retry_interval);

  const char* Follows() const override;
  std::vector<prometheus::MetricFamily> SelfMetrics() const override { return nodes_.SelfMetrics(); }
  FetchResult Fetch(const FetchContext& context) override;

 private:
  // The management URL of each of `members` ("" when none: `reasons` says why), from `listeners`
  // or what was learnt before.
  std::vector<std::string> UrlsOf(const std::vector<std::string>& members,
                                  const std::vector<metrics::Listener>& listeners, std::vector<std::string>* reasons);
  // The client for `url`, made once and kept while the URL is used; null (and `reason`) if there is
  // no URL or no client can be made for it.
  const RabbitClient* ClientFor(const std::string& url, std::string* reason);

  const RabbitClient* const management_;
  PluginNodes nodes_;
  // Only Fetch (one at a time) uses these.
  std::map<std::string, std::string> urls_;                       // node -> its last listed URL
  std::map<std::string, std::unique_ptr<RabbitClient>> clients_;  // URL -> its client
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_NODE_VIEWS_PLAN_H_
