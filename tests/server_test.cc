#include "exporter/web/server.h"

#include <httplib.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"
#include "tests/in_process_warren.h"
#include "tests/test_util.h"

namespace warren {
namespace {

TEST(ScrapeDeadline, HeaderShortensButNeverLengthens) {
  const absl::Time now = absl::UnixEpoch();
  EXPECT_EQ(ScrapeDeadline(now, absl::Seconds(10), ""), now + absl::Seconds(10));
  EXPECT_EQ(ScrapeDeadline(now, absl::Seconds(10), "4"), now + absl::Seconds(4) - absl::Milliseconds(400));
  EXPECT_EQ(ScrapeDeadline(now, absl::Seconds(10), "30"), now + absl::Seconds(10));
  EXPECT_EQ(ScrapeDeadline(now, absl::Seconds(10), "garbage"), now + absl::Seconds(10));
  EXPECT_EQ(ScrapeDeadline(now, absl::Seconds(10), "-5"), now + absl::Seconds(10));
}

class ServerTest : public ::testing::Test {
 protected:
  void StartAgainst(const testing::FakeBroker& broker) {
    testing::InProcessWarren::Options options{.user = "u", .password = "p"};
    options.scraper.scrape_timeout = absl::Seconds(5);
    options.scraper.health_interval = absl::Minutes(1);
    options.scraper.definitions_interval = absl::Minutes(5);
    ASSERT_TRUE(warren_.Start(broker.url(), options).ok());
  }
  int port() const { return warren_.port(); }

  testing::InProcessWarren warren_{2};
};

TEST_F(ServerTest, ServesMetricsLandingPageAnd404) {
  testing::FakeBroker broker;
  broker.SetHealthy();
  StartAgainst(broker);
  httplib::Client http("127.0.0.1", port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(testing::SampleValue(metrics->body, "rabbitmq_up"), 1.0);
  auto landing = http.Get("/");
  ASSERT_TRUE(landing);
  EXPECT_NE(landing->body.find("href=\"/metrics\""), std::string::npos);
  auto missing = http.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

// The telemetry path is a path, not a pattern, even when ServerOptions did not pass --config.check.
TEST(MetricsServer, TheTelemetryPathMatchesOnlyItself) {
  ScraperPool pool(1);
  Scraper scraper(ScrapeTiming{}, ScrapePlans{}, &pool);
  for (const std::string path : {"/.*", "/m.e+(x"}) {
    MetricsServer server(ServerOptions{.listen_address = "127.0.0.1:0", .telemetry_path = path}, &scraper);
    ASSERT_TRUE(server.Start().ok()) << path;
    httplib::Client http("127.0.0.1", server.port());
    auto exact = http.Get(path);
    ASSERT_TRUE(exact) << path;
    EXPECT_EQ(exact->status, 200) << path;
    EXPECT_TRUE(testing::SampleValue(exact->body, "rabbitmq_up").has_value()) << path;
    auto healthz = http.Get("/healthz");
    ASSERT_TRUE(healthz);
    EXPECT_EQ(healthz->body, "ok\n") << path << " must not shadow /healthz";
    auto other = http.Get("/mXeeex");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 404) << path;
    server.Stop();
  }
}

// /metrics is written from the cached pieces: whole, with its length, the same text Render gives,
// and not compressed even when the client accepts gzip (compressing cost more than the scrape).
TEST_F(ServerTest, MetricsAreTheRenderedTextUncompressedWithTheirLength) {
  testing::FakeBroker broker;
  broker.SetHealthy();
  StartAgainst(broker);
  httplib::Client http("127.0.0.1", port());
  http.set_decompress(false);
  auto metrics = http.Get("/metrics", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_FALSE(metrics->has_header("Content-Encoding"));
  EXPECT_EQ(metrics->get_header_value("Content-Length"), std::to_string(metrics->body.size()));
  const std::string rendered = warren_.scraper().Render(absl::Now() + absl::Seconds(5));
  // A second scrape has other values and maybe more self-metric series: compare the families.
  auto families = [](absl::string_view text) {
    std::vector<std::string> out;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      if (absl::StartsWith(line, "# TYPE ")) out.emplace_back(line);
    }
    return out;
  };
  EXPECT_GT(families(metrics->body).size(), 10u);
  EXPECT_EQ(families(metrics->body), families(rendered));
  EXPECT_EQ(testing::SampleValue(metrics->body, "rabbitmq_up"), 1.0);
  EXPECT_EQ(metrics->body.back(), '\n');
}

TEST_F(ServerTest, HealthzAnswersAlwaysReadyzOnceTheBrokerWasScraped) {
  testing::FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/queues", {.status = 500, .body = "boom"});
  StartAgainst(broker);
  httplib::Client http("127.0.0.1", port());
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503) << "queues never fetched: " << ready->body;
  EXPECT_GE(broker.Requests("/api/overview"), 1) << "a readiness probe starts a scrape";

  broker.SetHealthy();
  ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  broker.Set("/api/queues", {.status = 500, .body = "boom"});
  ASSERT_TRUE(http.Get("/metrics"));
  ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << "a later failure shows in the metrics, not as unready";
  health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto landing = http.Get("/");
  ASSERT_TRUE(landing);
  EXPECT_NE(landing->body.find("href=\"/healthz\""), std::string::npos);
  EXPECT_NE(landing->body.find("href=\"/readyz\""), std::string::npos);
}

TEST_F(ServerTest, AnswersWithinPrometheusTimeoutWhenTheBrokerStalls) {
  testing::FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/overview", {.body = "{}", .delay = absl::Seconds(4)});
  StartAgainst(broker);
  httplib::Client http("127.0.0.1", port());
  const absl::Time start = absl::Now();
  auto metrics = http.Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", "1"}});
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_EQ(testing::SampleValue(metrics->body, "rabbitmq_up"), 0.0);
}

}  // namespace
}  // namespace warren
