// Federation links and upstreams. Both answer 404 when the federation plugin is off: that shows
// as warren_scrape_success{endpoint} 0 with reason not_found, logged once.
#include "metrics/federation.h"

#include <map>

#include "metrics/join_rows.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

// A link federates either an exchange or a queue; the other label is "".
constexpr Label kLinkLabels[] = {
    {"vhost", "vhost"}, {"upstream", "upstream"}, {"exchange", "exchange?"}, {"queue", "queue?"}, {"node", "node?"},
};
constexpr const char* kLinkStatusNames[] = {"running", "starting", "error"};
// clang-format off
constexpr StateSet kLinkStates[] = {
  {"status", "rabbitmq_federation_link_status", "status", kLinkStatusNames, "1 for the link's current status; statuses not listed appear when seen."},
};
// clang-format on
// clang-format off
constexpr Each kLinkEaches[] = {
  {"error", "rabbitmq_federation_link_error", "error", "1 for the reason a failed link gives, such as econnrefused or not_allowed."},
};
// clang-format on
constexpr Label kLinkKeys[] = {{"vhost", "vhost"}, {"upstream", "upstream"}, {"status", "status"}};

constexpr Label kUpstreamKeys[] = {{"vhost", "vhost"}, {"upstream", "name"}};

}  // namespace

const Endpoint kFederationLinks{
    .name = "federation_links",
    .group = "federation",
    .path = "/api/federation-links",
    .labels = kLinkLabels,
    .states = kLinkStates,
    .eaches = kLinkEaches,
    .keys = kLinkKeys,
};

// Reading parameters needs the policymaker (or administrator) tag: a monitoring-only user gets
// 401 here, so this endpoint is a group of its own that such a setup can switch off.
const Endpoint kFederationUpstreams{
    .name = "federation_upstreams",
    .group = "federation_upstreams",
    .path = "/api/parameters/federation-upstream",
    .keys = kUpstreamKeys,
};

const char kUpstreamLinksRunningName[] = "rabbitmq_federation_upstream_links_running";
const char kUpstreamLinksRunningHelp[] =
    "Running links of a configured federation upstream: 0 means its links failed or disappeared.";

FamilyBuilder UpstreamLinksRunning(JoinInputs inputs) {
  const std::vector<LabelValues>& upstreams = *inputs[0];
  const std::vector<LabelValues>& links = *inputs[1];
  std::map<LabelValues, int> running;  // (vhost, upstream) -> running links
  for (const LabelValues& link : links) {
    if (link.size() == 3 && link[2] == "running") ++running[{link[0], link[1]}];
  }
  std::vector<JoinRow> rows;
  for (const LabelValues& upstream : upstreams) {
    if (upstream.size() != 2) continue;
    auto it = running.find(upstream);
    rows.push_back({upstream[0], upstream[1], it == running.end() ? 0.0 : it->second});
  }
  return JoinFamily(kUpstreamLinksRunningName, kUpstreamLinksRunningHelp, "vhost", "upstream", std::move(rows));
}

}  // namespace warren::metrics
