// Node resources from the plugin where /api/nodes lacks them: reading the plugin's node families
// and the cluster's alarms, mapping them as /api/nodes would, and the plan that asks for them
// only when the nodes' rows have no figures.
#include "metrics/node_resources.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "exporter/scrape/node_resources_plan.h"
#include "gtest/gtest.h"
#include "metrics/exposition.h"
#include "metrics/tables.h"
#include "tests/fake_broker.h"

namespace warren {
namespace {

using testing::FakeBroker;

// As RabbitMQ 3.10.8's plugin answered kNodeResourcesRequest (10,000 queues, 2026-12-03), with
// this test's node name.
std::string NodeFamilies(const std::string& node) {
  return absl::StrCat(R"(# TYPE rabbitmq_detailed_process_open_fds gauge
# HELP rabbitmq_detailed_process_open_fds Open file descriptors
rabbitmq_detailed_process_open_fds 61
rabbitmq_detailed_process_open_tcp_sockets 20
rabbitmq_detailed_process_resident_memory_bytes 666783744
rabbitmq_detailed_disk_space_available_bytes 79540518912
rabbitmq_detailed_erlang_processes_used 20592
rabbitmq_detailed_erlang_gc_runs_total 416211
rabbitmq_detailed_erlang_gc_reclaimed_bytes_total 3787248448
rabbitmq_detailed_erlang_scheduler_context_switches_total 2593183
rabbitmq_detailed_process_max_fds 20000
rabbitmq_detailed_process_max_tcp_sockets 17910
rabbitmq_detailed_resident_memory_limit_bytes 10110389452
rabbitmq_detailed_disk_space_available_limit_bytes 50000000
rabbitmq_detailed_erlang_processes_limit 1048576
rabbitmq_detailed_erlang_scheduler_run_queue 1
rabbitmq_detailed_erlang_net_ticktime_seconds 60
rabbitmq_detailed_erlang_uptime_seconds 48.62
rabbitmq_build_info{rabbitmq_version="3.10.8",prometheus_plugin_version="3.10.8",prometheus_client_version="4.9.1",erlang_version="25.2.3"} 1
rabbitmq_identity_info{rabbitmq_node=")",
                      node, R"(",rabbitmq_cluster="c",rabbitmq_cluster_permanent_id="rabbitmq-cluster-id-x"} 1
telemetry_scrape_duration_seconds_count{registry="detailed",content_type="text/plain; version=0.0.4"} 3
)");
}

// The same figures as /api/nodes gives them with the statistics on.
constexpr char kNodesJson[] =
    R"([{"name":"rabbit@a","running":true,"mem_used":666783744,"mem_limit":10110389452,"mem_alarm":false,)"
    R"("disk_free":79540518912,"disk_free_limit":50000000,"disk_free_alarm":true,"fd_used":61,"fd_total":20000,)"
    R"("sockets_used":20,"sockets_total":17910,"proc_used":20592,"proc_total":1048576,"run_queue":1,)"
    R"("uptime":48620,"partitions":[]}])";

std::string Text(const metrics::Mapped& mapped) {
  std::vector<const metrics::FamilyText*> chunks;
  for (const metrics::FamilyText& family : mapped.families) chunks.push_back(&family);
  std::vector<std::string> duplicates;
  return metrics::Assemble(chunks, &duplicates);
}

TEST(NodeFigures, ReadsEveryFigureAndTheIdentity) {
  const metrics::NodeFigures figures = metrics::ReadNodeFigures(NodeFamilies("rabbit@a"));
  EXPECT_EQ(figures.node, "rabbit@a");
  EXPECT_EQ(figures.invalid, 0u);
  EXPECT_EQ(figures.fields.size(), metrics::PluginNodeFields().size());
  auto value = [&](absl::string_view field) {
    for (const auto& [name, v] : figures.fields) {
      if (field == name) return v;
    }
    return -1.0;
  };
  EXPECT_EQ(value("mem_used"), 666783744);
  EXPECT_EQ(value("disk_free"), 79540518912);
  EXPECT_EQ(value("uptime"), 48620) << "milliseconds, as /api/nodes has it";
}

TEST(NodeFigures, BadAndRepeatedSamplesAreDroppedAndCounted) {
  const metrics::NodeFigures figures = metrics::ReadNodeFigures(
      "rabbitmq_detailed_process_open_fds NaN\r\n"
      "rabbitmq_detailed_process_max_fds -1\n"
      "rabbitmq_detailed_process_resident_memory_bytes 1\n"
      "rabbitmq_detailed_process_resident_memory_bytes 2\n"
      "rabbitmq_detailed_process_resident_memory_bytes 3\n"
      "rabbitmq_detailed_erlang_processes_used\n"
      "rabbitmq_detailed_disk_space_available_bytes 7\r\n"
      "rabbitmq_detailed_erlang_gc_runs_total 9\n");
  ASSERT_EQ(figures.fields.size(), 1u);
  EXPECT_EQ(figures.fields[0].first, std::string("disk_free"));
  EXPECT_EQ(figures.fields[0].second, 7);
  EXPECT_EQ(figures.invalid, 5u) << "NaN, -1, the two that disagree, the line without a value";
  EXPECT_EQ(figures.node, "");
}

TEST(NodeFigures, EveryFigureIsAResourceFieldOfTheNodesTable) {
  std::vector<std::string> expected;
  for (const char* field : metrics::PluginNodeFields()) expected.emplace_back(field);
  expected.emplace_back("mem_alarm");  // from the cluster's alarms
  expected.emplace_back("disk_free_alarm");
  std::vector<std::string> fields;
  for (const metrics::Field& field : metrics::kNodeResources.fields) {
    fields.emplace_back(field.path);
    bool in_nodes = false;
    for (const metrics::Field& node_field : metrics::kNodes.fields) in_nodes |= &node_field == &field;
    EXPECT_TRUE(in_nodes) << field.path << ": the same entry as the nodes table's";
  }
  std::sort(expected.begin(), expected.end());
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, expected);
}

TEST(ClusterAlarms, ReadsTheRecordedShapes) {
  const absl::StatusOr<metrics::ClusterAlarms> none = metrics::ReadClusterAlarms(R"({"status":"ok"})");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->memory.empty() && none->disk.empty());
  // tests/fixtures/health_alarms--alarms.json, as 3.10.8 answers with both alarms set.
  const absl::StatusOr<metrics::ClusterAlarms> both = metrics::ReadClusterAlarms(
      R"({"alarms":[{"node":"rabbit1@localhost","resource":"disk space"},{"node":"rabbit1@localhost",)"
      R"("resource":"memory"},{"node":"rabbit2@localhost","resource":"file descriptors"}],)"
      R"("reason":"There are alarms in effect in the cluster","status":"failed"})");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_TRUE(both->memory.contains("rabbit1@localhost"));
  EXPECT_TRUE(both->disk.contains("rabbit1@localhost"));
  EXPECT_FALSE(both->memory.contains("rabbit2@localhost"));
  EXPECT_FALSE(metrics::ReadClusterAlarms(R"({"status":"failed","reason":"x"})").ok()) << "no list: unknown";
  EXPECT_FALSE(metrics::ReadClusterAlarms("<html>").ok());
  EXPECT_FALSE(metrics::ReadClusterAlarms(R"({"status":1})").ok());
}

// The point of mapping the plugin's figures with the nodes table: the same series, byte for byte.
TEST(NodeResources, MapAsTheNodesTableMapsTheManagementApi) {
  const metrics::NodeFigures figures = metrics::ReadNodeFigures(NodeFamilies("rabbit@a"));
  metrics::ClusterAlarms alarms;
  alarms.disk.insert("rabbit@a");
  const absl::StatusOr<metrics::Mapped> from_plugin =
      metrics::MapNodeResources({{.node = "rabbit@a", .figures = &figures, .alarms = &alarms}});
  ASSERT_TRUE(from_plugin.ok()) << from_plugin.status();

  const absl::StatusOr<metrics::Mapped> from_api = metrics::Mapper(metrics::kNodes).Map(kNodesJson);
  ASSERT_TRUE(from_api.ok()) << from_api.status();
  metrics::Mapped resources_only;
  for (const metrics::FamilyText& family : from_api->families) {
    for (const metrics::Field& field : metrics::kNodeResources.fields) {
      if (family.name == field.name) resources_only.families.push_back(family);
    }
  }
  EXPECT_EQ(resources_only.families.size(), metrics::kNodeResources.fields.size());
  EXPECT_EQ(Text(*from_plugin), Text(resources_only));
}

TEST(NodeResources, NothingKnownIsNoSeriesNeverZero) {
  const metrics::NodeFigures figures = metrics::ReadNodeFigures(NodeFamilies("rabbit@a"));
  metrics::ClusterAlarms alarms;
  const absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeResources(
      {{.node = "rabbit@a", .figures = &figures}, {.node = "rabbit@b", .alarms = &alarms}, {.node = "rabbit@c"}});
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const std::string text = Text(*mapped);
  EXPECT_FALSE(absl::StrContains(text, "rabbit@c")) << text;
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_alarms_memory_used_watermark{node="rabbit@b"} 0)")) << text;
  EXPECT_FALSE(absl::StrContains(text, R"(rabbitmq_process_open_fds{node="rabbit@b"})")) << text;
  EXPECT_FALSE(absl::StrContains(text, R"(rabbitmq_alarms_memory_used_watermark{node="rabbit@a"})"))
      << "alarms unknown: absent";
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_process_open_fds{node="rabbit@a"} 61)")) << text;
}

class NodeResourcesPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_.Set("/metrics/detailed", {.body = NodeFamilies("rabbit@127.0.0.1"), .content_type = "text/plain"});
    management_.Set("/api/health/checks/alarms", {.body = R"({"status":"ok"})"});
  }
  // A fetch after the nodes plan listed `nodes` (kNodes' keys: name, running, mem_limit).
  FetchResult Fetch(NodeResourcesPlan& plan, std::vector<metrics::LabelValues> nodes) {
    auto keys = std::make_shared<const std::vector<metrics::LabelValues>>(std::move(nodes));
    auto keys_of = [keys](absl::string_view endpoint) { return endpoint == metrics::kNodes.name ? keys : nullptr; };
    return plan.Fetch({.broker = {}, .deadline = absl::Now() + absl::Seconds(5), .keys_of = keys_of});
  }
  std::string SelfText(const NodeResourcesPlan& plan) {
    std::string out;
    for (const metrics::FamilyText& family : metrics::SerializeFamilies(plan.SelfMetrics())) out += family.text;
    return out;
  }
  std::string Template() const { return absl::StrCat("http://{host}:", plugin_.port()); }

  FakeBroker management_, plugin_;
  RabbitClient client_{ClientOptions{.url = *ParseBrokerUrl(management_.url()), .user = "u", .password = "p"}};
};

TEST_F(NodeResourcesPlanTest, StatisticsOnAskNothing) {
  NodeResourcesPlan plan({.url_template = Template()}, &client_);
  const FetchResult result = Fetch(plan, {{"rabbit@127.0.0.1", "true", "10110389452"}, {"rabbit@down", "false", ""}});
  EXPECT_TRUE(result.stand_down);
  EXPECT_EQ(result.requests, 0u);
  EXPECT_EQ(plugin_.Requests("/metrics/detailed") + management_.Requests("/api/health/checks/alarms"), 0);
  EXPECT_EQ(SelfText(plan), "") << "no node lacks its figures: no self-metric either";
}

TEST_F(NodeResourcesPlanTest, StatisticsOffTakeEachRunningNodesFiguresFromItsPlugin) {
  management_.Set(
      "/api/health/checks/alarms",
      {.status = 503,
       .body = R"({"status":"failed","reason":"r","alarms":[{"node":"rabbit@127.0.0.1","resource":"memory"}]})"});
  NodeResourcesPlan plan({.url_template = Template()}, &client_);
  const FetchResult result = Fetch(plan, {{"rabbit@127.0.0.1", "true", ""}, {"rabbit@down", "false", ""}});
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_TRUE(result.partial_error.ok()) << result.partial_error;
  EXPECT_EQ(result.requests, 2u) << "the running node's plugin and the alarms; never the stopped node";
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 1);
  EXPECT_EQ(plugin_.LastQuery("/metrics/detailed"), "family=node_coarse_metrics&family=node_metrics");
  EXPECT_EQ(plugin_.LastAuthorization(), "") << "no credentials for the plugin";
  const std::string text = Text(*result.mapped);
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_process_resident_memory_bytes{node="rabbit@127.0.0.1"} 666783744)"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_alarms_memory_used_watermark{node="rabbit@127.0.0.1"} 1)")) << text;
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_alarms_free_disk_space_watermark{node="rabbit@127.0.0.1"} 0)"))
      << text;
  EXPECT_FALSE(absl::StrContains(text, "rabbit@down")) << text;
  const std::string self = SelfText(plan);
  EXPECT_TRUE(absl::StrContains(self, R"(warren_node_resources_from_plugin{node="rabbit@127.0.0.1",reason="ok"} 1)"))
      << self;
  EXPECT_TRUE(absl::StrContains(self, "warren_node_resources_missing 0")) << self;
}

TEST_F(NodeResourcesPlanTest, ANodeWhosePluginFailsHasNoFiguresAndWaitsForItsRetry) {
  plugin_.Set("/metrics/detailed", {.body = NodeFamilies("rabbit@elsewhere"), .content_type = "text/plain"});
  NodeResourcesPlan plan({.url_template = Template(), .retry_interval = absl::Hours(1)}, &client_);
  const FetchResult first = Fetch(plan, {{"rabbit@127.0.0.1", "true", ""}});
  ASSERT_TRUE(first.mapped.ok()) << first.mapped.status();
  EXPECT_FALSE(first.partial_error.ok()) << "a node's figures missing is the endpoint's failure";
  EXPECT_TRUE(absl::StrContains(first.partial_error.message(), "rabbit@127.0.0.1")) << first.partial_error;
  const std::string text = Text(*first.mapped);
  EXPECT_FALSE(absl::StrContains(text, "rabbitmq_process_open_fds")) << "another node's figures, never this one's";
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_alarms_memory_used_watermark{node="rabbit@127.0.0.1"} 0)"))
      << "the alarms are the cluster's: still known";
  std::string self = SelfText(plan);
  EXPECT_TRUE(
      absl::StrContains(self, R"(warren_node_resources_from_plugin{node="rabbit@127.0.0.1",reason="wrong_node"} 0)"))
      << self;
  EXPECT_TRUE(absl::StrContains(self, "warren_node_resources_missing 1")) << self;

  const FetchResult second = Fetch(plan, {{"rabbit@127.0.0.1", "true", ""}});
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 1) << "not asked again before its retry";
  EXPECT_EQ(second.requests, 1u) << "the alarms only";
  EXPECT_FALSE(second.partial_error.ok());
}

TEST_F(NodeResourcesPlanTest, PluginOffLeavesTheFiguresAbsentAndSaysSo) {
  NodeResourcesPlan plan({}, &client_);
  const FetchResult result = Fetch(plan, {{"rabbit@127.0.0.1", "true", ""}});
  ASSERT_TRUE(result.mapped.ok()) << result.mapped.status();
  EXPECT_EQ(plugin_.Requests("/metrics/detailed"), 0);
  EXPECT_FALSE(absl::StrContains(Text(*result.mapped), "rabbitmq_process_open_fds"));
  const std::string self = SelfText(plan);
  EXPECT_TRUE(
      absl::StrContains(self, R"(warren_node_resources_from_plugin{node="rabbit@127.0.0.1",reason="plugin_off"} 0)"))
      << self;
  EXPECT_TRUE(absl::StrContains(self, "warren_node_resources_missing 1")) << self;
}

}  // namespace
}  // namespace warren
