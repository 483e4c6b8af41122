// /api/connections and /api/channels, counted per vhost, node and state: never one series per
// connection. `state` (running, blocked, blocking, flow) comes from the statistics path, so these
// requests keep it; direct connections (federation, shovels inside the broker) have none: "".
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kCountLabels[] = {{"vhost", "vhost"}, {"node", "node"}, {"state", "state"}};
constexpr Count kConnectionCounts[] = {
    {"rabbitmq_connections", kCountLabels, "Connections open, per vhost, node and state (blocked under an alarm)."},
};
constexpr Count kChannelCounts[] = {
    {"rabbitmq_channels", kCountLabels, "Channels open, per vhost, node and state."},
};

}  // namespace

const Endpoint kConnections{
    .name = "connections",
    .group = "connections",
    .path = "/api/connections",
    .sortable = true,
    .vhost_path = "/api/vhosts/{vhost}/connections",
    .bert_pays = true,
    .counts = kConnectionCounts,
};

const Endpoint kChannels{
    .name = "channels",
    .group = "connections",
    .path = "/api/channels",
    .sortable = true,
    .vhost_path = "/api/vhosts/{vhost}/channels",
    .bert_pays = true,
    .counts = kChannelCounts,
};

}  // namespace warren::metrics
