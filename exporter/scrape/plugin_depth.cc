#include "exporter/scrape/plugin_depth.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "exporter/scrape/self_metrics.h"
#include "metrics/json.h"
#include "metrics/plugin_text.h"
#include "metrics/queue_depth.h"
#include "metrics/releases.h"
#include "rapidjson/document.h"

namespace warren {
namespace {

// One node's plugin, its depth rows appended to `rows`.
absl::Status FetchNodeRows(const std::string& node, const std::string& url, const PluginOptions& options,
                           const metrics::Filter* filter, metrics::LabelEscaping escaping, int64_t max_body_bytes,
                           absl::Time deadline, metrics::Mapped* rows) {
  absl::StatusOr<std::string> body =
      GetFromPlugin(url, metrics::kPluginDepthRequest, options.tls, max_body_bytes, deadline);
  if (!body.ok()) return body.status();
  const metrics::PluginDepths depths = metrics::ParseCoarseDepths(*body, escaping);
  // A wrong port map or a load balancer: never attribute depths to the wrong node.
  if (absl::Status same = CheckPluginNode(node, depths.node); !same.ok()) return same;
  rows->errors.wrong_type += depths.ambiguous_lines + depths.malformed_lines + depths.invalid_values + depths.conflicts;
  metrics::AppendDepthRows(depths, node, filter, &rows->keys);
  return absl::OkStatus();
}

// FetchNodeRows, and why the node's plugin is not used ("ok" when it is).
absl::Status FetchNode(const std::string& node, const std::string& url, const PluginOptions& options,
                       const metrics::Filter* filter, metrics::LabelEscaping escaping, int64_t max_body_bytes,
                       absl::Time deadline, metrics::Mapped* rows, std::string* reason) {
  absl::Status status = FetchNodeRows(node, url, options, filter, escaping, max_body_bytes, deadline, rows);
  *reason = NodeReason(status);
  return status;
}

}  // namespace

PluginDepthFetcher::PluginDepthFetcher(PluginOptions options, const RabbitClient* management,
                                       const metrics::Filter* filter)
    : options_(std::move(options)),
      management_(management),
      filter_(filter),
      nodes_(options_.retry_interval, kPluginUp, "queue depth"),
      locator_(options_, management) {}

absl::StatusOr<std::vector<PluginTarget>> PluginDepthFetcher::Targets(absl::Time deadline, size_t* requests) {
  ++*requests;
  absl::StatusOr<std::string> body = management_->Get("/api/nodes?columns=name,running", deadline);
  if (!body.ok()) return body.status();
  rapidjson::Document nodes;
  if (absl::Status parsed = metrics::ParseJson(*body, "/api/nodes", &nodes); !parsed.ok()) return parsed;
  if (!nodes.IsArray()) return absl::DataLossError("/api/nodes: not a JSON array");
  std::vector<std::string> running;
  for (const rapidjson::Value& node : nodes.GetArray()) {
    if (!node.IsObject()) continue;
    auto name = node.FindMember("name");
    auto up = node.FindMember("running");
    // A node that is down has no plugin to ask; its queues are down.
    if (name == node.MemberEnd() || !name->value.IsString() || up == node.MemberEnd() || !up->value.IsBool() ||
        !up->value.GetBool()) {
      continue;
    }
    running.emplace_back(name->value.GetString(), name->value.GetStringLength());
  }
  return locator_.Locate(running, deadline, requests);
}

PluginDepthFetch PluginDepthFetcher::Fetch(absl::string_view rabbitmq_version, absl::Time deadline) {
  PluginDepthFetch fetch;
  // Rows missing a node are of no use: while one node cannot be asked yet, nothing is (not even
  // the node list: a fallen-back cluster costs the broker nothing here between retries).
  if (const std::string waiting = nodes_.Waiting(absl::Now()); !waiting.empty()) {
    fetch.rows = absl::UnavailableError(absl::StrCat("node ", waiting, "'s plugin is not in use until its retry"));
    return fetch;
  }
  absl::StatusOr<std::vector<PluginTarget>> targets = Targets(deadline, &fetch.requests);
  if (!targets.ok()) {
    fetch.rows = fetch.error = targets.status();
    return fetch;
  }
  if (targets->empty()) {
    fetch.rows = fetch.error = absl::NotFoundError("no running node to ask for queue depth");
    return fetch;
  }
  std::vector<std::string> running;
  for (const PluginTarget& target : *targets) running.push_back(target.node);
  nodes_.KeepOnly(running);
  const absl::Time now = absl::Now();
  // A node without a URL makes the rows useless, but the others are still asked (once per retry
  // interval, as Waiting() holds everything back until then), so that each node says whether its
  // plugin would serve: one node without the plugin then shows beside the ones that have it.
  std::string without_url;
  for (const PluginTarget& target : *targets) {
    if (!target.url.empty()) continue;
    nodes_.Record(target.node, "", target.reason, now);
    if (without_url.empty()) without_url = target.node;
  }
  std::erase_if(*targets, [](const PluginTarget& target) { return target.url.empty(); });

  const metrics::LabelEscaping escaping = metrics::Release(rabbitmq_version).PluginEscaping();
  // Half the time left at most: a plugin that times out leaves the other half to the listing with
  // totals that stands in for it.
  const absl::Time node_deadline = now + (deadline - now) / 2;
  // Every node at once; each node's answer lands in its own slot, put together in the order asked.
  struct NodeAnswer {
    metrics::Mapped rows;
    absl::Status status;
    std::string reason;
  };
  std::vector<NodeAnswer> answers(targets->size());
  AskEach(targets->size(), [&](size_t i) {
    const PluginTarget& target = (*targets)[i];
    answers[i].status = FetchNode(target.node, target.url, options_, filter_, escaping, management_->max_body_bytes(),
                                  node_deadline, &answers[i].rows, &answers[i].reason);
  });

  metrics::Mapped rows;
  absl::Status first_error;
  const absl::Time asked = absl::Now();
  for (size_t i = 0; i < targets->size(); ++i) {
    const PluginTarget& target = (*targets)[i];
    ++fetch.requests;
    nodes_.Record(target.node, SafeUrl(target.url), answers[i].reason, asked, std::string(answers[i].status.message()));
    if (answers[i].status.ok()) {
      fetch.answered.push_back(target.node);
      rows.errors.Add(answers[i].rows.errors);
      rows.keys.insert(rows.keys.end(), std::make_move_iterator(answers[i].rows.keys.begin()),
                       std::make_move_iterator(answers[i].rows.keys.end()));
    } else if (first_error.ok()) {
      const absl::Status& status = answers[i].status;
      first_error = absl::Status(
          status.code(), absl::StrCat("node ", target.node, " (", SafeUrl(target.url), "): ", status.message()));
    }
  }
  std::sort(fetch.answered.begin(), fetch.answered.end());
  if (!without_url.empty()) {
    fetch.rows = absl::UnavailableError(absl::StrCat("node ", without_url, " has no plugin URL"));
  } else if (first_error.ok()) {
    fetch.rows = std::move(rows);
  } else {
    fetch.rows = first_error;
  }
  return fetch;
}

namespace {

// What the two plans share: which listing the depth fetch wants next, which one the served
// listing is, and whether the served one still matches what the plugins report.
class PluginDepthState {
 public:
  // The listing without totals is wanted (every running node's plugin answered last time).
  bool WantPlugin() const {
    absl::MutexLock lock(&mu_);
    return want_plugin_;
  }
  // The served listing is without totals.
  bool ListingWithoutTotals() const {
    absl::MutexLock lock(&mu_);
    return listed_without_totals_;
  }
  // The listing must be fetched at the next scrape.
  bool Stale() const {
    absl::MutexLock lock(&mu_);
    return stale_ || want_plugin_ != listed_without_totals_;
  }
  void Listed(bool without_totals) {
    absl::MutexLock lock(&mu_);
    listed_without_totals_ = without_totals;
  }
  // After a depth fetch: what it wants next, and whether the served listing matched its rows. A node
  // that stops or starts answering changes what the listing says (down queues, members online)
  // even when every queue still reports.
  void Fetched(bool want_plugin, bool depth_from_plugin, bool matches, std::vector<std::string> answered) {
    absl::MutexLock lock(&mu_);
    want_plugin_ = want_plugin;
    depth_from_plugin_ = depth_from_plugin ? 1 : 0;
    stale_ = !matches || answered != answered_;
    answered_ = std::move(answered);
  }
  int DepthFromPlugin() const {
    absl::MutexLock lock(&mu_);
    return depth_from_plugin_;
  }

 private:
  mutable absl::Mutex mu_;
  bool want_plugin_ ABSL_GUARDED_BY(mu_) = false;  // until every node's plugin answered: totals
  bool listed_without_totals_ ABSL_GUARDED_BY(mu_) = false;
  bool stale_ ABSL_GUARDED_BY(mu_) = true;
  int depth_from_plugin_ ABSL_GUARDED_BY(mu_) = -1;         // -1: no depth fetch yet
  std::vector<std::string> answered_ ABSL_GUARDED_BY(mu_);  // the nodes that answered, sorted
};

// The queues: with totals (as without plugin depth) until every running node's plugin answers,
// then without, only every listing_interval while the depth fetch finds it matches the plugins.
class QueueListingPlan final : public FetchPlan {
 public:
  QueueListingPlan(ManagementPlan::Options options, absl::Duration listing_interval,
                   std::shared_ptr<PluginDepthState> state)
      : FetchPlan(metrics::kQueueListing),
        with_totals_(metrics::kQueues, options),
        without_totals_(metrics::kQueueListing, std::move(options)),
        listing_interval_(listing_interval),
        state_(std::move(state)) {}

  PlanReports reports() const override { return with_totals_.reports(); }
  absl::Duration Interval(absl::Duration cadence) const override {
    return state_->Stale() ? cadence : std::max(cadence, listing_interval_);
  }
  FetchResult Fetch(const FetchContext& context) override {
    const bool without_totals = state_->WantPlugin();
    FetchResult result = without_totals ? without_totals_.Fetch(context) : with_totals_.Fetch(context);
    if (result.mapped.ok()) state_->Listed(without_totals);
    return result;
  }

 private:
  ManagementPlan with_totals_, without_totals_;
  const absl::Duration listing_interval_;
  const std::shared_ptr<PluginDepthState> state_;
};

// Every node's plugin, after the listing. While the served listing has totals it publishes
// nothing (the listing carries the depths) and asks the plugins only to learn whether all of them
// answer; while it has none, the plugins' rows, or, in a scrape where one did not answer, the
// rows of a narrow listing with totals, so that no depth goes missing because of a plugin.
class QueueDepthPlan final : public FetchPlan {
 public:
  QueueDepthPlan(PluginOptions options, const ManagementPlan::Options& management,
                 std::shared_ptr<PluginDepthState> state)
      : FetchPlan(metrics::kQueueDepth),
        fetcher_(std::move(options), management.client, management.filter),
        totals_(metrics::kQueueTotals, management),
        filter_(management.filter),
        state_(std::move(state)) {}

  PlanReports reports() const override { return {.filtered = filter_ != nullptr}; }
  const char* Follows() const override { return metrics::kQueueListing.name; }
  std::vector<prometheus::MetricFamily> SelfMetrics() const override {
    std::vector<prometheus::MetricFamily> families = fetcher_.nodes().SelfMetrics();
    if (const int from_plugin = state_->DepthFromPlugin(); from_plugin >= 0) {
      prometheus::MetricFamily family = FamilyOf(kQueueDepthFromPlugin);
      AddSample(&family, {}, from_plugin);
      families.push_back(std::move(family));
    }
    return families;
  }

  FetchResult Fetch(const FetchContext& context) override {
    const bool listing_without_totals = state_->ListingWithoutTotals();
    PluginDepthFetch fetch = fetcher_.Fetch(context.broker.rabbitmq_version, context.deadline);
    const bool all_answered = fetch.rows.ok();
    // The depths served are complete either way; what kept the plugins from being asked at all
    // still counts as this endpoint's failure.
    if (!listing_without_totals) {
      state_->Fetched(all_answered, false, false, std::move(fetch.answered));
      return {
          .mapped = metrics::Mapped{}, .partial_error = fetch.error, .requests = fetch.requests, .stand_down = true};
    }
    if (!all_answered) {
      FetchResult totals = totals_.Fetch(context);
      totals.requests += fetch.requests;
      if (totals.mapped.ok() && totals.partial_error.ok()) totals.partial_error = fetch.error;
      state_->Fetched(false, false, false, std::move(fetch.answered));
      return totals;
    }
    const std::shared_ptr<const std::vector<metrics::LabelValues>> listing =
        context.keys_of(metrics::kQueueListing.name);
    // A hash join over every queue, outside the scraper's lock.
    const bool matches = listing != nullptr && metrics::DepthMatchesListing(*listing, fetch.rows->keys);
    state_->Fetched(true, true, matches, std::move(fetch.answered));
    return {.mapped = std::move(fetch.rows), .requests = fetch.requests};
  }

 private:
  PluginDepthFetcher fetcher_;
  ManagementPlan totals_;
  const metrics::Filter* const filter_;
  const std::shared_ptr<PluginDepthState> state_;
};

}  // namespace

PluginDepthPlans MakePluginDepthPlans(const PluginOptions& options, ManagementPlan::Options listing) {
  auto state = std::make_shared<PluginDepthState>();
  PluginDepthPlans plans;
  plans.depth = std::make_unique<QueueDepthPlan>(options, listing, state);
  plans.listing = std::make_unique<QueueListingPlan>(std::move(listing), options.listing_interval, state);
  for (const metrics::Join& join : metrics::PluginDepthJoins()) plans.joins.push_back(&join);
  return plans;
}

}  // namespace warren
