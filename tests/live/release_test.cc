// What must hold on every RabbitMQ release warren meets, run against each live broker: the
// host's 3.10.8 (the live_broker fixture) and 4.0.5 and 4.3.6 from root file systems
// (scripts/rabbit-root; fixtures live_release_40, live_release_43). WARREN_RELEASE_SERIES names
// the release series the broker must report ("4.3"), so a wrong root fails instead of passing for
// another; the expectations follow the exact version it reports (metrics/releases.h). Tests run
// in file order; the one that restarts the broker with the statistics off comes last and restores
// the broker as it found it.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "metrics/endpoints.h"
#include "metrics/releases.h"
#include "rapidjson/document.h"
#include "tests/live/live_harness.h"
#include "tests/test_util.h"

namespace warren {
namespace {

using live::RequiredEnv;
using live::Series;

class Release : public ::testing::Test {
 protected:
  void SetUp() override {
    mgmt_url_ = RequiredEnv("WARREN_LIVE_MGMT_URL");
    const std::string series = RequiredEnv("WARREN_RELEASE_SERIES");
    ASSERT_FALSE(mgmt_url_.empty() || series.empty());
    admin_ = std::make_unique<live::Admin>(mgmt_url_);
    rapidjson::Document overview;
    const std::string body = admin_->Get("/api/overview?columns=rabbitmq_version,node");
    overview.Parse(body.c_str());
    ASSERT_TRUE(overview.IsObject() && overview.HasMember("rabbitmq_version") &&
                overview["rabbitmq_version"].IsString() && overview.HasMember("node") && overview["node"].IsString());
    version_ = overview["rabbitmq_version"].GetString();
    node_ = overview["node"].GetString();
    ASSERT_TRUE(absl::StartsWith(version_, series + ".")) << version_ << " is not of the series " << series;
  }

  // warren with its defaults: every node's plugin discovered from the overview.
  live::InProcessWarren::Options Defaults() const {
    return {.mgmt_url = mgmt_url_, .min_interval = absl::Seconds(1), .plugin_depth = {.discover = true}};
  }

  std::string QueueSeries(const char* name, const std::string& queue) const {
    return Series(name, {{"vhost", "/"}, {"queue", queue}});
  }

  std::string mgmt_url_;
  std::string version_;
  std::string node_;  // the node that answers
  std::unique_ptr<live::Admin> admin_;
};

TEST_F(Release, TheBrokerIsTheReleaseNamed) {
  live::InProcessWarren warren(Defaults());
  ASSERT_TRUE(warren.started());
  // A fresh node's /api/nodes row has its figures and applications from its first statistics
  // interval on (5 s).
  const std::string text = live::AwaitAll(
      warren,
      {live::Eq("rabbitmq_up", 1),
       live::Eq(Series("rabbitmq_node_version_info", {{"node", node_}, {"rabbitmq_version", version_}}), 1)},
      absl::Seconds(30), "up, with the node's version");
  EXPECT_TRUE(absl::StrContains(text, absl::StrCat(R"(rabbitmq_build_info{rabbitmq_version=")", version_, R"(")")))
      << live::Lines(text, "rabbitmq_build_info");
}

// Classic, quorum and stream queues: the depth warren reports is the broker's, from the
// discovered plugin, on every release.
TEST_F(Release, DepthsAreExactForClassicQuorumAndStreamQueues) {
  const std::string stamp = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  const std::vector<std::pair<std::string, std::string>> queues = {
      {"release.classic." + stamp, R"({"durable":true})"},
      {"release.quorum." + stamp, R"({"durable":true,"arguments":{"x-queue-type":"quorum"}})"},
      {"release.stream." + stamp, R"({"durable":true,"arguments":{"x-queue-type":"stream"}})"},
  };
  std::vector<live::Want> wants;
  int count = 3;
  for (const auto& [name, body] : queues) {
    admin_->Put("/api/queues/%2F/" + live::Escape(name), body);
    admin_->Publish(name, count, /*persistent=*/true);
    wants.push_back(live::Eq(QueueSeries("rabbitmq_queue_messages", name), count));
    wants.push_back(live::Eq(QueueSeries("rabbitmq_queue_messages_ready", name), count));
    wants.push_back(live::Eq(QueueSeries("rabbitmq_queue_messages_unacked", name), 0));
    ++count;
  }
  wants.push_back(live::Eq("warren_queue_depth_from_plugin", 1));
  // Membership is the quorum queue's (one node here; a stream's lists are absent from this
  // listing on 3.10.8); the classic queue has none, whatever the broker sends (4.1's notes give
  // classic queues `members`; 4.0.5 and 4.3.6 did not send it here: printed below).
  const std::string& classic = queues[0].first;
  for (const char* series : {"rabbitmq_queue_members", "rabbitmq_queue_members_online"}) {
    wants.push_back(live::Absent(QueueSeries(series, classic)));
    wants.push_back(live::Eq(QueueSeries(series, queues[1].first), 1));
  }
  wants.push_back(live::Absent(QueueSeries("rabbitmq_queue_below_majority", classic)));
  wants.push_back(live::Eq(QueueSeries("rabbitmq_queue_below_majority", queues[1].first), 0));
  std::cerr << "[ RELEASE  ] the classic queue in /api/queues: "
            << admin_->Get("/api/queues/%2F/" + live::Escape(classic) +
                           "?disable_stats=true&columns=type,members,online")
            << "\n";
  live::InProcessWarren warren(Defaults());
  ASSERT_TRUE(warren.started());
  live::AwaitAll(warren, wants, absl::Seconds(40), "depths and membership of every queue type, from the plugin");
  for (const auto& [name, body] : queues) admin_->Delete("/api/queues/%2F/" + live::Escape(name));
}

// Every health check this release routes passes; the others are not asked for and show as not
// offered; no endpoint fails (guest is an administrator: definitions answer too).
TEST_F(Release, EveryCheckTheReleaseRoutesPassesAndNoEndpointFails) {
  live::InProcessWarren warren(live::InProcessWarren::Options{
      .mgmt_url = mgmt_url_, .min_interval = absl::Seconds(1), .health_interval = absl::Seconds(1)});
  ASSERT_TRUE(warren.started());
  const metrics::Release release(version_);
  ASSERT_TRUE(release.known()) << version_;
  std::vector<live::Want> wants = {live::Eq("rabbitmq_up", 1)};
  for (const metrics::Endpoint* endpoint : metrics::AllEndpoints()) {
    if (std::string(endpoint->group) != "health") continue;
    if (release.Offers(endpoint->name)) {
      wants.push_back(live::Eq(Series("warren_scrape_success", {{"endpoint", endpoint->name}}), 1));
    } else {
      wants.push_back(live::Eq(Series("warren_endpoint_not_offered", {{"endpoint", endpoint->name}}), 1));
      wants.push_back(live::Absent(Series("warren_scrape_success", {{"endpoint", endpoint->name}})));
    }
  }
  const std::string text = live::AwaitAll(warren, wants, absl::Seconds(40), "health checks of this release");
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_health_check_failure_info"), 0)
      << live::Lines(text, "rabbitmq_health_check_failure_info");
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "warren_scrape_success{") || absl::StartsWith(line, "rabbitmq_health_check_up{")) {
      EXPECT_TRUE(absl::EndsWith(line, " 1")) << line;
    }
  }
}

// A field the release sends as a constant gives no series; the same field on a release that
// measures it does.
TEST_F(Release, NoConstantFieldIsExported) {
  live::InProcessWarren warren(Defaults());
  ASSERT_TRUE(warren.started());
  const std::string text = live::AwaitAll(
      warren, {live::Eq("rabbitmq_up", 1), live::Ge(Series("rabbitmq_process_open_fds", {{"node", node_}}), 1)},
      absl::Seconds(30), "node figures");
  const metrics::Release release(version_);
  const metrics::Endpoint* nodes = metrics::EndpointNamed("nodes");
  ASSERT_NE(nodes, nullptr);
  int checked = 0;
  for (const metrics::ConstantField& constant : metrics::ConstantFields()) {
    for (const metrics::Field& field : nodes->fields) {
      if (std::string(field.path) != constant.path) continue;
      ++checked;
      EXPECT_EQ(testing::CountSamples(text, field.name) > 0, release.Measures("nodes", constant.path))
          << field.name << " on " << version_ << ": " << live::Lines(text, field.name);
    }
  }
  EXPECT_EQ(checked, 3) << "sockets_used, sockets_total, partitions";
}

// Upgrade readiness from 3.13 on: a transient non-exclusive queue (deprecated; permitted by
// default on 4.0, refused from 4.3 on) shows as a feature used while it exists. Before 3.13 the
// endpoint does not exist and is not asked for: classic mirroring shows, derived, while a policy
// sets ha-mode (as 3.13 decides), and clears when the policy goes; the same for a transient
// non-exclusive queue (as 4.0.4 decides).
TEST_F(Release, DeprecatedFeaturesInUseShowWhileUsed) {
  live::InProcessWarren::Options options = Defaults();
  options.definitions_interval = absl::Seconds(1);
  const std::string used =
      Series("rabbitmq_deprecated_feature_used_info",
             {{"feature", "transient_nonexcl_queues"}, {"deprecation_phase", "permitted_by_default"}});
  const std::string endpoint = "deprecated_features_used";
  if (!metrics::Release(version_).Offers(endpoint)) {
    const std::string mirroring =
        Series("rabbitmq_deprecated_feature_used_info",
               {{"feature", "classic_queue_mirroring"}, {"deprecation_phase", "permitted_by_default"}});
    const std::string policy = "/api/policies/%2F/release-ha";
    const absl::Cleanup no_policy = [&] { admin_->Delete(policy); };
    live::InProcessWarren warren(options);
    ASSERT_TRUE(warren.started());
    live::AwaitAll(warren,
                   {live::Eq(Series("warren_endpoint_not_offered", {{"endpoint", endpoint}}), 1),
                    live::Absent(Series("warren_scrape_success", {{"endpoint", endpoint}})), live::Absent(mirroring)},
                   absl::Seconds(30), "no deprecated-features endpoint before 3.13, nothing in use");
    admin_->Put(policy,
                R"({"pattern":"^release\.ha\.","definition":{"ha-mode":"all"},"apply-to":"queues","priority":0})");
    live::AwaitAll(warren, {live::Eq(mirroring, 1)}, absl::Seconds(30), "an ha-mode policy: classic mirroring in use");
    admin_->Delete(policy);
    live::AwaitAll(warren, {live::Absent(mirroring)}, absl::Seconds(30), "the policy gone: no longer in use");
    // A transient non-exclusive queue, derived from the listing's durable and exclusive fields.
    const std::string transient =
        "/api/queues/%2F/" + live::Escape(absl::StrCat("release.transient.", absl::ToUnixMicros(absl::Now())));
    const absl::Cleanup no_queue = [&] { admin_->Delete(transient); };
    admin_->Put(transient, R"({"durable":false,"auto_delete":false})");
    live::AwaitAll(warren, {live::Eq(used, 1), live::Absent(mirroring)}, absl::Seconds(30),
                   "a transient non-exclusive queue in use");
    admin_->Delete(transient);
    live::AwaitAll(warren, {live::Absent(used)}, absl::Seconds(30), "the queue gone: no longer in use");
    return;
  }
  // The feature's phase on this release, as the broker lists it.
  std::string phase;
  rapidjson::Document all;
  const std::string listed = admin_->Get("/api/deprecated-features");
  all.Parse(listed.c_str());
  ASSERT_TRUE(all.IsArray()) << listed;
  for (const rapidjson::Value& feature : all.GetArray()) {
    if (feature.IsObject() && feature.HasMember("name") && feature["name"] == "transient_nonexcl_queues" &&
        feature.HasMember("deprecation_phase") && feature["deprecation_phase"].IsString()) {
      phase = feature["deprecation_phase"].GetString();
    }
  }
  ASSERT_FALSE(phase.empty()) << listed;
  const std::string queue = absl::StrCat("release.transient.", absl::ToUnixMicros(absl::Now()));
  std::vector<live::Want> wants = {live::Eq(Series("warren_scrape_success", {{"endpoint", endpoint}}), 1)};
  if (phase == "permitted_by_default") {
    admin_->Put("/api/queues/%2F/" + live::Escape(queue), R"({"durable":false,"auto_delete":false})");
    wants.push_back(live::Eq(used, 1));
  } else {
    wants.push_back(live::Absent(used));
  }
  {
    live::InProcessWarren warren(options);
    ASSERT_TRUE(warren.started());
    live::AwaitAll(warren, wants, absl::Seconds(30), "the feature in use");
  }
  if (phase != "permitted_by_default") return;  // this release refuses such queues: nothing to clear
  admin_->Delete("/api/queues/%2F/" + live::Escape(queue));
  live::InProcessWarren warren(options);
  ASSERT_TRUE(warren.started());
  live::AwaitAll(warren, {live::Eq(Series("warren_scrape_success", {{"endpoint", endpoint}}), 1), live::Absent(used)},
                 absl::Seconds(30), "no longer in use");
}

// Last: the broker restarted with the management statistics off (RabbitMQ 4.x's advice). Node
// figures then come from the node's plugin, with the broker's own values; depth stays exact.
TEST_F(Release, StatisticsOffNodeResourcesComeFromThePlugin) {
  const std::string rabbit = RequiredEnv("WARREN_LIVE_RABBIT");
  ASSERT_EQ(std::system((rabbit + " stop 1").c_str()), 0);
  // The tests that run after this one on the same broker expect the statistics on.
  absl::Cleanup restore = [&rabbit] {
    EXPECT_EQ(std::system((rabbit + " stop 1 && " + rabbit + " start 1").c_str()), 0);
  };
  ASSERT_EQ(
      std::system(("RL_EXTRA_CONF='management_agent.disable_metrics_collector = true' " + rabbit + " start 1").c_str()),
      0);
  ASSERT_FALSE(absl::StrContains(admin_->Get("/api/nodes"), "mem_used")) << "the statistics must be off";
  const std::string queue = absl::StrCat("release.stats-off.", absl::ToUnixMicros(absl::Now()));
  admin_->Put("/api/queues/%2F/" + live::Escape(queue), R"({"durable":true})");
  admin_->Publish(queue, 4, /*persistent=*/true);
  const std::string node = node_;
  auto of_node = [&node](const char* name) { return Series(name, {{"node", node}}); };

  // With the statistics off the overview lists no listeners; discovery would guess port 15692,
  // where this broker's plugin is not (its ports are offset), so its port is named.
  const std::string prom_url = RequiredEnv("WARREN_LIVE_PROM_URL");
  live::InProcessWarren::Options options = Defaults();
  options.plugin_depth = {.url_template = "http://{host}:" + prom_url.substr(prom_url.rfind(':') + 1)};
  live::InProcessWarren warren(options);
  ASSERT_TRUE(warren.started());
  const std::string text = live::AwaitAll(
      warren,
      {live::Eq(of_node("rabbitmq_resident_memory_limit_bytes"),
                live::StatusFigure(1, "vm_memory_high_watermark_limit")),
       live::Eq(of_node("rabbitmq_disk_space_available_limit_bytes"), live::StatusFigure(1, "disk_free_limit")),
       live::Eq(of_node("rabbitmq_erlang_processes_limit"), live::StatusFigure(1, "processes.limit")),
       live::Ge(of_node("rabbitmq_process_resident_memory_bytes"), 1),
       live::Ge(of_node("rabbitmq_process_open_fds"), 1), live::Ge(of_node("rabbitmq_erlang_uptime_seconds"), 1),
       live::Eq(of_node("rabbitmq_alarms_memory_used_watermark"), 0),
       live::Eq(of_node("rabbitmq_alarms_free_disk_space_watermark"), 0),
       live::Eq(Series("warren_node_resources_from_plugin", {{"node", node}, {"reason", "ok"}}), 1),
       live::Eq("warren_node_resources_missing", 0), live::Eq(QueueSeries("rabbitmq_queue_messages", queue), 4)},
      absl::Seconds(40), "statistics off: node figures from the plugin");
  // Sockets: the 3.x plugin counts them, the 4.x plugin reports none (and /api/nodes a constant).
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_process_open_tcp_sockets") > 0,
            metrics::Release(version_).Measures("nodes", "sockets_used"))
      << live::Lines(text, "rabbitmq_process_open_tcp_sockets");
  admin_->Delete("/api/queues/%2F/" + live::Escape(queue));
}

}  // namespace
}  // namespace warren
