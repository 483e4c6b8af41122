// Queue depth from each node's rabbitmq_prometheus plugin (opt-in; metrics/queue_depth.h,
// docs/design/plugin-depth.md): which nodes to ask, and one fetch of all of them.
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
#include "metrics/filter.h"
#include "metrics/mapper.h"

namespace warren {

struct PluginDepthOptions {
  std::vector<std::pair<std::string, std::string>> urls;  // node name -> base URL
  std::string url_template;                               // for the other running nodes; "{host}": the name after '@'
  TlsOptions tls;                                         // for https:// URLs
  // How often queues are listed while the plugins report exactly the listed queues from the
  // nodes that answered last time; anything else lists them at the next scrape. Never more often
  // than the scraper's min_interval.
  absl::Duration listing_interval = absl::ZeroDuration();

  bool On() const { return !urls.empty() || !url_template.empty(); }
};

// What one fetch of every node's plugin gave.
struct PluginDepthFetch {
  // The depth rows (metrics::AppendDepthRows) as the keys of a Mapped, unreadable lines counted
  // as wrong_type; fails only if no node answered (or none was found to ask).
  absl::StatusOr<metrics::Mapped> rows;
  absl::Status node_error;            // the first node that failed while others answered
  std::vector<std::string> answered;  // the nodes that answered, sorted
  size_t requests = 0;                // HTTP requests made
};

// Asks every node's /metrics/detailed?family=queue_coarse_metrics, all at once (up to 16 at a
// time), without credentials; a node's answer counts only if its rabbitmq_identity_info names
// that node. With a template, the running nodes come from one /api/nodes request through
// `management`. Rows are kept only where `filter` (may be null) keeps their vhost and queue.
PluginDepthFetch FetchPluginDepths(const RabbitClient& management, const PluginDepthOptions& options,
                                   const metrics::Filter* filter, absl::string_view rabbitmq_version,
                                   absl::Time deadline);

// The plans that stand in for the queues endpoint when plugin depth is on.
struct PluginDepthPlans {
  // /api/queues without totals (fetched as `listing` says), under the queues endpoint's name; its
  // interval is --scrape.queue-listing-interval while the depth fetch finds it up to date.
  std::unique_ptr<FetchPlan> listing;
  std::unique_ptr<FetchPlan> depth;         // every node's plugin
  std::vector<const metrics::Join*> joins;  // the depth series, from the two
};
PluginDepthPlans MakePluginDepthPlans(const PluginDepthOptions& options, ManagementPlan::Options listing);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLUGIN_DEPTH_H_
