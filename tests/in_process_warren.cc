#include "tests/in_process_warren.h"

#include "exporter/broker/broker_url.h"

namespace warren::testing {

absl::Status InProcessWarren::Start(const std::string& broker_url, const Options& options) {
  Stop();
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(broker_url);
  if (!url.ok()) return url.status();
  config_.listen_address = "127.0.0.1:0";
  config_.scrape_timeout = options.scraper.scrape_timeout;
  client_ = std::make_unique<RabbitClient>(ClientOptions{.url = *std::move(url),
                                                         .user = options.user,
                                                         .password = options.password,
                                                         .max_body_bytes = options.max_body_bytes,
                                                         .tls = {}});
  scraper_ = std::make_unique<Scraper>(options.scraper, client_.get(), &pool_);
  server_ = std::make_unique<MetricsServer>(ServerOptionsOf(config_), scraper_.get());
  if (!options.probe_modules.empty()) {
    prober_ = std::make_unique<Prober>(options.probe_modules, options.scraper, &pool_, options.max_probe_targets);
    server_->SetProber(prober_.get());
  }
  return server_->Start();
}

void InProcessWarren::Stop() {
  server_.reset();
  prober_.reset();
  scraper_.reset();
  client_.reset();
}

}  // namespace warren::testing
