// warren: Prometheus exporter for RabbitMQ. Reads flags once, then runs until SIGINT or SIGTERM.
#include <httplib.h>
#include <malloc.h>
#include <unistd.h>  // environ

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/config/config.h"
#include "exporter/config/flags.h"
#include "exporter/config/listen_address.h"
#include "exporter/config/sources.h"
#include "exporter/scrape/scraper.h"
#include "exporter/scrape/scraper_pool.h"
#include "exporter/web/probe.h"
#include "exporter/web/server.h"
#include "exporter/web/web_config.h"
#include "metrics/endpoints.h"
#include "util/log.h"

namespace {

// GET /healthz of the warren on config.listen_address (loopback when it listens on every address),
// over HTTPS when its web config has TLS: loopback, so the certificate is not verified. A web
// config that requires client certificates leaves no way in: use an HTTP check from outside then.
int Healthcheck(const warren::Config& config, bool tls) {
  std::string host;
  int port = 0;
  if (!warren::ParseListenAddress(config.listen_address, &host, &port).ok() || port <= 0) return 1;
  if (host == "0.0.0.0") host = "127.0.0.1";  // ParseListenAddress's answer for ":9419"
  if (host == "::") host = "::1";
  httplib::Client http(absl::StrCat(tls ? "https://" : "http://",
                                    host.find(':') == std::string::npos ? host : absl::StrCat("[", host, "]"), ":",
                                    port));
  http.enable_server_certificate_verification(false);
  http.set_connection_timeout(3);
  http.set_read_timeout(3);
  httplib::Result result = http.Get("/healthz");
  const bool ok = result && result->status == 200;
  std::cout << (ok ? "ok" : "unhealthy") << "\n";
  return ok ? 0 : 1;
}

// The names of this process's environment variables.
std::vector<std::string> EnvironmentNames() {
  std::vector<std::string> names;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const absl::string_view text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace warren;
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
  if (!parsed.ok()) {
    std::cerr << "warren: " << parsed.status().message() << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << HelpText();
    return 0;
  }
  if (parsed->version) {
    std::cout << "warren " << WARREN_VERSION << "\n";
    return 0;
  }
  const Config& config = parsed->config;
  std::optional<WebConfig> web;
  if (!config.web_config_file.empty()) {
    absl::StatusOr<WebConfig> loaded = LoadWebConfig(config.web_config_file);
    if (!loaded.ok()) {
      std::cerr << "warren: --web.config.file: " << loaded.status().message() << "\n";
      return 2;
    }
    web = *std::move(loaded);
  }
  if (parsed->healthcheck) return Healthcheck(config, web.has_value() && web->tls.has_value());
  SetLogLevel(config.log_level);
  SetLogFormat(config.log_format);
  for (const std::string& name : UnknownWarrenVariables(EnvironmentNames())) {
    if (parsed->check) {
      std::cerr << "warren: $" << name << ": no such setting (see --help)\n";
      return 2;
    }
    Log(LogLevel::kWarn, "unknown variable ignored: no such setting", {{"variable", name}});
  }

  // glibc gives every thread that allocates its own arena, which keeps what a large scrape freed:
  // two arenas halved warren's peak RSS at 10,000 queues (bench/scrape-cost: 310 -> 165 MiB).
  // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread exists yet.
  mallopt(M_ARENA_MAX, 2);

  // Handle signals on this thread only: block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    Log(LogLevel::kWarn, "cannot ignore SIGPIPE: a client closing early may end warren");
  }

  const BrokerUrl url = *ParseBrokerUrl(config.rabbitmq_url);  // checked by Validate()
  const ClientOptions client_options{.url = url,
                                     .user = config.rabbitmq_user,
                                     .password = config.rabbitmq_password,
                                     .max_body_bytes = config.max_body_bytes,
                                     .tls = config.rabbitmq_tls};
  absl::StatusOr<std::unique_ptr<RabbitClient>> created = RabbitClient::Create(client_options);
  if (!created.ok()) {
    std::cerr << "warren: " << created.status().message() << "\n";
    return 2;
  }
  const RabbitClient& client = **created;
  if (parsed->check) {
    std::cout << "warren: configuration ok\n";
    return 0;
  }
  if (InsecureTls(client_options)) {
    Log(LogLevel::kWarn, "TLS certificate of the broker is not verified (--rabbitmq.tls.insecure-skip-verify)",
        {{"rabbitmq", url.ToString()}});
  }
  std::vector<const metrics::Endpoint*> endpoints;
  for (const metrics::Endpoint* endpoint : metrics::AllEndpoints()) {
    const auto& off = config.disabled_collectors;
    if (std::find(off.begin(), off.end(), endpoint->group) == off.end()) endpoints.push_back(endpoint);
  }
  if (endpoints.empty()) {
    std::cerr << "warren: every collector is switched off\n";
    return 2;
  }
  ScraperPool pool(config.scrape_workers);
  // Checked by Validate(): Create succeeds.
  const std::unique_ptr<metrics::Filter> filter = *metrics::Filter::Create(config.filter);
  const metrics::Filter* active_filter = filter->Empty() ? nullptr : filter.get();
  // The same for /metrics and for every /probe target.
  const Scraper::Options scraper_options{.scrape_timeout = config.scrape_timeout,
                                         .min_interval = config.min_interval,
                                         .health_interval = config.health_interval,
                                         .definitions_interval = config.definitions_interval,
                                         .endpoints = endpoints,
                                         .filter = active_filter,
                                         .max_queues = static_cast<size_t>(config.max_queues),
                                         .max_vhost_requests = static_cast<size_t>(config.max_vhost_requests),
                                         .format = config.rabbitmq_format};
  // Plugin depth is for the configured broker only: a /probe target has its own nodes.
  Scraper::Options main_options = scraper_options;
  for (const PluginUrl& url : config.plugin_urls) main_options.plugin_depth.urls.emplace_back(url.node, url.url);
  main_options.plugin_depth.url_template = config.plugin_url_template;
  main_options.plugin_depth.listing_interval = config.queue_listing_interval;
  // --filter.max-queues ranks queues by the listing's depths: it keeps the listing with totals.
  main_options.plugin_depth.discover = config.plugin_mode == "discover" && config.max_queues == 0;
  main_options.plugin_depth.retry_interval = config.plugin_retry_interval;
  main_options.plugin_depth.tls = config.rabbitmq_tls;
  main_options.plugin_depth.tls.server_name.clear();  // each plugin URL is checked against its own host
  // Node resources where /api/nodes lacks them: the same plugins, found the same way, whatever
  // --filter.max-queues says (it concerns queues only).
  main_options.node_resources = main_options.plugin_depth;
  main_options.node_resources.discover = config.plugin_mode == "discover";
  if (main_options.plugin_depth.discover) {
    Log(LogLevel::kInfo, "queue depth from the rabbitmq_prometheus plugins the overview lists",
        {{"retry_interval", absl::FormatDuration(config.plugin_retry_interval)}});
  }
  if (!config.plugin_urls.empty() || !config.plugin_url_template.empty()) {
    std::vector<std::string> urls;
    for (const PluginUrl& url : config.plugin_urls) urls.push_back(absl::StrCat(url.node, "=", url.url));
    Log(LogLevel::kInfo, "queue depth from the rabbitmq_prometheus plugin",
        {{"urls", absl::StrJoin(urls, ",")}, {"template", config.plugin_url_template}});
  }
  Scraper scraper(main_options, &client, &pool);
  std::unique_ptr<Prober> prober;
  if (!config.modules.empty()) {
    prober = std::make_unique<Prober>(config.modules, scraper_options, &pool, config.probe_max_targets,
                                      absl::Minutes(10), config.max_body_bytes);
  }
  const ServerOptions server_options = ServerOptionsOf(config);
  MetricsServer server = web.has_value() ? MetricsServer(server_options, &scraper, *std::move(web))
                                         : MetricsServer(server_options, &scraper);
  server.SetProber(prober.get());
  if (absl::Status status = server.Start(); !status.ok()) {
    Log(LogLevel::kError, "cannot start", {{"err", std::string(status.message())}});
    return 1;
  }
  Log(LogLevel::kInfo, "started",
      {{"version", WARREN_VERSION}, {"rabbitmq", url.ToString()}, {"user", config.rabbitmq_user}});

  int signal = 0;
  sigwait(&signals, &signal);
  Log(LogLevel::kInfo, "stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // Scrapes and fetches in flight end by their deadlines, at most --scrape.timeout away; should
  // anything hang past that, exit anyway so an orchestrator's grace period is never overrun.
  const absl::Duration bound = config.scrape_timeout + absl::Seconds(5);
  std::thread([bound] {
    absl::SleepFor(bound);
    Log(LogLevel::kError, "shutdown took too long; exiting", {{"bound", absl::FormatDuration(bound)}});
    std::_Exit(1);
  }).detach();
  server.Stop();
  return 0;
}
