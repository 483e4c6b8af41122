// PluginUrlFromListeners and ManagementUrlFromListeners: which URL the overview's listeners give for
// a node's plugin and for its management API.
#include "exporter/scrape/plugin_discovery.h"

#include <vector>

#include "exporter/broker/broker_url.h"
#include "gtest/gtest.h"

namespace warren {
namespace {

using metrics::Listener;

Listener Prometheus(const char* node, const char* bind, int port, const char* protocol = "http/prometheus") {
  return {.node = node, .protocol = protocol, .ip_address = "::", .bind_address = bind, .port = port};
}

TEST(PluginDiscovery, TheBindAddressWhereOneIsSet) {
  const std::vector<Listener> listeners = {
      {.node = "rabbit@a", .protocol = "amqp", .ip_address = "10.0.0.9", .bind_address = "", .port = 5672},
      Prometheus("rabbit@a", "10.0.0.5", 15692)};
  const DiscoveredUrl found = PluginUrlFromListeners("rabbit@a", listeners);
  EXPECT_EQ(found.url, "http://10.0.0.5:15692");
  EXPECT_STREQ(found.reason, "ok");
}

TEST(PluginDiscovery, TheNodeNamesHostWhenTheListenerBindsEveryAddress) {
  EXPECT_EQ(PluginUrlFromListeners("rabbit@host-1.svc", {Prometheus("rabbit@host-1.svc", "", 15692)}).url,
            "http://host-1.svc:15692");
  EXPECT_EQ(PluginUrlFromListeners("rabbit@host-1", {Prometheus("rabbit@host-1", "0.0.0.0", 15692)}).url,
            "http://host-1:15692");
  EXPECT_EQ(PluginUrlFromListeners("rabbit@host-1", {Prometheus("rabbit@host-1", "::", 15692)}).url,
            "http://host-1:15692");
}

TEST(PluginDiscovery, AnIpv6BindAddressIsBracketed) {
  EXPECT_EQ(PluginUrlFromListeners("rabbit@a", {Prometheus("rabbit@a", "fd00::5", 15692)}).url,
            "http://[fd00::5]:15692");
}

TEST(PluginDiscovery, HttpsOnlyWhenThatIsAllTheNodeListens) {
  EXPECT_EQ(PluginUrlFromListeners("rabbit@a", {Prometheus("rabbit@a", "", 15691, "https/prometheus")}).url,
            "https://a:15691");
  EXPECT_EQ(PluginUrlFromListeners(
                "rabbit@a", {Prometheus("rabbit@a", "", 15691, "https/prometheus"), Prometheus("rabbit@a", "", 15692)})
                .url,
            "http://a:15692");
}

TEST(PluginDiscovery, ANodeListingNoPluginListenerIsNotListed) {
  const DiscoveredUrl found = PluginUrlFromListeners(
      "rabbit@b", {Prometheus("rabbit@a", "", 15692),
                   {.node = "rabbit@b", .protocol = "amqp", .ip_address = "::", .bind_address = "", .port = 5672}});
  EXPECT_EQ(found.url, "");
  EXPECT_STREQ(found.reason, "not_listed");
}

// With the management statistics off the overview lists no listener at all (3.10.8, checked).
TEST(PluginDiscovery, ANodeWithNoListenerListedGetsTheDefaultPortOnItsHost) {
  const DiscoveredUrl found = PluginUrlFromListeners("rabbit@host-1.svc", {});
  EXPECT_EQ(found.url, "http://host-1.svc:15692");
  EXPECT_STREQ(found.reason, "ok");
  EXPECT_EQ(PluginUrlFromListeners("rabbit@b", {Prometheus("rabbit@a", "", 15693)}).url, "http://b:15692");
  EXPECT_STREQ(PluginUrlFromListeners("rabbit@evil/host", {}).reason, "no_host");
}

TEST(PluginDiscovery, ANodeNameWithNothingToConnectToHasNoHost) {
  for (const char* node : {"rabbit", "rabbit@", "rabbit@evil/host", "rabbit@a:1", "rabbit@x y"}) {
    const DiscoveredUrl found = PluginUrlFromListeners(node, {Prometheus(node, "", 15692)});
    EXPECT_EQ(found.url, "") << node;
    EXPECT_STREQ(found.reason, "no_host") << node;
  }
  // A bind address that is no address is not used either.
  EXPECT_STREQ(PluginUrlFromListeners("rabbit@", {Prometheus("rabbit@", "evil/host", 15692)}).reason, "no_host");
}

TEST(ManagementDiscovery, TheListenerOfTheTargetsSchemeWithTheTargetsBasePath) {
  const std::vector<Listener> listeners = {
      Prometheus("rabbit@b", "", 15692),
      Prometheus("rabbit@b", "10.0.0.7", 15672, "http"),
      Prometheus("rabbit@b", "", 15671, "https"),
  };
  const BrokerUrl http = *ParseBrokerUrl("http://10.0.0.5:15672/rabbitmq");
  const DiscoveredUrl found = ManagementUrlFromListeners("rabbit@b", listeners, http);
  EXPECT_EQ(found.url, "http://10.0.0.7:15672/rabbitmq");
  EXPECT_STREQ(found.reason, "ok");
  EXPECT_TRUE(found.listed);
  EXPECT_EQ(ManagementUrlFromListeners("rabbit@b", listeners, *ParseBrokerUrl("https://rabbit-a:15671")).url,
            "https://b:15671")
      << "binding every address: the node name's host";
}

TEST(ManagementDiscovery, ANodeListedWithoutThatSchemeHasNone) {
  const DiscoveredUrl found =
      ManagementUrlFromListeners("rabbit@b", {Prometheus("rabbit@b", "", 15692)}, *ParseBrokerUrl("http://a:15672"));
  EXPECT_EQ(found.url, "");
  EXPECT_STREQ(found.reason, "not_listed");
  EXPECT_TRUE(found.listed);
}

TEST(ManagementDiscovery, ANodeNotListedAtAllIsGuessedAtTheTargetsPort) {
  const BrokerUrl target = *ParseBrokerUrl("https://a.svc:15671/prefix");
  const DiscoveredUrl guessed = ManagementUrlFromListeners("rabbit@b.svc", {}, target);
  EXPECT_EQ(guessed.url, "https://b.svc:15671/prefix");
  EXPECT_FALSE(guessed.listed) << "a guess";
  const DiscoveredUrl hostile = ManagementUrlFromListeners("rabbit@evil/path?x", {}, target);
  EXPECT_EQ(hostile.url, "");
  EXPECT_STREQ(hostile.reason, "no_host");
  EXPECT_STREQ(ManagementUrlFromListeners("no-at-sign", {}, target).reason, "no_host");
}

}  // namespace
}  // namespace warren
