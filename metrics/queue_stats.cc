// Opt-in tier: per-queue and per-exchange message counters. They exist only on the broker's
// statistics path (no disable_stats), which costs the broker far more than the cheap path
// warren uses by default (README: "Opt-in statistics"). Switched on with --collector.queue_stats
// and --collector.exchange_stats.
#include "metrics/endpoints.h"

namespace warren::metrics {
namespace {

constexpr Label kQueueLabels[] = {{"vhost", "vhost"}, {"queue", "name"}};
constexpr Field kQueueStatFields[] = {
//  JSON path                    metric name                                    kind             help
  {"message_stats.publish",      "rabbitmq_queue_messages_published_total",     Kind::kCounter, "Messages published into the queue."},
  {"message_stats.deliver_get",  "rabbitmq_queue_messages_delivered_total",     Kind::kCounter, "Messages delivered to consumers or fetched with basic.get from the queue."},
  {"message_stats.ack",          "rabbitmq_queue_messages_acked_total",         Kind::kCounter, "Messages acknowledged by the queue's consumers."},
  {"message_stats.redeliver",    "rabbitmq_queue_messages_redelivered_total",   Kind::kCounter, "Messages delivered again from the queue."},
  {"memory",                     "rabbitmq_queue_process_memory_bytes",         Kind::kGauge,   "Memory used by the queue's Erlang process."},
  {"message_bytes",              "rabbitmq_queue_messages_bytes",               Kind::kGauge,   "Size of the queue's ready and unacknowledged message bodies."},
  {"consumer_utilisation",       "rabbitmq_queue_consumer_utilisation",         Kind::kGauge,   "Fraction of time the queue could deliver to consumers at once (0 to 1)."},
};

constexpr Label kExchangeLabels[] = {{"vhost", "vhost"}, {"exchange", "name"}};
constexpr Field kExchangeStatFields[] = {
  {"message_stats.publish_in",   "rabbitmq_exchange_messages_published_in_total",  Kind::kCounter, "Messages published into the exchange."},
  {"message_stats.publish_out",  "rabbitmq_exchange_messages_published_out_total", Kind::kCounter, "Messages the exchange routed on to queues or exchanges."},
};

}  // namespace

const Endpoint kQueueStats{
    .name = "queue_stats",
    .group = "queue_stats",
    .path = "/api/queues",
    .params = "",
    .shape = Shape::kArray,
    .columns = true,
    .sortable = true,
    .core = false,
    .opt_in = true,
    .cadence = Cadence::kScrape,
    .body_on_503 = false,
    .labels = kQueueLabels,
    .fields = kQueueStatFields,
    .infos = {},
    .states = {},
    .eaches = {},
    .counts = {},
    .derived = {},
    .keys = {},
};

const Endpoint kExchangeStats{
    .name = "exchange_stats",
    .group = "exchange_stats",
    .path = "/api/exchanges",
    .params = "",
    .shape = Shape::kArray,
    .columns = true,
    .sortable = true,
    .core = false,
    .opt_in = true,
    .cadence = Cadence::kScrape,
    .body_on_503 = false,
    .labels = kExchangeLabels,
    .fields = kExchangeStatFields,
    .infos = {},
    .states = {},
    .eaches = {},
    .counts = {},
    .derived = {},
    .keys = {},
};

}  // namespace warren::metrics
