// Queue depth from each node's rabbitmq_prometheus plugin instead of enable_queue_totals
// (docs/design/plugin-depth.md). exporter/scrape/plugin_depth.cc fetches every node's
// /metrics/detailed?family=queue_coarse_metrics and keeps one row per reported queue; the joins
// here attach those depths to the queues of the listing without totals (kQueueListing), taking
// each queue's depth only from the node the listing names as its host. A listed queue without
// one gets no depth series (never 0) and counts in warren_queue_depth_missing{node}.
#ifndef WARREN_METRICS_QUEUE_DEPTH_H_
#define WARREN_METRICS_QUEUE_DEPTH_H_

#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/filter.h"
#include "metrics/join.h"
#include "metrics/plugin_text.h"
#include "metrics/tables.h"

namespace warren::metrics {

// The request a node's plugin answers with the coarse family, after its base URL.
inline constexpr char kPluginDepthRequest[] = "/metrics/detailed?family=queue_coarse_metrics";

// The key columns of a depth row: vhost, queue, node (who reported it), messages, ready,
// unacked (whole numbers as text, "" when the plugin had none).
inline constexpr size_t kDepthColumns = 6;
// One depth row per queue `node`'s plugin reported that `filter` (if any) keeps, appended to `rows`.
void AppendDepthRows(const PluginDepths& depths, absl::string_view node, const Filter* filter,
                     std::vector<LabelValues>* rows);

// True if the depth rows are exactly the listed queues, each reported by its host node with a
// total depth. Anything else (a queue created, deleted or moved since the listing, a node that did
// not answer) means the listing should be fetched again.
bool DepthMatchesListing(const std::vector<LabelValues>& listing, const std::vector<LabelValues>& rows);

// The joins of kQueueListing with kQueueDepth: the three depth gauges and the missing count.
std::span<const Join> PluginDepthJoins();

}  // namespace warren::metrics

#endif  // WARREN_METRICS_QUEUE_DEPTH_H_
