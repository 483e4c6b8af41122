// Opt-in tier: per-queue and per-exchange message counters. They exist only on the broker's
// statistics path (no disable_stats), which costs the broker far more than the cheap path
// warren uses by default (README: "Opt-in statistics"). Switched on with --collector.queue_stats
// and --collector.exchange_stats.
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kQueueLabels[] = {{"vhost", "vhost"}, {"queue", "name"}};
// clang-format off
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
// clang-format on

constexpr Label kExchangeLabels[] = {{"vhost", "vhost"}, {"exchange", "name"}};
// clang-format off
constexpr Field kExchangeStatFields[] = {
  {"message_stats.publish_in",   "rabbitmq_exchange_messages_published_in_total",  Kind::kCounter, "Messages published into the exchange."},
  {"message_stats.publish_out",  "rabbitmq_exchange_messages_published_out_total", Kind::kCounter, "Messages the exchange routed on to queues or exchanges."},
};
// clang-format on

}  // namespace

const Endpoint kQueueStats{
    .name = "queue_stats",
    .group = "queue_stats",
    .path = "/api/queues",
    .sortable = true,
    .opt_in = true,
    .vhost_path = "/api/queues/{vhost}",
    .bert_pays = true,
    .labels = kQueueLabels,
    .fields = kQueueStatFields,
};

const Endpoint kExchangeStats{
    .name = "exchange_stats",
    .group = "exchange_stats",
    .path = "/api/exchanges",
    .sortable = true,
    .opt_in = true,
    .vhost_path = "/api/exchanges/{vhost}",
    .bert_pays = true,
    .labels = kExchangeLabels,
    .fields = kExchangeStatFields,
};

}  // namespace warren::metrics
