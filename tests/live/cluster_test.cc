// warren against a real 3-node RabbitMQ cluster (node 3 a RAM node) started by the ctest fixture
// live_cluster (see CMakeLists.txt) with net_ticktime = 10. Mirrored, quorum and stream queues;
// nodes stopped and restarted; a partition made by pausing one node's VM, another by cutting one
// node off with another Erlang cookie. Tests run in file order and each starts from the state the
// previous one left: run the binary as a whole.
#include <signal.h>

#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/live/live_harness.h"
#include "tests/test_util.h"

namespace warren {
namespace {

using live::Absent;
using live::AbsentOrZero;
using live::AwaitAll;
using live::Eq;
using live::Ge;
using live::Rabbit;
using live::Series;
using live::Want;
using testing::SampleValue;

constexpr int kNodes = 3;

// The node's name from its own management API ("" if it does not answer).
std::string NodeName(live::Admin& admin) {
  const std::string body = admin.Get("/api/overview?columns=node");
  const std::string key = R"("node":")";
  const size_t at = body.find(key);
  if (at == std::string::npos) return "";
  const size_t end = body.find('"', at + key.size());
  return end == std::string::npos ? "" : body.substr(at + key.size(), end - at - key.size());
}

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = std::make_unique<live::LogCapture>();  // warren's log, shown only if the test fails
    urls_ = live::RequiredEnvList("WARREN_CLUSTER_MGMT_URLS", kNodes);
    ASSERT_FALSE(::testing::Test::HasFailure());
    for (const std::string& url : urls_) admins_.push_back(std::make_unique<live::Admin>(url));
    if (names_.empty()) {  // learnt once, while every node runs (the first test)
      for (auto& admin : admins_) names_.push_back(NodeName(*admin));
    }
    for (const std::string& name : names_) ASSERT_FALSE(name.empty()) << "a node's /api/overview did not answer";
    warren_ = Warren(0);
    plugin_warren_ = PluginWarren();
  }

  // warren through node 1 with queue depth from every node's plugin, found in the overview's
  // listeners (no plugin flag: each node's own 127.0.0.1 port), queues listed only when the
  // plugins' report changes.
  std::unique_ptr<live::InProcessWarren> PluginWarren() {
    return std::make_unique<live::InProcessWarren>(live::InProcessWarren::Options{
        .mgmt_url = urls_[0],
        .min_interval = absl::Seconds(1),
        .health_interval = absl::Seconds(2),
        .plugin_depth = {.discover = true, .listing_interval = absl::Hours(1), .retry_interval = absl::Seconds(3)}});
  }
  std::string Missing(int i) { return Series("warren_queue_depth_missing", {{"node", Node(i)}}); }

  // warren scraping the management API of node i (0-based), health checks every 2 s.
  std::unique_ptr<live::InProcessWarren> Warren(int i) {
    return std::make_unique<live::InProcessWarren>(live::InProcessWarren::Options{
        .mgmt_url = urls_[i], .min_interval = absl::Seconds(1), .health_interval = absl::Seconds(2)});
  }

  const std::string& Node(int i) { return names_[i]; }
  static std::string Q(const char* name, const std::string& queue) {
    return Series(name, {{"vhost", "/"}, {"queue", queue}});
  }
  static std::string QueueState(const std::string& queue, const char* state) {
    return Series("rabbitmq_queue_state", {{"vhost", "/"}, {"queue", queue}, {"state", state}});
  }
  std::string Leader(const std::string& queue, int i) {
    return Series("rabbitmq_queue_leader", {{"vhost", "/"}, {"queue", queue}, {"node", Node(i)}});
  }
  std::string NodeSeries(const char* name, int i) { return Series(name, {{"node", Node(i)}}); }
  std::string PartitionedFrom(int i, int peer) {
    return Series("rabbitmq_node_partitioned_from", {{"node", Node(i)}, {"peer", Node(peer)}});
  }
  static std::string Health(const char* check) { return Series("rabbitmq_health_check_up", {{"check", check}}); }
  // Node i's own view of peer k (0-based): 1 if it sees k down while k answers that it runs.
  std::string SplitFrom(int i, int k) {
    return Series("rabbitmq_node_split_from", {{"node", Node(i)}, {"peer", Node(k)}});
  }
  // Every pair's split_from: `value` (or, with `or_absent`, absent or 0).
  std::vector<Want> NoSplit(bool or_absent) {
    std::vector<Want> wants;
    for (int i = 0; i < kNodes; ++i) {
      for (int k = 0; k < kNodes; ++k) {
        if (k != i) wants.push_back(or_absent ? AbsentOrZero(SplitFrom(i, k)) : Eq(SplitFrom(i, k), 0));
      }
    }
    return wants;
  }

  // Nodes (0-based) that node i's exposition shows it partitioned from.
  std::set<int> PartitionPeers(const std::string& text, int i) {
    std::set<int> peers;
    for (int k = 0; k < kNodes; ++k) {
      if (k != i && SampleValue(text, PartitionedFrom(i, k)) == 1) peers.insert(k);
    }
    return peers;
  }

  void TearDown() override {
    warren_.reset();
    plugin_warren_.reset();
    if (HasFailure()) {
      std::cerr << "warren's log:\n" << logs_->Logs();
      BrokerStatsProcesses();
    }
    logs_.reset();
  }

  // Where each node's statistics processes are: seen in CI (3.10.8, 2 cores), a restarted node's
  // figures absent from /api/nodes for 90 s and its plugin's memory limit stale for 60 s, as if its
  // rabbit_mgmt_external_stats (which refreshes both) were stuck in a call.
  static void BrokerStatsProcesses() {
    for (int i = 1; i <= kNodes; ++i) {
      Rabbit(absl::StrCat(
          "ctl ", i,
          " eval '[{P, catch erlang:process_info(whereis(P), [current_stacktrace, message_queue_len, status])}"
          " || P <- [rabbit_mgmt_external_stats, rabbit_node_monitor]].'"));
    }
  }

  std::vector<std::string> urls_;
  std::vector<std::unique_ptr<live::Admin>> admins_;
  std::unique_ptr<live::LogCapture> logs_;
  std::unique_ptr<live::InProcessWarren> warren_;         // through node 1
  std::unique_ptr<live::InProcessWarren> plugin_warren_;  // the same with plugin depth
  static std::vector<std::string> names_;
};

std::vector<std::string> Cluster::names_;

const std::string kHaAll = "ha.all", kHaTwo = "ha.two", kOn2 = "classic.on2", kQuorum = "qq", kStream = "stream.s";

TEST_F(Cluster, ShowsNodeTypesMirrorsAndQuorumMembers) {
  live::Admin& n1 = *admins_[0];
  for (const std::string& queue : {kHaAll, kHaTwo, kOn2, kQuorum, kStream}) n1.Delete("/api/queues/%2F/" + queue);
  n1.Put(
      "/api/policies/%2F/ha-all",
      R"({"pattern":"^ha\\.all$","definition":{"ha-mode":"all","ha-sync-mode":"automatic"},"apply-to":"queues","priority":0})");
  n1.Put("/api/queues/%2F/" + kHaAll, R"({"durable":true})");
  // ha.two: its 4 messages are in it before a policy mirrors it, so its mirror joins
  // unsynchronised and, with manual sync, stays so. The first definition only marks the queue.
  n1.Put("/api/policies/%2F/ha-two",
         R"({"pattern":"^ha\\.two$","definition":{"max-length":1000000},"apply-to":"queues","priority":1})");
  n1.Put("/api/queues/%2F/" + kHaTwo, R"({"durable":true})");
  n1.Publish(kHaTwo, 4, /*persistent=*/true);
  n1.Put(
      "/api/policies/%2F/ha-two",
      R"({"pattern":"^ha\\.two$","definition":{"ha-mode":"exactly","ha-params":2,"ha-sync-mode":"manual"},"apply-to":"queues","priority":1})");
  admins_[1]->Put("/api/queues/%2F/" + kOn2, R"({"durable":true})");  // declared through node 2: lives there
  n1.Put("/api/queues/%2F/" + kQuorum, R"({"durable":true,"arguments":{"x-queue-type":"quorum"}})");
  n1.Put("/api/queues/%2F/" + kStream, R"({"durable":true,"arguments":{"x-queue-type":"stream"}})");

  std::vector<Want> wants = {
      Eq("rabbitmq_up", 1),
      Eq(Series("rabbitmq_node_info", {{"node", Node(0)}, {"type", "disc"}}), 1),
      Eq(Series("rabbitmq_node_info", {{"node", Node(1)}, {"type", "disc"}}), 1),
      Eq(Series("rabbitmq_node_info", {{"node", Node(2)}, {"type", "ram"}}), 1),
      Eq(Q("rabbitmq_queue_mirrors", kHaAll), 2),
      Eq(Q("rabbitmq_queue_mirrors_expected", kHaAll), 2),
      Eq(Q("rabbitmq_queue_mirrors_synchronised", kHaAll), 2),
      Eq(Series("rabbitmq_queue_info", {{"vhost", "/"}, {"queue", kHaAll}, {"type", "classic"}, {"policy", "ha-all"}}),
         1),
      Eq(Q("rabbitmq_queue_mirrors", kHaTwo), 1),
      Eq(Q("rabbitmq_queue_mirrors_expected", kHaTwo), 1),
      Eq(Q("rabbitmq_queue_mirrors_synchronised", kHaTwo), 0),
      Eq(Q("rabbitmq_queue_messages", kHaTwo), 4),
      Eq(Leader(kOn2, 1), 1),
      Eq(QueueState(kOn2, "running"), 1),
      Absent(Q("rabbitmq_queue_mirrors", kOn2)),
      Absent(Q("rabbitmq_queue_mirrors_expected", kOn2)),
      Absent(Q("rabbitmq_queue_mirrors_expected", kQuorum)),
      Eq(Q("rabbitmq_queue_members", kQuorum), 3),
      Eq(Q("rabbitmq_queue_members_online", kQuorum), 3),
      Eq(Q("rabbitmq_queue_below_majority", kQuorum), 0),
      Eq(Leader(kQuorum, 0), 1),  // declared through node 1: client-local leader
      Eq(Series("rabbitmq_queue_info", {{"vhost", "/"}, {"queue", kStream}, {"type", "stream"}, {"policy", ""}}), 1),
      Eq(QueueState(kStream, "running"), 1),
      // node 1 holds ha.two's only synchronised copy; it is not critical for the quorum queue
      Eq(Health("node_is_mirror_sync_critical"), 0),
      Eq(Health("node_is_quorum_critical"), 1),
  };
  for (int i = 0; i < kNodes; ++i) {
    wants.push_back(Eq(NodeSeries("rabbitmq_node_running", i), 1));
    wants.push_back(Eq(NodeSeries("rabbitmq_node_partitions", i), 0));
    // each node asked for its own view, through its own listener (found in node 1's overview)
    wants.push_back(Eq(Series("warren_node_view_up", {{"node", Node(i)}, {"reason", "ok"}}), 1));
  }
  for (const Want& want : NoSplit(false)) wants.push_back(want);
  const std::string text = AwaitAll(*warren_, wants, absl::Seconds(60), "healthy cluster");
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_node_partitioned_from"), 0);
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_node_running"), kNodes);

  // Plugin depth: every queue's depth from its host node, the stream's too (the totals listing
  // has none), nothing missing, and the rest of the queue series as above.
  AwaitAll(*plugin_warren_,
           {
               Eq(Q("rabbitmq_queue_messages", kHaTwo), 4),
               Eq(Q("rabbitmq_queue_messages_ready", kHaTwo), 4),
               Eq(Q("rabbitmq_queue_messages", kOn2), 0),
               Eq(Q("rabbitmq_queue_messages", kQuorum), 0),
               Ge(Q("rabbitmq_queue_messages", kStream), 0),
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 3),
               Eq(Leader(kOn2, 1), 1),
               Eq(QueueState(kOn2, "live"), 1),
               Eq(Missing(0), 0),
               Eq(Missing(1), 0),
               Eq(Series("warren_scrape_success", {{"endpoint", "queue_depth"}}), 1),
               Eq("warren_queue_depth_from_plugin", 1),
               Eq(Series("warren_plugin_up", {{"node", Node(0)}, {"reason", "ok"}}), 1),
               Eq(Series("warren_plugin_up", {{"node", Node(1)}, {"reason", "ok"}}), 1),
               Eq(Series("warren_plugin_up", {{"node", Node(2)}, {"reason", "ok"}}), 1),
           },
           absl::Seconds(60), "healthy cluster, plugin depth (discovered)");
}

TEST_F(Cluster, StoppedNodeIsNotRunningItsQueueDownQuorumKeepsMajority) {
  // Plugin depth sees the whole cluster first and lists queues only hourly from then on: what it
  // shows after the stop below comes from a listing the stop itself triggered.
  AwaitAll(*plugin_warren_, {Eq(Missing(1), 0), Eq(QueueState(kOn2, "live"), 1)}, absl::Seconds(60),
           "plugin depth before the stop");
  ASSERT_EQ(Rabbit("stop 2"), 0);
  AwaitAll(*warren_,
           {
               Eq("rabbitmq_up", 1),
               Eq(NodeSeries("rabbitmq_node_running", 1), 0),  // a series at 0, not a missing one
               Eq(NodeSeries("rabbitmq_node_running", 0), 1),
               Eq(NodeSeries("rabbitmq_node_running", 2), 1),
               Eq(Series("rabbitmq_node_info", {{"node", Node(1)}, {"type", "disc"}}), 1),
               Eq(QueueState(kOn2, "down"), 1),
               Eq(QueueState(kOn2, "running"), 0),
               Eq(Leader(kOn2, 1), 1),
               // a node that is down still counts: its mirror is missing, not unwanted
               Eq(Q("rabbitmq_queue_mirrors_expected", kHaAll), 2),
               Eq(Q("rabbitmq_queue_members", kQuorum), 3),
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 2),
               Eq(Q("rabbitmq_queue_below_majority", kQuorum), 0),
               Eq(Leader(kQuorum, 0), 1),
               Eq(QueueState(kStream, "running"), 1),
               // losing node 1 as well would take the quorum queue below its majority
               Eq(Health("node_is_quorum_critical"), 0),
           },
           absl::Seconds(40), "node 2 stopped");
  // Plugin depth: node 2's plugin is gone, so the queues are listed again at once (not after the
  // hour): its queue is down and has no depth (never 0), the quorum queue's follower is offline.
  AwaitAll(*plugin_warren_,
           {
               Eq(QueueState(kOn2, "down"), 1),
               Absent(Q("rabbitmq_queue_messages", kOn2)),
               Eq(Missing(1), 1),
               Eq(Missing(0), 0),
               Eq(Q("rabbitmq_queue_messages", kQuorum), 0),
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 2),
               Eq(Q("rabbitmq_queue_messages", kHaTwo), 4),
               // a stopped node is no plugin's failure: the running nodes' plugins still serve
               Eq("warren_queue_depth_from_plugin", 1),
           },
           absl::Seconds(40), "node 2 stopped, plugin depth");
}

TEST_F(Cluster, TwoStoppedNodesPutTheQuorumQueueBelowMajority) {
  ASSERT_EQ(Rabbit("stop 3"), 0);
  AwaitAll(*warren_,
           {
               Eq("rabbitmq_up", 1),  // the last node's management API still answers
               Eq(NodeSeries("rabbitmq_node_running", 0), 1),
               Eq(NodeSeries("rabbitmq_node_running", 1), 0),
               Eq(NodeSeries("rabbitmq_node_running", 2), 0),
               Eq(Series("rabbitmq_node_info", {{"node", Node(2)}, {"type", "ram"}}), 1),
               Eq(QueueState(kOn2, "down"), 1),
               Eq(Q("rabbitmq_queue_members", kQuorum), 3),
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 1),
               Eq(Q("rabbitmq_queue_below_majority", kQuorum), 1),
           },
           absl::Seconds(40), "nodes 2 and 3 stopped");
  AwaitAll(*plugin_warren_,
           {
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 1),
               Eq(Q("rabbitmq_queue_below_majority", kQuorum), 1),
               Absent(Q("rabbitmq_queue_messages", kOn2)),
               Eq(Missing(1), 1),
           },
           absl::Seconds(40), "nodes 2 and 3 stopped, plugin depth");
}

TEST_F(Cluster, RestartedNodesRecover) {
  ASSERT_EQ(Rabbit("start 3"), 0);  // node 1 runs: starts 2 and 3 in parallel
  std::vector<Want> wants = {
      Eq("rabbitmq_up", 1),
      Eq(QueueState(kOn2, "running"), 1),
      Eq(QueueState(kOn2, "down"), 0),
      Eq(Q("rabbitmq_queue_members", kQuorum), 3),
      Eq(Q("rabbitmq_queue_members_online", kQuorum), 3),
      Eq(Q("rabbitmq_queue_below_majority", kQuorum), 0),
      Eq(QueueState(kStream, "running"), 1),
      Eq(Health("node_is_quorum_critical"), 1),
      // No mirror counts here: after mirrors leave and rejoin, the slave_nodes and
      // synchronised_slave_nodes lists of /api/queues?disable_stats=true (warren's source) can
      // stay out of date for minutes (seen with 3.10.8: ha.all 1 synchronised of 2 while the
      // statistics path said 2, ha.two 0 mirrors instead of 1).
  };
  for (int i = 0; i < kNodes; ++i) {
    wants.push_back(Eq(NodeSeries("rabbitmq_node_running", i), 1));
    // A restarted node's figures come with its first statistics, seen in CI more than 90 s late:
    // until then no partition count is right (the broker has not measured it), none but 0 after.
    wants.push_back(i == 0 ? Eq(NodeSeries("rabbitmq_node_partitions", i), 0)
                           : AbsentOrZero(NodeSeries("rabbitmq_node_partitions", i)));
  }
  const std::string text = AwaitAll(*warren_, wants, absl::Seconds(90), "nodes 2 and 3 restarted");
  // the quorum queue may have elected another leader meanwhile, but it has exactly one
  int leaders = 0;
  for (int i = 0; i < kNodes; ++i) leaders += SampleValue(text, Leader(kQuorum, i)) == 1 ? 1 : 0;
  EXPECT_EQ(leaders, 1) << live::Lines(text, "rabbitmq_queue_leader{vhost=\"/\",queue=\"qq\"");
  AwaitAll(*plugin_warren_,
           {
               Eq(Q("rabbitmq_queue_messages", kOn2), 0),
               Eq(QueueState(kOn2, "live"), 1),
               Eq(Q("rabbitmq_queue_members_online", kQuorum), 3),
               Eq(Missing(0), 0),
               Eq(Missing(1), 0),
               AbsentOrZero(Missing(2)),  // a series per node that hosts a queue; node 3 hosts none
               Eq(Series("warren_scrape_success", {{"endpoint", "queue_depth"}}), 1),
           },
           absl::Seconds(60), "nodes 2 and 3 restarted, plugin depth");
}

// Node 2's plugin switched off while the cluster runs: warren falls back to the listing with totals
// (exact depths, the totals' states), names node 2 (refused at once, then not listed once the
// listeners are read again after the retry interval, 3 s here), and takes the depths from the
// plugins again once it is back on.
TEST_F(Cluster, ANodeWhosePluginGoesOffFallsBackThenComesBack) {
  ASSERT_EQ(Rabbit("plugins 2 disable --online rabbitmq_prometheus"), 0);
  const absl::Cleanup back_on = [] { Rabbit("plugins 2 enable --online rabbitmq_prometheus"); };
  AwaitAll(*plugin_warren_,
           {
               Eq("warren_queue_depth_from_plugin", 0),
               Eq(Series("warren_plugin_up", {{"node", Node(1)}, {"reason", "not_listed"}}), 0),
               Eq(Series("warren_plugin_up", {{"node", Node(0)}, {"reason", "ok"}}), 1),
               Eq(Q("rabbitmq_queue_messages", kOn2), 0),
               Eq(Q("rabbitmq_queue_messages", kQuorum), 0),
               Eq(QueueState(kOn2, "running"), 1),  // the listing with totals: states as without the plugin
               Eq("rabbitmq_up", 1),
           },
           absl::Seconds(60), "node 2's plugin off");
  ASSERT_EQ(Rabbit("plugins 2 enable --online rabbitmq_prometheus"), 0);
  AwaitAll(*plugin_warren_,
           {
               Eq("warren_queue_depth_from_plugin", 1),
               Eq(Series("warren_plugin_up", {{"node", Node(1)}, {"reason", "ok"}}), 1),
               Eq(QueueState(kOn2, "live"), 1),
               Eq(Q("rabbitmq_queue_messages", kOn2), 0),
               Eq(Missing(1), 0),
           },
           absl::Seconds(60), "node 2's plugin back on");
}

// The management statistics off on node 1, the node warren asks (RabbitMQ reads the setting at
// each request): its /api/nodes then gives every node's name, type and running only, and each
// node's resources must come from that node's own plugin, with that node's values and alarms.
// The overview lists no listener then, so the plugins are named explicitly (each node's port).
TEST_F(Cluster, StatisticsOffEveryNodesResourcesComeFromItsOwnPlugin) {
  constexpr char kSet[] = "ctl 1 eval 'application:set_env(rabbitmq_management_agent, disable_metrics_collector, %s).'";
  ASSERT_EQ(Rabbit(absl::StrFormat(kSet, "true")), 0);
  const absl::Cleanup stats_on = [&] { Rabbit(absl::StrFormat(kSet, "false")); };
  ASSERT_FALSE(absl::StrContains(admins_[0]->Get("/api/nodes"), "mem_used")) << "node 1's statistics must be off";
  const std::vector<std::string> prom = live::RequiredEnvList("WARREN_CLUSTER_PROM_URLS", kNodes);
  PluginOptions plugins{.retry_interval = absl::Seconds(3)};
  for (int i = 0; i < kNodes; ++i) plugins.urls.emplace_back(Node(i), prom[i]);
  live::InProcessWarren warren(
      live::InProcessWarren::Options{.mgmt_url = urls_[0], .min_interval = absl::Seconds(1), .plugin_depth = plugins});
  ASSERT_TRUE(warren.started());
  auto figures = [&](int memory_alarm_on) {
    std::vector<live::Want> wants = {Eq("warren_node_resources_missing", 0), Eq("warren_queue_depth_from_plugin", 1),
                                     Eq(Q("rabbitmq_queue_messages", kOn2), 0)};
    for (int i = 0; i < kNodes; ++i) {
      wants.push_back(Eq(NodeSeries("rabbitmq_resident_memory_limit_bytes", i),
                         live::StatusFigure(i + 1, "vm_memory_high_watermark_limit")));
      wants.push_back(
          Eq(NodeSeries("rabbitmq_erlang_processes_limit", i), live::StatusFigure(i + 1, "processes.limit")));
      wants.push_back(Ge(NodeSeries("rabbitmq_process_resident_memory_bytes", i), 1));
      wants.push_back(Ge(NodeSeries("rabbitmq_disk_space_available_bytes", i), 1));
      wants.push_back(Ge(NodeSeries("rabbitmq_erlang_uptime_seconds", i), 1));
      wants.push_back(Eq(NodeSeries("rabbitmq_alarms_memory_used_watermark", i), i == memory_alarm_on ? 1 : 0));
      wants.push_back(Eq(NodeSeries("rabbitmq_alarms_free_disk_space_watermark", i), 0));
      wants.push_back(Eq(Series("warren_node_resources_from_plugin", {{"node", Node(i)}, {"reason", "ok"}}), 1));
    }
    return wants;
  };
  AwaitAll(warren, figures(-1), absl::Seconds(60), "every node's figures from its plugin");
  // The alarm on node 1, the one node not restarted by the tests before: a restarted node's plugin
  // was seen in CI keeping its old memory limit for over 60 s (its statistics not refreshed).
  ASSERT_EQ(Rabbit("ctl 1 set_vm_memory_high_watermark 0.001"), 0);
  const absl::Cleanup memory_back = [] { Rabbit("ctl 1 set_vm_memory_high_watermark 0.4"); };
  AwaitAll(warren, figures(0), absl::Seconds(60), "node 1's memory alarm, from its plugin and the cluster's alarms");
  ASSERT_EQ(Rabbit("ctl 1 set_vm_memory_high_watermark 0.4"), 0);
  AwaitAll(warren, figures(-1), absl::Seconds(60), "node 1's memory alarm cleared");
}

// Pauses node 3's VM (SIGSTOP) until node 1 sees it down (net_ticktime 10 s), then resumes it: the
// nodes reconnect and mnesia reports a partition. Who records it is a race (seen: node 3 and node 1;
// node 3 and node 2; node 3 alone), so the test asks only what always holds: the paused node
// reports whom it lost, through its own management API and through node 1's.
// Heals by restarting RabbitMQ on nodes 2 and 3 (node 1, which warren watches, stays up).
TEST_F(Cluster, PausedNodeMakesAPartitionSeenThroughEitherNodeThenHeals) {
  constexpr int kPaused = 2;
  const std::string pid_text = live::RabbitOutput("pid 3");
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pid_text, &pid) && pid > 1) << "pid 3: '" << pid_text << "'";
  const absl::Cleanup resume = [pid] { kill(pid, SIGCONT); };  // the VM is never left stopped, whatever fails
  // warren has run a while: it knows each node's listener (node 1 stops listing node 3's).
  AwaitAll(*warren_, NoSplit(false), absl::Seconds(60), "every node's view, before the pause");
  const absl::Time paused = absl::Now();
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  AwaitAll(*warren_, {Eq(NodeSeries("rabbitmq_node_running", kPaused), 0)}, absl::Seconds(45),
           "paused node 3 seen down by node 1");
  ASSERT_EQ(kill(pid, SIGCONT), 0);
  std::cerr << "[ PARTITION] node 3 paused for " << absl::ToDoubleSeconds(absl::Now() - paused) << " s\n";

  std::unique_ptr<live::InProcessWarren> far = Warren(kPaused);
  const std::string far_text = AwaitAll(*far, {Ge(NodeSeries("rabbitmq_node_partitions", kPaused), 1)},
                                        absl::Seconds(60), "partition seen by node 3");
  const std::set<int> lost = PartitionPeers(far_text, kPaused);
  ASSERT_FALSE(lost.empty()) << live::Lines(far_text, "rabbitmq_node_partition");
  EXPECT_EQ(SampleValue(far_text, NodeSeries("rabbitmq_node_partitions", kPaused)), static_cast<double>(lost.size()));

  // The cluster-wide view from one target: node 1's API reports node 3's partition too.
  const std::string near_text = AwaitAll(*warren_, {Ge(NodeSeries("rabbitmq_node_partitions", kPaused), 1)},
                                         absl::Seconds(60), "node 3's partition seen through node 1");
  // Without the partitions field: node 3's own view, asked through its own listener by the warren
  // that watches node 1, has the nodes it lost down while they answer.
  std::vector<Want> seen_in_views;
  seen_in_views.reserve(lost.size());
  for (int k : lost) seen_in_views.push_back(Eq(SplitFrom(kPaused, k), 1));
  const std::string views_text =
      AwaitAll(*warren_, seen_in_views, absl::Seconds(60), "node 3's view: the nodes it lost are down");
  std::cerr << "[ PARTITION] views through node 1: " << live::Lines(views_text, "rabbitmq_node_split_from") << "\n";
  // Whether a node that node 3 lost names node 3 back is mnesia's race, not warren's: seen both
  // ways, and (a run on 2026-12-02) neither node 1 nor node 2 recording anything within 60 s.
  // Told, not asserted.
  auto named_back = [&](const std::string& text) {
    for (int k : lost) {
      if (SampleValue(text, PartitionedFrom(k, kPaused)) == 1) return true;
    }
    return false;
  };
  const std::string far_now = far->Scrape();
  std::cerr << "[ PARTITION] named back by a node node 3 lost: "
            << (named_back(near_text) || named_back(far_now) ? "yes" : "not (yet)") << "\n";
  for (const std::string* text : {&near_text, &far_now}) {  // each count matches its named peers
    for (int i = 0; i < kNodes; ++i) {
      const std::optional<double> count = SampleValue(*text, NodeSeries("rabbitmq_node_partitions", i));
      if (count) {
        EXPECT_EQ(*count, static_cast<double>(PartitionPeers(*text, i).size())) << "node " << i + 1;
      }
    }
  }
  far.reset();

  const std::vector<int> restart = {1, 2};
  std::vector<std::thread> restarts;
  std::vector<int> codes(restart.size(), -1);
  for (size_t j = 0; j < restart.size(); ++j) {
    restarts.emplace_back([&, j] {  // as autoheal does on the losing side: RabbitMQ, not the VM
      codes[j] = Rabbit(absl::StrCat("ctl ", restart[j] + 1, " -q stop_app"));
      if (codes[j] == 0) codes[j] = Rabbit(absl::StrCat("ctl ", restart[j] + 1, " -q start_app"));
    });
  }
  for (std::thread& t : restarts) t.join();
  for (int code : codes) EXPECT_EQ(code, 0);

  std::vector<Want> healed = {Eq("rabbitmq_up", 1)};
  for (int i = 0; i < kNodes; ++i) {
    healed.push_back(Eq(NodeSeries("rabbitmq_node_running", i), 1));
    // as after RestartedNodesRecover: a restarted node may not have measured anything yet
    healed.push_back(i == 0 ? Eq(NodeSeries("rabbitmq_node_partitions", i), 0)
                            : AbsentOrZero(NodeSeries("rabbitmq_node_partitions", i)));
    for (int k = 0; k < kNodes; ++k) {
      if (k != i) healed.push_back(Absent(PartitionedFrom(i, k)));
    }
  }
  for (const Want& want : NoSplit(true)) healed.push_back(want);
  const std::string text = AwaitAll(*warren_, healed, absl::Seconds(90), "partition healed");
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_node_partitioned_from"), 0);
}

// Node 3 cut off for good: given another Erlang cookie, it cannot reconnect, and on 3.10.8 the
// `partitions` field stays [] on every node (measured) while each side sees the other down. Only
// the nodes' own views show it; warren keeps asking node 3 at the URL it learnt while the cluster
// was whole (node 1's overview then lists no listener of node 3). Heals by restoring the cookie
// and restarting RabbitMQ on node 3.
TEST_F(Cluster, CutOffNodeIsSeenOnlyThroughTheNodesViews) {
  constexpr int kCut = 2;
  AwaitAll(*warren_, NoSplit(false), absl::Seconds(60), "every node's view, before the cut");
  const std::vector<std::string> others = {Node(0), Node(1)};
  // Whatever fails, node 3 gets its cookie back.
  const absl::Cleanup healed = [&others] { live::Reconnect(3, others); };
  ASSERT_EQ(live::CutOff(3, others), 0);
  const std::string text = AwaitAll(*warren_,
                                    {
                                        Eq(SplitFrom(kCut, 0), 1),
                                        Eq(SplitFrom(kCut, 1), 1),
                                        Eq(SplitFrom(0, kCut), 1),
                                        Eq(SplitFrom(1, kCut), 1),
                                        Eq(SplitFrom(0, 1), 0),
                                        Eq(SplitFrom(1, 0), 0),
                                        Eq(NodeSeries("rabbitmq_node_running", kCut), 0),
                                        Eq(NodeSeries("rabbitmq_node_partitions", 0), 0),
                                        Eq(Series("warren_node_view_up", {{"node", Node(kCut)}, {"reason", "ok"}}), 1),
                                    },
                                    absl::Seconds(60), "node 3 cut off, seen in the views");
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_node_partitioned_from"), 0)
      << "the partitions field saw it after all: " << live::Lines(text, "rabbitmq_node_partition");

  ASSERT_EQ(live::Reconnect(3, others), 0);
  ASSERT_EQ(Rabbit("ctl 3 -q stop_app"), 0);
  ASSERT_EQ(Rabbit("ctl 3 -q start_app"), 0);
  std::vector<Want> whole = NoSplit(false);
  for (int i = 0; i < kNodes; ++i) whole.push_back(Eq(NodeSeries("rabbitmq_node_running", i), 1));
  AwaitAll(*warren_, whole, absl::Seconds(90), "node 3 back in the cluster");
}

}  // namespace
}  // namespace warren
