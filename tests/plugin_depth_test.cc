// FetchPluginDepths against a fake management API and a fake plugin: which nodes are asked, the
// identity check, and one failing node not taking the others down.
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
                                           R"({"name":"rabbit@bad/host","running":true},)"
                                           R"({"name":"rabbit@down","running":false}])"});
  }
  PluginDepthFetch Fetch(const PluginDepthOptions& options) {
    RabbitClient client(ClientOptions{.url = *ParseBrokerUrl(management_.url()), .user = "u", .password = "p"});
    return FetchPluginDepths(client, options, nullptr, "3.10.8", absl::Now() + absl::Seconds(5));
  }
  std::string Template() const { return absl::StrCat("http://{host}:", plugin_.port()); }

  FakeBroker management_, plugin_;
};

TEST_F(PluginDepthTest, TemplateAsksEveryRunningNodeAndANodeWithoutHostFailsAlone) {
  const PluginDepthFetch fetch = Fetch({.urls = {}, .url_template = Template(), .tls = {}});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  ASSERT_EQ(fetch.rows->keys.size(), 1u);
  EXPECT_EQ(fetch.rows->keys[0], (metrics::LabelValues{"/", "q", "rabbit@127.0.0.1", "3", "", ""}));
  EXPECT_EQ(fetch.answered, (std::vector<std::string>{"rabbit@127.0.0.1"}));
  EXPECT_EQ(fetch.node_error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(fetch.node_error.message(), "rabbit@bad/host")) << fetch.node_error;
  EXPECT_EQ(fetch.requests, 3u) << "/api/nodes, then the two running nodes; never the stopped one";
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 1);
}

TEST_F(PluginDepthTest, AnExplicitUrlWinsOverTheTemplate) {
  FakeBroker other;
  other.Set("/metrics/detailed", {.body = Coarse("rabbit@127.0.0.1"), .content_type = "text/plain"});
  const PluginDepthFetch fetch =
      Fetch({.urls = {{"rabbit@127.0.0.1", other.url()}}, .url_template = Template(), .tls = {}});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(other.Requests("/metrics/detailed"), 1);
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 0);
}

TEST_F(PluginDepthTest, NoNodeAnsweringIsAFailedFetch) {
  plugin_.Set("/metrics/detailed", {.body = Coarse("rabbit@someone-else"), .content_type = "text/plain"});
  const PluginDepthFetch fetch = Fetch({.urls = {}, .url_template = Template(), .tls = {}});
  EXPECT_EQ(fetch.rows.status().code(), absl::StatusCode::kDataLoss) << fetch.rows.status();
  EXPECT_TRUE(absl::StrContains(fetch.rows.status().message(), "not this node")) << fetch.rows.status();
  EXPECT_TRUE(fetch.answered.empty());
}

TEST_F(PluginDepthTest, ExplicitUrlsOnlyNeverAskTheManagementApi) {
  const PluginDepthFetch fetch = Fetch({.urls = {{"rabbit@127.0.0.1", plugin_.url()}}, .url_template = "", .tls = {}});
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_EQ(management_.Requests("/api/nodes"), 0);
  EXPECT_EQ(fetch.requests, 1u);
}

// Three nodes that each take 1.5 s all answer within a 2.9 s deadline: asked one after the other,
// the second would already run past it.
TEST_F(PluginDepthTest, NodesAreAskedAtTheSameTime) {
  FakeBroker n1, n2, n3;
  PluginDepthOptions options;
  for (auto [node, plugin] : {std::pair{"rabbit@n1", &n1}, std::pair{"rabbit@n2", &n2}, std::pair{"rabbit@n3", &n3}}) {
    plugin->Set("/metrics/detailed",
                {.body = Coarse(node), .delay = absl::Milliseconds(1500), .content_type = "text/plain"});
    options.urls.emplace_back(node, plugin->url());
  }
  RabbitClient client(ClientOptions{.url = *ParseBrokerUrl(management_.url()), .user = "u", .password = "p"});
  const PluginDepthFetch fetch =
      FetchPluginDepths(client, options, nullptr, "3.10.8", absl::Now() + absl::Milliseconds(2900));
  ASSERT_TRUE(fetch.rows.ok()) << fetch.rows.status();
  EXPECT_TRUE(fetch.node_error.ok()) << fetch.node_error;
  EXPECT_EQ(fetch.answered, (std::vector<std::string>{"rabbit@n1", "rabbit@n2", "rabbit@n3"}));
  ASSERT_EQ(fetch.rows->keys.size(), 3u);
  EXPECT_EQ(fetch.rows->keys[0][2], "rabbit@n1") << "rows in the order the nodes were asked";
  EXPECT_EQ(fetch.rows->keys[2][2], "rabbit@n3");
  EXPECT_EQ(fetch.requests, 3u);
}

}  // namespace
}  // namespace warren
