// One broker target: fetches its endpoints on the scraper pool, keeps the last good data of each,
// and renders /metrics. Thread-safe. Concurrent Render calls coalesce: an endpoint has at most one
// fetch in flight, and data younger than min_interval is served without asking the broker.
#ifndef WARREN_EXPORTER_SCRAPER_H_
#define WARREN_EXPORTER_SCRAPER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/plugin_depth.h"
#include "exporter/rabbit_client.h"
#include "exporter/scraper_pool.h"
#include "exporter/vhost_scope.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/mapper.h"

namespace warren {

class Scraper {
 public:
  struct Options {
    absl::Duration scrape_timeout = absl::Seconds(10);
    absl::Duration min_interval = absl::Seconds(5);
    absl::Duration health_interval = absl::Minutes(1);  // Cadence::kHealth
    absl::Duration definitions_interval = absl::Minutes(5);  // Cadence::kDefinitions
    // The endpoints to fetch; empty means every endpoint that is not opt-in.
    std::vector<const metrics::Endpoint*> endpoints;
    const metrics::Filter* filter = nullptr;  // vhost/queue/exchange patterns; must outlive this
    size_t max_queues = 0;                    // the deepest queues kept by /api/queues; 0: all
    // With a vhost filter that keeps at most this many vhosts, queues, exchanges, consumers,
    // connections and channels are asked for one vhost at a time (see VhostScope); 0: never.
    size_t max_vhost_requests = 0;
    BodyFormat format = BodyFormat::kAuto;  // --rabbitmq.format
    // Queue depth from each node's rabbitmq_prometheus plugin instead of enable_queue_totals
    // (exporter/plugin_depth.h); on when it names URLs or a template, and the queues collector is on.
    PluginDepthOptions plugin_depth = {};
  };

  // `client` and `pool` must outlive the Scraper.
  Scraper(Options options, const RabbitClient* client, ScraperPool* pool);
  // Waits for fetches in flight, which hold a pointer to this.
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // Starts fetches for endpoints whose data is older than their interval (Endpoint::cadence),
  // endpoints), waits for the fast ones in flight until `deadline`, then renders what it has:
  // never blocks past `deadline`.
  std::string Render(absl::Time deadline);
  // The same as pieces of the cached text, which the Exposition keeps alive: /metrics writes
  // them without concatenating them.
  metrics::Exposition RenderPieces(absl::Time deadline);

  // True once every endpoint of rabbitmq_up has been fetched successfully at least once (it
  // stays true: later failures show in the metrics, not as an unready exporter).
  bool Ready() const;

 private:
  // Immutable once published; shared with renders in progress.
  struct EndpointData {
    std::vector<metrics::LabelValues> keys;  // for joins
    std::vector<metrics::FamilyText> text;
  };

  struct EndpointState {
    explicit EndpointState(const metrics::Endpoint& endpoint) : mapper(endpoint) {}
    const metrics::Mapper mapper;
    bool in_flight = false;
    absl::Time in_flight_deadline;  // when the fetch in flight should have ended
    bool attempted = false;  // a fetch has completed, successfully or not
    absl::Time last_attempt_end = absl::InfinitePast();
    absl::Status last_status;
    double last_duration_seconds = 0;
    absl::Time last_success = absl::InfinitePast();
    std::shared_ptr<const EndpointData> data;  // last good
    std::map<std::string, uint64_t> errors_by_reason;
    metrics::FieldErrors field_errors;
    uint64_t filtered = 0, capped = 0;  // in the last good data
    size_t requests = 0;                // HTTP requests of the last fetch
  };

  // A join whose endpoints are all fetched. Computed by the first render that finds its inputs'
  // data changed, so once per scrape, not once per input fetched.
  struct JoinState {
    const metrics::Join* join;
    std::vector<size_t> inputs;  // indices into states_, in the order of Join::inputs
    std::shared_ptr<const metrics::FamilyText> text;  // guarded by mu_; null: no samples
    // The data `text` was computed from (guarded by mu_). Weak: old data is not kept alive, and
    // its control block is, so new data at a reused address never passes for the old.
    std::vector<std::weak_ptr<const EndpointData>> computed_from;
  };
  using JoinInputData = std::vector<std::shared_ptr<const EndpointData>>;

  void Fetch(size_t index, std::string rabbitmq_version, absl::Time deadline);
  // The body of one fetch: one request, or one per vhost kept by the vhost scope, merged.
  absl::StatusOr<Body> FetchBody(const metrics::Endpoint& endpoint, absl::string_view rabbitmq_version,
                                        absl::Time deadline, size_t* requests);
  // After a plugin depth fetch: whether the listing must be fetched at the next scrape.
  void CheckListing(const absl::StatusOr<metrics::Mapped>& depth, std::vector<std::string> answered);
  // The current data of `join`'s inputs; empty if one has none yet.
  JoinInputData InputsOf(const JoinState& join) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static bool ComputedFrom(const JoinState& join, const JoinInputData& inputs);
  static std::shared_ptr<const metrics::FamilyText> ComputeJoin(const metrics::Join& join, const JoinInputData& inputs);
  bool NoneInFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool NoFastFetchInFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration IntervalOf(const metrics::Endpoint& endpoint) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<prometheus::MetricFamily> SelfMetrics() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The last fetch succeeded, and no fetch in flight has overrun its deadline (a broker that
  // trickles bytes keeps a read alive past it, until the next byte).
  bool Succeeding(const EndpointState& state, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const Options options_;
  const RabbitClient* const client_;
  ScraperPool* const pool_;
  std::vector<size_t> core_indices_;  // the endpoints that make rabbitmq_up
  std::unique_ptr<VhostScope> vhost_scope_;  // null unless a vhost filter can apply on the broker

  mutable absl::Mutex mu_;
  std::vector<EndpointState> states_ ABSL_GUARDED_BY(mu_);
  std::string rabbitmq_version_ ABSL_GUARDED_BY(mu_);  // from the last overview, for `sort=`
  bool ready_ ABSL_GUARDED_BY(mu_) = false;  // see Ready()
  // Plugin depth: the listing's index in states_ (or states_.size()), whether the last depth
  // fetch found it out of date, and the nodes that answered that fetch.
  size_t listing_index_ = 0;  // constant after construction
  bool listing_stale_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<std::string> answered_nodes_ ABSL_GUARDED_BY(mu_);
  std::vector<JoinState> joins_;  // the vector is constant after construction
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPER_H_
