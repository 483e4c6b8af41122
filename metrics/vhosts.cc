// /api/vhosts (message totals and each node's view of the vhost) and /api/vhost-limits.
// Current usage to compare limits with: rabbitmq_vhost_queues, sum by vhost of rabbitmq_connections.
#include "metrics/json.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kVhostLabels[] = {{"vhost", "name"}};

// clang-format off
constexpr Field kVhostFields[] = {
//  JSON path                  metric name                         kind           help
  {"messages",                 "rabbitmq_vhost_messages",          Kind::kGauge, "Messages ready and unacknowledged in the vhost's queues."},
  {"messages_ready",           "rabbitmq_vhost_messages_ready",    Kind::kGauge, "Messages ready for delivery in the vhost's queues."},
  {"messages_unacknowledged",  "rabbitmq_vhost_messages_unacked",  Kind::kGauge, "Messages delivered but not yet acknowledged in the vhost's queues."},
};
// clang-format on

// cluster_state maps each node to the vhost's state there: {"rabbit@a":"running",...}.
void VhostUp(const rapidjson::Value& vhost, SampleSink& sink) {
  const rapidjson::Value* nodes = Resolve(vhost, ParsePath("cluster_state"));
  if (nodes == nullptr || !nodes->IsObject()) return;
  for (auto it = nodes->MemberBegin(); it != nodes->MemberEnd(); ++it) {
    const bool running =
        it->value.IsString() && std::string_view(it->value.GetString(), it->value.GetStringLength()) == "running";
    sink.Add(running ? 1 : 0, {{"node", std::string(it->name.GetString(), it->name.GetStringLength())}});
  }
}

constexpr Derived kVhostDerived[] = {
    {"rabbitmq_vhost_up", prometheus::MetricType::Gauge, "cluster_state", "node", &VhostUp,
     "1 if the vhost is running on the node."},
};

constexpr Label kLimitLabels[] = {{"vhost", "vhost"}};
// clang-format off
constexpr Field kLimitFields[] = {
  {"value.max-connections", "rabbitmq_vhost_max_connections", Kind::kGauge, "Connection limit of the vhost (-1: none)."},
  {"value.max-queues",      "rabbitmq_vhost_max_queues",      Kind::kGauge, "Queue limit of the vhost (-1: none)."},
};
// clang-format on

}  // namespace

const Endpoint kVhosts{
    .name = "vhosts",
    .group = "vhosts",
    .path = "/api/vhosts",
    .sortable = true,
    .labels = kVhostLabels,
    .fields = kVhostFields,
    .derived = kVhostDerived,
};

const Endpoint kVhostLimits{
    .name = "vhost_limits",
    .group = "vhosts",
    .path = "/api/vhost-limits",
    .columns = false,  // tiny, and its limits are nested one level down
    .labels = kLimitLabels,
    .fields = kLimitFields,
};

}  // namespace warren::metrics
