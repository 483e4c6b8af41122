// What the broker says about itself in /api/overview: its version, the cluster's name, the node
// that answered and its listeners. Read once per overview fetch into this small value, which the
// fetch plans (the `sort=` decision, the plugin's label escaping) and per-release decisions read;
// nothing reads it back out of exposition text.
#ifndef WARREN_METRICS_BROKER_FACTS_H_
#define WARREN_METRICS_BROKER_FACTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace warren::metrics {

// Every member has a default, so designated initializers may name only some.

// One entry of the overview's `listeners`: a protocol a node accepts connections for.
struct Listener {
  std::string node = {};        // "rabbit@host-1"
  std::string protocol = {};    // "amqp", "http", "http/prometheus", "https/prometheus", ...
  std::string ip_address = {};  // as the broker reports it: "::" for every address, even when bound to one
  // socket_opts.ip, where the listener's configuration names its bind address (HTTP listeners
  // do: management.tcp.ip, prometheus.tcp.ip); "" otherwise.
  std::string bind_address = {};
  int port = 0;

  bool operator==(const Listener&) const = default;
};

struct BrokerFacts {
  std::string rabbitmq_version = {};  // "3.10.8"; "" when the overview had none
  std::string erlang_version = {};
  std::string cluster_name = {};
  std::string node = {};                 // the node that answered the management API
  std::vector<Listener> listeners = {};  // empty unless the overview was asked for them

  bool operator==(const BrokerFacts&) const = default;
};

// The facts in an /api/overview body (parsed). Fields of the wrong type or absent are left empty;
// a listener without a node, a protocol or a port from 1 to 65535 is left out. Strings are kept
// only when valid UTF-8 (else ""): they may end up in log lines.
BrokerFacts ReadBrokerFacts(const rapidjson::Value& overview);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_BROKER_FACTS_H_
