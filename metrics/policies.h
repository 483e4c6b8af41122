// Policies (/api/policies), joined with queues and nodes into the number of mirrors each classic
// mirrored queue should have, so a missing mirror shows next to rabbitmq_queue_mirrors.
#ifndef WARREN_METRICS_POLICIES_H_
#define WARREN_METRICS_POLICIES_H_

#include "metrics/join.h"

namespace warren::metrics {

extern const char kMirrorsExpectedName[];
extern const char kMirrorsExpectedHelp[];

// inputs: the keys of kQueues (vhost, queue, type, policy, node), kPolicies (vhost, policy, ha-mode,
// ha-params) and kNodes (node). One sample per classic queue whose policy sets ha-mode:
//   all: every node of the cluster but the master's; exactly N: N-1, at most the other nodes;
//   nodes [list]: the listed nodes that belong to the cluster, but one (the master).
// Nodes that are down count: their missing mirrors are what this metric is for.
FamilyBuilder MirrorsExpected(JoinInputs inputs);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_POLICIES_H_
