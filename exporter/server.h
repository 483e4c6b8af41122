// The HTTP side: serves the telemetry path from a Scraper, /healthz (the process answers),
// /readyz (the first scrape succeeded) and a landing page at / linking them.
// Start() binds and serves on a background thread; Stop() (or the destructor) joins it.
// With a WebConfig (--web.config.file) it serves HTTPS (certificate files re-read when they change,
// no restart needed) and/or asks for basic auth on every path but /healthz.
#ifndef WARREN_EXPORTER_SERVER_H_
#define WARREN_EXPORTER_SERVER_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "exporter/config.h"
#include "exporter/probe.h"
#include "exporter/scraper.h"
#include "exporter/web_config.h"

namespace httplib {
class Server;
}

namespace warren {

class AuthFailureLog;
class TlsContext;

class MetricsServer {
 public:
  MetricsServer(Config config, Scraper* scraper);
  // `web` from LoadWebConfig: TLS if web.tls, basic auth if web.basic_auth_users, extra headers.
  // /healthz stays open without credentials (liveness probes, warren --healthcheck); with TLS it
  // is HTTPS like everything else, and a client certificate, if required, is required there too.
  MetricsServer(Config config, Scraper* scraper, WebConfig web);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds the listen address (port 0 picks a free port) and starts serving. Fails (and serves
  // nothing) if the certificate files can no longer be read.
  absl::Status Start();
  void Stop();
  int port() const { return port_; }
  // Serves /probe from `prober` (must outlive this); call before Start. Without it /probe is 404.
  void SetProber(Prober* prober) { prober_ = prober; }
  bool tls() const { return web_.has_value() && web_->tls.has_value(); }

 private:
  void AddRoutes();

  const Config config_;
  Scraper* const scraper_;
  Prober* prober_ = nullptr;
  const std::optional<WebConfig> web_;
  std::unique_ptr<TlsContext> tls_;  // outlives server_, whose SSL_CTX points to it
  std::unique_ptr<BasicAuth> auth_;
  std::unique_ptr<AuthFailureLog> auth_failures_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// The deadline for a scrape that arrives at `now`: the configured timeout, shortened by
// Prometheus's X-Prometheus-Scrape-Timeout-Seconds header (minus a margin for the answer).
absl::Time ScrapeDeadline(absl::Time now, absl::Duration configured, absl::string_view header);

}  // namespace warren

#endif  // WARREN_EXPORTER_SERVER_H_
