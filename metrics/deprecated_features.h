// Deprecated features in use before 3.13, which has no /api/deprecated-features/used: derived from
// what the API shows the way the broker's own checks decide (rabbit_mirror_queue_misc:are_cmqs_used/1
// at v3.13.0: a policy whose definition sets ha-mode; rabbit_amqqueue:are_transient_nonexcl_used/1
// at v4.0.4: a queue neither durable nor exclusive), plus RAM nodes (/api/nodes type). From 3.13 on
// the broker's answer (kDeprecatedFeaturesUsed) is the only source: 3.13.0 to 4.0.3 have no check
// for transient non-exclusive queues, so their answer never names that feature, and neither does
// warren (the broker did not say it).
#ifndef WARREN_METRICS_DEPRECATED_FEATURES_H_
#define WARREN_METRICS_DEPRECATED_FEATURES_H_

#include "metrics/join.h"

namespace warren::metrics {

extern const char kDerivedFeaturesName[];
extern const char kDerivedFeaturesHelp[];

// inputs: the keys of kOverview (rabbitmq_version), kNodes (node, running, mem_limit, type) and
// kPolicies (vhost, policy, ha-mode, ha-params) and kQueues (vhost, queue, type, policy, node,
// durable, exclusive). On a known release before 3.13:
// rabbitmq_deprecated_feature_used_info{feature, deprecation_phase="permitted_by_default"} 1 for
// classic_queue_mirroring (a policy sets ha-mode), transient_nonexcl_queues (a queue is neither
// durable nor exclusive) and ram_node_type (a node is a RAM node); no sample for a feature not in
// use. Nothing on 3.13+ or an unknown release.
FamilyBuilder DerivedDeprecatedFeatures(JoinInputs inputs);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_DEPRECATED_FEATURES_H_
