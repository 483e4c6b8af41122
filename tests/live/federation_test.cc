// warren against two standalone RabbitMQ nodes started by the ctest fixture live_federation (see
// CMakeLists.txt): node 1 federates exchange fed_exchange and queue fed_queue of vhost /mirror from
// node 2 (upstream "hare") and shovels to it; a second shovel points where nothing listens. Then
// memory and disk alarms on node 1, and the upstream stopped and started again. Tests run in file
// order and each starts from the state the previous one left: run the binary as a whole.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

class Federation : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = std::make_unique<live::LogCapture>();              // warren's log, shown only if the test fails
    mgmt_ = live::RequiredEnvList("WARREN_FED_MGMT_URLS", 2);  // downstream, upstream
    amqp_ = live::RequiredEnvList("WARREN_FED_AMQP_URLS", 2);
    dead_amqp_ = live::RequiredEnv("WARREN_FED_DEAD_AMQP_URL");
    ASSERT_FALSE(::testing::Test::HasFailure());
    down_ = std::make_unique<live::Admin>(mgmt_[0]);
    if (node_.empty()) {
      const std::string body = down_->Get("/api/overview?columns=node");
      const std::string key = R"("node":")";
      const size_t at = body.find(key);
      ASSERT_NE(at, std::string::npos) << "node 1's /api/overview: " << body;
      node_ = body.substr(at + key.size(), body.find('"', at + key.size()) - at - key.size());
    }
    warren_ = std::make_unique<live::InProcessWarren>(live::InProcessWarren::Options{
        .mgmt_url = mgmt_[0], .min_interval = absl::Seconds(1), .health_interval = absl::Seconds(2)});
    ASSERT_TRUE(warren_->started());
  }

  std::string Link(const char* exchange, const char* queue, const char* status) {
    return Series("rabbitmq_federation_link_status", {{"vhost", "/mirror"},
                                                      {"upstream", "hare"},
                                                      {"exchange", exchange},
                                                      {"queue", queue},
                                                      {"node", node_},
                                                      {"status", status}});
  }
  std::string LinkError(const char* exchange, const char* queue, const char* error) {
    return Series("rabbitmq_federation_link_error", {{"vhost", "/mirror"},
                                                     {"upstream", "hare"},
                                                     {"exchange", exchange},
                                                     {"queue", queue},
                                                     {"node", node_},
                                                     {"error", error}});
  }
  std::string Shovel(const char* name, const char* state) {
    return Series("rabbitmq_shovel_state",
                  {{"vhost", "/"}, {"shovel", name}, {"node", node_}, {"type", "dynamic"}, {"state", state}});
  }
  std::string NodeSeries(const char* name) { return Series(name, {{"node", node_}}); }
  std::string Connections(const char* state) {
    return Series("rabbitmq_connections", {{"vhost", "/"}, {"node", node_}, {"state", state}});
  }
  static std::string Health(const char* check) { return Series("rabbitmq_health_check_up", {{"check", check}}); }
  static std::string LinksRunning() {
    return Series("rabbitmq_federation_upstream_links_running", {{"vhost", "/mirror"}, {"upstream", "hare"}});
  }

  std::vector<live::Want> LinksUp() {
    return {
        Eq(Link("fed_exchange", "", "running"), 1),
        Eq(Link("", "fed_queue", "running"), 1),
        Eq(Link("fed_exchange", "", "error"), 0),
        Eq(Link("", "fed_queue", "error"), 0),
        Eq(LinksRunning(), 2),
        Absent(LinkError("fed_exchange", "", "econnrefused")),
        Eq(Shovel("to-hare", "running"), 1),
    };
  }

  void TearDown() override {
    warren_.reset();
    if (HasFailure()) std::cerr << "warren's log:\n" << logs_->Logs();
    logs_.reset();
  }

  std::vector<std::string> mgmt_, amqp_;
  std::string dead_amqp_;
  std::unique_ptr<live::Admin> down_;
  std::unique_ptr<live::LogCapture> logs_;
  std::unique_ptr<live::InProcessWarren> warren_;
  static std::string node_;  // node 1's name
};

std::string Federation::node_;

TEST_F(Federation, LinksAndShovelsRun) {
  live::Admin up(mgmt_[1]);
  up.Put("/api/exchanges/%2F/fed_exchange", R"({"type":"fanout","durable":true})");
  up.Put("/api/queues/%2F/fed_queue", R"({"durable":true})");
  ASSERT_EQ(Rabbit(absl::StrCat("federation 1 /mirror hare '", amqp_[1], "/%2F'")), 0);
  ASSERT_EQ(Rabbit(absl::StrCat("shovel 1 to-hare shovel.src '", amqp_[1], "/%2F' shovel.dst")), 0);
  ASSERT_EQ(Rabbit(absl::StrCat("shovel 1 broken shovel.broken '", dead_amqp_, "/%2F'")), 0);

  std::vector<live::Want> wants = LinksUp();
  wants.push_back(Eq(Shovel("to-hare", "starting"), 0));
  wants.push_back(Eq(Shovel("broken", "starting"), 1));  // 3.10: a shovel that cannot connect stays "starting"
  wants.push_back(Eq(Shovel("broken", "running"), 0));
  for (const char* endpoint : {"federation_links", "federation_upstreams", "shovels"}) {
    wants.push_back(Eq(Series("warren_scrape_success", {{"endpoint", endpoint}}), 1));
  }
  AwaitAll(*warren_, wants, absl::Seconds(60), "federation links and shovels");
}

TEST_F(Federation, MemoryAndDiskAlarmsBlockPublishersThenClear) {
  down_->Put("/api/queues/%2F/alarm.q", R"({"durable":false})");
  live::Publisher publisher(amqp_[0], "alarm.q");
  ASSERT_TRUE(publisher.ok());
  AwaitAll(*warren_, {Ge(Connections("running"), 1), Eq(Health("alarms"), 1)}, absl::Seconds(30),
           "publisher connected");
  ASSERT_EQ(Rabbit("ctl 1 -q set_vm_memory_high_watermark 0.001"), 0);
  ASSERT_EQ(Rabbit("ctl 1 -q set_disk_free_limit 1000000000000000"), 0);  // 1 PB
  AwaitAll(
      *warren_,
      {
          Eq(NodeSeries("rabbitmq_alarms_memory_used_watermark"), 1),
          Eq(NodeSeries("rabbitmq_alarms_free_disk_space_watermark"), 1),
          Eq(NodeSeries("rabbitmq_disk_space_available_limit_bytes"), 1e15), Eq(Health("alarms"), 0),
          Eq(Health("local_alarms"), 0), Ge(Connections("blocked"), 1),  // the publisher, blocked on its next publish
      },
      absl::Seconds(40), "alarms in effect");

  ASSERT_EQ(Rabbit("ctl 1 -q set_vm_memory_high_watermark 0.4"), 0);
  ASSERT_EQ(Rabbit("ctl 1 -q set_disk_free_limit 50MB"), 0);
  AwaitAll(*warren_,
           {
               Eq(NodeSeries("rabbitmq_alarms_memory_used_watermark"), 0),
               Eq(NodeSeries("rabbitmq_alarms_free_disk_space_watermark"), 0),
               Eq(Health("alarms"), 1),
               Eq(Health("local_alarms"), 1),
               AbsentOrZero(Connections("blocked")),
               AbsentOrZero(Connections("blocking")),
               Ge(Connections("running"), 1),
           },
           absl::Seconds(40), "alarms cleared");
  down_->Delete("/api/queues/%2F/alarm.q");
}

TEST_F(Federation, StoppedUpstreamFailsEveryLinkThenRecovers) {
  AwaitAll(*warren_, LinksUp(), absl::Seconds(30), "links running before the upstream stops");
  ASSERT_EQ(Rabbit("stop 2"), 0);
  AwaitAll(*warren_,
           {
               Eq(Link("fed_exchange", "", "error"), 1),
               Eq(Link("", "fed_queue", "error"), 1),
               Eq(Link("fed_exchange", "", "running"), 0),
               Eq(Link("", "fed_queue", "running"), 0),
               Eq(LinkError("fed_exchange", "", "econnrefused"), 1),
               Eq(LinkError("", "fed_queue", "econnrefused"), 1),
               Eq(LinksRunning(), 0),
               Eq(Shovel("to-hare", "running"), 0),
           },
           absl::Seconds(40), "upstream stopped");
  ASSERT_EQ(Rabbit("start 2"), 0);  // node 1 runs: starts node 2
  AwaitAll(*warren_, LinksUp(), absl::Seconds(60), "upstream back");
}

}  // namespace
}  // namespace warren
