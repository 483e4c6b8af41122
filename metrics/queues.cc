// /api/queues on the cheap path: disable_stats skips per-queue statistics and
// enable_queue_totals brings back only the message counts. Consumers come from /api/consumers.
#include "metrics/endpoints.h"

namespace warren::metrics {
namespace {

constexpr Label kQueueLabels[] = {{"vhost", "vhost"}, {"queue", "name"}};

constexpr Field kQueueFields[] = {
//  JSON path                  metric name                         kind           help
  {"messages",                 "rabbitmq_queue_messages",          Kind::kGauge, "Messages ready and unacknowledged: the queue depth."},
  {"messages_ready",           "rabbitmq_queue_messages_ready",    Kind::kGauge, "Messages ready for delivery to consumers."},
  {"messages_unacknowledged",  "rabbitmq_queue_messages_unacked",  Kind::kGauge, "Messages delivered to consumers but not yet acknowledged."},
};

}  // namespace

const Endpoint kQueues{
    .name = "queues",
    .path = "/api/queues",
    .params = "disable_stats=true&enable_queue_totals=true",
    .shape = Shape::kArray,
    .sortable = true,
    .labels = kQueueLabels,
    .fields = kQueueFields,
    .infos = {},
};

}  // namespace warren::metrics
