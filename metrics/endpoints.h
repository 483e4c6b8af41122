// The one explicit list of endpoints warren scrapes, the joins between them, and the requests
// derived from their tables.
#ifndef WARREN_METRICS_ENDPOINTS_H_
#define WARREN_METRICS_ENDPOINTS_H_

#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/broker_facts.h"
#include "metrics/join.h"
#include "metrics/table.h"
#include "metrics/tables.h"

namespace warren::metrics {

// Every endpoint, in a fixed order. No static self-registration: this list is the registry.
std::span<const Endpoint* const> AllEndpoints();

// The endpoint of AllEndpoints called `name` (Endpoint::name), or nullptr.
const Endpoint* EndpointNamed(absl::string_view name);

// The collector groups (Endpoint::group) in the order of AllEndpoints, without duplicates.
std::vector<std::string> AllGroups();
// The groups that are off unless asked for (Endpoint::opt_in).
std::vector<std::string> OptInGroups();

std::span<const Join> AllJoins();

// The JSON paths the table reads, in table order without duplicates: the `columns=` value.
std::vector<std::string> ColumnsOf(const Endpoint& endpoint);

// Path and query for one fetch, e.g. "/api/queues?disable_stats=true&...&columns=vhost,name,...";
// an empty `sort=` where the release skips sorting for it (Release::SkipsSortWithEmptySort).
std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version);

// True if the broker can list this endpoint's objects of one vhost (Endpoint::vhost_path).
bool HasVhostPath(const Endpoint& endpoint);
// RequestFor, limited to the objects of `vhost` (percent-encoded into the path). Only for an
// endpoint with HasVhostPath.
std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version, absl::string_view vhost);

// Endpoint::bert_pays: --rabbitmq.format=auto asks for BERT here.
bool BertPays(const Endpoint& endpoint);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_ENDPOINTS_H_
