// warren against a 3-node RabbitMQ 4.3 cluster from a root file system (ctest fixture
// live_cluster_43): the release whose /api/nodes `partitions` is always [] (not exported). A node
// cut off by its Erlang cookie is seen only through the nodes' own views; reconnected, the cluster
// heals by itself (seen: no restart needed, unlike 3.10). A paused VM (SIGSTOP) is no lasting
// partition here: the nodes reconnect when it resumes.
#include <iostream>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/live/live_harness.h"
#include "tests/test_util.h"

namespace warren {
namespace {

using live::Absent;
using live::AwaitAll;
using live::Eq;
using live::Series;
using live::Want;

constexpr int kNodes = 3;

TEST(ReleaseCluster, CutOffNodeIsSeenThroughTheViewsAndHealsByItself) {
  live::LogCapture logs;
  const absl::Cleanup show_log = [&logs] {
    if (::testing::Test::HasFailure()) std::cerr << "warren's log:\n" << logs.Logs();
  };
  const std::vector<std::string> urls = live::RequiredEnvList("WARREN_CLUSTER_MGMT_URLS", kNodes);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<std::string> names;
  for (const std::string& url : urls) {
    rapidjson::Document overview;
    const std::string body = live::Admin(url).Get("/api/overview?columns=node,rabbitmq_version");
    overview.Parse(body.c_str());
    ASSERT_TRUE(overview.IsObject() && overview.HasMember("node") && overview["node"].IsString()) << body;
    ASSERT_TRUE(absl::StartsWith(overview["rabbitmq_version"].GetString(), "4.3.")) << body;
    names.emplace_back(overview["node"].GetString());
  }
  auto split_from = [&](int i, int k) {
    return Series("rabbitmq_node_split_from", {{"node", names[i]}, {"peer", names[k]}});
  };
  auto whole = [&] {
    std::vector<Want> wants = {Eq("rabbitmq_up", 1)};
    for (int i = 0; i < kNodes; ++i) {
      wants.push_back(Eq(Series("rabbitmq_node_running", {{"node", names[i]}}), 1));
      wants.push_back(Absent(Series("rabbitmq_node_partitions", {{"node", names[i]}})));  // a constant on 4.3
      wants.push_back(Eq(Series("warren_node_view_up", {{"node", names[i]}, {"reason", "ok"}}), 1));
      for (int k = 0; k < kNodes; ++k) {
        if (k != i) wants.push_back(Eq(split_from(i, k), 0));
      }
    }
    return wants;
  };
  live::InProcessWarren warren(live::InProcessWarren::Options{
      .mgmt_url = urls[0], .min_interval = absl::Seconds(1), .health_interval = absl::Seconds(2)});
  ASSERT_TRUE(warren.started());
  AwaitAll(warren, whole(), absl::Seconds(60), "the whole 4.3 cluster, each node's view");

  const std::vector<std::string> others = {names[0], names[1]};
  const absl::Cleanup reconnect = [&others] { live::Reconnect(3, others); };
  ASSERT_EQ(live::CutOff(3, others), 0);
  const std::string text =
      AwaitAll(warren,
               {Eq(split_from(2, 0), 1), Eq(split_from(2, 1), 1), Eq(split_from(0, 2), 1), Eq(split_from(1, 2), 1),
                Eq(split_from(0, 1), 0), Eq(Series("rabbitmq_node_running", {{"node", names[2]}}), 0)},
               absl::Seconds(60), "node 3 cut off, seen in the views");
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_node_partitioned_from"), 0);

  ASSERT_EQ(live::Reconnect(3, others), 0);
  AwaitAll(warren, whole(), absl::Seconds(90), "node 3 reconnected: healed without a restart");
}

}  // namespace
}  // namespace warren
