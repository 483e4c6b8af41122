// Every endpoint's table, declared; each is defined in the file of its API area (one table per
// area). The registry of them all, and the requests derived from them, is endpoints.h.
#ifndef WARREN_METRICS_TABLES_H_
#define WARREN_METRICS_TABLES_H_

#include "metrics/table.h"

namespace warren::metrics {

extern const Endpoint kOverview;                // overview.cc
extern const Endpoint kNodes;                   // nodes.cc
extern const Endpoint kQueues;                  // queues.cc
extern const Endpoint kConsumers;               // consumers.cc
extern const Endpoint kExchanges;               // exchanges.cc
extern const Endpoint kConnections;             // connections.cc
extern const Endpoint kChannels;                // connections.cc
extern const Endpoint kFederationLinks;         // federation.cc
extern const Endpoint kFederationUpstreams;     // federation.cc
extern const Endpoint kShovels;                 // shovels.cc
extern const Endpoint kVhosts;                  // vhosts.cc
extern const Endpoint kVhostLimits;             // vhosts.cc
extern const Endpoint kPolicies;                // policies.cc
extern const Endpoint kQueueStats;              // queue_stats.cc (opt-in)
extern const Endpoint kExchangeStats;           // queue_stats.cc (opt-in)
extern const Endpoint kDefinitions;             // definitions.cc
extern const Endpoint kDeprecatedFeaturesUsed;  // deprecated_features.cc (3.13+)
extern const Endpoint kHealthAlarms;            // health.cc
extern const Endpoint kHealthLocalAlarms;
extern const Endpoint kHealthQuorumCritical;
extern const Endpoint kHealthMirrorSyncCritical;
extern const Endpoint kHealthVirtualHosts;
extern const Endpoint kHealthCertificateExpiration;
extern const Endpoint kHealthProtocolAmqp;
extern const Endpoint kHealthMetadataStore;  // 4.0.6+ (releases.cc says which release routes which check)
extern const Endpoint kHealthQuorumLeaders;
extern const Endpoint kHealthInService;
extern const Endpoint kHealthConnectionLimit;
extern const Endpoint kHealthReadyToServe;
extern const Endpoint kHealthTargetClusterSize;
// A node's resources from its plugin, for when /api/nodes lacks them (nodes.cc; see
// node_resources.h): the resource fields of kNodes. Never fetched as JSON from the broker.
extern const Endpoint kNodeResources;
// Each node's view of which members run, asked of every node (node_views.cc; see node_views.h).
extern const Endpoint kNodeViews;
// The listing of /api/queues without enable_queue_totals (queues.cc): everything kQueues maps
// but the depths, and state series for "live" and "down" only (the broker says "live" instead of
// running/idle/flow).
extern const Endpoint kQueueListing;
// The per-node plugin fetch (queue_depth.cc). Never mapped from JSON: its keys are the rows of
// AppendDepthRows.
extern const Endpoint kQueueDepth;
// The depths alone from the listing with totals, as depth rows (queue_depth.cc): what plugin depth
// falls back to for a scrape in which a node's plugin does not answer.
extern const Endpoint kQueueTotals;

}  // namespace warren::metrics

#endif  // WARREN_METRICS_TABLES_H_
