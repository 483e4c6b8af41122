// Config::Validate: every check of a whole configuration, once its sources are applied.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "exporter/broker/broker_url.h"
#include "exporter/config/config.h"
#include "exporter/config/flags.h"
#include "exporter/config/listen_address.h"
#include "exporter/config/plugin_urls.h"
#include "metrics/filter.h"

namespace warren {

absl::Status Config::Validate() const {
  if (absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(rabbitmq_url); !url.ok()) {
    return FlagError("rabbitmq.url", url.status());
  }
  if (rabbitmq_user.empty()) return FlagError("rabbitmq.user", absl::InvalidArgumentError("must not be empty"));
  for (size_t i = 0; i < plugin_urls.size(); ++i) {
    if (absl::Status s = CheckPluginUrlEntry(plugin_urls[i], absl::MakeConstSpan(plugin_urls).first(i)); !s.ok()) {
      return FlagError("rabbitmq.plugin-url", s);
    }
  }
  if (!plugin_url_template.empty()) {
    if (absl::Status s = CheckPluginUrlTemplate(plugin_url_template); !s.ok()) {
      return FlagError("rabbitmq.plugin-url-template", s);
    }
  }
  std::string host;
  int port = 0;
  if (absl::Status s = ParseListenAddress(listen_address, &host, &port); !s.ok()) {
    return FlagError("web.listen-address", s);
  }
  if (telemetry_path == "/healthz" || telemetry_path == "/readyz" || telemetry_path == "/probe") {
    return FlagError("web.telemetry-path", absl::InvalidArgumentError("/healthz, /readyz and /probe are taken"));
  }
  if (!absl::StartsWith(telemetry_path, "/") || telemetry_path == "/") {
    return FlagError("web.telemetry-path", absl::InvalidArgumentError("must start with / and not be /"));
  }
  // A path, served as written: no pattern characters, nothing to percent-decode, no empty segment.
  if (!std::all_of(telemetry_path.begin(), telemetry_path.end(),
                   [](char c) {
                     return absl::ascii_isalnum(c) || absl::string_view("/-._~").find(c) != absl::string_view::npos;
                   }) ||
      absl::StrContains(telemetry_path, "//")) {
    return FlagError("web.telemetry-path",
                     absl::InvalidArgumentError("may hold only letters, digits and / - . _ ~ (a path, not a pattern)"));
  }
  if (scrape_timeout <= absl::ZeroDuration()) {
    return FlagError("scrape.timeout", absl::InvalidArgumentError("must be positive"));
  }
  if (min_interval < absl::ZeroDuration()) {
    return FlagError("scrape.min-interval", absl::InvalidArgumentError("must not be negative"));
  }
  if (health_interval < min_interval) {
    return FlagError("scrape.health-interval",
                     absl::InvalidArgumentError("must not be shorter than --scrape.min-interval"));
  }
  if (definitions_interval < min_interval) {
    return FlagError("scrape.definitions-interval",
                     absl::InvalidArgumentError("must not be shorter than --scrape.min-interval"));
  }
  if (queue_listing_interval < absl::ZeroDuration()) {
    return FlagError("scrape.queue-listing-interval", absl::InvalidArgumentError("must not be negative"));
  }
  if (plugin_retry_interval <= absl::ZeroDuration()) {
    return FlagError("scrape.plugin-retry-interval", absl::InvalidArgumentError("must be positive"));
  }
  if (plugin_mode == "off" && (!plugin_urls.empty() || !plugin_url_template.empty())) {
    return FlagError("rabbitmq.plugin",
                     absl::InvalidArgumentError("is off while --rabbitmq.plugin-url or -url-template names plugins"));
  }
  if (scrape_workers < 1 || scrape_workers > 64) {
    return FlagError("scrape.workers", absl::InvalidArgumentError("must be between 1 and 64"));
  }
  for (const ProbeModule& module : modules) {
    if (module.targets.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("modules.", module.name, ": lists no targets"));
    }
  }
  if (absl::StatusOr<std::unique_ptr<metrics::Filter>> f = metrics::Filter::Create(filter); !f.ok()) {
    // "queues_exclude: missing )" -> "--filter.queues-exclude: missing )"
    std::string message(f.status().message());
    const size_t colon = message.find(':');
    std::string name = message.substr(0, colon);
    std::replace(name.begin(), name.end(), '_', '-');
    return FlagError(absl::StrCat("filter.", name),
                     absl::InvalidArgumentError(absl::StripLeadingAsciiWhitespace(message.substr(colon + 1))));
  }
  if (max_queues < 0) return FlagError("filter.max-queues", absl::InvalidArgumentError("must not be negative"));
  if (max_queues > 0 && (!plugin_urls.empty() || !plugin_url_template.empty())) {
    return FlagError("filter.max-queues",
                     absl::InvalidArgumentError("ranks queues by the depth in the queues listing, which plugin depth "
                                                "(--rabbitmq.plugin-url, --rabbitmq.plugin-url-template) leaves out"));
  }
  if (max_vhost_requests < 0) {
    return FlagError("filter.max-vhost-requests", absl::InvalidArgumentError("must not be negative"));
  }
  if (probe_max_targets < 1 || probe_max_targets > 10000) {
    return FlagError("probe.max-targets", absl::InvalidArgumentError("must be between 1 and 10000"));
  }
  if (max_body_bytes < 1024) {
    return FlagError("scrape.max-body-bytes", absl::InvalidArgumentError("must be at least 1024"));
  }
  return absl::OkStatus();
}

}  // namespace warren
