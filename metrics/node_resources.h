// A node's resources from its rabbitmq_prometheus plugin, for when /api/nodes lacks them: the
// management statistics off (management_agent.disable_metrics_collector = true, RabbitMQ 4.x's
// advice) leave it only name, type and running. The plugin's figures become the /api/nodes object
// they stand in for, which kNodeResources (nodes.cc) maps with the nodes table itself: the same
// series names, help and units as with the statistics on. Pure: text in, objects out.
//
// The plugin's per-family endpoint costs the broker the same at any number of queues (4 KB, 4-6 ms
// on 3.10.8 at 10,000 queues, where /metrics takes 65-77 ms to sum every queue's figures). It has
// no alarms: those come from the management API's /api/health/checks/alarms, one request for the
// whole cluster, cheap with the statistics off as on.
#ifndef WARREN_METRICS_NODE_RESOURCES_H_
#define WARREN_METRICS_NODE_RESOURCES_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "metrics/mapper.h"

namespace warren::metrics {

// What a node's plugin answers with its node figures, after its base URL.
inline constexpr char kNodeResourcesRequest[] = "/metrics/detailed?family=node_coarse_metrics&family=node_metrics";
// The cluster's alarms: 200 {"status":"ok"}, or 503 with {"alarms":[{"node":...,"resource":...}]}.
inline constexpr char kClusterAlarmsRequest[] = "/api/health/checks/alarms";

// One node's figures from ReadNodeFigures, by their /api/nodes field ("mem_used", ...).
struct NodeFigures {
  std::string node;  // rabbitmq_identity_info's rabbitmq_node, empty when absent
  std::vector<std::pair<const char*, double>> fields;
  size_t invalid = 0;  // samples not a finite, non-negative number, or given twice (dropped)
};

// Reads the text of kNodeResourcesRequest. Never fails: a figure it cannot read is absent and
// counted.
NodeFigures ReadNodeFigures(absl::string_view text);

// The nodes with each alarm in effect, from the body of kClusterAlarmsRequest.
struct ClusterAlarms {
  absl::flat_hash_set<std::string> memory, disk;
};
absl::StatusOr<ClusterAlarms> ReadClusterAlarms(absl::string_view body);

// One node as /api/nodes would give it with the statistics on: its figures (null: none), its two
// alarms from `alarms` (null: unknown).
struct NodeResources {
  std::string node;
  const NodeFigures* figures = nullptr;
  const ClusterAlarms* alarms = nullptr;
};
// The nodes mapped with kNodeResources. An object with nothing known but its name has no series.
absl::StatusOr<Mapped> MapNodeResources(const std::vector<NodeResources>& nodes);

// The /api/nodes fields the plugin reports (for tests: each is one of kNodeResources' fields).
std::vector<const char*> PluginNodeFields();

}  // namespace warren::metrics

#endif  // WARREN_METRICS_NODE_RESOURCES_H_
