#include "exporter/scrape/plugin_targets.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <system_error>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "exporter/broker/broker_url.h"
#include "exporter/scrape/plugin_discovery.h"
#include "metrics/json.h"
#include "rapidjson/document.h"

namespace warren {
namespace {

// Nodes asked at the same time: a cluster has a handful; a list of hundreds of URLs is still
// asked in bounded threads.
constexpr size_t kMaxNodesAtOnce = 16;

// Marks the error of CheckAnsweringNode, whatever its message says.
constexpr char kWrongNodePayload[] = "warren/wrong_node";

}  // namespace

absl::Status PluginLocator::RefreshListeners(const std::vector<std::string>& running, absl::Time deadline,
                                             size_t* requests) {
  const bool all_known = std::all_of(running.begin(), running.end(), [&](const std::string& node) {
    return std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l.node == node; });
  });
  // An empty list is what a broker with its statistics off gives: asking again soon changes nothing.
  const bool none_listed = listeners_.empty() && listeners_at_ != absl::InfinitePast();
  if ((all_known || none_listed) && absl::Now() - listeners_at_ < options_.retry_interval) return absl::OkStatus();
  ++*requests;
  absl::StatusOr<metrics::BrokerFacts> facts = GetBrokerFacts(*management_, kListenersRequest, deadline);
  if (!facts.ok()) return facts.status();
  listeners_ = std::move(facts->listeners);
  listeners_at_ = absl::Now();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PluginTarget>> PluginLocator::Locate(const std::vector<std::string>& running,
                                                                absl::Time deadline, size_t* requests) {
  if (options_.discover) {
    if (absl::Status listed = RefreshListeners(running, deadline, requests); !listed.ok()) return listed;
  }
  std::vector<PluginTarget> targets;
  for (const std::string& node : running) {
    PluginTarget target{.node = node};
    auto explicit_url =
        std::find_if(options_.urls.begin(), options_.urls.end(), [&](const auto& url) { return url.first == node; });
    const size_t at = node.find('@');
    const absl::string_view host =
        at == std::string::npos ? absl::string_view() : absl::string_view(node).substr(at + 1);
    if (explicit_url != options_.urls.end()) {
      target.url = explicit_url->second;
    } else if (!options_.url_template.empty()) {
      if (PlainHost(host)) {
        target.url = absl::StrReplaceAll(options_.url_template, {{"{host}", host}});
      } else {
        target.reason = "no_host";
      }
    } else if (options_.discover) {
      DiscoveredUrl found = PluginUrlFromListeners(node, listeners_);
      target.url = std::move(found.url);
      target.reason = found.reason;
    } else {
      target.reason = "no_url";  // a running node the explicit URLs leave out
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

void AskEach(size_t count, const std::function<void(size_t)>& ask) {
  std::atomic<size_t> next{0};
  auto asker = [&] {
    for (size_t i = next++; i < count; i = next++) ask(i);
  };
  std::vector<std::thread> askers;
  for (size_t i = 1; i < std::min(count, kMaxNodesAtOnce); ++i) {
    try {
      askers.emplace_back(asker);
    } catch (const std::system_error&) {  // no thread to be had: the ones there ask the rest
      break;
    }
  }
  asker();
  for (std::thread& thread : askers) thread.join();
}

absl::StatusOr<std::string> GetFromPlugin(const std::string& url, absl::string_view request, const TlsOptions& tls,
                                          int64_t max_body_bytes, absl::Time deadline) {
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  const bool https = parsed->scheme == "https";
  absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create({.url = *std::move(parsed),
                                                                               .user = "",
                                                                               .password = "",
                                                                               .max_body_bytes = max_body_bytes,
                                                                               .tls = https ? tls : TlsOptions{}});
  if (!client.ok()) return client.status();
  return (*client)->GetText(request, deadline);
}

absl::Status CheckAnsweringNode(absl::string_view who, absl::string_view node, absl::string_view identity) {
  if (identity == node) return absl::OkStatus();
  absl::Status wrong = absl::DataLossError(absl::StrCat(who, " is node '", identity, "', not this node"));
  wrong.SetPayload(kWrongNodePayload, absl::Cord());
  return wrong;
}

std::string NodeReason(const absl::Status& status) {
  if (status.ok()) return "ok";
  if (status.GetPayload(kWrongNodePayload).has_value()) return "wrong_node";
  return std::string(ErrorReason(status));
}

absl::StatusOr<metrics::BrokerFacts> GetBrokerFacts(const RabbitClient& client, absl::string_view request,
                                                    absl::Time deadline) {
  absl::StatusOr<std::string> body = client.Get(request, deadline);
  if (!body.ok()) return body.status();
  rapidjson::Document overview;
  if (absl::Status parsed = metrics::ParseJson(*body, "/api/overview", &overview); !parsed.ok()) return parsed;
  return metrics::ReadBrokerFacts(overview);
}

std::string SafeUrl(const std::string& url) {
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  return parsed.ok() ? parsed->ToString() : "(invalid URL)";
}

}  // namespace warren
