#include "exporter/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "exporter/errno_text.h"
#include "exporter/log.h"
#include "exporter/web_tls.h"
#include "metrics/exposition.h"

namespace warren {

namespace {

std::string HtmlEscape(absl::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Writes `exposition` as the response body: piece by piece from the cached text, no copy per
// response. A fixed-length provider is also never compressed by httplib (built with zlib and
// brotli), whose gzip of the exposition cost more CPU than the rest of a scrape (bench/RESULTS.md).
void SetExposition(httplib::Response& response, std::shared_ptr<const metrics::Exposition> exposition,
                   const char* content_type) {
  const size_t size = exposition->size();
  if (size == 0) {  // httplib wants a provider to provide something
    response.set_content("", content_type);
    return;
  }
  response.set_content_provider(
      size, content_type,
      [exposition = std::move(exposition)](size_t offset, size_t length, httplib::DataSink& sink) {
        const absl::string_view rest = exposition->At(offset);
        return sink.write(rest.data(), std::min(rest.size(), length));
      });
}

// The same for one string (a /probe answer), moved in: Response::set_content of httplib 0.11 copies.
void SetContent(httplib::Response& response, std::string body, const char* content_type) {
  auto owner = std::make_shared<const std::string>(std::move(body));
  auto exposition = std::make_shared<metrics::Exposition>();
  exposition->Append(*owner);
  exposition->owners.push_back(std::move(owner));
  SetExposition(response, std::move(exposition), content_type);
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

MetricsServer::MetricsServer(Config config, Scraper* scraper) : config_(std::move(config)), scraper_(scraper) {}

MetricsServer::MetricsServer(Config config, Scraper* scraper, WebConfig web)
    : config_(std::move(config)), scraper_(scraper), web_(std::move(web)) {}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::AddRoutes() {
  const std::string telemetry_path = config_.telemetry_path;
  if (prober_ != nullptr) {
    server_->Get("/probe", [this](const httplib::Request& request, httplib::Response& response) {
      const absl::Time deadline = ScrapeDeadline(
          absl::Now(), config_.scrape_timeout, request.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"));
      Prober::Answer answer =
          prober_->Probe(request.get_param_value("target"), request.get_param_value("module"), deadline);
      response.status = answer.status;
      SetContent(response, std::move(answer.body),
                 answer.status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8");
    });
  }
  server_->Get(telemetry_path, [this](const httplib::Request& request, httplib::Response& response) {
    const absl::Time deadline = ScrapeDeadline(
        absl::Now(), config_.scrape_timeout, request.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"));
    SetExposition(response, std::make_shared<const metrics::Exposition>(scraper_->RenderPieces(deadline)),
                  "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    // Nobody may have scraped yet: a probe starts a scrape (coalesced and cached like any other),
    // answering within 2.7 s so a 3 s probe timeout is not overrun.
    if (!scraper_->Ready()) scraper_->Render(absl::Now() + std::min(config_.scrape_timeout, absl::Milliseconds(2700)));
    const bool ready = scraper_->Ready();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "ready\n" : "not ready: no successful scrape of the broker yet\n",
                         "text/plain; charset=utf-8");
  });
  server_->Get("/", [telemetry_path](const httplib::Request&, httplib::Response& response) {
    response.set_content(absl::StrCat("<html><head><title>warren</title></head><body><h1>warren</h1>"
                                      "<p>Prometheus exporter for RabbitMQ.</p><ul><li><a href=\"",
                                      HtmlEscape(telemetry_path), "\">Metrics</a></li>"
                                      "<li><a href=\"/healthz\">Health</a></li>"
                                      "<li><a href=\"/readyz\">Readiness</a></li></ul></body></html>\n"),
                         "text/html; charset=utf-8");
  });
}

absl::Status MetricsServer::Start() {
  std::string host;
  int port = 0;
  if (absl::Status s = ParseListenAddress(config_.listen_address, &host, &port); !s.ok()) return s;

  if (tls()) {
    absl::StatusOr<std::unique_ptr<TlsContext>> created = TlsContext::Create(*web_->tls);
    if (!created.ok()) {
      return absl::Status(created.status().code(),
                          absl::StrCat("web config ", web_->path, ": ", created.status().message()));
    }
    tls_ = *std::move(created);
    TlsContext* context = tls_.get();
    auto ssl = std::make_unique<httplib::SSLServer>([context](SSL_CTX& ctx) { return context->Configure(&ctx); });
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("web config ", web_->path, ": OpenSSL refuses tls_server_config"));
    }
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }

  const int threads = config_.web_threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(size_t{64} * 1024);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_keep_alive_max_count(100);

  if (web_.has_value()) {
    for (const std::string& warning : web_->warnings) {
      Log(LogLevel::kWarn, "web config", {{"file", web_->path}, {"warning", warning}});
    }
    httplib::Headers headers;
    for (const auto& [name, value] : web_->headers) headers.emplace(name, value);
    server_->set_default_headers(std::move(headers));
    if (!web_->basic_auth_users.empty()) {
      auth_ = std::make_unique<BasicAuth>(web_->basic_auth_users);
      auth_failures_ = std::make_unique<AuthFailureLog>();
      server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
        // Liveness only: "ok", no broker request, nothing to protect; probes and --healthcheck
        // cannot easily send credentials.
        if (request.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
        std::string user;
        const BasicAuth::Result result = auth_->Check(request.get_header_value("Authorization"), &user);
        if (result == BasicAuth::Result::kOk) return httplib::Server::HandlerResponse::Unhandled;
        auth_failures_->Record(result, request.remote_addr, user);
        response.status = 401;
        response.set_header("WWW-Authenticate", "Basic realm=\"warren\"");
        response.set_content("Unauthorized\n", "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
      });
    }
  }
  AddRoutes();

  // cpp-httplib listens with a backlog of 5, compiled into Debian's library: when many clients
  // connect at once, the kernel drops the rest (measured: 16 of 1,000 concurrent scrapes got no
  // answer). The listening socket is caught here and given the system's maximum after the bind.
  int listen_fd = -1;
  server_->set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen_address));
  }
  if (listen_fd >= 0 && listen(listen_fd, SOMAXCONN) != 0) {
    Log(LogLevel::kWarn, "cannot raise the listen backlog", {{"error", ErrnoText(errno)}});
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; wait so Stop() always works.
  while (!server_->is_running()) absl::SleepFor(absl::Milliseconds(1));
  Log(LogLevel::kInfo, "listening",
      {{"address", absl::StrCat(host, ":", port_)},
       {"path", config_.telemetry_path},
       {"tls", tls() ? "on" : "off"},
       {"client_auth", tls() ? std::string(ClientAuthName(web_->tls->client_auth)) : "NoClientCert"},
       {"basic_auth", auth_ != nullptr ? "on" : "off"}});
  return absl::OkStatus();
}

void MetricsServer::Stop() {
  if (server_ != nullptr && thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace warren
