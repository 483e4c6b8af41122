#include "exporter/web/probe.h"

#include <httplib.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "exporter/web/server.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"
#include "tests/test_util.h"

namespace warren {
namespace {

using testing::FakeBroker;
using testing::SampleValue;

absl::Time In(absl::Duration d) { return absl::Now() + d; }

ProbeModule Module(std::string name, std::string user, std::vector<std::string> targets) {
  ProbeModule module;
  module.name = std::move(name);
  module.user = std::move(user);
  module.password = "probe-Pw-" + module.name;  // tests/secrets.txt
  module.targets = std::move(targets);
  return module;
}

Scraper::Options Options() {
  return {.scrape_timeout = absl::Seconds(5),
          .min_interval = absl::Seconds(30),
          .health_interval = absl::Minutes(1),
          .definitions_interval = absl::Minutes(5),
          .endpoints = {&metrics::kOverview, &metrics::kNodes, &metrics::kQueues}};
}

TEST(Prober, ScrapesAnAllowedTargetWithTheModulesCredentials) {
  FakeBroker broker;
  broker.SetHealthy();
  ScraperPool pool(2);
  Prober prober({Module("default", "monitor", {R"(http://127\.0\.0\.1:\d+)"})}, Options(), &pool, 10);
  Prober::Answer answer = prober.Probe(broker.url(), "", In(absl::Seconds(5)));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(SampleValue(answer.body, "rabbitmq_up"), 1.0);
  EXPECT_EQ(broker.LastAuthorization(), "Basic " + absl::Base64Escape("monitor:probe-Pw-default"));
  // A second probe within min-interval is served from that target's cache.
  answer = prober.Probe(broker.url(), "default", In(absl::Seconds(5)));
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(broker.Requests("/api/queues"), 1);
  EXPECT_EQ(prober.targets(), 1);
}

// --scrape.max-body-bytes holds for /probe targets as for /metrics (it had a 256 MiB of its own).
TEST(Prober, ObeysTheBodyLimit) {
  FakeBroker broker;
  broker.SetHealthy(50);  // /api/queues: about 5 KB
  ScraperPool pool(2);
  Prober prober({Module("default", "monitor", {R"(http://127\.0\.0\.1:\d+)"})}, Options(), &pool, 10, absl::Minutes(10),
                /*max_body_bytes=*/2048);
  Prober::Answer answer = prober.Probe(broker.url(), "", In(absl::Seconds(5)));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(SampleValue(answer.body, R"(warren_scrape_errors_total{endpoint="queues",reason="too_large"})"), 1.0)
      << answer.body;
  EXPECT_EQ(SampleValue(answer.body, R"(warren_scrape_success{endpoint="overview"})"), 1.0) << "small bodies pass";
}

TEST(Prober, RefusesWhatTheModuleDoesNotAllow) {
  FakeBroker broker;
  broker.SetHealthy();
  ScraperPool pool(2);
  Prober prober({Module("default", "monitor", {R"(http://127\.0\.0\.1:1567[0-9])"}),
                 Module("other", "x", {R"(https://rabbit-[a-z]+\.example:15671)"})},
                Options(), &pool, 10);
  struct Case {
    std::string target, module, want;
  } cases[] = {
      {broker.url(), "default", "target not allowed by module \"default\""},
      {broker.url(), "other", "target not allowed by module \"other\""},
      {broker.url(), "nope", "unknown module \"nope\""},
      {"", "default", "missing target"},
      {"http://admin:secret@127.0.0.1:15672", "default", "bad target"},
      {"gopher://127.0.0.1:15672", "default", "bad target"},
      {"http://127.0.0.1:15672/../../x?y", "default", "bad target"},
      // a pattern must match the whole URL: no prefix or suffix tricks
      {"http://127.0.0.1:15672.evil.example", "default", "bad target"},
      {"https://rabbit-a.example:15671.evil.example:15671", "other", "bad target: bad host"},
      {"https://rabbit-a.example:15671/evil", "other", "target not allowed"},
      // the URL parser let these through, and /probe kept state for each (issue 16, hole 9)
      {"http://127.0.0.1:+15672", "default", "bad target: bad port"},
      {"http://127.0.0.1:", "default", "bad target: bad port"},
      {"http://127.0.0.1%5c:15672", "default", "bad target: bad host"},
      {"http://127.0.0.1\\x:15672", "default", "bad target: must not contain a backslash"},
      {"http://127.0.0.1?:15672", "default", "bad target: must not contain a query"},
      {"http://[zzz]:15672", "default", "bad target: bad host"},
  };
  for (const Case& c : cases) {
    Prober::Answer answer = prober.Probe(c.target, c.module, In(absl::Seconds(5)));
    EXPECT_EQ(answer.status, 400) << c.target << " " << c.module;
    EXPECT_TRUE(absl::StrContains(answer.body, c.want)) << c.target << ": " << answer.body;
    EXPECT_FALSE(absl::StrContains(answer.body, "secret")) << answer.body;
  }
  EXPECT_EQ(broker.Requests("/api/overview"), 0) << "nothing refused reaches a broker";
  EXPECT_EQ(prober.targets(), 0);
}

TEST(ProbeTargets, ChecksModuleUrlAndPatternWithoutIo) {
  ProbeTargets targets({Module("default", "monitor", {R"(https://rabbit-[a-z]+\.example:15671)"}),
                        Module("local", "m", {"[", R"(http://127\.0\.0\.1:\d+/prefix)"})});
  absl::StatusOr<ProbeTargets::Allowed> allowed = targets.Check("https://rabbit-a.example:15671", "");
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->module->name, "default");
  EXPECT_EQ(allowed->module->user, "monitor");
  EXPECT_EQ(allowed->url.host, "rabbit-a.example");
  EXPECT_EQ(allowed->url.port, 15671);
  allowed = targets.Check("http://127.0.0.1:15672/prefix", "local");
  ASSERT_TRUE(allowed.ok()) << allowed.status()
                            << ": a pattern that does not compile matches nothing, the others still do";
  EXPECT_EQ(allowed->url.base_path, "/prefix");
  EXPECT_EQ(targets.Check("https://rabbit-a.example:15671", "nope").status().message(),
            "unknown module \"nope\" (modules come from --config.file)");
  EXPECT_TRUE(absl::StartsWith(targets.Check("", "").status().message(), "missing target"));
  EXPECT_TRUE(absl::StartsWith(targets.Check("ftp://x", "").status().message(), "bad target: "));
  EXPECT_TRUE(absl::StartsWith(targets.Check("https://rabbit-1.example:15671", "").status().message(),
                               "target not allowed by module \"default\""));
}

TEST(Prober, CapsTheTargetsAndDropsIdleOnes) {
  FakeBroker a, b;
  a.SetHealthy();
  b.SetHealthy();
  ScraperPool pool(2);
  Prober prober({Module("default", "m", {R"(http://127\.0\.0\.1:\d+)"})}, Options(), &pool, 1,
                /*idle_timeout=*/absl::Milliseconds(1500));  // well above a probe's time under TSan (~0.5 s)
  EXPECT_EQ(prober.Probe(a.url(), "", In(absl::Seconds(5))).status, 200);
  Prober::Answer full = prober.Probe(b.url(), "", In(absl::Seconds(5)));
  EXPECT_EQ(full.status, 503) << full.body;
  absl::SleepFor(absl::Milliseconds(1600));
  EXPECT_EQ(prober.Probe(b.url(), "", In(absl::Seconds(5))).status, 200) << "a's state was dropped as idle";
  EXPECT_EQ(prober.targets(), 1);
}

TEST(Prober, ServedOnProbeNextToMetrics) {
  FakeBroker home, remote;
  home.SetHealthy(1);
  remote.SetHealthy(2);
  ScraperPool pool(2);
  RabbitClient client({.url = *ParseBrokerUrl(home.url()), .user = "u", .password = "p"});
  Scraper scraper(Options(), &client, &pool);
  Prober prober({Module("default", "m", {R"(http://127\.0\.0\.1:\d+)"})}, Options(), &pool, 10);
  Config config;
  config.listen_address = "127.0.0.1:0";
  MetricsServer server(ServerOptionsOf(config), &scraper);
  server.SetProber(&prober);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client http("127.0.0.1", server.port());
  auto probed = http.Get("/probe?target=" + httplib::detail::encode_query_param(remote.url()) + "&module=default");
  ASSERT_TRUE(probed);
  ::warren::testing::Keep("metrics", probed->body);
  EXPECT_EQ(probed->status, 200) << probed->body;
  EXPECT_EQ(::warren::testing::CountSamples(probed->body, "rabbitmq_queue_messages"), 2);
  auto refused = http.Get("/probe?target=http://169.254.169.254/latest");
  ASSERT_TRUE(refused);
  ::warren::testing::Keep("error", refused->body);
  EXPECT_EQ(refused->status, 400) << refused->body;
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(::warren::testing::CountSamples(metrics->body, "rabbitmq_queue_messages"), 1)
      << "/metrics keeps its target";
}

}  // namespace
}  // namespace warren
