// Queue depth from each node's rabbitmq_prometheus plugin (metrics/queue_depth.h,
// docs/design/plugin-depth.md): which nodes to ask, one fetch of all of them, and the plans that
// use it while every running node's plugin answers and the listing with totals otherwise.
#ifndef WARREN_EXPORTER_SCRAPE_PLUGIN_DEPTH_H_
#define WARREN_EXPORTER_SCRAPE_PLUGIN_DEPTH_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/management_plan.h"
#include "exporter/scrape/plugin_nodes.h"
#include "exporter/scrape/plugin_targets.h"
#include "metrics/broker_facts.h"
#include "metrics/filter.h"
#include "metrics/mapper.h"

namespace warren {

// What one fetch of every node's plugin gave.
struct PluginDepthFetch {
  // The depth rows (metrics::AppendDepthRows) of every node asked, as the keys of a Mapped,
  // unreadable lines counted as wrong_type; an error if a node to ask could not be asked or did
  // not answer as itself (or none was found to ask).
  absl::StatusOr<metrics::Mapped> rows;
  std::vector<std::string> answered;  // the nodes that answered, sorted
  size_t requests = 0;                // HTTP requests made
  // Why nothing could be asked when no node is to blame (the node list or the listeners failed);
  // a node's own failure is in its PluginNodes state and log line instead.
  absl::Status error = absl::OkStatus();
};

// Asks every node's /metrics/detailed?family=queue_coarse_metrics, all at once (up to 16 at a
// time), without credentials; a node's answer counts only if its rabbitmq_identity_info names
// that node. The nodes are the running ones of one /api/nodes request through `management` (a
// stopped node has no plugin: its queues are down, which is no plugin's failure). A node whose plugin
// failed is not asked again before its retry (PluginNodes), and then nothing is asked: the rows
// would be missing it anyway. Rows are kept only where `filter` (may be null) keeps their vhost
// and queue.
class PluginDepthFetcher {
 public:
  PluginDepthFetcher(PluginOptions options, const RabbitClient* management, const metrics::Filter* filter);

  PluginDepthFetch Fetch(absl::string_view rabbitmq_version, absl::Time deadline);
  const PluginNodes& nodes() const { return nodes_; }

 private:
  // The running nodes of one /api/nodes request, each with its plugin's URL or why it has none.
  absl::StatusOr<std::vector<PluginTarget>> Targets(absl::Time deadline, size_t* requests);

  const PluginOptions options_;
  const RabbitClient* const management_;
  const metrics::Filter* const filter_;
  PluginNodes nodes_;
  PluginLocator locator_;  // only the plan's fetch (one at a time) uses it
};

// The plans that stand in for the queues endpoint when plugin depth is on.
struct PluginDepthPlans {
  // Under the queues endpoint's name: /api/queues with totals (today's default) until every
  // running node's plugin answers, then without, every --scrape.queue-listing-interval while the
  // depth fetch finds it up to date.
  std::unique_ptr<FetchPlan> listing;
  // Every node's plugin, after the listing: the depth rows while the listing has no totals (from
  // a narrow listing with totals, for a scrape in which a plugin failed); nothing while it has.
  std::unique_ptr<FetchPlan> depth;
  std::vector<const metrics::Join*> joins;  // the depth series, from the two
};
PluginDepthPlans MakePluginDepthPlans(const PluginOptions& options, ManagementPlan::Options listing);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLUGIN_DEPTH_H_
