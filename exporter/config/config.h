// warren's configuration: one value built from the command line, environment and file in main
// (sources.h), validated once, then passed down. Nothing reads flags or the environment after that.
#ifndef WARREN_EXPORTER_CONFIG_CONFIG_H_
#define WARREN_EXPORTER_CONFIG_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "metrics/endpoints.h"
#include "metrics/filter.h"
#include "util/log.h"

namespace warren {

// A named set of credentials and TLS settings for /probe (config file only), and the targets it
// may be used for: RE2 patterns that must match the whole target URL.
struct ProbeModule {
  std::string name;
  std::string user = "guest";
  std::string password = "guest";
  TlsOptions tls;
  std::vector<std::string> targets;
};

// A node's rabbitmq_prometheus endpoint (e.g. rabbit@host-1 -> http://10.0.0.5:15692), for
// queue depth from the plugin (docs/design/plugin-depth.md).
struct PluginUrl {
  std::string node;  // the RabbitMQ node name, as /api/nodes names it
  std::string url;   // http:// or https://, no path or query
};

struct Config {
  std::string rabbitmq_url = "http://127.0.0.1:15672";
  std::string rabbitmq_user = "guest";
  std::string rabbitmq_password = "guest";  // RabbitMQ's default; only accepted from loopback
  TlsOptions rabbitmq_tls;                  // for an https:// URL
  BodyFormat rabbitmq_format = BodyFormat::kAuto;
  std::string listen_address = ":9419";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;       // exporter-toolkit format; empty: plain HTTP, no auth
  std::vector<ProbeModule> modules;  // /probe is refused without any
  int probe_max_targets = 100;       // brokers /probe keeps a cache and a scraper for
  metrics::FilterPatterns filter;    // RE2 include/exclude for vhosts, queues, exchanges
  int64_t max_queues = 0;            // 0: every queue
  int64_t max_vhost_requests = 10;   // per-vhost requests when a vhost filter keeps this few; 0: never
  absl::Duration scrape_timeout = absl::Seconds(10);
  absl::Duration min_interval = absl::Seconds(5);  // RabbitMQ's own statistics interval
  absl::Duration health_interval = absl::Minutes(1);
  absl::Duration definitions_interval = absl::Minutes(5);
  int scrape_workers = 4;
  int web_threads = 8;
  int64_t max_body_bytes = int64_t{256} << 20;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  // Queue depth from each node's rabbitmq_prometheus plugin instead of enable_queue_totals.
  // Explicit URLs win over the template for their node, both over discovery.
  std::vector<PluginUrl> plugin_urls;
  std::string plugin_url_template;  // "{host}" stands for the part of a node name after '@'
  // With plugin depth, the listing is fetched this often while nothing suggests a change.
  absl::Duration queue_listing_interval = absl::Minutes(1);
  // --rabbitmq.plugin: "discover" (the URLs or template above where they name a node, else each
  // running node's plugin listener from /api/overview; the default: cheap for the broker),
  // "explicit" (only those) or "off" (no plugin at all).
  std::string plugin_mode = "discover";
  // A node whose plugin did not answer is asked again after this long.
  absl::Duration plugin_retry_interval = absl::Minutes(1);
  // Groups switched off: no request is made. The opt-in statistics tier starts here.
  std::vector<std::string> disabled_collectors = metrics::OptInGroups();

  // Names the offending flag in the message, e.g. "--scrape.timeout: must be positive".
  absl::Status Validate() const;
};

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_CONFIG_H_
