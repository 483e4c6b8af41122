// Each node's own view of the cluster: reading a node's /api/nodes as its view, mapping the views
// to peer_running and split_from, and the plan that asks every member through its own listener.
#include "metrics/node_views.h"

#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "exporter/scrape/node_views_plan.h"
#include "gtest/gtest.h"
#include "metrics/exposition.h"
#include "metrics/tables.h"
#include "tests/fake_broker.h"

namespace warren {
namespace {

using metrics::NodeView;
using testing::FakeBroker;

std::string Text(const metrics::Mapped& mapped) {
  std::vector<const metrics::FamilyText*> chunks;
  for (const metrics::FamilyText& family : mapped.families) chunks.push_back(&family);
  std::vector<std::string> duplicates;
  return metrics::Assemble(chunks, &duplicates);
}

std::string Sample(const char* name, const std::string& node, const std::string& peer, int value) {
  return absl::StrCat(name, "{node=\"", node, "\",peer=\"", peer, "\"} ", value, "\n");
}

NodeView View(const std::string& node, std::vector<std::pair<std::string, bool>> members) {
  return {.node = node, .members = std::move(members)};
}

TEST(NodeViews, EachSideOfASplitSeesTheOtherNotRunning) {
  const std::vector<NodeView> views = {
      View("rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}}),
      View("rabbit@b", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}}),
      View("rabbit@c", {{"rabbit@a", false}, {"rabbit@b", false}, {"rabbit@c", true}}),
  };
  absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeViews(views);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const std::string text = Text(*mapped);
  for (const auto& [node, peer, split] : std::vector<std::tuple<std::string, std::string, int>>{
           {"rabbit@a", "rabbit@b", 0},
           {"rabbit@a", "rabbit@c", 1},
           {"rabbit@b", "rabbit@a", 0},
           {"rabbit@b", "rabbit@c", 1},
           {"rabbit@c", "rabbit@a", 1},
           {"rabbit@c", "rabbit@b", 1},
       }) {
    EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", node, peer, split))) << text;
    EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_peer_running", node, peer, 1 - split))) << text;
  }
  EXPECT_FALSE(absl::StrContains(text, R"(node="rabbit@a",peer="rabbit@a")")) << "a node's view of itself is no series";
}

TEST(NodeViews, AMemberWithoutAViewMayBeDownNotSplit) {
  const std::vector<NodeView> views = {
      View("rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}}),
      View("rabbit@b", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}}),
  };
  absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeViews(views);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const std::string text = Text(*mapped);
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_peer_running", "rabbit@a", "rabbit@c", 0))) << text;
  EXPECT_FALSE(absl::StrContains(text, R"(rabbitmq_node_split_from{node="rabbit@a",peer="rabbit@c"})")) << text;
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@a", "rabbit@b", 0))) << text;
}

TEST(NodeViews, ANodeThatDoesNotSeeItselfRunningSaysNothing) {
  absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeViews(
      {View("rabbit@a", {{"rabbit@a", false}, {"rabbit@b", true}}), View("rabbit@x", {{"rabbit@b", true}})});
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(Text(*mapped), "");
}

TEST(NodeViews, HostileBodies) {
  EXPECT_FALSE(metrics::ReadNodeView("rabbit@a", "{not json").ok());
  EXPECT_FALSE(metrics::ReadNodeView("rabbit@a", R"({"name":"rabbit@a"})").ok()) << "not a list";
  absl::StatusOr<NodeView> view = metrics::ReadNodeView(
      "rabbit@a", R"([1, {"name":"rabbit@a","running":true}, {"name":"rabbit@b","running":"yes"}, {"running":false},)"
                  R"( {"name":7,"running":false}, {"name":"q\"u\\o\nte\u00e9","running":false}])");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->members.size(), 2u) << "rows without a string name and a boolean running are left out";
  absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeViews({*view, View("q\"u\\o\nte\xc3\xa9", {})});
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_TRUE(absl::StrContains(Text(*mapped), R"(rabbitmq_node_peer_running{node="rabbit@a",peer="q\"u\\o\nteé"} 0)"))
      << Text(*mapped);
}

// Three fake nodes: a (the target), b and c, each its own management API on 127.0.0.1.
class NodeViewsPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}});
    SetNode(b_, "rabbit@b", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}});
    SetNode(c_, "rabbit@c", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}});
  }
  // The node's overview (its name; the target's also lists every node's listener) and its view.
  void SetNode(FakeBroker& broker, const std::string& node, const std::vector<std::pair<std::string, bool>>& view,
               const std::string& listeners = "") {
    broker.Set("/api/overview", {.body = absl::StrCat(R"({"node":")", node, R"(","listeners":[)", listeners, "]}")});
    std::vector<std::string> rows;
    rows.reserve(view.size());
    for (const auto& [member, running] : view) {
      rows.push_back(absl::StrCat(R"({"name":")", member, R"(","running":)", running ? "true" : "false", "}"));
    }
    broker.Set("/api/nodes", {.body = absl::StrCat("[", absl::StrJoin(rows, ","), "]")});
  }
  static std::string Listener(const std::string& node, int port) {
    return absl::StrCat(R"({"node":")", node, R"(","protocol":"http","ip_address":"::","port":)", port,
                        R"(,"socket_opts":{"ip":"127.0.0.1","port":)", port, "}}");
  }
  std::string AllListeners() const {
    return absl::StrJoin(
        {Listener("rabbit@a", a_.port()), Listener("rabbit@b", b_.port()), Listener("rabbit@c", c_.port())}, ",");
  }
  // A fetch after the nodes plan listed `nodes` (kNodes' keys: name, running, mem_limit).
  FetchResult Fetch(NodeViewsPlan& plan, std::vector<metrics::LabelValues> nodes) {
    auto keys = std::make_shared<const std::vector<metrics::LabelValues>>(std::move(nodes));
    auto keys_of = [keys](absl::string_view endpoint) { return endpoint == metrics::kNodes.name ? keys : nullptr; };
    return plan.Fetch({.broker = {.node = "rabbit@a"}, .deadline = absl::Now() + absl::Seconds(5), .keys_of = keys_of});
  }
  static std::string SelfText(const NodeViewsPlan& plan) {
    std::string out;
    for (const metrics::FamilyText& family : metrics::SerializeFamilies(plan.SelfMetrics())) out += family.text;
    return out;
  }
  static std::vector<metrics::LabelValues> Listed(bool c_running) {
    return {{"rabbit@a", "true", "1"}, {"rabbit@b", "true", "1"}, {"rabbit@c", c_running ? "true" : "false", "1"}};
  }

  FakeBroker a_, b_, c_;
  RabbitClient client_{ClientOptions{.url = *ParseBrokerUrl(a_.url()), .user = "u", .password = "p"}};
};

TEST_F(NodeViewsPlanTest, ASingleNodeAsksNothing) {
  NodeViewsPlan plan(&client_, absl::Minutes(1));
  const FetchResult result = Fetch(plan, {{"rabbit@a", "true", "1"}});
  EXPECT_TRUE(result.stand_down);
  EXPECT_EQ(result.requests, 0u);
  EXPECT_EQ(a_.Requests("/api/nodes") + a_.Requests("/api/overview"), 0);
  EXPECT_EQ(SelfText(plan), "");
}

TEST_F(NodeViewsPlanTest, EveryMemberIsAskedThroughItsOwnListenerWithTheTargetsCredentials) {
  SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}}, AllListeners());
  NodeViewsPlan plan(&client_, absl::Minutes(1));
  const FetchResult result = Fetch(plan, Listed(true));
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_TRUE(result.partial_error.ok()) << result.partial_error;
  EXPECT_EQ(result.requests, 7u) << "the listeners, then each node's identity and view";
  for (FakeBroker* node : {&b_, &c_}) {
    EXPECT_EQ(node->Requests("/api/nodes"), 1);
    EXPECT_EQ(node->LastQuery("/api/nodes"), "columns=name,running");
    EXPECT_EQ(node->LastAuthorization(), "Basic dTpw") << "the target's credentials";
  }
  const std::string text = Text(*result.mapped);
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@c", "rabbit@a", 0))) << text;
  EXPECT_FALSE(absl::StrContains(text, "rabbitmq_node_split_from{node=\"rabbit@a\",peer=\"rabbit@c\"} 1")) << text;
  const std::string self = SelfText(plan);
  for (const char* node : {"rabbit@a", "rabbit@b", "rabbit@c"}) {
    EXPECT_TRUE(absl::StrContains(self, absl::StrCat(R"(warren_node_view_up{node=")", node, R"(",reason="ok"} 1)")))
        << self;
  }
}

TEST_F(NodeViewsPlanTest, ASplitShowsOnBothSidesAndTheCutOffNodeKeepsItsUrl) {
  SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}}, AllListeners());
  NodeViewsPlan plan(&client_, absl::Minutes(1));
  ASSERT_TRUE(Fetch(plan, Listed(true)).partial_error.ok());
  // The split: a and b see c down, c sees them down, and a's overview no longer lists c's listener.
  SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}},
          absl::StrCat(Listener("rabbit@a", a_.port()), ",", Listener("rabbit@b", b_.port())));
  SetNode(b_, "rabbit@b", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}});
  SetNode(c_, "rabbit@c", {{"rabbit@a", false}, {"rabbit@b", false}, {"rabbit@c", true}});
  const FetchResult result = Fetch(plan, Listed(false));
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_TRUE(result.partial_error.ok()) << result.partial_error;
  EXPECT_EQ(c_.Requests("/api/nodes"), 2) << "asked at the URL learnt before the split";
  const std::string text = Text(*result.mapped);
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@a", "rabbit@c", 1))) << text;
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@c", "rabbit@a", 1))) << text;
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@c", "rabbit@b", 1))) << text;
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_split_from", "rabbit@a", "rabbit@b", 0))) << text;
}

TEST_F(NodeViewsPlanTest, ADownNodeIsNoSplitAndNoFailure) {
  const int gone_port = [] {
    FakeBroker gone;
    return gone.port();
  }();
  SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}},
          absl::StrCat(Listener("rabbit@a", a_.port()), ",", Listener("rabbit@b", b_.port()), ",",
                       Listener("rabbit@c", gone_port)));
  SetNode(b_, "rabbit@b", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", false}});
  NodeViewsPlan plan(&client_, absl::Minutes(1));
  const FetchResult result = Fetch(plan, Listed(false));
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_TRUE(result.partial_error.ok()) << "the target sees c down: its silence is expected";
  const std::string text = Text(*result.mapped);
  EXPECT_TRUE(absl::StrContains(text, Sample("rabbitmq_node_peer_running", "rabbit@a", "rabbit@c", 0))) << text;
  EXPECT_FALSE(absl::StrContains(text, R"(split_from{node="rabbit@a",peer="rabbit@c"})")) << text;
  EXPECT_TRUE(absl::StrContains(SelfText(plan), R"(warren_node_view_up{node="rabbit@c",reason="unreachable"} 0)"))
      << SelfText(plan);

  // The same silence from a node the target sees running is a failure.
  const FetchResult running = Fetch(plan, Listed(true));
  EXPECT_FALSE(running.partial_error.ok());
  EXPECT_TRUE(absl::StrContains(running.partial_error.message(), "rabbit@c")) << running.partial_error;
}

TEST_F(NodeViewsPlanTest, AnotherNodeAnsweringIsNotTaken) {
  SetNode(a_, "rabbit@a", {{"rabbit@a", true}, {"rabbit@b", true}, {"rabbit@c", true}}, AllListeners());
  SetNode(b_, "rabbit@imposter", {{"rabbit@a", false}, {"rabbit@b", true}, {"rabbit@c", true}});
  NodeViewsPlan plan(&client_, absl::Minutes(1));
  const FetchResult result = Fetch(plan, Listed(true));
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_FALSE(result.partial_error.ok());
  EXPECT_EQ(b_.Requests("/api/nodes"), 0) << "the view is asked only of the right node";
  EXPECT_FALSE(absl::StrContains(Text(*result.mapped), R"(node="rabbit@b")")) << Text(*result.mapped);
  EXPECT_TRUE(absl::StrContains(SelfText(plan), R"(warren_node_view_up{node="rabbit@b",reason="wrong_node"} 0)"))
      << SelfText(plan);
}

}  // namespace
}  // namespace warren
