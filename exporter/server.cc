#include "exporter/server.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "exporter/log.h"

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

MetricsServer::MetricsServer(const Config& config, Scraper* scraper)
    : config_(config), scraper_(scraper), server_(std::make_unique<httplib::Server>()) {}

MetricsServer::~MetricsServer() { Stop(); }

absl::Status MetricsServer::Start() {
  std::string host;
  int port = 0;
  if (absl::Status s = ParseListenAddress(config_.listen_address, &host, &port); !s.ok()) return s;

  const int threads = config_.web_threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(64 * 1024);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_keep_alive_max_count(100);

  const std::string telemetry_path = config_.telemetry_path;
  server_->Get(telemetry_path, [this](const httplib::Request& request, httplib::Response& response) {
    const absl::Time deadline = ScrapeDeadline(
        absl::Now(), config_.scrape_timeout, request.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"));
    response.set_content(scraper_->Render(deadline), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    // Nobody may have scraped yet: a probe starts a scrape (coalesced and cached like any other).
    if (!scraper_->Ready()) scraper_->Render(ScrapeDeadline(absl::Now(), config_.scrape_timeout, "3"));
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

  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen_address));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; wait so Stop() always works.
  while (!server_->is_running()) absl::SleepFor(absl::Milliseconds(1));
  Log(LogLevel::kInfo, "listening", {{"address", absl::StrCat(host, ":", port_)}, {"path", telemetry_path}});
  return absl::OkStatus();
}

void MetricsServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace warren
