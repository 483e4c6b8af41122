// ReadBrokerFacts: what the overview says about the broker, read from its fields (never from the
// exposition text), and what the scraper does with it.
#include "metrics/broker_facts.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "metrics/json.h"

namespace warren::metrics {
namespace {

BrokerFacts FactsOf(const std::string& body) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(body, "/api/overview", &doc).ok()) << body;
  return ReadBrokerFacts(doc);
}

TEST(BrokerFacts, ReadsVersionClusterAndNodeFromARecordedOverview) {
  std::ifstream file(WARREN_SOURCE_DIR "/tests/fixtures/overview.json");
  ASSERT_TRUE(file);
  std::stringstream body;
  body << file.rdbuf();
  const BrokerFacts facts = FactsOf(body.str());
  EXPECT_EQ(facts.rabbitmq_version, "3.10.8");
  EXPECT_EQ(facts.erlang_version, "25.2.3");
  EXPECT_EQ(facts.cluster_name, "warren-local");
  EXPECT_EQ(facts.node, "rabbit1@localhost");
  EXPECT_TRUE(facts.listeners.empty()) << "warren's overview request has no listeners column yet";
}

// The listeners as RabbitMQ 3.10.8 reports them (shape of a real body: the HTTP listeners say
// "::" and name their configured address in socket_opts).
TEST(BrokerFacts, ReadsListenersAndTheirBindAddress) {
  const BrokerFacts facts = FactsOf(R"({"rabbitmq_version":"3.10.8","listeners":[
    {"node":"rabbit@h1","protocol":"amqp","ip_address":"127.0.0.1","port":5672,"socket_opts":{"backlog":128}},
    {"node":"rabbit@h1","protocol":"clustering","ip_address":"127.0.0.1","port":25672,"socket_opts":[]},
    {"node":"rabbit@h1","protocol":"http/prometheus","ip_address":"::","port":15692,
     "socket_opts":{"cowboy_opts":{"sendfile":false},"ip":"10.1.2.3","port":15692}}]})");
  ASSERT_EQ(facts.listeners.size(), 3u);
  EXPECT_EQ(
      facts.listeners[0],
      (Listener{.node = "rabbit@h1", .protocol = "amqp", .ip_address = "127.0.0.1", .bind_address = "", .port = 5672}));
  EXPECT_EQ(facts.listeners[1].bind_address, "") << "socket_opts as an empty list";
  EXPECT_EQ(facts.listeners[2], (Listener{.node = "rabbit@h1",
                                          .protocol = "http/prometheus",
                                          .ip_address = "::",
                                          .bind_address = "10.1.2.3",
                                          .port = 15692}));
}

TEST(BrokerFacts, HostileFieldsAreLeftEmptyOrOut) {
  const BrokerFacts facts = FactsOf(R"({"rabbitmq_version":4.0,"cluster_name":"ok","node":"bad)"
                                    "\xff"
                                    R"(",
    "listeners":[{"node":"n","protocol":"http","port":0},{"node":"n","protocol":"http","port":70000},
                 {"node":"n","protocol":"http","port":"15672"},{"protocol":"http","port":15672},
                 {"node":"n","port":15672},null,7,{"node":"n","protocol":"http","port":15672,"socket_opts":{"ip":5}}]})");
  EXPECT_EQ(facts.rabbitmq_version, "") << "a number is not a version";
  EXPECT_EQ(facts.cluster_name, "ok");
  EXPECT_EQ(facts.node, "") << "invalid UTF-8";
  ASSERT_EQ(facts.listeners.size(), 1u) << "only the last has a node, a protocol and a port in range";
  EXPECT_EQ(facts.listeners[0].port, 15672);
  EXPECT_EQ(facts.listeners[0].bind_address, "");
  EXPECT_EQ(FactsOf("[]"), BrokerFacts{});
  EXPECT_EQ(FactsOf(R"({"listeners":{}})"), BrokerFacts{});
}

}  // namespace
}  // namespace warren::metrics
