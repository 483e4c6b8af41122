// /probe?target=<management URL>&module=<name>: scrapes another broker on demand, blackbox_exporter
// style. Credentials and TLS settings come from the named module of the config file, never from
// the query string, and the target must fully match one of the module's RE2 patterns, so warren
// is no open proxy. Each (module, target) keeps its own client and Scraper (same coalescing and
// cache as /metrics), up to a cap; targets not probed for a while are dropped.
#ifndef WARREN_EXPORTER_WEB_PROBE_H_
#define WARREN_EXPORTER_WEB_PROBE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/config/config.h"
#include "exporter/scrape/probe_target.h"
#include "exporter/scrape/scraper.h"
#include "exporter/scrape/scraper_pool.h"

namespace warren {

class Prober {
 public:
  // `scraper_options` (intervals, endpoints) apply to every target; `pool` must outlive this.
  // `max_body_bytes` caps each target's responses as --scrape.max-body-bytes caps /metrics'.
  Prober(const std::vector<ProbeModule>& modules, Scraper::Options scraper_options, ScraperPool* pool, int max_targets,
         absl::Duration idle_timeout = absl::Minutes(10), int64_t max_body_bytes = int64_t{256} << 20);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  struct Answer {
    int status;  // 200, 400 (bad or refused target, unknown module), 503 (too many targets)
    std::string body;
  };
  // `module` "" means "default". Never blocks past `deadline`.
  Answer Probe(const std::string& target, const std::string& module, absl::Time deadline);

  // Targets with state now (tests).
  int targets() const;

 private:
  struct Target {
    std::unique_ptr<RabbitClient> client;
    std::unique_ptr<Scraper> scraper;
    absl::Time last_used;
  };

  const ProbeTargets allowlist_;
  const Scraper::Options scraper_options_;
  ScraperPool* const pool_;
  const int max_targets_;
  const absl::Duration idle_timeout_;
  const int64_t max_body_bytes_;

  mutable absl::Mutex mu_;
  // Shared so a probe can render while another drops the entry.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Target>> targets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_PROBE_H_
