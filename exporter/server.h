// The HTTP side: serves the telemetry path from a Scraper, /healthz (the process answers),
// /readyz (the first scrape succeeded) and a landing page at / linking them.
// Start() binds and serves on a background thread; Stop() (or the destructor) joins it.
#ifndef WARREN_EXPORTER_SERVER_H_
#define WARREN_EXPORTER_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "exporter/config.h"
#include "exporter/scraper.h"

namespace httplib {
class Server;
}

namespace warren {

class MetricsServer {
 public:
  MetricsServer(const Config& config, Scraper* scraper);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds the listen address (port 0 picks a free port) and starts serving.
  absl::Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  const Config config_;
  Scraper* const scraper_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// The deadline for a scrape that arrives at `now`: the configured timeout, shortened by
// Prometheus's X-Prometheus-Scrape-Timeout-Seconds header (minus a margin for the answer).
absl::Time ScrapeDeadline(absl::Time now, absl::Duration configured, absl::string_view header);

}  // namespace warren

#endif  // WARREN_EXPORTER_SERVER_H_
