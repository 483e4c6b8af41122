#include "exporter/web/server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "exporter/config/listen_address.h"
#include "exporter/web/http_server.h"
#include "exporter/web/web_tls.h"
#include "metrics/exposition.h"
#include "util/log.h"

namespace warren {

namespace {

std::string HtmlEscape(absl::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

absl::Time ScrapeDeadline(absl::Time now, absl::Duration configured, absl::string_view header) {
  absl::Duration budget = configured;
  double seconds = 0;
  if (absl::SimpleAtod(header, &seconds) && seconds > 0 && seconds < 1e6) {
    const absl::Duration asked = absl::Seconds(seconds);
    // Answer a little before Prometheus gives up, so it gets the partial result.
    const absl::Duration margin = std::min(absl::Milliseconds(500), asked / 10);
    budget = std::min(budget, asked - margin);
  }
  return now + budget;
}

// Failed basic-auth attempts: one line for the first, then at most one a minute with the count, so
// a scanner or a misconfigured Prometheus cannot flood the log. Never the password or the header.
class AuthFailureLog {
 public:
  void Record(BasicAuth::Result result, const std::string& remote_addr, const std::string& user) {
    absl::MutexLock lock(&mu_);
    ++failures_;
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Minutes(1)) return;
    Log(LogLevel::kWarn, "basic auth failed",
        {{"reason", std::string(BasicAuth::ResultName(result))},
         {"remote_addr", remote_addr},
         {"user", user},
         {"failures", absl::StrCat(failures_)}});  // this one and those not logged since the last line
    failures_ = 0;
    last_ = now;
  }

 private:
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
};

ServerOptions ServerOptionsOf(const Config& config) {
  return {.listen_address = config.listen_address,
          .telemetry_path = config.telemetry_path,
          .scrape_timeout = config.scrape_timeout,
          .web_threads = config.web_threads};
}

MetricsServer::MetricsServer(ServerOptions options, Scraper* scraper)
    : options_(std::move(options)), scraper_(scraper) {}

MetricsServer::MetricsServer(ServerOptions options, Scraper* scraper, WebConfig web)
    : options_(std::move(options)), scraper_(scraper), web_(std::move(web)) {}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::Handle(const HttpRequest& request, HttpResponse* response) {
  if (auth_ != nullptr && request.path != "/healthz") {
    // /healthz is liveness only: "ok", no broker request, nothing to protect; probes and
    // --healthcheck cannot easily send credentials.
    std::string user;
    const BasicAuth::Result result = auth_->Check(request.Header("authorization"), &user);
    if (result != BasicAuth::Result::kOk) {
      auth_failures_->Record(result, request.remote_addr, user);
      response->status = 401;
      response->headers.emplace_back("WWW-Authenticate", "Basic realm=\"warren\"");
      response->SetText("Unauthorized\n");
      return;
    }
  }
  constexpr const char* kExposition = "text/plain; version=0.0.4; charset=utf-8";
  if (request.path == options_.telemetry_path) {
    const absl::Time deadline =
        ScrapeDeadline(absl::Now(), options_.scrape_timeout, request.Header("x-prometheus-scrape-timeout-seconds"));
    // Written from the cached pieces, no copy per answer, never compressed (a gzip of the
    // exposition cost more CPU than the rest of a scrape: bench/RESULTS.md).
    response->body = std::make_shared<const metrics::Exposition>(scraper_->RenderPieces(deadline));
    response->content_type = kExposition;
  } else if (request.path == "/probe" && prober_ != nullptr) {
    const absl::Time deadline =
        ScrapeDeadline(absl::Now(), options_.scrape_timeout, request.Header("x-prometheus-scrape-timeout-seconds"));
    Prober::Answer answer = prober_->Probe(request.Param("target"), request.Param("module"), deadline);
    response->status = answer.status;
    response->SetText(std::move(answer.body), answer.status == 200 ? kExposition : "text/plain; charset=utf-8");
  } else if (request.path == "/healthz") {
    response->SetText("ok\n");
  } else if (request.path == "/readyz") {
    // Nobody may have scraped yet: a probe starts a scrape (coalesced and cached like any other),
    // answering within 2.7 s so a 3 s probe timeout is not overrun.
    if (!scraper_->Ready()) scraper_->Render(absl::Now() + std::min(options_.scrape_timeout, absl::Milliseconds(2700)));
    const bool ready = scraper_->Ready();
    response->status = ready ? 200 : 503;
    response->SetText(ready ? "ready\n" : "not ready: no successful scrape of the broker yet\n");
  } else if (request.path == "/") {
    response->SetText(absl::StrCat("<html><head><title>warren</title></head><body><h1>warren</h1>"
                                   "<p>Prometheus exporter for RabbitMQ.</p><ul><li><a href=\"",
                                   HtmlEscape(options_.telemetry_path),
                                   "\">Metrics</a></li>"
                                   "<li><a href=\"/healthz\">Health</a></li>"
                                   "<li><a href=\"/readyz\">Readiness</a></li></ul></body></html>\n"),
                      "text/html; charset=utf-8");
  } else {
    response->status = 404;
    response->SetText("Not Found\n");
  }
}

absl::Status MetricsServer::Start() {
  std::string host;
  int port = 0;
  if (absl::Status s = ParseListenAddress(options_.listen_address, &host, &port); !s.ok()) return s;

  HttpServerOptions http{.threads = options_.web_threads};
  if (tls()) {
    absl::StatusOr<std::unique_ptr<TlsContext>> created = TlsContext::Create(*web_->tls);
    if (!created.ok()) {
      return absl::Status(created.status().code(),
                          absl::StrCat("web config ", web_->path, ": ", created.status().message()));
    }
    tls_ = *std::move(created);
    ssl_ctx_.reset(SSL_CTX_new(TLS_server_method()));
    if (ssl_ctx_ == nullptr || !tls_->Configure(ssl_ctx_.get())) {
      return absl::InvalidArgumentError(absl::StrCat("web config ", web_->path, ": OpenSSL refuses tls_server_config"));
    }
    http.tls = ssl_ctx_.get();
  }
  if (web_.has_value()) {
    for (const std::string& warning : web_->warnings) {
      Log(LogLevel::kWarn, "web config", {{"file", web_->path}, {"warning", warning}});
    }
    for (const auto& [name, value] : web_->headers) http.default_headers.emplace_back(name, value);
    if (!web_->basic_auth_users.empty()) {
      auth_ = std::make_unique<BasicAuth>(web_->basic_auth_users);
      auth_failures_ = std::make_unique<AuthFailureLog>();
    }
  }
  server_ = std::make_unique<HttpServer>(
      std::move(http), [this](const HttpRequest& request, HttpResponse* response) { Handle(request, response); });
  absl::StatusOr<int> bound = server_->Listen(host, port);
  if (!bound.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_address, ": ", bound.status().message()));
  }
  port_ = *bound;
  server_->Start();
  Log(LogLevel::kInfo, "listening",
      {{"address", absl::StrCat(host, ":", port_)},
       {"path", options_.telemetry_path},
       {"tls", tls() ? "on" : "off"},
       {"client_auth", tls() ? std::string(ClientAuthName(web_->tls->client_auth)) : "NoClientCert"},
       {"basic_auth", auth_ != nullptr ? "on" : "off"}});
  return absl::OkStatus();
}

void MetricsServer::Stop() {
  if (server_ != nullptr) server_->Stop();
}

}  // namespace warren
