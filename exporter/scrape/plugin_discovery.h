// Where each node's rabbitmq_prometheus plugin listens, read from the overview's listeners: what
// plugin depth asks when no --rabbitmq.plugin-url or -url-template names it. And where each node's
// management API listens, for each node's own view of the cluster.
#ifndef WARREN_EXPORTER_SCRAPE_PLUGIN_DISCOVERY_H_
#define WARREN_EXPORTER_SCRAPE_PLUGIN_DISCOVERY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "exporter/broker/broker_url.h"
#include "metrics/broker_facts.h"

namespace warren {

// The overview request that lists every node's listeners, and nothing else.
inline constexpr char kListenersRequest[] = "/api/overview?columns=listeners";

struct DiscoveredUrl {
  std::string url;            // "http://host:15692"; "" when none was found
  const char* reason = "ok";  // why none: "not_listed" (no http/prometheus or https/prometheus
                              // listener: the plugin is off), "no_host" (nothing to connect to)
  bool listed = false;        // the node has a listener in the list: the URL is not a guess
};

// The plugin's port unless configured otherwise (prometheus.tcp.port).
inline constexpr int kDefaultPluginPort = 15692;

// The plugin's base URL on `node`: http when the node lists both. The host is the listener's bind
// address unless it binds every address (then: the node name's part after '@'). A node with no
// listener in the list at all (the management statistics off: the overview lists none) gets
// http://<the node name's part after '@'>:15692.
DiscoveredUrl PluginUrlFromListeners(absl::string_view node, const std::vector<metrics::Listener>& listeners);

// A host name or address as a node name may carry after '@': nothing that could change which URL
// is made of it (no '/', '@', ':', '?', '#', '%' or spaces).
bool PlainHost(absl::string_view host);

// The management API's base URL on `node`, for a cluster whose API `target` answers: the node's
// listener of the target's scheme ("http" or "https"), at its bind address (or address, or the
// node name's host), with the target's base path. A node with no listener at all in the list
// gets the target's scheme and port on the node name's host. Reasons as for the plugin.
DiscoveredUrl ManagementUrlFromListeners(absl::string_view node, const std::vector<metrics::Listener>& listeners,
                                         const BrokerUrl& target);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLUGIN_DISCOVERY_H_
