#include "exporter/config/config.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "exporter/broker/broker_url.h"
#include "exporter/config/flags.h"
#include "exporter/config/listen_address.h"
#include "exporter/config/sources.h"
#include "exporter/config/values.h"
#include "gtest/gtest.h"

namespace warren {
namespace {

EnvLookup NoEnv() {
  return [](const char*) -> std::optional<std::string> { return std::nullopt; };
}

TEST(ParseArgs, DefaultsFollowExporterConventions) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.rabbitmq_url, "http://127.0.0.1:15672");
  EXPECT_EQ(parsed->config.listen_address, ":9419");
  EXPECT_EQ(parsed->config.telemetry_path, "/metrics");
  EXPECT_EQ(parsed->config.min_interval, absl::Seconds(5));
}

TEST(ParseArgs, AcceptsBothFlagForms) {
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({"--rabbitmq.url=https://rabbit:15671/mgmt", "--scrape.timeout", "3s", "--log.level=debug"}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.rabbitmq_url, "https://rabbit:15671/mgmt");
  EXPECT_EQ(parsed->config.scrape_timeout, absl::Seconds(3));
  EXPECT_EQ(parsed->config.log_level, LogLevel::kDebug);
}

TEST(ParseArgs, BadInputNamesTheField) {
  struct Case {
    std::vector<std::string> args;
    const char* want;
  } cases[] = {
      {{"--nope=1"}, "--nope: unknown flag"},
      {{"--scrape.timeout=soon"}, "--scrape.timeout: invalid duration"},
      {{"--scrape.timeout=-1s"}, "--scrape.timeout: must be positive"},
      {{"--scrape.timeout"}, "--scrape.timeout: missing value"},
      {{"--rabbitmq.url=ftp://x"}, "--rabbitmq.url: must start with http"},
      {{"--rabbitmq.url=http://:80"}, "--rabbitmq.url: has no host"},
      {{"--rabbitmq.url=http://h:99999"}, "--rabbitmq.url: bad port"},
      {{"--web.listen-address=nope"}, "--web.listen-address: want [HOST]:PORT"},
      {{"--web.telemetry-path=metrics"}, "--web.telemetry-path: must start with /"},
      {{"--log.level=loud"}, "--log.level: unknown log level"},
      {{"--log.format=xml"}, "--log.format: unknown log format"},
      {{"--rabbitmq.format=msgpack"}, "--rabbitmq.format: 'msgpack' is not auto, bert or json"},
      {{"--filter.queues-exclude=("}, "--filter.queues-exclude: missing )"},
      {{"--filter.max-queues=-1"}, "--filter.max-queues: must not be negative"},
      {{"--filter.max-vhost-requests=-2"}, "--filter.max-vhost-requests: must not be negative"},
      {{"--web.telemetry-path=/readyz"}, "--web.telemetry-path: /healthz, /readyz and /probe are taken"},
      {{"--web.telemetry-path=/probe"}, "--web.telemetry-path: /healthz, /readyz and /probe are taken"},
      {{"--web.telemetry-path=/metrics("}, "--web.telemetry-path: may hold only letters, digits"},
      {{"--web.telemetry-path=/m.*"}, "--web.telemetry-path: may hold only letters, digits"},
      {{"--web.telemetry-path=/.*"}, "--web.telemetry-path: may hold only letters, digits"},
      {{"--web.telemetry-path=/a%20b"}, "--web.telemetry-path: may hold only letters, digits"},
      {{"--web.telemetry-path=/a//b"}, "--web.telemetry-path: may hold only letters, digits"},
      {{"--scrape.workers=0"}, "--scrape.workers: must be between 1 and 64"},
      {{"--scrape.health-interval=1s"}, "--scrape.health-interval: must not be shorter"},
      {{"--scrape.definitions-interval=1s"}, "--scrape.definitions-interval: must not be shorter"},
      {{"--scrape.queue-listing-interval=-1s"}, "--scrape.queue-listing-interval: must not be negative"},
      {{"--scrape.plugin-retry-interval=0s"}, "--scrape.plugin-retry-interval: must be positive"},
      {{"--rabbitmq.plugin=auto"}, "--rabbitmq.plugin: must be explicit, discover or off"},
      {{"--rabbitmq.plugin=off", "--rabbitmq.plugin-url-template=http://{host}:15692"},
       "--rabbitmq.plugin: is off while --rabbitmq.plugin-url or -url-template names plugins"},
      {{"--no-collector.nonsense"}, "--no-collector.nonsense: unknown collector"},
      {{"--rabbitmq.password-file=/nonexistent/pw"}, "--rabbitmq.password-file: cannot read"},
      {{"positional"}, "unexpected argument"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs(c.args, NoEnv());
    ASSERT_FALSE(parsed.ok()) << c.args[0];
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message().find(c.want), 0u) << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find('\n'), std::string::npos) << "one line";
  }
}

TEST(ParseArgs, CredentialsInTheUrlAreRefusedWithoutEchoingThem) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--rabbitmq.url=http://admin:hunter2@rabbit:15672"}, NoEnv());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("hunter2"), std::string::npos) << parsed.status();
}

TEST(ParseArgs, PasswordComesFromFileThenEnvironment) {
  const std::string path = ::testing::TempDir() + "/warren-pw";
  std::ofstream(path) << "from-file\n";
  EnvLookup env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "WARREN_RABBITMQ_PASSWORD") return "from-env";
    return std::nullopt;
  };
  EXPECT_EQ(ParseArgs({"--rabbitmq.password-file=" + path}, env)->config.rabbitmq_password, "from-file");
  EXPECT_EQ(ParseArgs({}, env)->config.rabbitmq_password, "from-env");
  EXPECT_EQ(ParseArgs({}, NoEnv())->config.rabbitmq_password, "guest");
  EXPECT_EQ(std::remove(path.c_str()), 0) << path;
}

TEST(ParseArgs, CollectorsSwitchOffAndOnAgain) {
  EXPECT_EQ(ParseArgs({}, NoEnv())->config.disabled_collectors,
            (std::vector<std::string>{"queue_stats", "exchange_stats"}))
      << "the statistics tier is opt-in";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(
      {"--no-collector.federation", "--no-collector.definitions", "--collector.federation", "--collector.queue_stats"},
      NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.disabled_collectors, (std::vector<std::string>{"exchange_stats", "definitions"}));
}

TEST(ParseArgs, RabbitmqFormat) {
  EXPECT_EQ(ParseArgs({}, NoEnv())->config.rabbitmq_format, BodyFormat::kAuto);
  EXPECT_EQ(ParseArgs({"--rabbitmq.format=json"}, NoEnv())->config.rabbitmq_format, BodyFormat::kJson);
  EXPECT_EQ(ParseArgs({"--rabbitmq.format", "bert"}, NoEnv())->config.rabbitmq_format, BodyFormat::kBert);
}

TEST(ParseArgs, HelpListsEveryFlag) {
  const std::string help = HelpText();
  for (const char* flag : {"--rabbitmq.url",
                           "--rabbitmq.user",
                           "--rabbitmq.password-file",
                           "--web.listen-address",
                           "--web.telemetry-path",
                           "--scrape.timeout",
                           "--scrape.min-interval",
                           "--scrape.health-interval",
                           "--scrape.definitions-interval",
                           "--log.level",
                           "--log.format",
                           "--rabbitmq.format",
                           "--no-collector.GROUP",
                           "federation_upstreams",
                           "--version",
                           "WARREN_RABBITMQ_PASSWORD",
                           "--config.file",
                           "--config.check",
                           "--healthcheck",
                           "WARREN_RABBITMQ_PASSWORD_FILE",
                           "WARREN_COLLECTOR_",
                           "--rabbitmq.plugin-url=NODE=URL",
                           "--rabbitmq.plugin-url-template=URL",
                           "--scrape.queue-listing-interval",
                           "--rabbitmq.plugin=MODE",
                           "--scrape.plugin-retry-interval"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_TRUE(ParseArgs({"--help"}, NoEnv())->help);
  EXPECT_TRUE(ParseArgs({"--version"}, NoEnv())->version);
}

TEST(ParseArgs, QueueListingIntervalDefaultsToAMinute) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.queue_listing_interval, absl::Minutes(1));
  parsed = ParseArgs({"--scrape.queue-listing-interval=0s"}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.queue_listing_interval, absl::ZeroDuration());
}

TEST(ParseArgs, PluginModeAndRetryInterval) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.plugin_mode, "discover") << "cheap by default";
  EXPECT_EQ(parsed->config.plugin_retry_interval, absl::Minutes(1));
  parsed = ParseArgs({"--rabbitmq.plugin=off", "--scrape.plugin-retry-interval=5m"}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.plugin_mode, "off");
  EXPECT_EQ(parsed->config.plugin_retry_interval, absl::Minutes(5));
}

TEST(ParseArgs, PluginUrlsOneTwoAndTemplate) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->config.plugin_urls.empty()) << "opt-in";
  EXPECT_EQ(parsed->config.plugin_url_template, "") << "opt-in";

  parsed = ParseArgs({"--rabbitmq.plugin-url=rabbit@host-1=http://10.0.0.5:15692"}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 1u);
  EXPECT_EQ(parsed->config.plugin_urls[0].node, "rabbit@host-1");
  EXPECT_EQ(parsed->config.plugin_urls[0].url, "http://10.0.0.5:15692");

  // Repeated (both flag forms), comma-separated, https, IPv6, a trailing slash.
  parsed = ParseArgs({"--rabbitmq.plugin-url=rabbit@a=https://10.0.0.5:15691/", "--rabbitmq.plugin-url",
                      "rabbit@b.example=http://[fd00::6]:15692,rabbit@c=http://c"},
                     NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 3u);
  EXPECT_EQ(parsed->config.plugin_urls[0].node, "rabbit@a");
  EXPECT_EQ(parsed->config.plugin_urls[0].url, "https://10.0.0.5:15691/");
  EXPECT_EQ(parsed->config.plugin_urls[1].node, "rabbit@b.example");
  EXPECT_EQ(parsed->config.plugin_urls[1].url, "http://[fd00::6]:15692");
  EXPECT_EQ(parsed->config.plugin_urls[2].node, "rabbit@c");
  EXPECT_EQ(parsed->config.plugin_urls[2].url, "http://c");

  for (const char* url_template : {"http://{host}:15692", "https://{host}.rabbit.svc.cluster.local:15691/"}) {
    parsed = ParseArgs({std::string("--rabbitmq.plugin-url-template=") + url_template,
                        "--rabbitmq.plugin-url=rabbit@a=http://10.0.0.5:15692"},
                       NoEnv());
    ASSERT_TRUE(parsed.ok()) << url_template << ": " << parsed.status();
    EXPECT_EQ(parsed->config.plugin_url_template, url_template);
    EXPECT_EQ(parsed->config.plugin_urls.size(), 1u) << "both together";
  }
}

TEST(ParseArgs, EmptyPluginUrlMeansNone) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--rabbitmq.plugin-url="}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->config.plugin_urls.empty());
}

TEST(ParseArgs, PluginUrlErrorsNameTheFlag) {
  struct Case {
    std::string value;
    const char* want;  // after "--rabbitmq.plugin-url: "
  } cases[] = {
      {"rabbit@a", "want NODE=URL"},
      {"rabbit@a=http://a:15692,", "want NODE=URL"},
      {"=http://a:15692", "want NODE=URL; the node is empty"},
      {"rabbit=http://a:15692", "want NODE=URL with NODE a node name"},
      {"@a=http://a:15692", "want NODE=URL with NODE a node name"},
      {"rabbit@=http://a:15692", "want NODE=URL with NODE a node name"},
      {"rabbit@a@b=http://a:15692", "want NODE=URL with NODE a node name"},
      {"rabbit@a =http://a:15692", "want NODE=URL with NODE a node name"},
      {"rabbit/x@a=http://a:15692", "want NODE=URL with NODE a node name"},
      {"rabbit@a=ftp://a:15692", "rabbit@a: must start with http:// or https://"},
      {"rabbit@a=a:15692", "rabbit@a: must start with http:// or https://"},
      {"rabbit@a=http://:15692", "rabbit@a: has no host"},
      {"rabbit@a=http://a:99999", "rabbit@a: bad port"},
      {"rabbit@a=http://a:15692/metrics", "rabbit@a: must not have a path"},
      {"rabbit@a=http://a:15692//", "rabbit@a: must not have a path"},
      {"rabbit@a=http://a:15692/?x=1", "rabbit@a: must not contain a query"},
      {"rabbit@a=http://monitor:hunter2@a:15692", "rabbit@a: must not contain credentials"},
      {"rabbit@a=http://a:15692,rabbit@a=http://b:15692", "rabbit@a: given twice"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--rabbitmq.plugin-url=" + c.value}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << c.value;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message().find(std::string("--rabbitmq.plugin-url: ") + c.want), 0u)
        << c.value << " -> " << parsed.status().message();
  }
  // Given twice across two uses of the flag, too.
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(
      {"--rabbitmq.plugin-url=rabbit@a=http://a:15692", "--rabbitmq.plugin-url=rabbit@a=http://b:15692"}, NoEnv());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "--rabbitmq.plugin-url: rabbit@a: given twice");
}

TEST(ParseArgs, PluginUrlErrorsDoNotEchoCredentials) {
  for (const char* value : {"rabbit@a=http://monitor:hunter2@a:15692", "rabbit@a=http://monitor:hunter2/x@a:15692",
                            "http://monitor:hunter2@a:15692", "http://monitor:hunter2=x@a=http://a:15692",
                            "monitor:hunter2@a=http://a:15692"}) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({std::string("--rabbitmq.plugin-url=") + value}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << value;
    EXPECT_EQ(parsed.status().message().find("--rabbitmq.plugin-url: "), 0u) << parsed.status();
    EXPECT_EQ(parsed.status().message().find("hunter2"), std::string::npos) << parsed.status();
  }
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({"--rabbitmq.plugin-url-template=http://monitor:hunter2@{host}:15692"}, NoEnv());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "--rabbitmq.plugin-url-template: must not contain credentials (user:password@)");
}

TEST(ParseArgs, PluginUrlTemplateErrorsNameTheFlag) {
  struct Case {
    const char* value;
    const char* want;  // after "--rabbitmq.plugin-url-template: "
  } cases[] = {
      {"http://rabbit:15692", "must contain {host} once"},
      {"http://{host}{host}:15692", "must contain {host} once"},
      {"http://{HOST}:15692", "must contain {host} once"},
      {"ftp://{host}:15692", "must start with http:// or https://"},
      {"{host}", "must start with http:// or https://"},
      {"http://rabbit:{host}", "bad port"},
      {"http://{host}:15692/metrics", "must not have a path"},
      {"http://rabbit:15692/{host}", "must not have a path"},
      {"http://{host}:15692/?x=1", "must not contain a query"},
      {"http://{host}@rabbit:15692", "must not contain credentials"},
      {"http://{host} :15692", "must not contain spaces"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({std::string("--rabbitmq.plugin-url-template=") + c.value}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << c.value;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message().find(std::string("--rabbitmq.plugin-url-template: ") + c.want), 0u)
        << c.value << " -> " << parsed.status().message();
  }
}

TEST(ParseArgs, PluginDepthRefusesMaxQueues) {
  for (const char* flag :
       {"--rabbitmq.plugin-url=rabbit@a=http://a:15692", "--rabbitmq.plugin-url-template=http://{host}:15692"}) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({flag, "--filter.max-queues=100"}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << flag;
    EXPECT_EQ(parsed.status().message().find("--filter.max-queues: ranks queues by the depth in the queues listing"),
              0u)
        << parsed.status();
    parsed = ParseArgs({flag, "--filter.max-queues=0"}, NoEnv());
    EXPECT_TRUE(parsed.ok()) << flag << ": " << parsed.status();
  }
  EXPECT_TRUE(ParseArgs({"--filter.max-queues=100"}, NoEnv()).ok()) << "without plugin depth";
}

// For a Config built in code rather than by ParseArgs.
TEST(ConfigValidate, ChecksPluginUrlsBuiltInCode) {
  Config config;
  config.plugin_urls = {{"rabbit@a", "http://a:15692"}, {"rabbit@b", "https://b:15691"}};
  config.plugin_url_template = "http://{host}:15692";
  EXPECT_TRUE(config.Validate().ok()) << config.Validate();
  config.plugin_urls.push_back({"rabbit@a", "http://c:15692"});
  EXPECT_EQ(config.Validate().message(), "--rabbitmq.plugin-url: rabbit@a: given twice");
  config.plugin_urls.back() = {"rabbit", "http://c:15692"};
  EXPECT_EQ(config.Validate().message().find("--rabbitmq.plugin-url: want NODE=URL with NODE a node name"), 0u)
      << config.Validate();
  config.plugin_urls.back() = {"rabbit@c", "http://c:15692/metrics"};
  EXPECT_EQ(config.Validate().message(),
            "--rabbitmq.plugin-url: rabbit@c: must not have a path (warren asks for /metrics/detailed itself)");
  config.plugin_urls.pop_back();
  config.plugin_url_template = "http://rabbit:15692";
  EXPECT_EQ(config.Validate().message().find("--rabbitmq.plugin-url-template: must contain {host} once"), 0u)
      << config.Validate();
}

// A temporary file with `text`, removed by the destructor.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text) : path_(::testing::TempDir() + "/" + name) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { EXPECT_EQ(std::remove(path_.c_str()), 0) << path_; }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigFile, SetsAnyFlagUnderItsSection) {
  TempFile password("warren-cfg-pw", "from-file\n");
  TempFile file("warren-cfg.yml",
                "# warren\n"
                "rabbitmq:\n"
                "  url: http://rabbit:15672\n"
                "  user: monitor\n"
                "  password_file: warren-cfg-pw\n"  // relative to the file
                "scrape:\n"
                "  timeout: 7s\n"
                "  max_body_bytes: 4096\n"
                "log:\n"
                "  format: json\n"
                "collectors:\n"
                "  queue_stats: true\n"
                "  definitions: false\n");
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--config.file=" + file.path()}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.rabbitmq_url, "http://rabbit:15672");
  EXPECT_EQ(parsed->config.rabbitmq_user, "monitor");
  EXPECT_EQ(parsed->config.rabbitmq_password, "from-file");
  EXPECT_EQ(parsed->config.scrape_timeout, absl::Seconds(7));
  EXPECT_EQ(parsed->config.max_body_bytes, 4096);
  EXPECT_EQ(parsed->config.log_format, LogFormat::kJson);
  EXPECT_EQ(parsed->config.disabled_collectors, (std::vector<std::string>{"exchange_stats", "definitions"}));
}

TEST(ConfigFile, TextIsParsedAndAppliedWithoutTheFile) {
  absl::StatusOr<std::vector<FileSetting>> settings = ParseConfigFile(
      "scrape:\n  timeout: 8s\nmodules:\n  prod:\n    tls_ca_file: ca.pem\n    targets: [a, b]\n", "/etc/warren/w.yml");
  ASSERT_TRUE(settings.ok()) << settings.status();
  ASSERT_EQ(settings->size(), 4u);
  EXPECT_EQ((*settings)[0].key, "scrape.timeout");
  EXPECT_EQ((*settings)[3].key, "modules.prod.targets");
  EXPECT_EQ((*settings)[3].value, "b");
  EXPECT_EQ((*settings)[3].line, 6);
  Config config;
  ASSERT_TRUE(ApplyConfigFile(*settings, "/etc/warren/w.yml", &config).ok());
  EXPECT_EQ(config.scrape_timeout, absl::Seconds(8));
  ASSERT_EQ(config.modules.size(), 1u);
  EXPECT_EQ(config.modules[0].tls.ca_file, "/etc/warren/ca.pem");
  EXPECT_EQ(config.modules[0].targets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseConfigFile("scrape: [1]\n", "w.yml").status().message(),
            "w.yml:1: scrape: want a mapping of keys to values");
}

TEST(ConfigFile, BrokerTlsFromFileEnvironmentAndFlags) {
  TempFile file("warren-tls.yml",
                "rabbitmq:\n  url: https://rabbit:15671\n  tls_ca_file: ca.pem\n  tls_server_name: rabbit.example\n");
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({"--config.file=" + file.path(), "--rabbitmq.tls.insecure-skip-verify=true"},
                Env({{"WARREN_RABBITMQ_TLS_CERT_FILE", "/etc/warren/client.pem"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.rabbitmq_tls.ca_file, (std::filesystem::path(file.path()).parent_path() / "ca.pem").string())
      << "relative to the file";
  EXPECT_EQ(parsed->config.rabbitmq_tls.server_name, "rabbit.example");
  EXPECT_EQ(parsed->config.rabbitmq_tls.cert_file, "/etc/warren/client.pem");
  EXPECT_TRUE(parsed->config.rabbitmq_tls.insecure_skip_verify);
  parsed = ParseArgs({"--rabbitmq.tls.insecure-skip-verify=yes"}, NoEnv());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("--rabbitmq.tls.insecure-skip-verify: want true or false"), 0u)
      << parsed.status();
}

TEST(ConfigFile, ProbeModulesWithCredentialsTlsAndTargetPatterns) {
  TempFile password("warren-mod-pw", "module-pw\n");
  TempFile file("warren-mod.yml",
                "modules:\n"
                "  default:\n"
                "    user: monitor\n"
                "    password_file: warren-mod-pw\n"
                "    targets:\n"
                "      - \"https://rabbit-[a-z]+\\\\.example:15671\"\n"
                "      - \"http://127\\\\.0\\\\.0\\\\.1:\\\\d+\"\n"
                "    tls_ca_file: /etc/warren/ca.pem\n"
                "  lab:\n"
                "    targets: [\"http://lab:15672\"]\n"
                "    tls_insecure_skip_verify: true\n");
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--config.file=" + file.path()}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.modules.size(), 2u);
  const ProbeModule& module = parsed->config.modules[0];
  EXPECT_EQ(module.name, "default");
  EXPECT_EQ(module.user, "monitor");
  EXPECT_EQ(module.password, "module-pw");
  EXPECT_EQ(module.targets,
            (std::vector<std::string>{R"(https://rabbit-[a-z]+\.example:15671)", R"(http://127\.0\.0\.1:\d+)"}));
  EXPECT_EQ(module.tls.ca_file, "/etc/warren/ca.pem");
  EXPECT_EQ(parsed->config.modules[1].name, "lab");
  EXPECT_EQ(parsed->config.modules[1].user, "guest");
  EXPECT_TRUE(parsed->config.modules[1].tls.insecure_skip_verify);

  struct Case {
    std::string text, want;
  } cases[] = {
      {"modules:\n  a:\n    user: x\n", "modules.a: lists no targets"},
      {"modules:\n  a:\n    targets: [\"(\"]\n", ":3: modules.a.targets: bad pattern"},
      {"modules:\n  a:\n    password: hunter2\n", ":3: modules.a.password: not accepted in a file"},
      {"modules:\n  a:\n    url: http://x\n", ":3: modules.a.url: unknown key"},
      {"modules:\n  a b:\n    targets: [x]\n", ":3: modules.a b.targets: a module name is"},
      {"modules:\n  a: 1\n", ":2: modules.a: want a mapping"},
  };
  for (const Case& c : cases) {
    TempFile bad("warren-mod-bad.yml", c.text);
    absl::StatusOr<ParsedArgs> failed = ParseArgs({"--config.file=" + bad.path()}, NoEnv());
    ASSERT_FALSE(failed.ok()) << c.text;
    EXPECT_NE(failed.status().message().find(c.want), std::string::npos) << failed.status().message();
    EXPECT_EQ(failed.status().message().find("hunter2"), std::string::npos);
  }
}

TEST(ConfigFile, FlagsWinOverEnvironmentWhichWinsOverTheFile) {
  TempFile file("warren-prec.yml",
                "scrape:\n  timeout: 7s\n  min_interval: 2s\n  workers: 3\nrabbitmq:\n  user: file\n");
  const EnvLookup env = Env({{"WARREN_CONFIG_FILE", file.path()},
                             {"WARREN_SCRAPE_TIMEOUT", "8s"},
                             {"WARREN_SCRAPE_MIN_INTERVAL", "3s"},
                             {"WARREN_COLLECTOR_QUEUE_STATS", "true"},
                             {"WARREN_RABBITMQ_PASSWORD", "from-env"}});
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--scrape.timeout=9s"}, env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.scrape_timeout, absl::Seconds(9)) << "flag";
  EXPECT_EQ(parsed->config.min_interval, absl::Seconds(3)) << "environment";
  EXPECT_EQ(parsed->config.scrape_workers, 3) << "file";
  EXPECT_EQ(parsed->config.rabbitmq_user, "file");
  EXPECT_EQ(parsed->config.rabbitmq_password, "from-env");
  EXPECT_EQ(parsed->config.disabled_collectors, (std::vector<std::string>{"exchange_stats"}));
}

TEST(ConfigFile, ErrorsNameTheFileLineAndKey) {
  struct Case {
    std::string text;
    std::string want;  // after "<path>:"
  } cases[] = {
      {"scrape:\n  timeout: 7s\n  timout: 8s\n", "3: scrape.timout: unknown key"},
      {"scrape:\n  timeout: soon\n", "2: scrape.timeout: invalid duration"},
      {"rabbitmq:\n  password: hunter2\n", "2: rabbitmq.password: not accepted in a file"},
      {"collectors:\n  queue_stats: yes please\n", "2: collectors.queue_stats: want true or false"},
      {"collectors:\n  nonsense: true\n", "2: collectors.nonsense: unknown collector"},
      {"scrape:\n  timeout: 7s\n  timeout: 8s\n", "3: scrape.timeout: given twice"},
      {"scrape: 7s\n", "1: scrape: want a mapping"},
      {"scrape:\n  timeout: [1, 2]\n", "2: scrape.timeout: want a single value"},
      {"- a\n- b\n", "1: want a mapping of sections"},
      {"scrape:\n  timeout: \"7s\n", "2: "},  // unterminated quote: yaml-cpp's message
      // yaml-cpp alone read these as the first document and ignored the rest of the file.
      {"scrape:\n  timeout: 7s\n---\nlog:\n  level: debug\n", "3: more than one YAML document"},
      {",scrape:\n  timeout: 7s\n", "1: more than one YAML document, or text after the first that is not YAML"},
  };
  for (const Case& c : cases) {
    TempFile file("warren-bad.yml", c.text);
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--config.file", file.path()}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().message().find(file.path() + ":" + c.want), 0u) << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("hunter2"), std::string::npos) << "secrets are not echoed";
  }
  absl::StatusOr<ParsedArgs> missing = ParseArgs({"--config.file=/nonexistent/warren.yml"}, NoEnv());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "/nonexistent/warren.yml: cannot read: No such file or directory");
}

TEST(ConfigFile, EnvironmentErrorsNameTheVariable) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({}, Env({{"WARREN_SCRAPE_TIMEOUT", "soon"}}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("$WARREN_SCRAPE_TIMEOUT: invalid duration"), 0u) << parsed.status();
  parsed = ParseArgs({}, Env({{"WARREN_RABBITMQ_PASSWORD", "a"}, {"WARREN_RABBITMQ_PASSWORD_FILE", "/x"}}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("set only one"), std::string::npos) << parsed.status();
  parsed = ParseArgs({}, Env({{"WARREN_COLLECTOR_DEFINITIONS", "off"}}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("$WARREN_COLLECTOR_DEFINITIONS: want true or false"), 0u) << parsed.status();
}

TEST(ConfigFile, PluginUrlsFromEnvironmentAndFile) {
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs({}, Env({{"WARREN_RABBITMQ_PLUGIN_URL", "rabbit@a=http://a:15692,rabbit@b=https://b:15691"},
                         {"WARREN_RABBITMQ_PLUGIN_URL_TEMPLATE", "http://{host}:15692"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 2u);
  EXPECT_EQ(parsed->config.plugin_urls[1].node, "rabbit@b");
  EXPECT_EQ(parsed->config.plugin_urls[1].url, "https://b:15691");
  EXPECT_EQ(parsed->config.plugin_url_template, "http://{host}:15692");

  parsed = ParseArgs({}, Env({{"WARREN_RABBITMQ_PLUGIN_URL", "rabbit@a=http://a:15692/x"}}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("$WARREN_RABBITMQ_PLUGIN_URL: rabbit@a: must not have a path"), 0u)
      << parsed.status();
  parsed = ParseArgs({}, Env({{"WARREN_RABBITMQ_PLUGIN_URL_TEMPLATE", "http://rabbit:15692"}}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("--rabbitmq.plugin-url-template: must contain {host} once"), 0u)
      << "checked with the other URLs, as --rabbitmq.url: " << parsed.status();

  TempFile file("warren-plugin.yml",
                "rabbitmq:\n"
                "  plugin_url: rabbit@f1=http://f1:15692,rabbit@f2=http://f2:15692\n"
                "  plugin_url_template: https://{host}.svc:15691\n");
  parsed = ParseArgs({"--config.file=" + file.path()}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 2u);
  EXPECT_EQ(parsed->config.plugin_urls[0].node, "rabbit@f1");
  EXPECT_EQ(parsed->config.plugin_urls[1].url, "http://f2:15692");
  EXPECT_EQ(parsed->config.plugin_url_template, "https://{host}.svc:15691");

  TempFile bad("warren-plugin-bad.yml", "rabbitmq:\n  plugin_url: rabbit@f1=http://f1:15692/metrics\n");
  parsed = ParseArgs({"--config.file=" + bad.path()}, NoEnv());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find(bad.path() + ":2: rabbitmq.plugin_url: rabbit@f1: must not have a path"), 0u)
      << parsed.status();
}

// A list is not merged across sources: the flags' list replaces the environment's, which replaces
// the file's, as a single value would. The same node in two sources is therefore no error.
TEST(ConfigFile, PluginUrlListOfAHigherSourceReplacesTheLowerOne) {
  TempFile file("warren-plugin-prec.yml", "rabbitmq:\n  plugin_url: rabbit@a=http://file:15692\n");
  const std::vector<std::string> args = {"--config.file=" + file.path()};
  const EnvLookup env = Env({{"WARREN_RABBITMQ_PLUGIN_URL", "rabbit@a=http://env:15692,rabbit@b=http://env-b:15692"}});

  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 2u);
  EXPECT_EQ(parsed->config.plugin_urls[0].url, "http://env:15692");
  EXPECT_EQ(parsed->config.plugin_urls[1].url, "http://env-b:15692");

  parsed = ParseArgs({args[0], "--rabbitmq.plugin-url=rabbit@a=http://flag:15692",
                      "--rabbitmq.plugin-url=rabbit@c=http://flag-c:15692"},
                     env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 2u);
  EXPECT_EQ(parsed->config.plugin_urls[0].node, "rabbit@a");
  EXPECT_EQ(parsed->config.plugin_urls[0].url, "http://flag:15692");
  EXPECT_EQ(parsed->config.plugin_urls[1].node, "rabbit@c");

  parsed = ParseArgs(args, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->config.plugin_urls.size(), 1u);
  EXPECT_EQ(parsed->config.plugin_urls[0].url, "http://file:15692");

  // A file applied to a Config that has a list already replaces it too.
  absl::StatusOr<std::vector<FileSetting>> settings =
      ParseConfigFile("rabbitmq:\n  plugin_url: rabbit@a=http://file:15692\n", "/etc/warren/w.yml");
  ASSERT_TRUE(settings.ok()) << settings.status();
  Config config;
  config.plugin_urls = {{"rabbit@a", "http://before:15692"}, {"rabbit@b", "http://before-b:15692"}};
  ASSERT_TRUE(ApplyConfigFile(*settings, "/etc/warren/w.yml", &config).ok());
  ASSERT_EQ(config.plugin_urls.size(), 1u);
  EXPECT_EQ(config.plugin_urls[0].url, "http://file:15692");
}

TEST(ConfigFile, CheckModeIsParsed) {
  TempFile file("warren-check.yml", "scrape:\n  timeout: 7s\n");
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--config.check", "--config.file=" + file.path()}, NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->check);
}

TEST(ParseBrokerUrl, SplitsOriginAndPrefix) {
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl("https://[::1]:15671/rabbit/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 15671);
  EXPECT_EQ(url->base_path, "/rabbit");
  EXPECT_EQ(url->Origin(), "https://[::1]:15671");
  EXPECT_EQ(ParseBrokerUrl("http://rabbit")->port, 80);
  EXPECT_FALSE(ParseBrokerUrl("http://rabbit/x?y=1").ok());
  EXPECT_FALSE(ParseBrokerUrl("http://rab bit").ok());
}

// Found by fuzz/broker_url_fuzz: these were accepted, and ToString() gave a URL that did not read
// back ("[a:b]:80", "[0::1%25eth0]]:443").
TEST(ParseBrokerUrl, RefusesHostsThatAreNotOne) {
  for (const char* url :
       {"http://a:b:80", "https://0::1%25eth0]:443/a", "http://[a]b]:80", "http://x[y:80", "http://::1"}) {
    absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
    EXPECT_FALSE(parsed.ok()) << url << " -> " << parsed->ToString();
  }
}

// Tried by hand against /probe, which kept state for each: a host is a name, an IPv4 address or
// a bracketed IPv6 address, a port is digits from 1 to 65535 (issue 16, hole 9).
TEST(ParseBrokerUrl, HostsAndPortsAreStrict) {
  for (const char* url :
       {"http://rab?bit:15672", "http://rab#bit", "http://rab%bit:15672", "http://rab\\bit:15672", "http://[zzz]:15672",
        "http://[fe80::1%25eth0]:15672", "http://rabbit:+80", "http://rabbit:", "http://rabbit: 80", "http://rabbit:0",
        "http://rabbit:65536", "http://rabbit:015672x", "http://rab..bit", "http://.rabbit", "http://rab*bit",
        "http://rabbit:80:80", "http://[::1]x", "http://rabbit/pre\\fix"}) {
    absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
    EXPECT_FALSE(parsed.ok()) << url << " -> " << parsed->ToString();
  }
  for (const char* url : {"http://rabbit-1.ns_x.svc.cluster.local.:15672", "http://10.0.0.5:1",
                          "https://[::ffff:10.0.0.5]:65535", "http://RABBIT/api%20prefix"}) {
    absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
    EXPECT_TRUE(parsed.ok()) << url << ": " << parsed.status();
  }
  EXPECT_EQ(ParseBrokerUrl("http://rabbit:+80").status().message(), "bad port \"+80\" (want 1 to 65535)");
}

// Found by fuzz/broker_url_fuzz: a '/' in the password ended the authority before the '@', and the
// error showed the start of the password as a bad port.
TEST(ParseBrokerUrl, NoPartOfAPasswordInTheError) {
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl("http://monitor:s3/cr3t@rabbit:15672");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().message().find("s3"), absl::string_view::npos) << url.status();
}

TEST(ParseListenAddress, AcceptsEmptyHostAndIpv6) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress(":9419", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9419);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  // Found by fuzz/listen_address_fuzz: accepted before, with hosts "[a" and "a:b".
  EXPECT_FALSE(ParseListenAddress("[[a]:0", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("a:b:9419", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("a]:9419", &host, &port).ok());
}

// Every file warren reads is a regular file of bounded size: /dev/zero as a password file used to
// abort with bad_alloc, a FIFO to hang, a directory as --config.file to pass silently.
TEST(ParseArgs, FilesThatAreNotSmallRegularFilesAreRefused) {
  const std::string dir = ::testing::TempDir() + "/warren-files";
  std::filesystem::create_directories(dir);
  const std::string fifo = dir + "/fifo";
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string big = dir + "/big";
  std::ofstream(big) << std::string(kMaxPasswordFileBytes + 1, 'x');
  struct Case {
    std::string flag;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"--rabbitmq.password-file=/dev/zero", "--rabbitmq.password-file: cannot read \"/dev/zero\": not a regular file"},
      {"--rabbitmq.password-file=" + fifo,
       "--rabbitmq.password-file: cannot read \"" + fifo + "\": not a regular file"},
      {"--rabbitmq.password-file=" + dir, "--rabbitmq.password-file: cannot read \"" + dir + "\": not a regular file"},
      {"--rabbitmq.password-file=" + big, "--rabbitmq.password-file: cannot read \"" + big + "\": larger than 65536"},
      {"--config.file=/dev/zero", "/dev/zero: cannot read: not a regular file"},
      {"--config.file=" + fifo, fifo + ": cannot read: not a regular file"},
      {"--config.file=" + dir, dir + ": cannot read: not a regular file"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedArgs> parsed = ParseArgs({c.flag}, NoEnv());
    ASSERT_FALSE(parsed.ok()) << c.flag;
    EXPECT_EQ(parsed.status().message().find(c.want), 0u) << parsed.status().message();
  }
  std::filesystem::remove_all(dir);
}

// A file and $WARREN_RABBITMQ_PASSWORD are read the same way: trailing CR/LF dropped, nothing else.
TEST(ParseArgs, PasswordNewlinesAreTheSameForFilesAndTheVariable) {
  const std::string path = ::testing::TempDir() + "/warren-pw-crlf";
  std::ofstream(path) << " pass word\r\n\n";
  EXPECT_EQ(ParseArgs({"--rabbitmq.password-file=" + path}, NoEnv())->config.rabbitmq_password, " pass word");
  EXPECT_EQ(ParseArgs({}, Env({{"WARREN_RABBITMQ_PASSWORD", " pass word\r\n\n"}}))->config.rabbitmq_password,
            " pass word");
  absl::StatusOr<ParsedArgs> empty = ParseArgs({}, Env({{"WARREN_RABBITMQ_PASSWORD", "\n"}}));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "$WARREN_RABBITMQ_PASSWORD: empty once its trailing newlines are removed");
  std::ofstream(path) << "\r\n";
  absl::StatusOr<ParsedArgs> empty_file = ParseArgs({"--rabbitmq.password-file=" + path}, NoEnv());
  ASSERT_FALSE(empty_file.ok());
  EXPECT_EQ(empty_file.status().message(), "--rabbitmq.password-file: \"" + path + "\" is empty");
  EXPECT_EQ(std::remove(path.c_str()), 0) << path;
}

TEST(ParseArgs, UnknownWarrenVariablesAreNamed) {
  EXPECT_EQ(UnknownWarrenVariables({"PATH", "WARREN_SCRAPE_TIMEOUT", "WARREN_SCRAPE_TIMOUT", "WARREN_RABBITMQ_PASSWORD",
                                    "WARREN_RABBITMQ_PASSWORD_FILE", "WARREN_CONFIG_FILE", "WARREN_COLLECTOR_SHOVELS",
                                    "WARREN_COLLECTOR_SHOVEL", "WARREN_", "warren_scrape_timeout"}),
            (std::vector<std::string>{"WARREN_SCRAPE_TIMOUT", "WARREN_COLLECTOR_SHOVEL", "WARREN_"}));
}

}  // namespace
}  // namespace warren
