#include "exporter/config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "exporter/broker_url.h"
#include "metrics/endpoints.h"

namespace warren {
namespace {

struct Flag {
  const char* name;
  const char* placeholder;
  const char* help;
  std::function<absl::Status(Config*, absl::string_view)> set;
  std::function<std::string(const Config&)> show;  // default shown in --help; "" for none
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

const std::vector<Flag>& Flags() {
  static const std::vector<Flag>* flags = new std::vector<Flag>{
      {"rabbitmq.url", "URL", "Management API base URL, without credentials.",
       [](Config* c, absl::string_view v) { c->rabbitmq_url = std::string(v); return absl::OkStatus(); },
       [](const Config& c) { return c.rabbitmq_url; }},
      {"rabbitmq.user", "NAME", "Management API user (monitoring tag is enough).",
       [](Config* c, absl::string_view v) { c->rabbitmq_user = std::string(v); return absl::OkStatus(); },
       [](const Config& c) { return c.rabbitmq_user; }},
      {"rabbitmq.password-file", "PATH",
       "File holding the password. Else $WARREN_RABBITMQ_PASSWORD, else RabbitMQ's default.",
       [](Config* c, absl::string_view v) { return ReadPasswordFile(v, &c->rabbitmq_password); },
       [](const Config&) { return std::string(); }},
      {"web.listen-address", "[HOST]:PORT", "Address to serve metrics on.",
       [](Config* c, absl::string_view v) { c->listen_address = std::string(v); return absl::OkStatus(); },
       [](const Config& c) { return c.listen_address; }},
      {"web.telemetry-path", "PATH", "Path to serve metrics on.",
       [](Config* c, absl::string_view v) { c->telemetry_path = std::string(v); return absl::OkStatus(); },
       [](const Config& c) { return c.telemetry_path; }},
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
      {"log.level", "LEVEL", "debug, info, warn or error.",
       [](Config* c, absl::string_view v) {
         absl::StatusOr<LogLevel> level = ParseLogLevel(v);
         if (!level.ok()) return level.status();
         c->log_level = *level;
         return absl::OkStatus();
       },
       [](const Config& c) { return std::string(LogLevelName(c.log_level)); }},
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
  if (absl::ConsumePrefix(&h, "[") && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError("unclosed [ in host");
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
  std::string host;
  int port = 0;
  if (absl::Status s = ParseListenAddress(listen_address, &host, &port); !s.ok()) {
    return FlagError("web.listen-address", s);
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
  if (scrape_workers < 1 || scrape_workers > 64) {
    return FlagError("scrape.workers", absl::InvalidArgumentError("must be between 1 and 64"));
  }
  if (max_body_bytes < 1024) {
    return FlagError("scrape.max-body-bytes", absl::InvalidArgumentError("must be at least 1024"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const EnvLookup& env) {
  ParsedArgs out;
  bool password_from_file = false;
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
    if (absl::string_view group = arg; absl::ConsumePrefix(&group, "--no-collector.") ||
                                        absl::ConsumePrefix(&group, "--collector.")) {
      const std::vector<std::string> groups = metrics::AllGroups();
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, ": unknown collector (known: ", absl::StrJoin(groups, ", "), ")"));
      }
      auto& disabled = out.config.disabled_collectors;
      std::erase(disabled, std::string(group));
      if (absl::StartsWith(arg, "--no-")) disabled.emplace_back(group);
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
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": unknown flag (see --help)"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, ": missing value"));
      }
      value = args[++i];
    }
    if (absl::Status s = flag->set(&out.config, value); !s.ok()) return FlagError(name, s);
    if (name == "rabbitmq.password-file") password_from_file = true;
  }
  if (!password_from_file) {
    if (std::optional<std::string> password = env("WARREN_RABBITMQ_PASSWORD"); password && !password->empty()) {
      out.config.rabbitmq_password = *password;
    }
  }
  if (out.help || out.version) return out;
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
      "  --help\n      Show this help.\n"
      "  --version\n      Show the version.\n\n"
      "Environment:\n"
      "  WARREN_RABBITMQ_PASSWORD  password, when --rabbitmq.password-file is not given\n";
  return text;
}

}  // namespace warren
