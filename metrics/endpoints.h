// The one explicit list of endpoints warren scrapes, the joins between them, and the requests
// derived from their tables.
#ifndef WARREN_METRICS_ENDPOINTS_H_
#define WARREN_METRICS_ENDPOINTS_H_

#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/family_builder.h"
#include "metrics/mapper.h"
#include "metrics/table.h"

namespace warren::metrics {

extern const Endpoint kOverview;             // overview.cc
extern const Endpoint kNodes;                // nodes.cc
extern const Endpoint kQueues;               // queues.cc
extern const Endpoint kConsumers;            // consumers.cc
extern const Endpoint kExchanges;            // exchanges.cc
extern const Endpoint kConnections;          // connections.cc
extern const Endpoint kChannels;             // connections.cc
extern const Endpoint kFederationLinks;      // federation.cc
extern const Endpoint kFederationUpstreams;  // federation.cc
extern const Endpoint kShovels;              // shovels.cc
extern const Endpoint kVhosts;               // vhosts.cc
extern const Endpoint kVhostLimits;          // vhosts.cc
extern const Endpoint kPolicies;             // policies.cc
extern const Endpoint kQueueStats;           // queue_stats.cc (opt-in)
extern const Endpoint kExchangeStats;        // queue_stats.cc (opt-in)
extern const Endpoint kDefinitions;          // definitions.cc
extern const Endpoint kHealthAlarms;         // health.cc
extern const Endpoint kHealthLocalAlarms;
extern const Endpoint kHealthQuorumCritical;
extern const Endpoint kHealthMirrorSyncCritical;
extern const Endpoint kHealthVirtualHosts;
extern const Endpoint kHealthCertificateExpiration;
extern const Endpoint kHealthProtocolAmqp;

// Every endpoint, in a fixed order. No static self-registration: this list is the registry.
std::span<const Endpoint* const> AllEndpoints();

// The endpoint of AllEndpoints called `name` (Endpoint::name), or nullptr.
const Endpoint* EndpointNamed(absl::string_view name);

// The collector groups (Endpoint::group) in the order of AllEndpoints, without duplicates.
std::vector<std::string> AllGroups();
// The groups that are off unless asked for (Endpoint::opt_in).
std::vector<std::string> OptInGroups();

// The Mapped::keys of each input of a join, in the order of Join::inputs.
using JoinInputs = std::span<const std::vector<LabelValues>* const>;

// A metric computed from the Mapped::keys of several endpoints, e.g. consumers per queue.
// Computed only while every input has data.
struct Join {
  std::span<const Endpoint* const> inputs;
  const char* name;
  const char* labels;  // for the reference
  const char* help;
  FamilyBuilder (*compute)(JoinInputs inputs);  // a family without samples is not served
};

std::span<const Join> AllJoins();

// The JSON paths the table reads, in table order without duplicates: the `columns=` value.
std::vector<std::string> ColumnsOf(const Endpoint& endpoint);

// The major and minor numbers of a RabbitMQ version ("3.10.8" -> 3, 10); false if it has none.
bool MajorMinorOf(absl::string_view rabbitmq_version, int* major, int* minor);

// True if an empty `sort=` is known to skip the broker's sorting for this version
// (3.x before 3.13). 3.13.0 answers it with HTTP 500 and later versions ignore it, so an
// unknown or newer version gets no sort parameter.
bool SkipSortSupported(absl::string_view rabbitmq_version);

// Path and query for one fetch, e.g. "/api/queues?disable_stats=true&...&columns=vhost,name,...".
std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version);

// True if the broker can list this endpoint's objects of one vhost (/api/queues/<vhost>, ...):
// the big lists, where a vhost filter then saves the broker work.
bool HasVhostPath(const Endpoint& endpoint);
// RequestFor, limited to the objects of `vhost` (percent-encoded into the path). Only for an
// endpoint with HasVhostPath.
std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version, absl::string_view vhost);

// True if asking for BERT (Accept: application/bert) saves the broker CPU on this endpoint: the
// lists that grow with the number of objects (README, "BERT"). --rabbitmq.format=auto uses it.
bool BertPays(const Endpoint& endpoint);

// The rabbitmq_version label of an /api/overview mapping, or "" if it has none.
std::string RabbitVersionOf(const Mapped& overview);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_ENDPOINTS_H_
