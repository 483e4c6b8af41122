#include "exporter/config/flags.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/config/plugin_urls.h"
#include "exporter/config/values.h"
#include "metrics/endpoints.h"

namespace warren {
namespace {

// A flag whose value is stored as given. `field` names the Config member for const and non-const
// configs alike (`[](auto& c) -> auto& { return c.rabbitmq_url; }`); `show_default` prints its
// default in --help.
template <typename Field>
Flag StringFlag(const char* name, const char* placeholder, const char* help, Field field, bool show_default = false) {
  return {name, placeholder, help,
          [field](Config* c, absl::string_view v) {
            field(*c) = std::string(v);
            return absl::OkStatus();
          },
          [field, show_default](const Config& c) { return show_default ? std::string(field(c)) : std::string(); }};
}

}  // namespace

const std::vector<Flag>& Flags() {
  static const std::vector<Flag>* flags = new std::vector<Flag>{
      {"config.file", "PATH", "YAML file with any of these settings (see README); $WARREN_CONFIG_FILE.",
       [](Config*, absl::string_view) { return absl::OkStatus(); },  // read by ParseArgs
       [](const Config&) { return std::string(); }},
      StringFlag(
          "rabbitmq.url", "URL", "Management API base URL, without credentials.",
          [](auto& c) -> auto& { return c.rabbitmq_url; }, true),
      StringFlag(
          "rabbitmq.user", "NAME", "Management API user: the monitoring tag and a permission on each vhost to watch.",
          [](auto& c) -> auto& { return c.rabbitmq_user; }, true),
      {"rabbitmq.password-file", "PATH",
       "File holding the password. Else $WARREN_RABBITMQ_PASSWORD, else RabbitMQ's default.",
       [](Config* c, absl::string_view v) { return ReadPasswordFile(v, &c->rabbitmq_password); },
       [](const Config&) { return std::string(); }},
      StringFlag(
          "rabbitmq.tls.ca-file", "PATH", "CA certificates (PEM) for an https:// URL; default the system store.",
          [](auto& c) -> auto& { return c.rabbitmq_tls.ca_file; }),
      StringFlag(
          "rabbitmq.tls.cert-file", "PATH", "Client certificate (PEM), for a broker that verifies peers.",
          [](auto& c) -> auto& { return c.rabbitmq_tls.cert_file; }),
      StringFlag(
          "rabbitmq.tls.key-file", "PATH", "Unencrypted private key (PEM) of --rabbitmq.tls.cert-file.",
          [](auto& c) -> auto& { return c.rabbitmq_tls.key_file; }),
      StringFlag(
          "rabbitmq.tls.server-name", "NAME",
          "Name the broker's certificate must carry, also sent as SNI; default the URL's host.",
          [](auto& c) -> auto& { return c.rabbitmq_tls.server_name; }),
      {"rabbitmq.tls.insecure-skip-verify", "BOOL",
       "Accept any broker certificate (true/false); logs a warning at every start.",
       [](Config* c, absl::string_view v) { return SetBool(v, &c->rabbitmq_tls.insecure_skip_verify); },
       [](const Config& c) { return std::string(c.rabbitmq_tls.insecure_skip_verify ? "true" : "false"); }},
      {"rabbitmq.format", "FORMAT",
       "What the broker encodes its answers in: auto (BERT where it saves the broker CPU), bert (wherever offered) or "
       "json.",
       [](Config* c, absl::string_view v) {
         absl::StatusOr<BodyFormat> format = ParseBodyFormat(v);
         if (!format.ok()) return format.status();
         c->rabbitmq_format = *format;
         return absl::OkStatus();
       },
       [](const Config& c) { return std::string(BodyFormatName(c.rabbitmq_format)); }},
      {"rabbitmq.plugin", "MODE",
       "Queue depth from the nodes' rabbitmq_prometheus plugins: discover (every running node's plugin listener, "
       "from /api/overview, unless --rabbitmq.plugin-url or -url-template names it), explicit (only those) or off.",
       [](Config* c, absl::string_view v) {
         if (v != "explicit" && v != "discover" && v != "off") {
           return absl::InvalidArgumentError("must be explicit, discover or off");
         }
         c->plugin_mode = std::string(v);
         return absl::OkStatus();
       },
       [](const Config& c) { return c.plugin_mode; }},
      {"rabbitmq.plugin-url", "NODE=URL",
       "Queue depth from this node's rabbitmq_prometheus plugin, e.g. rabbit@host-1=http://10.0.0.5:15692 "
       "(repeatable or comma-separated; see docs/design/plugin-depth.md).",
       [](Config* c, absl::string_view v) { return AddPluginUrls(v, &c->plugin_urls); },
       [](const Config&) { return std::string(); }, [](Config* c) { c->plugin_urls.clear(); }},
      StringFlag(
          "rabbitmq.plugin-url-template", "URL",
          "Queue depth from each node's rabbitmq_prometheus plugin at this URL, {host} the node name after @, "
          "e.g. http://{host}:15692 (see docs/design/plugin-depth.md).",
          [](auto& c) -> auto& { return c.plugin_url_template; }),
      StringFlag(
          "web.listen-address", "[HOST]:PORT", "Address to serve metrics on.",
          [](auto& c) -> auto& { return c.listen_address; }, true),
      StringFlag(
          "web.config.file", "PATH",
          "Prometheus exporter-toolkit web config: TLS (tls_server_config) and basic auth (basic_auth_users).",
          [](auto& c) -> auto& { return c.web_config_file; }),
      StringFlag(
          "web.telemetry-path", "PATH", "Path to serve metrics on.", [](auto& c) -> auto& { return c.telemetry_path; },
          true),
      {"scrape.timeout", "DURATION",
       "Longest a scrape may take; Prometheus's X-Prometheus-Scrape-Timeout-Seconds can shorten it.",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->scrape_timeout); },
       [](const Config& c) { return absl::FormatDuration(c.scrape_timeout); }},
      {"scrape.min-interval", "DURATION", "Serve cached broker data younger than this.",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->min_interval); },
       [](const Config& c) { return absl::FormatDuration(c.min_interval); }},
      {"scrape.health-interval", "DURATION", "How often the health checks are fetched.",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->health_interval); },
       [](const Config& c) { return absl::FormatDuration(c.health_interval); }},
      {"scrape.definitions-interval", "DURATION", "How often the definitions are fetched (large, change rarely).",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->definitions_interval); },
       [](const Config& c) { return absl::FormatDuration(c.definitions_interval); }},
      {"scrape.queue-listing-interval", "DURATION",
       "With plugin depth: how often queues are listed while the plugins report exactly the listed queues (else at the "
       "next scrape).",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->queue_listing_interval); },
       [](const Config& c) { return absl::FormatDuration(c.queue_listing_interval); }},
      {"scrape.plugin-retry-interval", "DURATION",
       "With plugin depth: how long a node whose plugin did not answer waits before it is asked again (its queue "
       "depths come from the listing with totals meanwhile).",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->plugin_retry_interval); },
       [](const Config& c) { return absl::FormatDuration(c.plugin_retry_interval); }},
      {"scrape.workers", "N", "Threads fetching endpoints in parallel.",
       [](Config* c, absl::string_view v) {
         int64_t n = 0;
         absl::Status s = SetInt(v, &n);
         c->scrape_workers = static_cast<int>(std::clamp<int64_t>(n, -1, 1 << 20));
         return s;
       },
       [](const Config& c) { return absl::StrCat(c.scrape_workers); }},
      {"scrape.max-body-bytes", "BYTES", "Largest response accepted from the broker.",
       [](Config* c, absl::string_view v) { return SetInt(v, &c->max_body_bytes); },
       [](const Config& c) { return absl::StrCat(c.max_body_bytes); }},
      StringFlag(
          "filter.vhosts", "REGEX", "Only vhosts whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.vhosts; }),
      StringFlag(
          "filter.vhosts-exclude", "REGEX", "Leave out vhosts whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.vhosts_exclude; }),
      StringFlag(
          "filter.queues", "REGEX", "Only queues whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.queues; }),
      StringFlag(
          "filter.queues-exclude", "REGEX", "Leave out queues whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.queues_exclude; }),
      StringFlag(
          "filter.exchanges", "REGEX", "Only exchanges whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.exchanges; }),
      StringFlag(
          "filter.exchanges-exclude", "REGEX", "Leave out exchanges whose name matches this RE2 pattern (whole name).",
          [](auto& c) -> auto& { return c.filter.exchanges_exclude; }),
      {"filter.max-queues", "N",
       "Export at most this many queues, the deepest (0: all); the rest count in warren_objects_dropped.",
       [](Config* c, absl::string_view v) { return SetInt(v, &c->max_queues); },
       [](const Config& c) { return absl::StrCat(c.max_queues); }},
      {"filter.max-vhost-requests", "N",
       "When the vhost filters keep at most N vhosts, ask the broker for their queues, exchanges, consumers, "
       "connections and channels one vhost at a time, so it lists only those (0: always all at once).",
       [](Config* c, absl::string_view v) { return SetInt(v, &c->max_vhost_requests); },
       [](const Config& c) { return absl::StrCat(c.max_vhost_requests); }},
      {"probe.max-targets", "N", "Most brokers /probe keeps state for (modules come from --config.file).",
       [](Config* c, absl::string_view v) {
         int64_t n = 0;
         absl::Status s = SetInt(v, &n);
         c->probe_max_targets = static_cast<int>(std::clamp<int64_t>(n, -1, 1 << 20));
         return s;
       },
       [](const Config& c) { return absl::StrCat(c.probe_max_targets); }},
      {"log.level", "LEVEL", "debug, info, warn or error.",
       [](Config* c, absl::string_view v) {
         absl::StatusOr<LogLevel> level = ParseLogLevel(v);
         if (!level.ok()) return level.status();
         c->log_level = *level;
         return absl::OkStatus();
       },
       [](const Config& c) { return std::string(LogLevelName(c.log_level)); }},
      {"log.format", "FORMAT", "logfmt or json, one line per event on stderr.",
       [](Config* c, absl::string_view v) {
         absl::StatusOr<LogFormat> format = ParseLogFormat(v);
         if (!format.ok()) return format.status();
         c->log_format = *format;
         return absl::OkStatus();
       },
       [](const Config& c) { return std::string(LogFormatName(c.log_format)); }},
  };
  return *flags;
}

absl::Status FlagError(absl::string_view name, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", status.message()));
}

const Flag* FindFlag(absl::string_view name) {
  for (const Flag& flag : Flags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

std::string EnvName(absl::string_view name) {
  std::string out = "WARREN_";
  for (char c : name) out += (c == '.' || c == '-') ? '_' : absl::ascii_toupper(c);
  return out;
}

std::string FileKey(absl::string_view name) {
  const size_t dot = name.find('.');
  std::string out(name.substr(0, dot + 1));
  for (char c : name.substr(dot + 1)) out += (c == '.' || c == '-') ? '_' : c;
  return out;
}

absl::Status KnownCollector(absl::string_view group) {
  const std::vector<std::string> groups = metrics::AllGroups();
  if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown collector (known: ", absl::StrJoin(groups, ", "), ")"));
  }
  return absl::OkStatus();
}

absl::Status SetCollector(Config* config, absl::string_view group, bool on) {
  if (absl::Status s = KnownCollector(group); !s.ok()) return s;
  std::erase(config->disabled_collectors, std::string(group));
  if (!on) config->disabled_collectors.emplace_back(group);
  return absl::OkStatus();
}

std::string HelpText() {
  const Config defaults;
  std::string text =
      "usage: warren [flags]\n\n"
      "Prometheus exporter for RabbitMQ: scrapes the management API cheaply and serves /metrics.\n\n"
      "Flags:\n";
  for (const Flag& flag : Flags()) {
    absl::StrAppend(&text, "  --", flag.name, "=", flag.placeholder, "\n      ", flag.help);
    if (std::string shown = flag.show(defaults); !shown.empty()) {
      absl::StrAppend(&text, " (default ", shown, ")");
    }
    text += "\n";
  }
  absl::StrAppend(&text,
                  "  --no-collector.GROUP, --collector.GROUP\n      Switch a group of endpoints off or on "
                  "(all but the opt-in statistics tier are on). Groups: ",
                  absl::StrJoin(metrics::AllGroups(), ", "), ". Opt-in: ", absl::StrJoin(metrics::OptInGroups(), ", "),
                  ".\n");
  text +=
      "  --config.check\n      Validate the configuration (file, environment, flags) and exit.\n"
      "  --help\n      Show this help.\n"
      "  --version\n      Show the version.\n"
      "  --healthcheck\n      Ask the warren listening on --web.listen-address for /healthz; exit 0 if it\n"
      "      answers 200, else 1 (for a container HEALTHCHECK).\n\n"
      "Environment and config file:\n"
      "  Every flag is also read from WARREN_<FLAG> (--scrape.timeout: WARREN_SCRAPE_TIMEOUT) and from\n"
      "  the YAML file of --config.file (scrape: {timeout: 10s}); collectors as\n"
      "  WARREN_COLLECTOR_<GROUP>=true|false and collectors: {GROUP: true|false}. Flags win over the\n"
      "  environment, which wins over the file.\n"
      "  WARREN_RABBITMQ_PASSWORD  the password (or WARREN_RABBITMQ_PASSWORD_FILE, a file holding it)\n";
  return text;
}

}  // namespace warren
