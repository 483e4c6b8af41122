// Node resources where /api/nodes lacks them (metrics/node_resources.h): after the nodes plan, for
// each running node whose row has no figures (the management statistics off), its plugin's node
// families and the cluster's alarms. With the statistics on it asks nothing and serves nothing.
#ifndef WARREN_EXPORTER_SCRAPE_NODE_RESOURCES_PLAN_H_
#define WARREN_EXPORTER_SCRAPE_NODE_RESOURCES_PLAN_H_

#include <atomic>
#include <vector>

#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/plugin_nodes.h"
#include "exporter/scrape/plugin_targets.h"
#include "prometheus/metric_family.h"

namespace warren {

// A node whose plugin cannot be reached (or `plugin` finds none: it is off) has no resource series,
// never zeros; it counts in warren_node_resources_missing and says why in
// warren_node_resources_from_plugin, and is asked again once per retry interval. Its alarms still
// come from the cluster's alarm check.
class NodeResourcesPlan final : public FetchPlan {
 public:
  NodeResourcesPlan(const PluginOptions& plugin, const RabbitClient* management);

  const char* Follows() const override;
  std::vector<prometheus::MetricFamily> SelfMetrics() const override;
  FetchResult Fetch(const FetchContext& context) override;

 private:
  const PluginOptions plugin_;
  const RabbitClient* const management_;
  PluginNodes nodes_;
  PluginLocator locator_;         // only Fetch (one at a time) uses it
  std::atomic<int> missing_{-1};  // -1: no node lacked its figures at the last fetch
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_NODE_RESOURCES_PLAN_H_
