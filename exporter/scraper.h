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
#include "exporter/rabbit_client.h"
#include "exporter/scraper_pool.h"
#include "metrics/exposition.h"
#include "metrics/mapper.h"

namespace warren {

class Scraper {
 public:
  struct Options {
    absl::Duration scrape_timeout = absl::Seconds(10);
    absl::Duration min_interval = absl::Seconds(5);
  };

  // `client` and `pool` must outlive the Scraper.
  Scraper(Options options, const RabbitClient* client, ScraperPool* pool);
  // Waits for fetches in flight, which hold a pointer to this.
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // Starts fetches for endpoints whose data is older than min_interval, waits for every fetch in
  // flight until `deadline`, then renders what it has: never blocks past `deadline`.
  std::string Render(absl::Time deadline);

 private:
  // Immutable once published; shared with renders in progress.
  struct EndpointData {
    std::vector<std::vector<std::string>> objects;  // label values per object, for joins
    std::vector<metrics::FamilyText> text;
  };

  struct EndpointState {
    explicit EndpointState(const metrics::Endpoint& endpoint) : mapper(endpoint) {}
    const metrics::Mapper mapper;
    bool in_flight = false;
    bool attempted = false;  // a fetch has completed, successfully or not
    absl::Time last_attempt_end = absl::InfinitePast();
    absl::Status last_status;
    double last_duration_seconds = 0;
    absl::Time last_success = absl::InfinitePast();
    std::shared_ptr<const EndpointData> data;  // last good
    std::map<std::string, uint64_t> errors_by_reason;
    metrics::FieldErrors field_errors;
  };

  void Fetch(size_t index, std::string request, absl::Time deadline);
  // Recomputes rabbitmq_queue_consumers from the current queues and consumers data.
  void UpdateConsumersJoin();
  bool NoneInFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<prometheus::MetricFamily> SelfMetrics() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const Options options_;
  const RabbitClient* const client_;
  ScraperPool* const pool_;
  size_t queues_index_ = 0, consumers_index_ = 0;
  std::vector<size_t> core_indices_;  // overview, nodes, queues: they make rabbitmq_up

  mutable absl::Mutex mu_;
  std::vector<EndpointState> states_ ABSL_GUARDED_BY(mu_);
  std::string rabbitmq_version_ ABSL_GUARDED_BY(mu_);  // from the last overview, for `sort=`
  std::shared_ptr<const metrics::FamilyText> consumers_join_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPER_H_
