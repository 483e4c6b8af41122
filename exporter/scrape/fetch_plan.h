// What fetching one endpoint takes, as a value the scraper runs without knowing which endpoint it
// is: the requests (one GET, one per kept vhost, one per node's plugin, ...), how their answers
// become samples, how often. The scraper schedules plans, keeps the last good data of each, joins
// and renders it; plans.h says which plan each endpoint gets.
#ifndef WARREN_EXPORTER_SCRAPE_FETCH_PLAN_H_
#define WARREN_EXPORTER_SCRAPE_FETCH_PLAN_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "metrics/broker_facts.h"
#include "metrics/endpoints.h"
#include "metrics/mapper.h"
#include "prometheus/metric_family.h"

namespace warren {

// What the scraper knows when a fetch starts.
struct FetchContext {
  metrics::BrokerFacts broker;  // from the last overview; empty before the first
  absl::Time deadline;
  // The join keys of another endpoint's last good data (by Endpoint::name), or null if it has
  // none. Safe to call from the fetch: it takes the scraper's lock briefly.
  std::function<std::shared_ptr<const std::vector<metrics::LabelValues>>(absl::string_view endpoint)> keys_of;
};

// What one fetch gave.
struct FetchResult {
  absl::StatusOr<metrics::Mapped> mapped;
  // A part that failed while the rest answered (one node of several): the data is published and
  // the failure still counts.
  absl::Status partial_error = {};
  size_t requests = 0;  // HTTP requests made
  // What the broker said about itself, when this answer holds it (the overview).
  std::optional<metrics::BrokerFacts> facts = std::nullopt;
  // The plan has nothing to serve for now (another plan carries what it would): its last data is
  // dropped, and joins over it are not computed until it publishes again.
  bool stand_down = false;
};

// The self-metrics a plan's endpoint carries besides success, duration, errors and field errors.
struct PlanReports {
  bool filtered = false;  // warren_objects_dropped{reason="filter"}: a filter applies
  bool capped = false;    // warren_objects_dropped{reason="cap"}: --filter.max-queues applies
  bool requests = false;  // warren_scrape_requests: the number of requests varies (per vhost)
};

class FetchPlan {
 public:
  explicit FetchPlan(const metrics::Endpoint& endpoint) : endpoint_(endpoint) {}
  virtual ~FetchPlan() = default;
  FetchPlan(const FetchPlan&) = delete;
  FetchPlan& operator=(const FetchPlan&) = delete;

  // Its name, group, cadence and whether it is core to rabbitmq_up.
  const metrics::Endpoint& endpoint() const { return endpoint_; }
  virtual PlanReports reports() const { return {}; }
  // How long a fetch's data is served before the next fetch; `cadence` is the interval of the
  // endpoint's cadence. Thread-safe.
  virtual absl::Duration Interval(absl::Duration cadence) const { return cadence; }
  // The name of a plan listed before this one whose fetch, when both run in one scrape, ends before
  // this one's starts (this one reads what that one did); nullptr: none.
  virtual const char* Follows() const { return nullptr; }
  // Self-metrics of the plan's own (warren_*), besides those the scraper keeps for every plan.
  // Thread-safe.
  virtual std::vector<prometheus::MetricFamily> SelfMetrics() const { return {}; }
  // One fetch, never past context.deadline. The scraper runs at most one per plan at a time, on
  // its pool; a plan that keeps state between fetches guards it against Interval().
  virtual FetchResult Fetch(const FetchContext& context) = 0;

 private:
  const metrics::Endpoint& endpoint_;
};

// Plans and the joins over their data, as the scraper runs them. A join's inputs are matched to
// plans by Endpoint::name, so a plan that stands in for an endpoint under its name feeds its joins.
struct ScrapePlans {
  std::vector<std::unique_ptr<FetchPlan>> plans;
  std::vector<const metrics::Join*> joins;  // static tables: the pointers stay valid
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_FETCH_PLAN_H_
