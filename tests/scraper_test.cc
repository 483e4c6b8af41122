#include "exporter/scrape/scraper.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/scrape/self_metrics.h"
#include "gtest/gtest.h"
#include "metrics/endpoints.h"
#include "tests/fake_broker.h"
#include "tests/test_util.h"
#include "util/log.h"

namespace warren {
namespace {

using testing::FakeBroker;
using testing::SampleValue;

constexpr char kPassword[] = "Tr0ub4dor-scraper-test";

// One scraper against a fake broker, with its logs captured.
class ScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](absl::string_view line) {
      testing::Keep("log", line);
      absl::MutexLock lock(&log_mu_);
      logs_.emplace_back(line);
    });
  }
  void TearDown() override { SetLogSink(nullptr); }

  std::unique_ptr<Scraper> Make(const FakeBroker& broker, absl::Duration min_interval,
                                BodyFormat format = BodyFormat::kAuto) {
    client_ = std::make_unique<RabbitClient>(
        ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
    Scraper::Options options{.scrape_timeout = absl::Seconds(5),
                             .min_interval = min_interval,
                             .health_interval = absl::Minutes(1),
                             .definitions_interval = absl::Minutes(5),
                             .endpoints = {}};
    options.format = format;
    return std::make_unique<Scraper>(options, client_.get(), &pool_);
  }

  std::vector<std::string> Logs() {
    absl::MutexLock lock(&log_mu_);
    return logs_;
  }
  int LogsContaining(absl::string_view a, absl::string_view b) {
    int n = 0;
    for (const std::string& line : Logs()) n += absl::StrContains(line, a) && absl::StrContains(line, b);
    return n;
  }

  ScraperPool pool_{4};
  std::unique_ptr<RabbitClient> client_;
  absl::Mutex log_mu_;
  std::vector<std::string> logs_ ABSL_GUARDED_BY(log_mu_);
};

absl::Time In(absl::Duration d) { return absl::Now() + d; }

TEST_F(ScraperTest, RendersEveryEndpointAndTheConsumerJoin) {
  FakeBroker broker;
  broker.SetHealthy(3);
  auto scraper = Make(broker, absl::Seconds(5));
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_ready{vhost="/",queue="q1"})"), 3.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_resident_memory_limit_bytes{node="rabbit@fake"})"), 1000.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_consumers{vhost="/",queue="q0"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_consumers{vhost="/",queue="q2"})"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="consumers"})"), 1.0);
  EXPECT_TRUE(SampleValue(text, "process_resident_memory_bytes").has_value());
  EXPECT_TRUE(SampleValue(text, R"(warren_build_info{version=")" WARREN_VERSION R"("})").has_value());
}

// [[{name, <<"q9">>}, {vhost, <<"/">>}, {messages, 5}, {messages_ready, 4},
//   {messages_unacknowledged, 1}]] in the external term format.
std::string BertQueues() {
  auto atom = [](const std::string& s) { return std::string{'d', '\0', static_cast<char>(s.size())} + s; };
  auto bin = [](const std::string& s) { return std::string("m\x00\x00\x00", 4) + static_cast<char>(s.size()) + s; };
  auto pair = [](const std::string& k, const std::string& v) { return "h\x02" + k + v; };
  auto small = [](int v) { return std::string("a") + static_cast<char>(v); };
  const std::string queue = std::string("l\x00\x00\x00\x05", 5) + pair(atom("name"), bin("q9")) +
                            pair(atom("vhost"), bin("/")) + pair(atom("messages"), small(5)) +
                            pair(atom("messages_ready"), small(4)) + pair(atom("messages_unacknowledged"), small(1)) +
                            "j";
  return std::string("\x83l\x00\x00\x00\x01", 6) + queue + "j";
}

TEST_F(ScraperTest, AutoAsksForBertOnTheQueueListAndMapsIt) {
  FakeBroker broker;
  broker.SetHealthy(3);
  broker.Set("/api/queues", {.status = 200, .body = BertQueues(), .content_type = "application/bert"});
  auto scraper = Make(broker, absl::Seconds(5));
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_ready{vhost="/",queue="q9"})"), 4.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_unacked{vhost="/",queue="q9"})"), 1.0);
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0);
  EXPECT_TRUE(absl::StrContains(broker.LastAccept("/api/queues"), "application/bert"));
  EXPECT_TRUE(absl::StrContains(broker.LastAccept("/api/queues"), "application/json;q=0.5"));
  EXPECT_EQ(broker.LastAccept("/api/overview"), "application/json");
}

TEST_F(ScraperTest, JsonFormatNeverAsksForBert) {
  FakeBroker broker;
  broker.SetHealthy(3);
  auto scraper = Make(broker, absl::Seconds(5), BodyFormat::kJson);
  EXPECT_EQ(SampleValue(scraper->Render(In(absl::Seconds(5))), "rabbitmq_up"), 1.0);
  EXPECT_EQ(broker.LastAccept("/api/queues"), "application/json");
  EXPECT_EQ(broker.LastAccept("/api/consumers"), "application/json");
}

TEST_F(ScraperTest, BertFormatReadsJsonAnswersByTheirContentType) {
  FakeBroker broker;
  broker.SetHealthy(3);  // every body JSON, as from a broker (or endpoint) without BERT
  auto scraper = Make(broker, absl::Seconds(5), BodyFormat::kBert);
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_ready{vhost="/",queue="q1"})"), 3.0);
  EXPECT_TRUE(absl::StrContains(broker.LastAccept("/api/overview"), "application/bert"));
}

TEST_F(ScraperTest, BrokenBertIsABadResponse) {
  FakeBroker broker;
  broker.SetHealthy(3);
  broker.Set("/api/queues", {.status = 200, .body = BertQueues().substr(0, 30), .content_type = "application/bert"});
  auto scraper = Make(broker, absl::Seconds(5));
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queues"})"), 0.0) << text;
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="queues",reason="bad_response"})"), 1.0);
  EXPECT_EQ(LogsContaining("invalid BERT", "queues"), 1);
}

TEST_F(ScraperTest, ConcurrentRendersShareOneFetchPerEndpoint) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/queues", {.body = "[]", .delay = absl::Milliseconds(300)});
  auto scraper = Make(broker, absl::ZeroDuration());
  std::vector<std::thread> clients;
  clients.reserve(20);
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back([&] { scraper->Render(In(absl::Seconds(5))); });
  }
  for (auto& t : clients) t.join();
  // min_interval 0 allows a new fetch as soon as one ends; the 300 ms fetch keeps them together.
  EXPECT_LE(broker.Requests("/api/queues"), 2);
  EXPECT_GE(broker.Requests("/api/queues"), 1);
}

TEST_F(ScraperTest, DataYoungerThanMinIntervalIsServedFromCache) {
  FakeBroker broker;
  broker.SetHealthy();
  auto scraper = Make(broker, absl::Hours(1));
  for (int i = 0; i < 5; ++i) scraper->Render(In(absl::Seconds(5)));
  for (const char* path : {"/api/overview", "/api/nodes", "/api/queues", "/api/consumers"}) {
    EXPECT_EQ(broker.Requests(path), 1) << path;
  }
}

TEST_F(ScraperTest, OldDataIsFetchedAgain) {
  FakeBroker broker;
  broker.SetHealthy();
  auto scraper = Make(broker, absl::ZeroDuration());
  scraper->Render(In(absl::Seconds(5)));
  scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(broker.Requests("/api/queues"), 2);
}

TEST_F(ScraperTest, SkipsSortingOnceTheVersionIsKnown) {
  FakeBroker broker;
  broker.SetHealthy();
  auto scraper = Make(broker, absl::ZeroDuration());
  scraper->Render(In(absl::Seconds(5)));
  EXPECT_FALSE(absl::StrContains(broker.LastQuery("/api/queues"), "sort")) << "version unknown yet";
  scraper->Render(In(absl::Seconds(5)));
  EXPECT_TRUE(absl::StrContains(broker.LastQuery("/api/queues"), "sort=")) << broker.LastQuery("/api/queues");
  EXPECT_TRUE(absl::StrContains(broker.LastQuery("/api/queues"), "disable_stats=true"));
}

TEST_F(ScraperTest, SlowEndpointsAreNotWaitedForAndFetchedOnTheirOwnInterval) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/health/checks/alarms",
             {.status = 503, .body = R"({"status":"failed","reason":"alarms"})", .delay = absl::Milliseconds(1500)});
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::Hours(1),
                   .definitions_interval = absl::Hours(1),
                   .endpoints = {&metrics::kQueues, &metrics::kHealthAlarms}},
                  client_.get(), &pool_);
  const absl::Time start = absl::Now();
  std::string text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1000)) << "the slow health check is not waited for";
  EXPECT_FALSE(SampleValue(text, R"(rabbitmq_health_check_up{check="alarms"})").has_value());
  EXPECT_FALSE(SampleValue(text, R"(warren_scrape_success{endpoint="health_alarms"})").has_value())
      << "no failure before the first attempt has ended";
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queues"})"), 1.0);
  absl::SleepFor(absl::Milliseconds(1800));
  text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_health_check_up{check="alarms"})"), 0.0) << "a 503 body is data";
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="health_alarms"})"), 1.0);
  EXPECT_EQ(broker.Requests("/api/health/checks/alarms"), 1) << "health interval";
  EXPECT_EQ(broker.Requests("/api/queues"), 2);
  EXPECT_EQ(broker.Requests("/api/overview"), 0) << "endpoints not listed are never asked";
}

TEST_F(ScraperTest, DefinitionsAndHealthChecksEachKeepTheirOwnInterval) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/health/checks/alarms", {.body = R"({"status":"ok"})"});
  broker.Set("/api/definitions", {.body = R"({"rabbit_version":"3.10.8","queues":[{"name":"q"}]})"});
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::ZeroDuration(),
                   .definitions_interval = absl::Hours(1),
                   .endpoints = {&metrics::kQueues, &metrics::kHealthAlarms, &metrics::kDefinitions}},
                  client_.get(), &pool_);
  std::string text;
  for (int i = 0; i < 3; ++i) {
    text = scraper.Render(In(absl::Seconds(5)));
    absl::SleepFor(absl::Milliseconds(200));  // lets the fetches that are not waited for finish
  }
  text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(broker.Requests("/api/queues"), 4);
  EXPECT_GE(broker.Requests("/api/health/checks/alarms"), 3) << "health interval 0";
  EXPECT_EQ(broker.Requests("/api/definitions"), 1) << "definitions interval 1h";
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_definitions_objects{kind="queues"})"), 1.0);
}

TEST_F(ScraperTest, UnreachableBrokerGivesUpZeroAndStillRenders) {
  const int port = FakeBroker().port();  // closed again: nothing listens there
  client_ = std::make_unique<RabbitClient>(ClientOptions{
      .url = *ParseBrokerUrl(absl::StrCat("http://127.0.0.1:", port)), .user = "u", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(2),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::Minutes(1),
                   .definitions_interval = absl::Minutes(5),
                   .endpoints = {}},
                  client_.get(), &pool_);
  const std::string text = scraper.Render(In(absl::Seconds(3)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="overview"})"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="queues",reason="unreachable"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="queues",reason="auth"})"), 0.0);
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_queue_messages"), 0);
}

TEST_F(ScraperTest, StalledEndpointDoesNotHoldUpTheAnswer) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/queues", {.body = "[]", .delay = absl::Seconds(3)});
  auto scraper = Make(broker, absl::ZeroDuration());
  const absl::Time start = absl::Now();
  const std::string text = scraper->Render(start + absl::Milliseconds(800));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_node_running{node="rabbit@fake"})"), 1.0) << "what arrived is served";
}

TEST_F(ScraperTest, FailedEndpointKeepsLastGoodDataAndRecovers) {
  FakeBroker broker;
  broker.SetHealthy(2);
  auto scraper = Make(broker, absl::ZeroDuration());
  scraper->Render(In(absl::Seconds(5)));
  broker.Set("/api/queues", {.status = 500, .body = R"({"error":"boom"})"});
  std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queues"})"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="nodes"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages{vhost="/",queue="q1"})"), 5.0) << "last good data";
  EXPECT_TRUE(SampleValue(text, R"(warren_last_success_timestamp_seconds{endpoint="queues"})").has_value());
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="queues",reason="http_error"})"), 1.0);

  broker.SetHealthy(2);
  text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0);
}

// A plugin that is off answers 404 (3.x) or 406 (4.x), statistics that are off 400 with their
// reason: the broker does not serve the endpoint, which is no failure and is asked again only
// every not_offered_interval. A core endpoint answering 404 stays a failure (a wrong URL).
TEST_F(ScraperTest, AnEndpointTheBrokerDoesNotOfferIsNoFailureAndIsAskedRarely) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/federation-links", {.status = 406, .body = R"({"error":"not_acceptable"})"});
  broker.Set("/api/channels", {.status = 400,
                               .body = R"({"error":"bad_request","reason":"Stats in management UI are disabled on )"
                                       R"(this node"})"});
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .not_offered_interval = absl::Seconds(2),
                   .endpoints = {&metrics::kQueues, &metrics::kShovels, &metrics::kFederationLinks, &metrics::kChannels,
                                 &metrics::kExchanges}},
                  client_.get(), &pool_);
  broker.Set("/api/exchanges", {.status = 500, .body = "boom"});
  std::string text;
  for (int i = 0; i < 3; ++i) text = scraper.Render(In(absl::Seconds(5)));
  for (const char* endpoint : {"shovels", "federation_links", "channels"}) {
    const std::string which = absl::StrCat(R"({endpoint=")", endpoint, R"("})");
    EXPECT_FALSE(SampleValue(text, "warren_scrape_success" + which).has_value()) << endpoint << ": no failure";
    EXPECT_EQ(SampleValue(text, "warren_endpoint_not_offered" + which), 1.0) << endpoint;
    EXPECT_EQ(LogsContaining("endpoint not offered by the broker", absl::StrCat("endpoint=", endpoint)), 1);
    EXPECT_EQ(LogsContaining("endpoint failed", absl::StrCat("endpoint=", endpoint)), 0);
  }
  EXPECT_EQ(broker.Requests("/api/shovels"), 1) << "not asked again before the interval";
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="exchanges"})"), 0.0) << "a 500 is a failure";
  EXPECT_FALSE(SampleValue(text, R"(warren_endpoint_not_offered{endpoint="exchanges"})").has_value());
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0);

  broker.Set("/api/shovels", {.body = "[]"});  // the plugin enabled later
  absl::SleepFor(absl::Milliseconds(2100));
  text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(broker.Requests("/api/shovels"), 2);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="shovels"})"), 1.0);
  EXPECT_FALSE(SampleValue(text, R"(warren_endpoint_not_offered{endpoint="shovels"})").has_value());
  EXPECT_EQ(LogsContaining("endpoint offered by the broker again", "endpoint=shovels"), 1);
}

// Once the overview says which release answers, a check that release does not route is not
// asked for (releases.cc); an upgrade brings in the checks the new release adds.
TEST_F(ScraperTest, AsksOnlyForTheHealthChecksTheReleaseRoutes) {
  FakeBroker broker;
  broker.SetHealthy();
  auto overview = [&broker](const char* version) {
    broker.Set("/api/overview", {.body = absl::StrCat(R"({"cluster_name":"c","node":"rabbit@a","rabbitmq_version":")",
                                                      version, R"("})")});
  };
  overview("4.0.5");
  const char* const checks[] = {"/api/health/checks/node-is-mirror-sync-critical",
                                "/api/health/checks/metadata-store/initialized", "/api/health/checks/is-in-service",
                                "/api/health/checks/alarms"};
  for (const char* path : checks) broker.Set(path, {.body = R"({"status":"ok"})"});
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::ZeroDuration(),
                   .endpoints = {&metrics::kOverview, &metrics::kHealthMirrorSyncCritical,
                                 &metrics::kHealthMetadataStore, &metrics::kHealthInService, &metrics::kHealthAlarms}},
                  client_.get(), &pool_);
  auto wait_for_checks = [&scraper] {
    // Health checks are never waited for: a second render serves what the first one asked.
    scraper.Render(In(absl::Seconds(5)));
    absl::SleepFor(absl::Milliseconds(200));  // lets the fetches that are not waited for finish
    return scraper.Render(In(absl::Seconds(5)));
  };
  std::string text = wait_for_checks();
  for (int i = 0; i < 3; ++i) text = wait_for_checks();
  // Not asked before the version is known, nor after.
  EXPECT_EQ(broker.Requests(checks[0]), 0);
  EXPECT_EQ(broker.Requests(checks[1]), 0);
  EXPECT_GE(broker.Requests(checks[3]), 4);
  for (const char* endpoint : {"health_mirror_sync_critical", "health_metadata_store_initialized"}) {
    const std::string which = absl::StrCat(R"({endpoint=")", endpoint, R"("})");
    EXPECT_EQ(SampleValue(text, "warren_endpoint_not_offered" + which), 1.0) << endpoint;
    EXPECT_FALSE(SampleValue(text, "warren_scrape_success" + which).has_value()) << endpoint;
    EXPECT_EQ(LogsContaining("endpoint not offered by this release", absl::StrCat("endpoint=", endpoint)), 1);
  }
  EXPECT_FALSE(SampleValue(text, R"(rabbitmq_health_check_up{check="node_is_mirror_sync_critical"})").has_value());
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_health_check_up{check="alarms"})"), 1.0);

  overview("4.3.6");  // upgraded: mirror sync is gone for good, the 4.0.6 and 4.1.1 checks arrive
  const int mirror_asks = broker.Requests(checks[0]);
  for (int i = 0; i < 3; ++i) text = wait_for_checks();
  EXPECT_EQ(broker.Requests(checks[0]), mirror_asks);
  EXPECT_GE(broker.Requests(checks[1]), 1);
  EXPECT_GE(broker.Requests(checks[2]), 1);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_health_check_up{check="metadata_store_initialized"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_health_check_up{check="is_in_service"})"), 1.0);
  EXPECT_FALSE(
      SampleValue(text, R"(warren_endpoint_not_offered{endpoint="health_metadata_store_initialized"})").has_value());
  EXPECT_EQ(LogsContaining("endpoint offered by this release", "endpoint=health_metadata_store_initialized"), 1);
}

TEST_F(ScraperTest, ACoreEndpointAnswering404IsAFailure) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/nodes", {.status = 404, .body = "no such path"});
  auto scraper = Make(broker, absl::ZeroDuration());
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="nodes"})"), 0.0);
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0);
}

TEST_F(ScraperTest, LogsOnceWhenAnEndpointChangesState) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/nodes", {.status = 503, .body = "unavailable"});
  auto scraper = Make(broker, absl::ZeroDuration());
  for (int i = 0; i < 4; ++i) scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(LogsContaining("endpoint failed", "endpoint=nodes"), 1);
  broker.SetHealthy();
  for (int i = 0; i < 3; ++i) scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(LogsContaining("endpoint ok", "endpoint=nodes"), 1);  // the recovery
  EXPECT_EQ(LogsContaining("endpoint failed", "endpoint=nodes"), 1);
}

TEST_F(ScraperTest, BrokenBodyFailsOnlyItsEndpoint) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/nodes", {.body = R"([{"name":"rabbit@fake","mem_used":)"});  // truncated
  auto scraper = Make(broker, absl::ZeroDuration());
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="nodes",reason="bad_response"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queues"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages{vhost="/",queue="q0"})"), 5.0);
}

TEST_F(ScraperTest, MissingFieldsAreCountedNotZeroed) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/queues", {.body = R"([{"vhost":"/","name":"down","state":"down"}])"});
  auto scraper = Make(broker, absl::ZeroDuration());
  const std::string text = scraper->Render(In(absl::Seconds(5)));
  EXPECT_FALSE(SampleValue(text, R"(rabbitmq_queue_messages{vhost="/",queue="down"})").has_value());
  EXPECT_GE(SampleValue(text, R"(warren_json_field_errors_total{endpoint="queues",reason="missing"})").value_or(0), 3.0)
      << "messages, messages_ready, messages_unacknowledged at least";
}

TEST_F(ScraperTest, PasswordNeverReachesLogsOrMetrics) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/overview", {.status = 401, .body = R"({"error":"not_authorised"})"});
  auto scraper = Make(broker, absl::ZeroDuration());
  std::string all;
  for (int i = 0; i < 2; ++i) all += scraper->Render(In(absl::Seconds(5)));
  for (const std::string& line : Logs()) all += line;
  EXPECT_TRUE(absl::StrContains(all, "reason=auth")) << "the failure itself is logged";
  EXPECT_FALSE(absl::StrContains(all, kPassword));
}

// The vhost filter keeps 2 of 4 vhosts: the lists that have one-vhost paths are asked for once per
// kept vhost, never as a whole; the others (nodes, vhosts) still come whole.
TEST_F(ScraperTest, VhostFilterAsksTheBrokerForTheKeptVhostsOnly) {
  FakeBroker broker;
  broker.SetHealthy();
  broker.Set("/api/vhosts", {.body = R"([{"name":"/"},{"name":"prod"},{"name":"prod-eu"},{"name":"test"}])"});
  broker.Set("/api/queues/prod", {.body = R"([{"vhost":"prod","name":"orders","messages_ready":7}])"});
  broker.Set("/api/queues/prod-eu", {.body = R"( [ ] )"});
  broker.Set("/api/consumers/prod", {.body = R"([{"queue":{"vhost":"prod","name":"orders"}}])"});
  broker.Set("/api/consumers/prod-eu", {.body = "[]"});
  // /api/queues/test is not set: the fake broker would answer 404, which warren takes for a vhost
  // deleted meanwhile, so only the request counts below show it was not asked.
  absl::StatusOr<std::unique_ptr<metrics::Filter>> filter = metrics::Filter::Create({.vhosts = "prod.*",
                                                                                     .vhosts_exclude = "",
                                                                                     .queues = "",
                                                                                     .queues_exclude = "",
                                                                                     .exchanges = "",
                                                                                     .exchanges_exclude = ""});
  ASSERT_TRUE(filter.ok());
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::Hours(1),
                   .health_interval = absl::Minutes(1),
                   .definitions_interval = absl::Minutes(5),
                   .endpoints = {&metrics::kOverview, &metrics::kNodes, &metrics::kQueues, &metrics::kConsumers},
                   .filter = filter->get(),
                   .max_queues = 0,
                   .max_vhost_requests = 2},
                  client_.get(), &pool_);
  const std::string text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_ready{vhost="prod",queue="orders"})"), 7.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_consumers{vhost="prod",queue="orders"})"), 1.0) << text;
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_queue_messages_ready"), 1);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_requests{endpoint="queues"})"), 2.0) << text;
  EXPECT_EQ(broker.Requests("/api/queues"), 0);
  EXPECT_EQ(broker.Requests("/api/consumers"), 0);
  EXPECT_EQ(broker.Requests("/api/queues/test"), 0);
  EXPECT_EQ(broker.Requests("/api/queues/prod"), 1);
  EXPECT_EQ(broker.Requests("/api/vhosts"), 1) << "one vhost list for both endpoints";
  EXPECT_TRUE(absl::StrContains(broker.LastQuery("/api/queues/prod"), "disable_stats=true"));
  EXPECT_EQ(broker.Requests("/api/nodes"), 1);
}

// Too many kept vhosts, or a filter that keeps them all: one request for all is cheaper.
TEST_F(ScraperTest, VhostFilterKeepingManyVhostsAsksForAllAtOnce) {
  for (const char* pattern : {"prod.*", ".*"}) {
    FakeBroker broker;
    broker.SetHealthy();
    broker.Set("/api/vhosts", {.body = R"([{"name":"/"},{"name":"prod"},{"name":"prod-eu"}])"});
    absl::StatusOr<std::unique_ptr<metrics::Filter>> filter = metrics::Filter::Create({.vhosts = pattern,
                                                                                       .vhosts_exclude = "",
                                                                                       .queues = "",
                                                                                       .queues_exclude = "",
                                                                                       .exchanges = "",
                                                                                       .exchanges_exclude = ""});
    ASSERT_TRUE(filter.ok());
    client_ = std::make_unique<RabbitClient>(
        ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
    Scraper scraper({.scrape_timeout = absl::Seconds(5),
                     .min_interval = absl::ZeroDuration(),
                     .health_interval = absl::Minutes(1),
                     .definitions_interval = absl::Minutes(5),
                     .endpoints = {&metrics::kOverview, &metrics::kNodes, &metrics::kQueues},
                     .filter = filter->get(),
                     .max_queues = 0,
                     .max_vhost_requests = std::string(pattern) == ".*" ? 10u : 1u},
                    client_.get(), &pool_);
    const std::string text = scraper.Render(In(absl::Seconds(5)));
    EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 1.0) << pattern;
    EXPECT_EQ(broker.Requests("/api/queues"), 1) << pattern;
    EXPECT_EQ(SampleValue(text, R"(warren_scrape_requests{endpoint="queues"})"), 1.0) << pattern;
  }
}

TEST(VhostScope, ConcatArraysJoinsElementsAndRefusesWhatIsNotAnArray) {
  EXPECT_EQ(*ConcatArrays({"[1,2]", " [ ] ", "\n[{\"a\":[3]}]\n"}, 1000), R"([1,2,{"a":[3]}])");
  EXPECT_EQ(*ConcatArrays({}, 1000), "[]");
  EXPECT_EQ(ConcatArrays({"[1]", "{}"}, 1000).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConcatArrays({"["}, 1000).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConcatArrays({"[1111]", "[2222]"}, 10).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(VhostScope, ParseVhostNamesNeedsAnArrayOfNamedObjects) {
  absl::StatusOr<std::vector<std::string>> names = ParseVhostNames(R"([{"name":"/"},{"name":"a\"b","x":1}])");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"/", "a\"b"}));
  for (const char* bad : {"{}", "[1]", R"([{"name":7}])", "[{}]", "not json"}) {
    EXPECT_EQ(ParseVhostNames(bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

// The rabbitmq_prometheus plugin's coarse family for these (queue, depth) pairs of vhost "/",
// as node `node` writes it.
std::string CoarseText(const std::string& node, const std::vector<std::pair<std::string, int>>& queues) {
  std::string text = "# TYPE rabbitmq_detailed_queue_messages gauge\n";
  for (const auto& [queue, depth] : queues) {
    absl::StrAppend(&text, R"(rabbitmq_detailed_queue_messages{vhost="/",queue=")", queue, "\"} ", depth, "\n");
    absl::StrAppend(&text, R"(rabbitmq_detailed_queue_messages_ready{vhost="/",queue=")", queue, "\"} ", depth, "\n");
    absl::StrAppend(&text, R"(rabbitmq_detailed_queue_messages_unacked{vhost="/",queue=")", queue, "\"} 0\n");
  }
  absl::StrAppend(&text, R"(rabbitmq_identity_info{rabbitmq_node=")", node, R"(",rabbitmq_cluster="fake"} 1)", "\n");
  return text;
}

// Queues on rabbit@fake; `messages` is what the listing with totals says (the plugin says otherwise).
std::string Listing(const std::vector<std::pair<std::string, int>>& queues) {
  std::string body = "[";
  for (const auto& [queue, messages] : queues) {
    absl::StrAppend(&body, body.size() > 1 ? "," : "", R"({"vhost":"/","name":")", queue,
                    R"(","type":"classic","policy":"","state":"live","node":"rabbit@fake","messages":)", messages, "}");
  }
  return body + "]";
}

// Plugin depth: the listing with totals until the node's plugin has answered, then queues listed
// without totals and depth from the host node's plugin (asked for text, without credentials), the
// listing fetched again only when the plugin's report stops matching it. A plugin that stops
// answering as its node: that scrape's depths from a listing with totals, then the listing with
// totals as without plugin depth, the plugin asked again only after the retry interval.
TEST_F(ScraperTest, PluginDepthListsQueuesAgainOnlyWhenTheReportChanges) {
  FakeBroker broker, plugin;
  broker.SetHealthy(0);
  broker.Set("/api/queues", {.body = Listing({{"a", 40}})});
  plugin.Set("/metrics/detailed", {.body = CoarseText("rabbit@fake", {{"a", 4}}), .content_type = "text/plain"});
  client_ = std::make_unique<RabbitClient>(
      ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "monitor", .password = kPassword});
  Scraper::Options options{.scrape_timeout = absl::Seconds(5),
                           .min_interval = absl::ZeroDuration(),
                           .health_interval = absl::Minutes(1),
                           .definitions_interval = absl::Minutes(5),
                           .endpoints = {}};
  const absl::Duration retry = absl::Milliseconds(1500);
  options.plugin_depth = {
      .urls = {{"rabbit@fake", plugin.url()}}, .listing_interval = absl::Hours(1), .retry_interval = retry};
  Scraper scraper(options, client_.get(), &pool_);
  const std::string a_depth = R"(rabbitmq_queue_messages{vhost="/",queue="a"})";

  std::string text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, a_depth), 40.0) << "the first scrape lists with totals\n" << text;
  EXPECT_EQ(SampleValue(text, "warren_queue_depth_from_plugin"), 0.0);
  EXPECT_NE(broker.LastQuery("/api/queues").find("enable_queue_totals"), std::string::npos);
  for (int i = 0; i < 3; ++i) text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, a_depth), 4.0) << text;
  EXPECT_EQ(SampleValue(text, "warren_queue_depth_from_plugin"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(warren_plugin_up{node="rabbit@fake",reason="ok"})"), 1.0) << text;
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_state{vhost="/",queue="a",state="live"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_state{vhost="/",queue="a",state="down"})"), 0.0);
  EXPECT_FALSE(SampleValue(text, R"(rabbitmq_queue_state{vhost="/",queue="a",state="flow"})").has_value())
      << "flow is not seen without totals";
  EXPECT_EQ(SampleValue(text, R"(warren_queue_depth_missing{node="rabbit@fake"})"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queue_depth"})"), 1.0);
  EXPECT_EQ(plugin.Requests("/metrics/detailed"), 4);
  EXPECT_EQ(plugin.LastAccept("/metrics/detailed"), "text/plain");
  EXPECT_EQ(plugin.LastAuthorization(), "") << "the management credentials are not the plugin's";
  EXPECT_EQ(broker.LastQuery("/api/queues").find("enable_queue_totals"), std::string::npos);
  EXPECT_EQ(broker.Requests("/api/queues"), 2) << "with totals, then without; then not within the hour";

  // A new queue: the report no longer matches, so the next scrapes list again, then stop.
  broker.Set("/api/queues", {.body = Listing({{"a", 40}, {"b", 70}})});
  plugin.Set("/metrics/detailed",
             {.body = CoarseText("rabbit@fake", {{"a", 4}, {"b", 7}}), .content_type = "text/plain"});
  for (int i = 0; i < 3; ++i) text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages{vhost="/",queue="b"})"), 7.0) << text;
  const int relisted = broker.Requests("/api/queues");
  EXPECT_GE(relisted, 3);
  EXPECT_LE(relisted, 4);
  scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(broker.Requests("/api/queues"), relisted);

  // The plugin answers for another node: refused, and this scrape's depths come from a narrow
  // listing with totals; nothing goes missing.
  plugin.Set("/metrics/detailed",
             {.body = CoarseText("rabbit@other", {{"a", 4}, {"b", 7}}), .content_type = "text/plain"});
  const int asked = plugin.Requests("/metrics/detailed");
  text = scraper.Render(In(absl::Seconds(5)));
  const absl::Time failed = absl::Now();
  EXPECT_EQ(SampleValue(text, a_depth), 40.0) << text;
  EXPECT_EQ(SampleValue(text, R"(warren_queue_depth_missing{node="rabbit@fake"})"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queue_depth"})"), 1.0);
  EXPECT_EQ(SampleValue(text, R"(warren_plugin_up{node="rabbit@fake",reason="wrong_node"})"), 0.0) << text;
  EXPECT_EQ(SampleValue(text, "warren_queue_depth_from_plugin"), 0.0);
  EXPECT_EQ(broker.Requests("/api/queues"), relisted + 1);
  // Then the listing with totals at every scrape, the plugin left alone until the retry is due.
  while (absl::Now() < failed + retry * 0.5) text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, a_depth), 40.0) << text;
  EXPECT_NE(broker.LastQuery("/api/queues").find("enable_queue_totals"), std::string::npos);
  EXPECT_EQ(plugin.Requests("/metrics/detailed"), asked + 1) << "asked again before the retry interval";

  // Past the retry interval the plugin is asked again; it answers as its node, so the listing
  // goes without totals once more.
  plugin.Set("/metrics/detailed",
             {.body = CoarseText("rabbit@fake", {{"a", 4}, {"b", 7}}), .content_type = "text/plain"});
  absl::SleepFor(failed + retry - absl::Now());
  for (int i = 0; i < 2; ++i) text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_EQ(SampleValue(text, a_depth), 4.0) << text;
  EXPECT_EQ(SampleValue(text, R"(warren_plugin_up{node="rabbit@fake",reason="ok"})"), 1.0) << text;
  EXPECT_EQ(plugin.Requests("/metrics/detailed"), asked + 3);
}

}  // namespace
}  // namespace warren

namespace warren {
namespace {

// A kind of fetch the scraper has never seen: no HTTP at all. Its rows come from a JSON text
// through the endpoint's table, it says what the broker is (facts), reads another plan's keys
// and keeps its own interval. Nothing in scraper.cc knows of it.
constexpr metrics::Label kThingLabels[] = {{"thing", "name"}};
constexpr metrics::Field kThingFields[] = {
    {"size", "rabbitmq_test_thing_size", metrics::Kind::kGauge, "The size of a thing."},
};
constexpr metrics::Endpoint kThings{.name = "things",
                                    .group = "things",
                                    .path = "/nowhere",
                                    .core = true,
                                    .labels = kThingLabels,
                                    .fields = kThingFields,
                                    .keys = kThingLabels};
constexpr metrics::Endpoint kWatcher{.name = "watcher", .group = "things", .path = "/nowhere/either"};

class ThingsPlan final : public FetchPlan {
 public:
  explicit ThingsPlan(absl::Duration interval) : FetchPlan(kThings), interval_(interval) {}
  absl::Duration Interval(absl::Duration) const override { return interval_; }
  FetchResult Fetch(const FetchContext& context) override {
    ++fetches;
    last_version_seen = context.broker.rabbitmq_version;
    return {.mapped = metrics::Mapper(kThings).Map(R"([{"name":"a","size":3},{"name":"b","size":4}])"),
            .partial_error = {},
            .requests = 0,
            .facts = metrics::BrokerFacts{.rabbitmq_version = "9.9.9"}};
  }
  std::atomic<int> fetches = 0;
  std::string last_version_seen;  // written by the fetch, read once the render that waited for it returned
  const absl::Duration interval_;
};

// Fails every time, after reading the things plan's keys through the context.
class WatcherPlan final : public FetchPlan {
 public:
  WatcherPlan() : FetchPlan(kWatcher) {}
  FetchResult Fetch(const FetchContext& context) override {
    const auto keys = context.keys_of("things");
    keys_seen = keys == nullptr ? -1 : static_cast<int>(keys->size());
    return {.mapped = absl::UnavailableError("the watcher never answers"),
            .partial_error = {},
            .requests = 2,
            .facts = std::nullopt};
  }
  std::atomic<int> keys_seen = -2;
};

metrics::FamilyBuilder CountThings(metrics::JoinInputs inputs) {
  metrics::FamilyBuilder family("rabbitmq_test_things", "Things fetched.", prometheus::MetricType::Gauge);
  family.Value(static_cast<double>(inputs[0]->size()));
  return family;
}
constexpr const metrics::Endpoint* kThingsOnly[] = {&kThings};
constexpr const metrics::Endpoint* kThingsAndMissing[] = {&kThings, &metrics::kQueues};
const metrics::Join kThingJoins[] = {
    {kThingsOnly, "rabbitmq_test_things", "", "Things fetched.", &CountThings},
    {kThingsAndMissing, "rabbitmq_test_never", "", "An input no plan fetches.", &CountThings},
};

TEST(ScraperPlans, ANewKindOfPlanNeedsNoChangeToTheScraper) {
  ScraperPool pool(2);
  ScrapePlans plans;
  auto things = std::make_unique<ThingsPlan>(absl::Hours(1));
  auto watcher = std::make_unique<WatcherPlan>();
  ThingsPlan* things_plan = things.get();
  WatcherPlan* watcher_plan = watcher.get();
  plans.plans.push_back(std::move(things));
  plans.plans.push_back(std::move(watcher));
  for (const metrics::Join& join : kThingJoins) plans.joins.push_back(&join);
  {
    Scraper scraper({.scrape_timeout = absl::Seconds(5),
                     .min_interval = absl::ZeroDuration(),
                     .health_interval = absl::Minutes(1),
                     .definitions_interval = absl::Minutes(5)},
                    std::move(plans), &pool);
    const std::string first = scraper.Render(In(absl::Seconds(5)));
    EXPECT_EQ(SampleValue(first, R"(rabbitmq_test_thing_size{thing="b"})"), 4.0) << first;
    EXPECT_EQ(SampleValue(first, "rabbitmq_test_things"), 2.0) << "the join over the plan's keys";
    EXPECT_FALSE(absl::StrContains(first, "rabbitmq_test_never")) << "a join with an input no plan fetches";
    EXPECT_EQ(SampleValue(first, "rabbitmq_up"), 1.0) << "the things plan is core, the failing watcher is not";
    EXPECT_EQ(SampleValue(first, R"(warren_scrape_success{endpoint="watcher"})"), 0.0);
    EXPECT_EQ(SampleValue(first, R"(warren_scrape_errors_total{endpoint="watcher",reason="unreachable"})"), 1.0)
        << first;
    EXPECT_FALSE(absl::StrContains(first, "warren_scrape_requests")) << "the plans report no request counts";
    EXPECT_TRUE(scraper.Ready());
    EXPECT_EQ(scraper.broker_facts().rabbitmq_version, "9.9.9");

    scraper.Render(In(absl::Seconds(5)));
    EXPECT_EQ(things_plan->fetches, 1) << "its own interval (an hour) keeps it from being fetched again";
    EXPECT_EQ(watcher_plan->keys_seen, 2) << "the watcher read the things plan's two rows";
    // The plans die with the scraper: read them while it lives.
    EXPECT_EQ(things_plan->last_version_seen, "") << "the first fetch ran before any facts";
  }
}

// A slow plan and one that follows it: the follower's fetch starts only once the slow one's has
// ended (in one scrape), may stand down (its data dropped, joins over it not computed), and adds
// self-metrics of its own.
constexpr metrics::Endpoint kFollower{
    .name = "follower", .group = "things", .path = "/nowhere/either", .keys = kThingLabels};

class SlowThingsPlan final : public FetchPlan {
 public:
  SlowThingsPlan() : FetchPlan(kThings) {}
  FetchResult Fetch(const FetchContext&) override {
    absl::SleepFor(absl::Milliseconds(300));
    ended = absl::Now();
    return {.mapped = metrics::Mapper(kThings).Map(R"([{"name":"a","size":3}])")};
  }
  std::atomic<absl::Time> ended = absl::InfinitePast();
};

class FollowerPlan final : public FetchPlan {
 public:
  FollowerPlan() : FetchPlan(kFollower) {}
  const char* Follows() const override { return "things"; }
  std::vector<prometheus::MetricFamily> SelfMetrics() const override {
    prometheus::MetricFamily family = FamilyOf({"warren_test_follower", prometheus::MetricType::Gauge, "", "Test."});
    AddSample(&family, {}, stand_down ? 0 : 1);
    return {family};
  }
  FetchResult Fetch(const FetchContext&) override {
    started = absl::Now();
    metrics::Mapped mapped;
    mapped.keys = {{"x"}, {"y"}, {"z"}};
    return {.mapped = std::move(mapped), .stand_down = stand_down};
  }
  std::atomic<absl::Time> started = absl::InfinitePast();
  std::atomic<bool> stand_down = false;
};

metrics::FamilyBuilder CountFollowed(metrics::JoinInputs inputs) {
  metrics::FamilyBuilder family("rabbitmq_test_followed", "Rows of the follower.", prometheus::MetricType::Gauge);
  family.Value(static_cast<double>(inputs[0]->size()));
  return family;
}
constexpr const metrics::Endpoint* kFollowerOnly[] = {&kFollower};
const metrics::Join kFollowerJoin{kFollowerOnly, "rabbitmq_test_followed", "", "Rows of the follower.", &CountFollowed};

TEST(ScraperPlans, AFollowingPlanStartsWhenTheOneItFollowsEndsAndMayStandDown) {
  ScraperPool pool(4);
  ScrapePlans plans;
  auto slow = std::make_unique<SlowThingsPlan>();
  auto follower = std::make_unique<FollowerPlan>();
  SlowThingsPlan* slow_plan = slow.get();
  FollowerPlan* follower_plan = follower.get();
  plans.plans.push_back(std::move(slow));
  plans.plans.push_back(std::move(follower));
  plans.joins.push_back(&kFollowerJoin);
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::Minutes(1),
                   .definitions_interval = absl::Minutes(5)},
                  std::move(plans), &pool);
  std::string text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_GE(follower_plan->started.load(), slow_plan->ended.load()) << "started before the one it follows ended";
  EXPECT_EQ(SampleValue(text, "rabbitmq_test_followed"), 3.0) << "rendered after both\n" << text;
  EXPECT_EQ(SampleValue(text, "warren_test_follower"), 1.0);

  follower_plan->stand_down = true;
  text = scraper.Render(In(absl::Seconds(5)));
  EXPECT_GE(follower_plan->started.load(), slow_plan->ended.load());
  EXPECT_FALSE(absl::StrContains(text, "rabbitmq_test_followed")) << "a plan standing down feeds no join\n" << text;
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="follower"})"), 1.0);
  EXPECT_EQ(SampleValue(text, "warren_test_follower"), 0.0);
}

TEST(ScraperPlans, TheOverviewsFactsReachTheNextFetches) {
  FakeBroker broker;
  broker.SetHealthy(1);
  ScraperPool pool(2);
  RabbitClient client(ClientOptions{.url = *ParseBrokerUrl(broker.url()), .user = "u", .password = "p"});
  Scraper scraper({.scrape_timeout = absl::Seconds(5),
                   .min_interval = absl::ZeroDuration(),
                   .health_interval = absl::Minutes(1),
                   .definitions_interval = absl::Minutes(5),
                   .endpoints = {&metrics::kOverview}},
                  &client, &pool);
  EXPECT_EQ(scraper.broker_facts(), metrics::BrokerFacts{});
  scraper.Render(In(absl::Seconds(5)));
  const metrics::BrokerFacts facts = scraper.broker_facts();
  EXPECT_EQ(facts.rabbitmq_version, "3.10.8");
  EXPECT_EQ(facts.cluster_name, "fake");
  EXPECT_EQ(facts.node, "rabbit@fake");
}

}  // namespace
}  // namespace warren
