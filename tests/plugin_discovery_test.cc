// PluginUrlFromListeners: which URL the overview's listeners give for a node's plugin.
#include "exporter/scrape/plugin_discovery.h"

#include <vector>

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

}  // namespace
}  // namespace warren
