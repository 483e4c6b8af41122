// One broker target: runs its fetch plans on the scraper pool, keeps the last good data of each,
// joins it and renders /metrics. Thread-safe. Concurrent Render calls coalesce: a plan has at most
// one fetch in flight, and data younger than the plan's interval is served without asking the
// broker. The scraper knows no endpoint: what to fetch and how is the plans' (plans.h).
#ifndef WARREN_EXPORTER_SCRAPE_SCRAPER_H_
#define WARREN_EXPORTER_SCRAPE_SCRAPER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/plans.h"
#include "exporter/scrape/scraper_pool.h"
#include "metrics/broker_facts.h"
#include "metrics/exposition.h"

namespace warren {

class Scraper {
 public:
  using Options = ScrapeOptions;

  // The plans of `options` (BuildPlans) against `client`. `client` and `pool` must outlive this.
  Scraper(const Options& options, const RabbitClient* client, ScraperPool* pool);
  // Any plans: a new kind of fetch needs no change here. `pool` must outlive this.
  Scraper(ScrapeTiming timing, ScrapePlans plans, ScraperPool* pool);
  // Waits for fetches in flight, which hold a pointer to this.
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // Starts fetches for plans whose data is older than their interval, waits for the fast ones
  // (Cadence::kScrape) in flight until `deadline`, then renders what it has: never blocks past
  // `deadline`.
  std::string Render(absl::Time deadline);
  // The same as pieces of the cached text, which the Exposition keeps alive: /metrics writes
  // them without concatenating them.
  metrics::Exposition RenderPieces(absl::Time deadline);

  // True once every plan of rabbitmq_up has fetched successfully at least once (it stays true:
  // later failures show in the metrics, not as an unready exporter).
  bool Ready() const;
  // What the broker last said about itself (empty before the first overview).
  metrics::BrokerFacts broker_facts() const;

 private:
  // Immutable once published; shared with renders in progress.
  struct PlanData {
    std::vector<metrics::LabelValues> keys;  // for joins
    std::vector<metrics::FamilyText> text;
  };

  struct PlanState {
    explicit PlanState(std::unique_ptr<FetchPlan> plan) : plan(std::move(plan)) {}
    std::unique_ptr<FetchPlan> plan;
    bool in_flight = false;
    // The index of the plan it follows (FetchPlan::Follows) or -1; while that one's fetch is in
    // flight, this one's waits here (in_flight already) with its context.
    int follows = -1;
    std::optional<FetchContext> waiting;
    absl::Time in_flight_deadline;  // when the fetch in flight should have ended
    bool attempted = false;         // a fetch has completed, successfully or not
    absl::Time last_attempt_end = absl::InfinitePast();
    absl::Status last_status;
    double last_duration_seconds = 0;
    absl::Time last_success = absl::InfinitePast();
    std::shared_ptr<const PlanData> data;  // last good
    std::map<std::string, uint64_t> errors_by_reason;
    metrics::FieldErrors field_errors;
    uint64_t filtered = 0, capped = 0;  // in the last good data
    size_t requests = 0;                // HTTP requests of the last fetch
    // The broker does not serve the endpoint (its last fetch: kNotFound or kUnimplemented, not a
    // core endpoint): no failure, no data, asked again every not_offered_interval.
    bool not_offered = false;
    bool not_offered_by_release = false;  // said by the release table, not by an answer
  };

  // A join whose inputs are all fetched. Computed by the first render that finds its inputs'
  // data changed, so once per scrape, not once per input fetched.
  struct JoinState {
    const metrics::Join* join;
    std::vector<size_t> inputs;                       // indices into states_, in the order of Join::inputs
    std::shared_ptr<const metrics::FamilyText> text;  // guarded by mu_; null: no samples
    // The data `text` was computed from (guarded by mu_). Weak: old data is not kept alive, and
    // its control block is, so new data at a reused address never passes for the old.
    std::vector<std::weak_ptr<const PlanData>> computed_from;
  };
  using JoinInputData = std::vector<std::shared_ptr<const PlanData>>;

  void Fetch(size_t index, const FetchContext& context);
  // The broker does not serve the endpoint (it said so, or its release routes no such path):
  // its last data goes, and nothing is reported of it but warren_endpoint_not_offered.
  void SetNotOffered(PlanState& state, size_t requests) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A fetch of an endpoint the broker serves, ended: logged on change, counted, its data published.
  void Record(PlanState& state, const absl::Status& status, FetchResult& result, std::shared_ptr<PlanData> data,
              const metrics::FieldErrors& field_errors, uint64_t filtered, uint64_t capped, absl::Time start,
              absl::Time end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // No fetch of plan `index` in flight any more; the plans that follow it and wait are submitted.
  void FetchEnded(size_t index);
  // The join keys of the plan fetched under `endpoint`'s name, for FetchContext::keys_of.
  std::shared_ptr<const std::vector<metrics::LabelValues>> KeysOf(absl::string_view endpoint) const;
  // The current data of `join`'s inputs; empty if one has none yet.
  JoinInputData InputsOf(const JoinState& join) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static bool ComputedFrom(const JoinState& join, const JoinInputData& inputs);
  static std::shared_ptr<const metrics::FamilyText> ComputeJoin(const metrics::Join& join, const JoinInputData& inputs);
  bool NoneInFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool NoFastFetchInFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration IntervalOf(const PlanState& state) const;
  std::vector<prometheus::MetricFamily> SelfMetrics() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A fetch is in flight past its deadline.
  static bool Overdue(const PlanState& state, absl::Time now);
  // The last fetch succeeded, and no fetch in flight has overrun its deadline (a broker that
  // trickles bytes keeps a read alive past it, until the next byte).
  bool Succeeding(const PlanState& state, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const ScrapeTiming timing_;
  ScraperPool* const pool_;
  std::vector<size_t> core_indices_;  // the plans that make rabbitmq_up

  mutable absl::Mutex mu_;
  // The vector never grows after construction, and each PlanState's plan is constant.
  std::vector<PlanState> states_ ABSL_GUARDED_BY(mu_);
  metrics::BrokerFacts facts_ ABSL_GUARDED_BY(mu_);  // from the last good overview
  bool ready_ ABSL_GUARDED_BY(mu_) = false;          // see Ready()
  std::vector<JoinState> joins_;                     // the vector is constant after construction
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_SCRAPER_H_
