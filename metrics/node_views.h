// Each node's own view of which cluster members run, for a partition signal that does not rely
// on /api/nodes' `partitions` field. That field misses a split on 3.10 (measured: during a
// sustained split `partitions` is [] on every node, while each side's /api/nodes says the other
// side is not running) and is always [] from 4.3. Asking every node for its view sees both.
// Pure: views in, samples out.
#ifndef WARREN_METRICS_NODE_VIEWS_H_
#define WARREN_METRICS_NODE_VIEWS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "metrics/mapper.h"

namespace warren::metrics {

// What a node answers about itself and about the cluster, through its own management listener.
inline constexpr char kNodeIdentityRequest[] = "/api/overview?columns=node";
inline constexpr char kNodeViewRequest[] = "/api/nodes?columns=name,running";

// One node's view: every member its /api/nodes lists, and whether it sees it running.
struct NodeView {
  std::string node = {};
  std::vector<std::pair<std::string, bool>> members = {};
};

// The view in a body of kNodeViewRequest, as `node`'s. Rows without a name or a boolean running
// are left out.
absl::StatusOr<NodeView> ReadNodeView(absl::string_view node, absl::string_view body);

// The views mapped with kNodeViews: for each node that sees itself running, one
// rabbitmq_node_peer_running per other member, and rabbitmq_node_split_from where the split is
// known: 1 when the node sees a member not running that answered with a view of its own (so it
// runs: the two cannot see each other), 0 when it sees it running. A member that gave no view
// may simply be down: no split_from sample, only peer_running 0.
absl::StatusOr<Mapped> MapNodeViews(const std::vector<NodeView>& views);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_NODE_VIEWS_H_
