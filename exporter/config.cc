#include "exporter/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "exporter/broker_url.h"
#include "exporter/config_file.h"
#include "re2/re2.h"
#include "metrics/endpoints.h"

namespace warren {
namespace {

struct Flag {
  const char* name;
  const char* placeholder;
  const char* help;
  std::function<absl::Status(Config*, absl::string_view)> set;
  std::function<std::string(const Config&)> show;  // default shown in --help; "" for none
  // Only for a repeatable flag (a list): empties the list. Each source (file, environment, flags)
  // replaces the list of the sources below it; within one source every value adds to it.
  std::function<void(Config*)> clear = nullptr;
};

absl::Status SetDuration(absl::string_view value, absl::Duration* out) {
  if (!absl::ParseDuration(value, out)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", value, "\" (e.g. 10s, 500ms)"));
  }
  return absl::OkStatus();
}

absl::Status SetInt(absl::string_view value, int64_t* out) {
  if (!absl::SimpleAtoi(value, out)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid number \"", value, "\""));
  }
  return absl::OkStatus();
}

absl::Status SetBool(absl::string_view value, bool* out) {
  if (value == "true") {
    *out = true;
  } else if (value == "false") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("want true or false, not \"", value, "\""));
  }
  return absl::OkStatus();
}

absl::Status ReadPasswordFile(absl::string_view path, std::string* out) {
  std::ifstream file{std::string(path)};
  if (!file) return absl::InvalidArgumentError(absl::StrCat("cannot read \"", path, "\""));
  std::stringstream contents;
  contents << file.rdbuf();
  std::string password = contents.str();
  // Files written with echo end in a newline that is not part of the password.
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  if (password.empty()) return absl::InvalidArgumentError(absl::StrCat("\"", path, "\" is empty"));
  *out = std::move(password);
  return absl::OkStatus();
}

// A URL of a node's rabbitmq_prometheus plugin: http(s)://host[:port][/], no credentials, path or
// query. Errors never repeat the URL.
absl::Status CheckPluginUrl(absl::string_view url) {
  // Before ParseBrokerUrl, whose message about credentials points at --rabbitmq.user.
  if (absl::StrContains(url, '@')) {
    return absl::InvalidArgumentError("must not contain credentials (user:password@)");
  }
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  // ParseBrokerUrl accepted a scheme, so "://" is there; it drops trailing slashes, so look at the
  // path as written.
  absl::string_view rest = url.substr(url.find("://") + 3);
  if (const size_t slash = rest.find('/'); slash != absl::string_view::npos && rest.substr(slash) != "/") {
    return absl::InvalidArgumentError("must not have a path (warren asks for /metrics/detailed itself)");
  }
  return absl::OkStatus();
}

// One --rabbitmq.plugin-url entry, against the entries before it. The node is named only once it
// is known to be one (a value like "http://user:pw=x@..." would otherwise show part of a password).
absl::Status CheckPluginUrlEntry(const PluginUrl& entry, absl::Span<const PluginUrl> before) {
  if (entry.node.empty()) return absl::InvalidArgumentError("want NODE=URL; the node is empty");
  // NAME@HOST, one '@', neither part empty. No ':' or '/' either: an Erlang node name has none, and
  // a URL or credentials given as the node (by a missing "NODE=") would.
  const size_t at = entry.node.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == entry.node.size() || entry.node.find('@', at + 1) != std::string::npos ||
      entry.node.find_first_of(":/") != std::string::npos ||
      !std::all_of(entry.node.begin(), entry.node.end(), [](char c) { return absl::ascii_isgraph(c); })) {
    return absl::InvalidArgumentError("want NODE=URL with NODE a node name as /api/nodes gives it, NAME@HOST");
  }
  if (absl::Status s = CheckPluginUrl(entry.url); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(entry.node, ": ", s.message()));
  }
  if (std::any_of(before.begin(), before.end(), [&entry](const PluginUrl& p) { return p.node == entry.node; })) {
    return absl::InvalidArgumentError(absl::StrCat(entry.node, ": given twice"));
  }
  return absl::OkStatus();
}

// "NODE=URL" or "NODE=URL,NODE=URL,...": split at the first '=' (node names have none), appended.
// An empty value adds none (an empty variable or key, as for the template, means "off").
absl::Status AddPluginUrls(absl::string_view value, std::vector<PluginUrl>* urls) {
  if (value.empty()) return absl::OkStatus();
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError("want NODE=URL (e.g. rabbit@host-1=http://10.0.0.5:15692)");
    }
    PluginUrl entry{std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))};
    if (absl::Status s = CheckPluginUrlEntry(entry, *urls); !s.ok()) return s;
    urls->push_back(std::move(entry));
  }
  return absl::OkStatus();
}

// {host} once; with it replaced, a plugin URL. That also keeps {host} in the host part: in the
// scheme, port, credentials, path or query the URL is refused.
absl::Status CheckPluginUrlTemplate(absl::string_view url_template) {
  constexpr absl::string_view kHost = "{host}";
  const size_t at = url_template.find(kHost);
  if (at == absl::string_view::npos || url_template.find(kHost, at + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("must contain {host} once, as or in the host (e.g. http://{host}:15692)");
  }
  return CheckPluginUrl(absl::StrReplaceAll(url_template, {{kHost, "example"}}));
}

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

const std::vector<Flag>& Flags() {
  static const std::vector<Flag>* flags = new std::vector<Flag>{
      {"config.file", "PATH", "YAML file with any of these settings (see README); $WARREN_CONFIG_FILE.",
       [](Config*, absl::string_view) { return absl::OkStatus(); },  // read by ParseArgs
       [](const Config&) { return std::string(); }},
      StringFlag("rabbitmq.url", "URL", "Management API base URL, without credentials.",
                 [](auto& c) -> auto& { return c.rabbitmq_url; }, true),
      StringFlag("rabbitmq.user", "NAME", "Management API user: the monitoring tag and a permission on each vhost to watch.",
                 [](auto& c) -> auto& { return c.rabbitmq_user; }, true),
      {"rabbitmq.password-file", "PATH",
       "File holding the password. Else $WARREN_RABBITMQ_PASSWORD, else RabbitMQ's default.",
       [](Config* c, absl::string_view v) { return ReadPasswordFile(v, &c->rabbitmq_password); },
       [](const Config&) { return std::string(); }},
      StringFlag("rabbitmq.tls.ca-file", "PATH", "CA certificates (PEM) for an https:// URL; default the system store.",
                 [](auto& c) -> auto& { return c.rabbitmq_tls.ca_file; }),
      StringFlag("rabbitmq.tls.cert-file", "PATH", "Client certificate (PEM), for a broker that verifies peers.",
                 [](auto& c) -> auto& { return c.rabbitmq_tls.cert_file; }),
      StringFlag("rabbitmq.tls.key-file", "PATH", "Unencrypted private key (PEM) of --rabbitmq.tls.cert-file.",
                 [](auto& c) -> auto& { return c.rabbitmq_tls.key_file; }),
      StringFlag("rabbitmq.tls.server-name", "NAME", "Name the broker's certificate must carry, also sent as SNI; default the URL's host.",
                 [](auto& c) -> auto& { return c.rabbitmq_tls.server_name; }),
      {"rabbitmq.tls.insecure-skip-verify", "BOOL", "Accept any broker certificate (true/false); logs a warning at every start.",
       [](Config* c, absl::string_view v) { return SetBool(v, &c->rabbitmq_tls.insecure_skip_verify); },
       [](const Config& c) { return std::string(c.rabbitmq_tls.insecure_skip_verify ? "true" : "false"); }},
      {"rabbitmq.format", "FORMAT",
       "What the broker encodes its answers in: auto (BERT where it saves the broker CPU), bert (wherever offered) or json.",
       [](Config* c, absl::string_view v) {
         absl::StatusOr<BodyFormat> format = ParseBodyFormat(v);
         if (!format.ok()) return format.status();
         c->rabbitmq_format = *format;
         return absl::OkStatus();
       },
       [](const Config& c) { return std::string(BodyFormatName(c.rabbitmq_format)); }},
      {"rabbitmq.plugin-url", "NODE=URL",
       "Queue depth from this node's rabbitmq_prometheus plugin, e.g. rabbit@host-1=http://10.0.0.5:15692 "
       "(repeatable or comma-separated; opt-in, see docs/design/plugin-depth.md).",
       [](Config* c, absl::string_view v) { return AddPluginUrls(v, &c->plugin_urls); },
       [](const Config&) { return std::string(); }, [](Config* c) { c->plugin_urls.clear(); }},
      StringFlag("rabbitmq.plugin-url-template", "URL",
                 "Queue depth from each node's rabbitmq_prometheus plugin at this URL, {host} the node name after @, "
                 "e.g. http://{host}:15692 (opt-in, see docs/design/plugin-depth.md).",
                 [](auto& c) -> auto& { return c.plugin_url_template; }),
      StringFlag("web.listen-address", "[HOST]:PORT", "Address to serve metrics on.",
                 [](auto& c) -> auto& { return c.listen_address; }, true),
      StringFlag("web.config.file", "PATH",
       "Prometheus exporter-toolkit web config: TLS (tls_server_config) and basic auth (basic_auth_users).",
                 [](auto& c) -> auto& { return c.web_config_file; }),
      StringFlag("web.telemetry-path", "PATH", "Path to serve metrics on.",
                 [](auto& c) -> auto& { return c.telemetry_path; }, true),
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
       "With plugin depth: how often queues are listed while the plugins report exactly the listed queues (else at the next scrape).",
       [](Config* c, absl::string_view v) { return SetDuration(v, &c->queue_listing_interval); },
       [](const Config& c) { return absl::FormatDuration(c.queue_listing_interval); }},
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
      StringFlag("filter.vhosts", "REGEX", "Only vhosts whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.vhosts; }),
      StringFlag("filter.vhosts-exclude", "REGEX", "Leave out vhosts whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.vhosts_exclude; }),
      StringFlag("filter.queues", "REGEX", "Only queues whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.queues; }),
      StringFlag("filter.queues-exclude", "REGEX", "Leave out queues whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.queues_exclude; }),
      StringFlag("filter.exchanges", "REGEX", "Only exchanges whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.exchanges; }),
      StringFlag("filter.exchanges-exclude", "REGEX", "Leave out exchanges whose name matches this RE2 pattern (whole name).",
                 [](auto& c) -> auto& { return c.filter.exchanges_exclude; }),
      {"filter.max-queues", "N", "Export at most this many queues, the deepest (0: all); the rest count in warren_objects_dropped.",
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

}  // namespace

absl::Status ParseListenAddress(absl::string_view address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return absl::InvalidArgumentError("want [HOST]:PORT");
  absl::string_view h = address.substr(0, colon);
  const bool bracketed = absl::ConsumePrefix(&h, "[");
  if (bracketed && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError("unclosed [ in host");
  }
  // As in ParseBrokerUrl: "a:b:9419" or "[[a]:9419" names no host to listen on.
  if (h.find_first_of("[]") != absl::string_view::npos || (!bracketed && absl::StrContains(h, ':'))) {
    return absl::InvalidArgumentError("bad host (an IPv6 address goes in brackets)");
  }
  if (!absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in \"", address, "\""));
  }
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  return absl::OkStatus();
}

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
  if (telemetry_path == "/healthz" || telemetry_path == "/readyz") {
    return FlagError("web.telemetry-path", absl::InvalidArgumentError("/healthz and /readyz are taken"));
  }
  if (!absl::StartsWith(telemetry_path, "/") || telemetry_path == "/") {
    return FlagError("web.telemetry-path", absl::InvalidArgumentError("must start with / and not be /"));
  }
  if (scrape_timeout <= absl::ZeroDuration()) {
    return FlagError("scrape.timeout", absl::InvalidArgumentError("must be positive"));
  }
  if (min_interval < absl::ZeroDuration()) {
    return FlagError("scrape.min-interval", absl::InvalidArgumentError("must not be negative"));
  }
  if (health_interval < min_interval) {
    return FlagError("scrape.health-interval", absl::InvalidArgumentError("must not be shorter than --scrape.min-interval"));
  }
  if (definitions_interval < min_interval) {
    return FlagError("scrape.definitions-interval",
                     absl::InvalidArgumentError("must not be shorter than --scrape.min-interval"));
  }
  if (queue_listing_interval < absl::ZeroDuration()) {
    return FlagError("scrape.queue-listing-interval", absl::InvalidArgumentError("must not be negative"));
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
    return FlagError(absl::StrCat("filter.", name), absl::InvalidArgumentError(absl::StripLeadingAsciiWhitespace(message.substr(colon + 1))));
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

namespace {

const Flag* FindFlag(absl::string_view name) {
  for (const Flag& flag : Flags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

// "scrape.max-body-bytes" -> "WARREN_SCRAPE_MAX_BODY_BYTES".
std::string EnvName(absl::string_view name) {
  std::string out = "WARREN_";
  for (char c : name) out += (c == '.' || c == '-') ? '_' : absl::ascii_toupper(c);
  return out;
}

// "scrape.max-body-bytes" -> "scrape.max_body_bytes": the section, then the rest with _.
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

// One key of a /probe module: the keys of the rabbitmq section but url, and targets.
absl::Status SetModuleKey(ProbeModule* module, absl::string_view key, const std::string& value) {
  if (key == "user") {
    module->user = value;
  } else if (key == "password_file") {
    return ReadPasswordFile(value, &module->password);
  } else if (key == "targets") {
    RE2 pattern(value, RE2::Quiet);
    if (!pattern.ok()) return absl::InvalidArgumentError(absl::StrCat("bad pattern: ", pattern.error()));
    module->targets.push_back(value);
  } else if (key == "tls_ca_file") {
    module->tls.ca_file = value;
  } else if (key == "tls_cert_file") {
    module->tls.cert_file = value;
  } else if (key == "tls_key_file") {
    module->tls.key_file = value;
  } else if (key == "tls_server_name") {
    module->tls.server_name = value;
  } else if (key == "tls_insecure_skip_verify") {
    return SetBool(value, &module->tls.insecure_skip_verify);
  } else {
    return absl::InvalidArgumentError(key == "password" ? "not accepted in a file; use password_file"
                                                        : "unknown key (user, password_file, targets, tls_*)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyConfigFile(const std::vector<FileSetting>& settings, const std::string& path, Config* config) {
  for (const FileSetting& setting : settings) {
    auto fail = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", setting.line, ": ", setting.key, ": ", s.message()));
    };
    if (absl::string_view group = setting.key; absl::ConsumePrefix(&group, "collectors.")) {
      bool on = false;
      if (absl::Status s = SetBool(setting.value, &on); !s.ok()) return fail(s);
      if (absl::Status s = SetCollector(config, group, on); !s.ok()) return fail(s);
      continue;
    }
    std::string value = setting.value;
    // Paths in the file are relative to the file, as in Prometheus's own config files.
    if (absl::EndsWith(setting.key, "_file") && !value.empty() && value[0] != '/') {
      value = (std::filesystem::path(path).parent_path() / value).string();
    }
    if (absl::string_view rest = setting.key; absl::ConsumePrefix(&rest, "modules.")) {
      const size_t dot = rest.find('.');
      const std::string name(rest.substr(0, dot));
      if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
            return absl::ascii_isalnum(c) || c == '_' || c == '-';
          })) {
        return fail(absl::InvalidArgumentError("a module name is letters, digits, _ and -"));
      }
      auto it = std::find_if(config->modules.begin(), config->modules.end(),
                             [&name](const ProbeModule& m) { return m.name == name; });
      if (it == config->modules.end()) {
        ProbeModule module;
        module.name = name;
        it = config->modules.insert(config->modules.end(), std::move(module));
      }
      if (absl::Status s = SetModuleKey(&*it, rest.substr(dot + 1), value); !s.ok()) return fail(s);
      continue;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (setting.key == FileKey(f.name) && absl::string_view(f.name) != "config.file") flag = &f;
    }
    if (flag == nullptr) {
      return fail(absl::InvalidArgumentError(setting.key == "rabbitmq.password"
                                                 ? "not accepted in a file; use rabbitmq.password_file"
                                                 : "unknown key (the keys are the flags of --help)"));
    }
    if (flag->clear) flag->clear(config);  // the file's list replaces the defaults'
    if (absl::Status s = flag->set(config, value); !s.ok()) return fail(s);
  }
  return absl::OkStatus();
}

namespace {

absl::Status ApplyFile(const std::string& path, Config* config) {
  absl::StatusOr<std::vector<FileSetting>> settings = ReadConfigFile(path);
  if (!settings.ok()) return settings.status();
  return ApplyConfigFile(*settings, path, config);
}

absl::Status ApplyEnv(const EnvLookup& env, Config* config) {
  std::optional<std::string> password = env("WARREN_RABBITMQ_PASSWORD");
  if (std::optional<std::string> file = env("WARREN_RABBITMQ_PASSWORD_FILE");
      password && !password->empty() && file && !file->empty()) {
    return absl::InvalidArgumentError("$WARREN_RABBITMQ_PASSWORD and $WARREN_RABBITMQ_PASSWORD_FILE: set only one");
  }
  for (const Flag& flag : Flags()) {
    if (absl::string_view(flag.name) == "config.file") continue;
    const std::string name = EnvName(flag.name);
    if (std::optional<std::string> value = env(name.c_str()); value && !value->empty()) {
      if (flag.clear) flag.clear(config);  // the environment's list replaces the file's
      if (absl::Status s = flag.set(config, *value); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("$", name, ": ", s.message()));
      }
    }
  }
  for (const std::string& group : metrics::AllGroups()) {
    const std::string name = EnvName(absl::StrCat("collector.", group));
    if (std::optional<std::string> value = env(name.c_str()); value && !value->empty()) {
      bool on = false;
      if (absl::Status s = SetBool(*value, &on); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("$", name, ": ", s.message()));
      }
      if (absl::Status s = SetCollector(config, group, on); !s.ok()) return s;
    }
  }
  if (password && !password->empty()) config->rabbitmq_password = *password;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const EnvLookup& env) {
  ParsedArgs out;
  // Flags are read first and applied last: defaults < config file < environment < flags.
  struct Given {
    const Flag* flag;
    std::string value;
  };
  std::vector<Given> given;
  std::vector<std::pair<std::string, bool>> collectors;
  std::string config_file = env("WARREN_CONFIG_FILE").value_or("");
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg == "--version") {
      out.version = true;
      continue;
    }
    if (arg == "--healthcheck") {
      out.healthcheck = true;
      continue;
    }
    if (arg == "--config.check") {
      out.check = true;
      continue;
    }
    if (absl::string_view group = arg; absl::ConsumePrefix(&group, "--no-collector.") ||
                                        absl::ConsumePrefix(&group, "--collector.")) {
      if (absl::Status s = KnownCollector(group); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, ": ", s.message()));
      }
      collectors.emplace_back(std::string(group), !absl::StartsWith(arg, "--no-"));
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\"; flags start with --"));
    }
    absl::string_view name = arg, value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": unknown flag (see --help)"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, ": missing value"));
      }
      value = args[++i];
    }
    if (name == "config.file") {
      config_file = std::string(value);
      continue;
    }
    given.push_back({flag, std::string(value)});
  }
  if (out.help || out.version) return out;

  if (!config_file.empty()) {
    if (absl::Status s = ApplyFile(config_file, &out.config); !s.ok()) return s;
  }
  if (absl::Status s = ApplyEnv(env, &out.config); !s.ok()) return s;
  std::set<const Flag*> listed;  // repeatable flags given: their list replaces the environment's
  for (const Given& g : given) {
    if (g.flag->clear && listed.insert(g.flag).second) g.flag->clear(&out.config);
    if (absl::Status s = g.flag->set(&out.config, g.value); !s.ok()) return FlagError(g.flag->name, s);
  }
  for (const auto& [group, on] : collectors) {
    if (absl::Status s = SetCollector(&out.config, group, on); !s.ok()) return s;
  }
  if (absl::Status s = out.config.Validate(); !s.ok()) return s;
  return out;
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
  absl::StrAppend(&text, "  --no-collector.GROUP, --collector.GROUP\n      Switch a group of endpoints off or on "
                         "(all but the opt-in statistics tier are on). Groups: ", absl::StrJoin(metrics::AllGroups(), ", "),
                  ". Opt-in: ", absl::StrJoin(metrics::OptInGroups(), ", "), ".\n");
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
