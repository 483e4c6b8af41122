// The HTTP side: serves the telemetry path from a Scraper, /healthz (the process answers),
// /readyz (the first scrape succeeded) and a landing page at / linking them.
// Start() binds and serves on a background thread; Stop() (or the destructor) joins it.
// With a WebConfig (--web.config.file) it serves HTTPS (certificate files re-read when they change,
// no restart needed) and/or asks for basic auth on every path but /healthz.
#ifndef WARREN_EXPORTER_WEB_SERVER_H_
#define WARREN_EXPORTER_WEB_SERVER_H_

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "exporter/config/config.h"
#include "exporter/scrape/scraper.h"
#include "exporter/web/basic_auth.h"
#include "exporter/web/probe.h"
#include "exporter/web/web_config.h"

namespace warren {

class AuthFailureLog;
class TlsContext;
class HttpServer;
struct HttpRequest;
struct HttpResponse;

// What the server needs of the configuration.
struct ServerOptions {
  std::string listen_address = ":9419";
  std::string telemetry_path = "/metrics";
  absl::Duration scrape_timeout = absl::Seconds(10);  // shortened by Prometheus's header
  int web_threads = 8;
};
// The --web.* and --scrape.timeout settings of `config`.
ServerOptions ServerOptionsOf(const Config& config);

class MetricsServer {
 public:
  MetricsServer(ServerOptions options, Scraper* scraper);
  // `web` from LoadWebConfig: TLS if web.tls, basic auth if web.basic_auth_users, extra headers.
  // /healthz stays open without credentials (liveness probes, warren --healthcheck); with TLS it
  // is HTTPS like everything else, and a client certificate, if required, is required there too.
  MetricsServer(ServerOptions options, Scraper* scraper, WebConfig web);
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
  void Handle(const HttpRequest& request, HttpResponse* response);

  const ServerOptions options_;
  Scraper* const scraper_;
  Prober* prober_ = nullptr;
  const std::optional<WebConfig> web_;
  std::unique_ptr<TlsContext> tls_;  // outlives server_, whose SSL_CTX points to it
  std::unique_ptr<BasicAuth> auth_;
  std::unique_ptr<AuthFailureLog> auth_failures_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ssl_ctx_{nullptr, SSL_CTX_free};  // points to tls_
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

// The deadline for a scrape that arrives at `now`: the configured timeout, shortened by
// Prometheus's X-Prometheus-Scrape-Timeout-Seconds header (minus a margin for the answer).
absl::Time ScrapeDeadline(absl::Time now, absl::Duration configured, absl::string_view header);

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_SERVER_H_
