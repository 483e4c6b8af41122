// PluginDepthFetcher against a fake management API and fake plugins: which nodes are asked, the
// identity check, discovery from the overview's listeners, and the retry of a failed node.
#include "exporter/scrape/plugin_depth.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"

namespace warren {
namespace {

using testing::FakeBroker;

std::string Coarse(const std::string& node) {
  return absl::StrCat("rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"q\"} 3\n",
                      "rabbitmq_identity_info{rabbitmq_node=\"", node, "\",rabbitmq_cluster=\"c\"} 1\n");
}

class PluginDepthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_.Set("/metrics/detailed", {.body = Coarse("rabbit@127.0.0.1"), .content_type = "text/plain"});
    management_.Set("/api/nodes", {.body = R"([{"name":"rabbit@127.0.0.1","running":true},)"
                                           R"({"name":"rabbit@down","running":false}])"});
  }
  PluginDepthFetch Fetch(const PluginOptions& options) {
    PluginDepthFetcher fetcher(options, &client_, nullptr);
    return fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  }
  std::string Template() const { return absl::StrCat("http://{host}:", plugin_.port()); }

  FakeBroker management_, plugin_;
  RabbitClient client_{ClientOptions{.url = *ParseBrokerUrl(management_.url()), .user = "u", .password = "p"}};
};

// A node without a URL makes the rows useless; the others are still asked, so that each says
// whether its plugin would serve.
TEST_F(PluginDepthTest, ARunningNodeWithNoHostFailsTheRowsTheOthersAreStillAsked) {
  management_.Set("/api/nodes", {.body = R"([{"name":"rabbit@127.0.0.1","running":true},)"
                                         R"({"name":"rabbit@bad/host","running":true}])"});
  PluginDepthFetcher fetcher({.urls = {}, .url_template = Template()}, &client_, nullptr);
  const PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kUnavailable) << fetch.rows.status();
  EXPECT_TRUE(absl::StrContains(fetch.rows.status().message(), "rabbit@bad/host")) << fetch.rows.status();
  EXPECT_EQ(fetch.requests, 2u) << "/api/nodes and the node with a host";
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 1);
  const std::string text = metrics::SerializeFamilies(fetcher.nodes().SelfMetrics()).front().text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@bad/host",reason="no_host"} 0)")) << text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@127.0.0.1",reason="ok"} 1)")) << text;
  const PluginDepthFetch again = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(again.requests, 0u) << "nothing before the retry";
}

TEST_F(PluginDepthTest, TemplateAsksEveryRunningNode) {
  const PluginDepthFetch fetch = Fetch({.urls = {}, .url_template = Template()});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  ASSERT_EQ(fetch.rows->keys.size(), 1u);
  EXPECT_EQ(fetch.rows->keys[0], (metrics::LabelValues{"/", "q", "rabbit@127.0.0.1", "3", "", ""}));
  EXPECT_EQ(fetch.answered, (std::vector<std::string>{"rabbit@127.0.0.1"}));
  EXPECT_EQ(fetch.requests, 2u) << "/api/nodes, then the running node; never the stopped one";
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 1);
}

TEST_F(PluginDepthTest, AnExplicitUrlWinsOverTheTemplate) {
  FakeBroker other;
  other.Set("/metrics/detailed", {.body = Coarse("rabbit@127.0.0.1"), .content_type = "text/plain"});
  const PluginDepthFetch fetch = Fetch({.urls = {{"rabbit@127.0.0.1", other.url()}}, .url_template = Template()});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(other.Requests("/metrics/detailed"), 1);
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 0);
}

TEST_F(PluginDepthTest, NoNodeAnsweringIsAFailedFetch) {
  plugin_.Set("/metrics/detailed", {.body = Coarse("rabbit@someone-else"), .content_type = "text/plain"});
  const PluginDepthFetch fetch = Fetch({.urls = {}, .url_template = Template()});
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kDataLoss) << fetch.rows.status();
  EXPECT_TRUE(absl::StrContains(fetch.rows.status().message(), "not this node")) << fetch.rows.status();
  EXPECT_TRUE(fetch.answered.empty());
}

TEST_F(PluginDepthTest, ExplicitUrlsAskOnlyTheRunningNodes) {
  const PluginDepthFetch fetch =
      Fetch({.urls = {{"rabbit@127.0.0.1", plugin_.url()}, {"rabbit@down", "http://127.0.0.1:1"}}});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(management_.Requests("/api/nodes"), 1);
  EXPECT_EQ(fetch.requests, 2u) << "/api/nodes and the running node; a stopped node has no plugin";
  EXPECT_EQ(fetch.answered, (std::vector<std::string>{"rabbit@127.0.0.1"}));
}

TEST_F(PluginDepthTest, ARunningNodeTheExplicitUrlsLeaveOutHasNoUrl) {
  management_.Set("/api/nodes", {.body = R"([{"name":"rabbit@127.0.0.1","running":true},)"
                                         R"({"name":"rabbit@other","running":true}])"});
  PluginDepthFetcher fetcher({.urls = {{"rabbit@127.0.0.1", plugin_.url()}}}, &client_, nullptr);
  const PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kUnavailable) << fetch.rows.status();
  const std::string text = metrics::SerializeFamilies(fetcher.nodes().SelfMetrics()).front().text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@other",reason="no_url"} 0)")) << text;
}

// What keeps the plugins from being asked at all is the fetch's error; a node's own failure is not.
TEST_F(PluginDepthTest, ANodeListThatFailsIsTheFetchsErrorANodeThatFailsIsNot) {
  management_.Set("/api/nodes", {.status = 500, .body = "{}"});
  PluginDepthFetch fetch = Fetch({.url_template = Template()});
  EXPECT_FALSE(fetch.rows.ok());
  EXPECT_FALSE(fetch.error.ok()) << "the node list failed";
  management_.Set("/api/nodes", {.body = R"([{"name":"rabbit@127.0.0.1","running":true}])"});
  plugin_.Set("/metrics/detailed", {.body = Coarse("rabbit@someone-else"), .content_type = "text/plain"});
  fetch = Fetch({.url_template = Template()});
  EXPECT_FALSE(fetch.rows.ok());
  EXPECT_TRUE(fetch.error.ok()) << fetch.error << ": the node's failure is the node's";
}

// Discovery: the node's plugin from the overview's listeners, which are asked again only once per
// retry interval while they name every running node.
TEST_F(PluginDepthTest, DiscoveryFindsThePluginInTheOverviewsListeners) {
  management_.Set(
      "/api/overview",
      {.body = absl::StrCat(
           R"({"listeners":[{"node":"rabbit@127.0.0.1","protocol":"amqp",)",
           R"("ip_address":"127.0.0.1","port":5672},)", R"({"node":"rabbit@127.0.0.1","protocol":"http/prometheus",)",
           R"("ip_address":"::","port":)", plugin_.port(), R"(,"socket_opts":{"ip":"127.0.0.1"}}]})")});
  PluginDepthFetcher fetcher({.discover = true}, &client_, nullptr);
  PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(fetch.rows->keys.size(), 1u);
  EXPECT_EQ(fetch.requests, 3u) << "nodes, listeners, the plugin";
  EXPECT_EQ(management_.LastQuery("/api/overview"), "columns=listeners");
  fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(fetch.requests, 2u) << "the listeners are known";
  EXPECT_EQ(management_.Requests("/api/overview"), 1);
  const std::string text = metrics::SerializeFamilies(fetcher.nodes().SelfMetrics()).front().text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@127.0.0.1",reason="ok"} 1)")) << text;
}

TEST_F(PluginDepthTest, ANodeWithoutAPluginListenerIsNotListed) {
  management_.Set("/api/overview", {.body = R"({"listeners":[{"node":"rabbit@127.0.0.1","protocol":"amqp",)"
                                            R"("ip_address":"127.0.0.1","port":5672}]})"});
  PluginDepthFetcher fetcher({.discover = true}, &client_, nullptr);
  const PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kUnavailable) << fetch.rows.status();
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 0);
  const std::string text = metrics::SerializeFamilies(fetcher.nodes().SelfMetrics()).front().text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@127.0.0.1",reason="not_listed"} 0)")) << text;
  const PluginDepthFetch again = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_FALSE(again.rows.ok());
  EXPECT_EQ(again.requests, 0u) << "nothing, not even the nodes, before the retry";
}

// A node whose plugin failed is asked again only once its retry is due; until then nothing is.
TEST_F(PluginDepthTest, AFailedNodeIsAskedAgainOnlyAfterTheRetryInterval) {
  const std::string url = "http://127.0.0.1:1";  // nothing listens: refused at once
  const absl::Duration retry = absl::Milliseconds(800);
  PluginDepthFetcher fetcher({.urls = {{"rabbit@127.0.0.1", url}}, .retry_interval = retry}, &client_, nullptr);
  PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  const absl::Time failed = absl::Now();
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kUnavailable) << fetch.rows.status();
  EXPECT_EQ(fetch.requests, 2u) << "the nodes, the refused plugin";
  std::string text = metrics::SerializeFamilies(fetcher.nodes().SelfMetrics()).front().text;
  EXPECT_TRUE(absl::StrContains(text, R"(warren_plugin_up{node="rabbit@127.0.0.1",reason="unreachable"} 0)")) << text;
  while (absl::Now() < failed + retry / 2) {
    fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
    EXPECT_FALSE(fetch.rows.ok());
    EXPECT_EQ(fetch.requests, 0u) << "asked before its retry was due";
  }
  absl::SleepFor(failed + retry - absl::Now());
  fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(fetch.requests, 2u) << "asked again once the retry is due";
}

// Three nodes that each take 2 s all answer within a 10 s deadline, of which the plugins get half
// (5 s): asked one after the other, the third would run past it. The 3 s of slack keeps the test
// steady under ThreadSanitizer on a busy two-core machine (1.5 s of 1.75 s was not).
TEST_F(PluginDepthTest, NodesAreAskedAtTheSameTime) {
  FakeBroker n1, n2, n3;
  management_.Set("/api/nodes", {.body = R"([{"name":"rabbit@n1","running":true},{"name":"rabbit@n2","running":true},)"
                                         R"({"name":"rabbit@n3","running":true}])"});
  PluginOptions options;
  for (auto [node, plugin] : {std::pair{"rabbit@n1", &n1}, std::pair{"rabbit@n2", &n2}, std::pair{"rabbit@n3", &n3}}) {
    plugin->Set("/metrics/detailed", {.body = Coarse(node), .delay = absl::Seconds(2), .content_type = "text/plain"});
    options.urls.emplace_back(node, plugin->url());
  }
  PluginDepthFetcher fetcher(options, &client_, nullptr);
  const PluginDepthFetch fetch = fetcher.Fetch("3.10.8", absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(fetch.answered, (std::vector<std::string>{"rabbit@n1", "rabbit@n2", "rabbit@n3"}));
  ASSERT_EQ(fetch.rows->keys.size(), 3u);
  EXPECT_EQ(fetch.rows->keys[0][2], "rabbit@n1") << "rows in the order the nodes were asked";
  EXPECT_EQ(fetch.rows->keys[2][2], "rabbit@n3");
  EXPECT_EQ(fetch.requests, 4u);
}

}  // namespace
}  // namespace warren
