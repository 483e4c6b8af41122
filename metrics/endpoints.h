// The one explicit list of endpoints warren scrapes, and the requests derived from their tables.
#ifndef WARREN_METRICS_ENDPOINTS_H_
#define WARREN_METRICS_ENDPOINTS_H_

#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/mapper.h"
#include "metrics/table.h"

namespace warren::metrics {

extern const Endpoint kOverview;   // overview.cc
extern const Endpoint kNodes;      // nodes.cc
extern const Endpoint kQueues;     // queues.cc
extern const Endpoint kConsumers;  // consumers.cc

// Every endpoint, in a fixed order. No static self-registration: this list is the registry.
std::span<const Endpoint* const> AllEndpoints();

// The JSON paths the table reads, in table order without duplicates: the `columns=` value.
std::vector<std::string> ColumnsOf(const Endpoint& endpoint);

// True if an empty `sort=` is known to skip the broker's sorting for this version
// (3.x before 3.13). 3.13.0 answers it with HTTP 500 and later versions ignore it, so an
// unknown or newer version gets no sort parameter.
bool SkipSortSupported(absl::string_view rabbitmq_version);

// Path and query for one fetch, e.g. "/api/queues?disable_stats=true&...&columns=vhost,name,...".
std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version);

// The rabbitmq_version label of an /api/overview mapping, or "" if it has none.
std::string RabbitVersionOf(const Mapped& overview);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_ENDPOINTS_H_
