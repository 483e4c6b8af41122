#include "exporter/scrape/node_views_plan.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "exporter/broker/broker_url.h"
#include "exporter/scrape/plugin_discovery.h"
#include "exporter/scrape/plugin_targets.h"
#include "exporter/scrape/self_metrics.h"
#include "metrics/broker_facts.h"
#include "metrics/node_views.h"
#include "metrics/tables.h"

namespace warren {
namespace {

// The nodes' keys (kNodes): name, running, mem_limit, type.
constexpr size_t kName = 0, kRunning = 1;

// `node`'s view, asked of `client`, once it has said it is `node`. `requests` counts the requests.
absl::StatusOr<metrics::NodeView> ViewOf(const RabbitClient& client, const std::string& node, absl::Time deadline,
                                         std::atomic<size_t>* requests) {
  ++*requests;
  absl::StatusOr<metrics::BrokerFacts> identity = GetBrokerFacts(client, metrics::kNodeIdentityRequest, deadline);
  if (!identity.ok()) return identity.status();
  if (absl::Status same = CheckAnsweringNode("the API there", node, identity->node); !same.ok()) return same;
  ++*requests;
  absl::StatusOr<std::string> body = client.Get(metrics::kNodeViewRequest, deadline);
  if (!body.ok()) return body.status();
  return metrics::ReadNodeView(node, *body);
}

}  // namespace

NodeViewsPlan::NodeViewsPlan(const RabbitClient* management, absl::Duration retry_interval)
    : FetchPlan(metrics::kNodeViews),
      management_(management),
      nodes_(retry_interval, kNodeViewUp, "its view of the cluster", "node's management listener") {}

const char* NodeViewsPlan::Follows() const { return metrics::kNodes.name; }

std::vector<std::string> NodeViewsPlan::UrlsOf(const std::vector<std::string>& members,
                                               const std::vector<metrics::Listener>& listeners,
                                               std::vector<std::string>* reasons) {
  std::vector<std::string> urls;
  for (const std::string& member : members) {
    DiscoveredUrl found = ManagementUrlFromListeners(member, listeners, management_->url());
    if (found.listed) {  // what the listeners say now, even that there is no usable listener
      if (found.url.empty()) {
        urls_.erase(member);
      } else {
        urls_[member] = found.url;
      }
    } else if (auto known = urls_.find(member); known != urls_.end()) {
      found = {.url = known->second, .reason = "ok"};
    }
    urls.push_back(std::move(found.url));
    reasons->push_back(found.reason);
  }
  for (auto it = urls_.begin(); it != urls_.end();) {  // forget the nodes that left the cluster
    it = std::find(members.begin(), members.end(), it->first) == members.end() ? urls_.erase(it) : std::next(it);
  }
  return urls;
}

const RabbitClient* NodeViewsPlan::ClientFor(const std::string& url, std::string* reason) {
  if (url.empty()) return nullptr;
  auto it = clients_.find(url);
  if (it == clients_.end()) {
    absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
    absl::StatusOr<std::unique_ptr<RabbitClient>> client =
        parsed.ok() ? management_->At(*std::move(parsed))
                    : absl::StatusOr<std::unique_ptr<RabbitClient>>(parsed.status());
    if (!client.ok()) {
      *reason = std::string(ErrorReason(client.status()));
      return nullptr;
    }
    it = clients_.emplace(url, *std::move(client)).first;
  }
  return it->second.get();
}

FetchResult NodeViewsPlan::Fetch(const FetchContext& context) {
  const std::shared_ptr<const std::vector<metrics::LabelValues>> listed = context.keys_of(metrics::kNodes.name);
  std::vector<std::string> members;
  std::vector<bool> target_sees_running;
  if (listed != nullptr) {
    for (const metrics::LabelValues& row : *listed) {
      if (row.size() <= kRunning || row[kName].empty()) continue;
      members.push_back(row[kName]);
      target_sees_running.push_back(row[kRunning] == "true");
    }
  }
  nodes_.KeepOnly(members);
  // One node (or no node list: the nodes endpoint says why) has no view but its own.
  if (members.size() < 2) return {.mapped = metrics::Mapped{}, .stand_down = true};

  FetchResult result;
  // The listeners: asked each time (one small body per health interval), since a node's may move.
  ++result.requests;
  absl::StatusOr<metrics::BrokerFacts> overview = GetBrokerFacts(*management_, kListenersRequest, context.deadline);
  if (!overview.ok()) result.partial_error = overview.status();  // the URLs learnt before still serve
  std::vector<std::string> reasons;
  const std::vector<std::string> urls =
      UrlsOf(members, overview.ok() ? overview->listeners : std::vector<metrics::Listener>(), &reasons);

  // A client per member: the target's own for the node that answers it, else one per URL.
  std::vector<const RabbitClient*> clients(members.size(), nullptr);
  for (size_t i = 0; i < members.size(); ++i) {
    clients[i] = members[i] == context.broker.node ? management_ : ClientFor(urls[i], &reasons[i]);
  }
  for (auto it = clients_.begin(); it != clients_.end();) {  // URLs no longer used
    it = std::find(urls.begin(), urls.end(), it->first) == urls.end() ? clients_.erase(it) : std::next(it);
  }

  std::vector<std::optional<metrics::NodeView>> views(members.size());
  std::vector<absl::Status> statuses(members.size());
  std::vector<size_t> asked;
  for (size_t i = 0; i < members.size(); ++i) {
    if (clients[i] != nullptr) asked.push_back(i);
  }
  std::atomic<size_t> requests{0};
  AskEach(asked.size(), [&](size_t k) {
    const size_t i = asked[k];
    absl::StatusOr<metrics::NodeView> view = ViewOf(*clients[i], members[i], context.deadline, &requests);
    if (view.ok()) {
      views[i] = *std::move(view);
    } else {
      statuses[i] = view.status();
    }
  });
  result.requests += requests.load();

  const absl::Time now = absl::Now();
  std::vector<metrics::NodeView> answered;
  for (size_t i = 0; i < members.size(); ++i) {
    const std::string shown = clients[i] == management_ ? management_->url().ToString()
                              : urls[i].empty()         ? ""
                                                        : SafeUrl(urls[i]);
    const std::string reason = clients[i] != nullptr ? NodeReason(statuses[i]) : reasons[i];
    nodes_.Record(members[i], shown, reason, now, std::string(statuses[i].message()));
    if (views[i].has_value()) {
      answered.push_back(*std::move(views[i]));
    } else if (target_sees_running[i] && result.partial_error.ok()) {
      // A node the target sees down is expected not to answer; one it sees running is a failure.
      result.partial_error = absl::UnavailableError(
          absl::StrCat("node ", members[i], " (", shown, "): no view (", reason, ") ", statuses[i].message()));
    }
  }
  result.mapped = metrics::MapNodeViews(answered);
  return result;
}

}  // namespace warren
