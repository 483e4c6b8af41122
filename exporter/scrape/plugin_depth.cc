#include "exporter/scrape/plugin_depth.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <memory>
#include <system_error>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "exporter/broker/broker_url.h"
#include "metrics/json.h"
#include "metrics/plugin_text.h"
#include "metrics/queue_depth.h"
#include "rapidjson/document.h"

namespace warren {
namespace {

using NodeUrls = std::vector<std::pair<std::string, std::string>>;

// Nodes asked at the same time: a cluster has a handful; a list of hundreds of URLs is still
// asked in bounded threads.
constexpr size_t kMaxNodesAtOnce = 16;

// A host name or address as a node name may carry after '@': nothing that could change which
// URL the template makes (no '/', '@', ':', '?', '#', '%' or spaces).
bool PlainHost(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// Node name -> plugin base URL: the explicit ones, and the template's for the other nodes
// /api/nodes says are running ("" for a node whose name gives the template no host).
absl::StatusOr<NodeUrls> UrlsToAsk(const RabbitClient& management, const PluginDepthOptions& options,
                                   absl::Time deadline, size_t* requests) {
  NodeUrls urls = options.urls;
  if (options.url_template.empty()) return urls;
  ++*requests;
  absl::StatusOr<std::string> body = management.Get("/api/nodes?columns=name,running", deadline);
  if (!body.ok()) return body.status();
  rapidjson::Document nodes;
  if (absl::Status parsed = metrics::ParseJson(*body, "/api/nodes", &nodes); !parsed.ok()) return parsed;
  if (!nodes.IsArray()) return absl::DataLossError("/api/nodes: not a JSON array");
  for (const rapidjson::Value& node : nodes.GetArray()) {
    if (!node.IsObject()) continue;
    auto name = node.FindMember("name");
    auto running = node.FindMember("running");
    // A node that is down has no plugin to ask; its queues are down and count as missing.
    if (name == node.MemberEnd() || !name->value.IsString() || running == node.MemberEnd() ||
        !running->value.IsBool() || !running->value.GetBool()) {
      continue;
    }
    const std::string node_name(name->value.GetString(), name->value.GetStringLength());
    if (std::any_of(urls.begin(), urls.end(), [&](const auto& url) { return url.first == node_name; })) continue;
    const size_t at = node_name.find('@');
    const absl::string_view host =
        at == std::string::npos ? absl::string_view() : absl::string_view(node_name).substr(at + 1);
    urls.emplace_back(node_name,
                      PlainHost(host) ? absl::StrReplaceAll(options.url_template, {{"{host}", host}}) : std::string());
  }
  return urls;
}

// One node's plugin, its depth rows appended to `rows`.
absl::Status FetchNode(const std::string& node, const std::string& url, const PluginDepthOptions& options,
                       const metrics::Filter* filter, metrics::LabelEscaping escaping, int64_t max_body_bytes,
                       absl::Time deadline, metrics::Mapped* rows) {
  if (url.empty()) return absl::InvalidArgumentError("the node name has no host for the plugin URL template");
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  const bool tls = parsed->scheme == "https";
  // No credentials: the plugin asks for none, and they are not the plugin's to see.
  absl::StatusOr<std::unique_ptr<RabbitClient>> client =
      RabbitClient::Create({.url = *std::move(parsed),
                            .user = "",
                            .password = "",
                            .max_body_bytes = max_body_bytes,
                            .tls = tls ? options.tls : TlsOptions{}});
  if (!client.ok()) return client.status();
  absl::StatusOr<std::string> body = (*client)->GetText(metrics::kPluginDepthRequest, deadline);
  if (!body.ok()) return body.status();
  const metrics::PluginDepths depths = metrics::ParseCoarseDepths(*body, escaping);
  if (depths.node != node) {  // a wrong port map or a load balancer: never attribute depths to the wrong node
    return absl::DataLossError(absl::StrCat("the plugin is node '", depths.node, "', not this node"));
  }
  rows->errors.wrong_type += depths.ambiguous_lines + depths.malformed_lines + depths.invalid_values + depths.conflicts;
  metrics::AppendDepthRows(depths, node, filter, &rows->keys);
  return absl::OkStatus();
}

}  // namespace

PluginDepthFetch FetchPluginDepths(const RabbitClient& management, const PluginDepthOptions& options,
                                   const metrics::Filter* filter, absl::string_view rabbitmq_version,
                                   absl::Time deadline) {
  PluginDepthFetch fetch;
  absl::StatusOr<NodeUrls> urls = UrlsToAsk(management, options, deadline, &fetch.requests);
  if (!urls.ok()) {
    fetch.rows = urls.status();
    return fetch;
  }
  if (urls->empty()) {
    fetch.rows = absl::NotFoundError("no node to ask for queue depth");
    return fetch;
  }
  const metrics::LabelEscaping escaping = metrics::PluginEscapingFor(rabbitmq_version);
  // Every node at once, so a cluster costs the wall time of its slowest node, not the sum. Each
  // node's answer lands in its own slot; they are put together in the order asked.
  struct NodeAnswer {
    metrics::Mapped rows;
    absl::Status status;
  };
  std::vector<NodeAnswer> answers(urls->size());
  std::atomic<size_t> next{0};
  auto ask = [&] {
    for (size_t i = next++; i < urls->size(); i = next++) {
      const auto& [node, url] = (*urls)[i];
      answers[i].status =
          FetchNode(node, url, options, filter, escaping, management.max_body_bytes(), deadline, &answers[i].rows);
    }
  };
  std::vector<std::thread> askers;
  for (size_t i = 1; i < std::min(urls->size(), kMaxNodesAtOnce); ++i) {
    try {
      askers.emplace_back(ask);
    } catch (const std::system_error&) {  // no thread to be had: the ones there ask the rest
      break;
    }
  }
  ask();  // this thread is one of them
  for (std::thread& asker : askers) asker.join();

  metrics::Mapped rows;
  absl::Status first_error;
  for (size_t i = 0; i < urls->size(); ++i) {
    const auto& [node, url] = (*urls)[i];
    ++fetch.requests;
    if (answers[i].status.ok()) {
      fetch.answered.push_back(node);
      rows.errors.Add(answers[i].rows.errors);
      rows.keys.insert(rows.keys.end(), std::make_move_iterator(answers[i].rows.keys.begin()),
                       std::make_move_iterator(answers[i].rows.keys.end()));
    } else if (first_error.ok()) {
      const absl::Status& status = answers[i].status;
      first_error = absl::Status(status.code(), absl::StrCat("node ", node, " (", url, "): ", status.message()));
    }
  }
  std::sort(fetch.answered.begin(), fetch.answered.end());
  if (fetch.answered.empty()) {
    fetch.rows = first_error;
  } else {
    fetch.rows = std::move(rows);
    fetch.node_error = first_error;
  }
  return fetch;
}

namespace {

// Whether the listing is out of date, as the last depth fetch found it. Shared by the two plans.
class ListingFreshness {
 public:
  bool Stale() const {
    absl::MutexLock lock(&mu_);
    return stale_;
  }
  // A node that stops or starts answering changes what the listing says (down queues, members
  // online) even when every queue still reports.
  void Update(bool matches, std::vector<std::string> answered) {
    absl::MutexLock lock(&mu_);
    stale_ = !matches || answered != answered_;
    answered_ = std::move(answered);
  }

 private:
  mutable absl::Mutex mu_;
  bool stale_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<std::string> answered_ ABSL_GUARDED_BY(mu_);  // the nodes that answered, sorted
};

// The queues listing without totals: fetched as any management endpoint, but only every
// listing_interval while the depth fetch finds it matches the plugins' report.
class QueueListingPlan final : public FetchPlan {
 public:
  QueueListingPlan(ManagementPlan::Options options, absl::Duration listing_interval,
                   std::shared_ptr<const ListingFreshness> freshness)
      : FetchPlan(metrics::kQueueListing),
        listing_(metrics::kQueueListing, std::move(options)),
        listing_interval_(listing_interval),
        freshness_(std::move(freshness)) {}

  PlanReports reports() const override { return listing_.reports(); }
  absl::Duration Interval(absl::Duration cadence) const override {
    return freshness_->Stale() ? cadence : std::max(cadence, listing_interval_);
  }
  FetchResult Fetch(const FetchContext& context) override { return listing_.Fetch(context); }

 private:
  ManagementPlan listing_;
  const absl::Duration listing_interval_;
  const std::shared_ptr<const ListingFreshness> freshness_;
};

// Every node's plugin; afterwards, whether the listing still matches what they reported.
class QueueDepthPlan final : public FetchPlan {
 public:
  QueueDepthPlan(PluginDepthOptions options, const RabbitClient* management, const metrics::Filter* filter,
                 std::shared_ptr<ListingFreshness> freshness)
      : FetchPlan(metrics::kQueueDepth),
        options_(std::move(options)),
        management_(management),
        filter_(filter),
        freshness_(std::move(freshness)) {}

  PlanReports reports() const override { return {.filtered = filter_ != nullptr}; }
  FetchResult Fetch(const FetchContext& context) override {
    PluginDepthFetch fetch =
        FetchPluginDepths(*management_, options_, filter_, context.broker.rabbitmq_version, context.deadline);
    const std::shared_ptr<const std::vector<metrics::LabelValues>> listing =
        context.keys_of(metrics::kQueueListing.name);
    // A hash join over every queue, outside the scraper's lock.
    const bool matches =
        fetch.rows.ok() && listing != nullptr && metrics::DepthMatchesListing(*listing, fetch.rows->keys);
    freshness_->Update(matches, std::move(fetch.answered));
    return {.mapped = std::move(fetch.rows),
            .partial_error = fetch.node_error,
            .requests = fetch.requests,
            .facts = std::nullopt};
  }

 private:
  const PluginDepthOptions options_;
  const RabbitClient* const management_;
  const metrics::Filter* const filter_;
  const std::shared_ptr<ListingFreshness> freshness_;
};

}  // namespace

PluginDepthPlans MakePluginDepthPlans(const PluginDepthOptions& options, ManagementPlan::Options listing) {
  const RabbitClient* management = listing.client;
  const metrics::Filter* filter = listing.filter;
  auto freshness = std::make_shared<ListingFreshness>();
  PluginDepthPlans plans;
  plans.listing = std::make_unique<QueueListingPlan>(std::move(listing), options.listing_interval, freshness);
  plans.depth = std::make_unique<QueueDepthPlan>(options, management, filter, freshness);
  for (const metrics::Join& join : metrics::PluginDepthJoins()) plans.joins.push_back(&join);
  return plans;
}

}  // namespace warren
