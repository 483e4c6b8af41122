// warren wired up in one test process as main() wires it: a RabbitClient for one broker URL, a
// Scraper, and a MetricsServer on 127.0.0.1:0, with a Prober when probe modules are given. For
// the server, fault and load tests.
#ifndef WARREN_TESTS_IN_PROCESS_WARREN_H_
#define WARREN_TESTS_IN_PROCESS_WARREN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/config/config.h"
#include "exporter/scrape/scraper.h"
#include "exporter/scrape/scraper_pool.h"
#include "exporter/web/probe.h"
#include "exporter/web/server.h"

namespace warren::testing {

class InProcessWarren {
 public:
  struct Options {
    std::string user = "monitor";
    std::string password;
    int64_t max_body_bytes = int64_t{256} << 20;
    // Every scrape fetches; health checks and definitions once, at the first.
    Scraper::Options scraper = {.scrape_timeout = absl::Seconds(10),
                                .min_interval = absl::ZeroDuration(),
                                .health_interval = absl::Hours(1),
                                .definitions_interval = absl::Hours(1),
                                .endpoints = {}};
    std::vector<ProbeModule> probe_modules = {};  // a Prober (and /probe) when not empty
    int max_probe_targets = 0;
  };

  explicit InProcessWarren(int pool_threads) : pool_(pool_threads) {}
  ~InProcessWarren() { Stop(); }
  InProcessWarren(const InProcessWarren&) = delete;
  InProcessWarren& operator=(const InProcessWarren&) = delete;

  // Starts warren against `broker_url`, after stopping a warren started before.
  absl::Status Start(const std::string& broker_url, const Options& options);
  // The server first, then the prober and the scraper (whose destructor waits for its fetches in
  // flight, which use the client), then the client.
  void Stop();

  int port() const { return server_->port(); }
  const Config& config() const { return config_; }
  Scraper& scraper() { return *scraper_; }
  Prober& prober() { return *prober_; }

 private:
  Config config_;
  ScraperPool pool_;
  std::unique_ptr<RabbitClient> client_;
  std::unique_ptr<Scraper> scraper_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace warren::testing

#endif  // WARREN_TESTS_IN_PROCESS_WARREN_H_
