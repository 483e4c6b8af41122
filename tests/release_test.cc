// What each release offers (metrics/releases.h): a case per release from 3.10 to 4.3, the
// per-node decisions of a cluster mid-upgrade, and the tables' consistency with the endpoints.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "metrics/deprecated_features.h"
#include "metrics/endpoints.h"
#include "metrics/json.h"
#include "metrics/releases.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

TEST(ParseVersion, ReadsTheNumbersBeforeAnySuffix) {
  EXPECT_EQ(ParseVersion("3.10.8"), (Version{3, 10, 8}));
  EXPECT_EQ(ParseVersion("4.1"), (Version{4, 1, 0}));
  EXPECT_EQ(ParseVersion("4.1.0-rc.1"), (Version{4, 1, 0}));
  EXPECT_EQ(ParseVersion("4.2.4+3.gabc123"), (Version{4, 2, 4}));
  EXPECT_EQ(ParseVersion("4.3.6"), (Version{4, 3, 6}));
  for (const char* bad : {"", "4", "garbage", "4.x.1", ".1.2", "4..1", "1.2.3.4", "-4.0.0", "99999999999.0"}) {
    EXPECT_EQ(ParseVersion(bad), std::nullopt) << bad;
  }
  EXPECT_LT((Version{4, 0, 5}), (Version{4, 0, 6}));
  EXPECT_LT((Version{3, 13, 7}), (Version{4, 0, 0}));
  EXPECT_EQ((Version{4, 2, 4}).ToString(), "4.2.4");
}

// The endpoints a release routes among those that come and go, and the node fields it measures.
struct ReleaseCase {
  const char* version;
  std::set<std::string> offered;  // of the endpoints in ReleaseEndpoints()
  bool sockets;                   // sockets_used, sockets_total measure something
  bool partitions;
  bool sort;  // an empty sort= skips sorting
  LabelEscaping escaping;
};

std::vector<ReleaseCase> Cases() {
  const std::set<std::string> k310 = {"health_mirror_sync_critical"};
  const std::set<std::string> k313 = {"health_mirror_sync_critical", "deprecated_features_used"};
  const std::set<std::string> k40 = {"deprecated_features_used"};
  const std::set<std::string> k406 = {"deprecated_features_used", "health_metadata_store_initialized"};
  const std::set<std::string> k410 = {"deprecated_features_used", "health_metadata_store_initialized",
                                      "health_quorum_without_leaders"};
  const std::set<std::string> k411 = {"deprecated_features_used",      "health_metadata_store_initialized",
                                      "health_quorum_without_leaders", "health_is_in_service",
                                      "health_below_connection_limit", "health_ready_to_serve_clients"};
  std::set<std::string> k424 = k411;
  k424.insert("health_reached_target_cluster_size");
  const auto none = LabelEscaping::kNone;
  const auto standard = LabelEscaping::kStandard;
  return {
      {"3.10.8", k310, true, true, true, none},       {"3.11.28", k310, true, true, true, standard},
      {"3.12.14", k310, true, true, true, standard},  {"3.13.0", k313, true, true, false, standard},
      {"3.13.7", k313, true, true, false, standard},  {"4.0.0", k40, false, true, false, standard},
      {"4.0.5", k40, false, true, false, standard},   {"4.0.6", k406, false, true, false, standard},
      {"4.1.0", k410, false, true, false, standard},  {"4.1.1", k411, false, true, false, standard},
      {"4.2.3", k411, false, true, false, standard},  {"4.2.4", k424, false, true, false, standard},
      {"4.3.0", k424, false, false, false, standard}, {"4.3.6", k424, false, false, false, standard},
  };
}

TEST(Release, EachReleaseOffersAndMeasuresWhatItsSourceSays) {
  for (const ReleaseCase& c : Cases()) {
    SCOPED_TRACE(c.version);
    const Release release(c.version);
    ASSERT_TRUE(release.known());
    std::set<std::string> offered;
    for (const EndpointRange& range : ReleaseEndpoints()) {
      if (release.Offers(range.endpoint)) offered.insert(range.endpoint);
    }
    EXPECT_EQ(offered, c.offered) << absl::StrJoin(offered, ",");
    EXPECT_EQ(release.Measures("nodes", "sockets_used"), c.sockets);
    EXPECT_EQ(release.Measures("nodes", "sockets_total"), c.sockets);
    EXPECT_EQ(release.Measures("nodes", "partitions"), c.partitions);
    EXPECT_TRUE(release.Measures("nodes", "mem_used"));
    EXPECT_TRUE(release.Measures("queues", "partitions"));  // a constant is one endpoint's field
    EXPECT_EQ(release.SkipsSortWithEmptySort(), c.sort);
    EXPECT_EQ(release.PluginEscaping(), c.escaping);
    // The queue fields the derived deprecated features read: asked for while the broker's own
    // endpoint is not there, and only then.
    const bool derives = !c.offered.contains("deprecated_features_used");
    EXPECT_EQ(release.Wants("queues", "durable"), derives);
    EXPECT_EQ(release.Wants("queues", "exclusive"), derives);
    EXPECT_TRUE(release.Wants("queues", "name"));
    // Endpoints every release routes stay offered.
    EXPECT_TRUE(release.Offers("queues"));
    EXPECT_TRUE(release.Offers("health_alarms"));
    EXPECT_FALSE(OnlySomeReleasesOffer("health_alarms"));
  }
}

TEST(Release, UnknownOffersEverythingAndMeasuresEverything) {
  for (const char* version : {"", "garbage"}) {
    const Release release(version);
    EXPECT_FALSE(release.known());
    for (const EndpointRange& range : ReleaseEndpoints()) EXPECT_TRUE(release.Offers(range.endpoint)) << range.endpoint;
    for (const ConstantField& field : ConstantFields()) EXPECT_TRUE(release.Measures(field.endpoint, field.path));
    for (const ColumnUntil& column : ColumnsUntil()) EXPECT_TRUE(release.Wants(column.endpoint, column.path));
    EXPECT_FALSE(release.SkipsSortWithEmptySort());
    EXPECT_EQ(release.PluginEscaping(), LabelEscaping::kNone);
  }
}

TEST(Release, EveryRowNamesAnEndpointAndAFieldWarrenHas) {
  for (const EndpointRange& range : ReleaseEndpoints()) {
    EXPECT_NE(EndpointNamed(range.endpoint), nullptr) << range.endpoint;
    EXPECT_TRUE(range.since || range.until) << range.endpoint;
    EXPECT_NE(*range.source, '\0') << range.endpoint;
    EXPECT_TRUE(OnlySomeReleasesOffer(range.endpoint));
  }
  for (const ConstantField& field : ConstantFields()) {
    const Endpoint* endpoint = EndpointNamed(field.endpoint);
    ASSERT_NE(endpoint, nullptr) << field.endpoint;
    bool read = false;
    for (const Field& f : endpoint->fields) read = read || std::string(f.path) == field.path;
    for (const Each& e : endpoint->eaches) read = read || std::string(e.path) == field.path;
    EXPECT_TRUE(read) << field.endpoint << " " << field.path;
    EXPECT_NE(*field.source, '\0') << field.path;
  }
  for (const ColumnUntil& column : ColumnsUntil()) {
    const Endpoint* endpoint = EndpointNamed(column.endpoint);
    ASSERT_NE(endpoint, nullptr) << column.endpoint;
    const std::vector<std::string> asked = ColumnsOf(*endpoint);
    EXPECT_NE(std::find(asked.begin(), asked.end(), column.path), asked.end()) << column.endpoint << " " << column.path;
    EXPECT_NE(*column.source, '\0') << column.path;
  }
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(text, "test", &doc).ok()) << text;
  return doc;
}

TEST(NodeVersionOf, OwnVersionThenTheRabbitApplication) {
  EXPECT_EQ(NodeVersionOf(Parse(R"({"rabbitmq_version":"4.2.4","applications":[{"name":"rabbit","version":"x"}]})")),
            "4.2.4");
  EXPECT_EQ(NodeVersionOf(Parse(R"({"applications":[{"name":"mnesia","version":"4.21"},)"
                                R"({"name":"rabbit","description":"RabbitMQ","version":"3.13.7"}]})")),
            "3.13.7");
  for (const char* none : {R"({})", R"({"applications":"rabbit"})", R"({"applications":[1,{"name":"rabbit"}]})",
                           R"({"applications":[{"name":"rabbit","version":7}]})", R"({"rabbitmq_version":4})", "[]"}) {
    EXPECT_EQ(NodeVersionOf(Parse(none)), "") << none;
  }
}

// A cluster mid-upgrade: each node's fields are judged by its own release.
TEST(ConstantFieldGate, JudgesEachNodeByItsOwnRelease) {
  const ConstantFieldGate gate("nodes", "3.13.7");
  ASSERT_FALSE(gate.empty());
  const rapidjson::Document old_node = Parse(R"({"applications":[{"name":"rabbit","version":"3.13.7"}]})");
  const rapidjson::Document new_node = Parse(R"({"applications":[{"name":"rabbit","version":"4.0.5"}]})");
  const rapidjson::Document newest = Parse(R"({"rabbitmq_version":"4.3.6"})");
  const rapidjson::Document unknown = Parse(R"({})");
  EXPECT_TRUE(gate.Measures(old_node, "sockets_used"));
  EXPECT_FALSE(gate.Measures(new_node, "sockets_used"));
  EXPECT_TRUE(gate.Measures(new_node, "partitions"));
  EXPECT_FALSE(gate.Measures(newest, "partitions"));
  EXPECT_TRUE(gate.Measures(newest, "mem_used"));
  EXPECT_TRUE(gate.Measures(unknown, "sockets_used"));  // the answering node's 3.13.7
  EXPECT_FALSE(ConstantFieldGate("nodes", "4.0.5").Measures(unknown, "sockets_used"));
  EXPECT_TRUE(ConstantFieldGate("nodes", "").Measures(unknown, "sockets_used"));
  EXPECT_TRUE(ConstantFieldGate("queues", "4.3.6").empty());
}

std::string MapNodes(const std::string& body, const char* answering_version) {
  const rapidjson::Document doc = Parse(body);
  const ConstantFieldGate gate("nodes", answering_version);
  absl::StatusOr<Mapped> mapped = Mapper(kNodes).MapDocument(doc, {.gate = &gate});
  EXPECT_TRUE(mapped.ok()) << mapped.status();
  std::string text;
  for (const FamilyText& family : mapped->families) text += family.text;
  EXPECT_EQ(mapped->errors.missing, 0u) << "a refused field is no error";
  return text;
}

// /api/nodes of a 3.13.7 -> 4.3.6 upgrade half done: the old node's sockets and partitions are
// measurements, the new node's are not and give no series; each node says what it runs.
TEST(ConstantFieldGate, MapsAClusterMidUpgradeNodeByNode) {
  const std::string text = MapNodes(
      R"([{"name":"rabbit@old","running":true,"type":"disc","mem_used":1,"mem_limit":2,"mem_alarm":false,)"
      R"("disk_free":3,"disk_free_limit":4,"disk_free_alarm":false,"fd_used":5,"fd_total":6,"sockets_used":7,)"
      R"("sockets_total":8,"proc_used":9,"proc_total":10,"run_queue":0,"uptime":1000,"partitions":["rabbit@new"],)"
      R"("applications":[{"name":"rabbit","version":"3.13.7"}]},)"
      R"({"name":"rabbit@new","running":true,"type":"disc","mem_used":1,"mem_limit":2,"mem_alarm":false,)"
      R"("disk_free":3,"disk_free_limit":4,"disk_free_alarm":false,"fd_used":5,"fd_total":6,"sockets_used":0,)"
      R"("sockets_total":0,"proc_used":9,"proc_total":10,"run_queue":0,"uptime":1000,"partitions":[],)"
      R"("rabbitmq_version":"4.3.6","applications":[{"name":"rabbit","version":"4.3.6"}]}])",
      "3.13.7");
  EXPECT_NE(text.find(R"(rabbitmq_process_open_tcp_sockets{node="rabbit@old"} 7)"), std::string::npos) << text;
  EXPECT_EQ(text.find(R"(rabbitmq_process_open_tcp_sockets{node="rabbit@new"})"), std::string::npos) << text;
  EXPECT_EQ(text.find(R"(rabbitmq_process_max_tcp_sockets{node="rabbit@new"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(rabbitmq_node_partitions{node="rabbit@old"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(rabbitmq_node_partitioned_from{node="rabbit@old",peer="rabbit@new"} 1)"), std::string::npos)
      << text;
  EXPECT_EQ(text.find(R"(rabbitmq_node_partitions{node="rabbit@new"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(rabbitmq_process_open_fds{node="rabbit@new"} 5)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(rabbitmq_node_version_info{node="rabbit@new",rabbitmq_version="4.3.6"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(rabbitmq_node_version_info{node="rabbit@old",rabbitmq_version="3.13.7"} 1)"),
            std::string::npos)
      << text;
}

// Source-derived, not a recording: the shape rabbit_depr_ff_extra:cli_info0/1 builds at v3.13.0
// (name, desc, deprecation_phase, doc_url, provided_by), for two features a 3.13 cluster may use.
TEST(DeprecatedFeaturesUsed, MapsTheBodyTheSourceGives) {
  absl::StatusOr<Mapped> mapped = Mapper(kDeprecatedFeaturesUsed)
                                      .Map(R"([{"name":"classic_queue_mirroring","desc":"Classic queue mirroring",)"
                                           R"("deprecation_phase":"permitted_by_default","doc_url":"https://x/ha",)"
                                           R"("provided_by":"rabbit"},)"
                                           R"({"name":"transient_nonexcl_queues","desc":"","deprecation_phase":)"
                                           R"("denied_by_default","doc_url":"","provided_by":"rabbit"}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_EQ(mapped->families.size(), 1u);
  const std::string& text = mapped->families[0].text;
  EXPECT_NE(text.find("rabbitmq_deprecated_feature_used_info{feature=\"classic_queue_mirroring\","
                      "deprecation_phase=\"permitted_by_default\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rabbitmq_deprecated_feature_used_info{feature=\"transient_nonexcl_queues\","
                      "deprecation_phase=\"denied_by_default\"} 1\n"),
            std::string::npos)
      << text;
  // None used: no series, and no error.
  mapped = Mapper(kDeprecatedFeaturesUsed).Map("[]");
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->families.empty());
}

// Before 3.13 the same series, derived: a policy setting ha-mode is classic mirroring in use (as
// 3.13's are_cmqs_used/1 decides), a RAM node is ram_node_type in use.
std::string Derived(const std::string& version, const std::vector<LabelValues>& nodes,
                    const std::vector<LabelValues>& policies, const std::vector<LabelValues>& queues = {}) {
  const std::vector<LabelValues> overview = {{version}};
  const std::vector<LabelValues>* inputs[] = {&overview, &nodes, &policies, &queues};
  FamilyBuilder family = DerivedDeprecatedFeatures(inputs);
  return family.samples() == 0 ? "" : std::move(family).Finish().text;
}

TEST(DerivedDeprecatedFeatures, PoliciesAndNodesBefore313Only) {
  const std::vector<LabelValues> nodes = {{"rabbit@a", "true", "1", "disc"}, {"rabbit@b", "true", "1", "ram"}};
  const std::vector<LabelValues> policies = {{"/", "lazy", "", ""}, {"/", "ha-two", "exactly", "2"}};
  const std::string text = Derived("3.12.14", nodes, policies);
  EXPECT_NE(text.find("rabbitmq_deprecated_feature_used_info{feature=\"classic_queue_mirroring\","
                      "deprecation_phase=\"permitted_by_default\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{feature=\"ram_node_type\","), std::string::npos) << text;

  EXPECT_EQ(Derived("3.10.8", {{"rabbit@a", "true", "1", "disc"}}, {{"/", "lazy", "", ""}}), "")
      << "nothing in use: no series";
  EXPECT_EQ(Derived("3.13.0", nodes, policies), "") << "the broker's own endpoint says it from 3.13";
  EXPECT_EQ(Derived("4.3.6", nodes, policies), "");
  EXPECT_EQ(Derived("", nodes, policies), "") << "an unknown release: the endpoint is asked";
  EXPECT_EQ(Derived("3.10.8", {{"rabbit@a"}}, {{"/"}}, {{"/", "q"}}), "") << "short rows are skipped, never read past";
}

TEST(DerivedDeprecatedFeatures, TransientNonExclusiveQueuesBefore313Only) {
  const std::vector<LabelValues> disc = {{"rabbit@a", "true", "1", "disc"}};
  const std::vector<LabelValues> no_policy = {{"/", "lazy", "", ""}};
  const LabelValues durable = {"/", "orders", "classic", "", "rabbit@a", "true", "false"};
  const LabelValues exclusive = {"/", "amq.gen-1", "classic", "", "rabbit@a", "false", "true"};
  const LabelValues transient = {"/", "scratch", "classic", "", "rabbit@a", "false", "false"};
  const std::string text = Derived("3.11.28", disc, no_policy, {durable, exclusive, transient, transient});
  EXPECT_EQ(text.find("{feature=\"classic_queue_mirroring\""), std::string::npos) << text;
  EXPECT_NE(text.find("rabbitmq_deprecated_feature_used_info{feature=\"transient_nonexcl_queues\","
                      "deprecation_phase=\"permitted_by_default\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(Derived("3.10.8", disc, no_policy, {durable, exclusive}), "")
      << "durable or exclusive queues are not the deprecated kind";
  EXPECT_EQ(Derived("3.12.14", disc, no_policy, {{"/", "scratch", "classic", "", "rabbit@a", "false", ""}}), "")
      << "exclusive not reported: nothing claimed";
  EXPECT_EQ(Derived("3.13.7", disc, no_policy, {transient}), "") << "the broker's own endpoint from 3.13";
}

}  // namespace
}  // namespace warren::metrics
