#include "exporter/config.h"

#include <cstdio>
#include <fstream>

#include "exporter/broker_url.h"
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
      {{"--scrape.workers=0"}, "--scrape.workers: must be between 1 and 64"},
      {{"--scrape.health-interval=1s"}, "--scrape.health-interval: must not be shorter"},
      {{"--scrape.definitions-interval=1s"}, "--scrape.definitions-interval: must not be shorter"},
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
  std::remove(path.c_str());
}

TEST(ParseArgs, CollectorsSwitchOffAndOnAgain) {
  EXPECT_EQ(ParseArgs({}, NoEnv())->config.disabled_collectors,
            (std::vector<std::string>{"queue_stats", "exchange_stats"}))
      << "the statistics tier is opt-in";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({"--no-collector.federation", "--no-collector.definitions",
                                                 "--collector.federation", "--collector.queue_stats"},
                                                NoEnv());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.disabled_collectors, (std::vector<std::string>{"exchange_stats", "definitions"}));
}

TEST(ParseArgs, HelpListsEveryFlag) {
  const std::string help = HelpText();
  for (const char* flag : {"--rabbitmq.url", "--rabbitmq.user", "--rabbitmq.password-file", "--web.listen-address",
                           "--web.telemetry-path", "--scrape.timeout", "--scrape.min-interval", "--scrape.health-interval", "--scrape.definitions-interval",
                           "--log.level", "--no-collector.GROUP", "federation_upstreams",
                           "--version", "WARREN_RABBITMQ_PASSWORD"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_TRUE(ParseArgs({"--help"}, NoEnv())->help);
  EXPECT_TRUE(ParseArgs({"--version"}, NoEnv())->version);
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

TEST(ParseListenAddress, AcceptsEmptyHostAndIpv6) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress(":9419", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9419);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
}

}  // namespace
}  // namespace warren
