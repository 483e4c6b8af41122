// /api/overview: cluster-wide totals, versions and identity. One JSON object.
// Cluster totals get rabbitmq_cluster_* names: the plugin's rabbitmq_connections etc. are per node.
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kIdentityLabels[] = {
    {"rabbitmq_cluster", "cluster_name"},
    {"rabbitmq_node", "node"},
};
constexpr Label kBuildLabels[] = {
    {"rabbitmq_version", "rabbitmq_version"},
    {"erlang_version", "erlang_version"},
};

constexpr Info kOverviewInfos[] = {
    {"rabbitmq_identity_info", kIdentityLabels, "Cluster name and the node that answered the management API."},
    {"rabbitmq_build_info", kBuildLabels, "RabbitMQ and Erlang versions of the node that answered the management API."},
};

// clang-format off
constexpr Field kOverviewFields[] = {
//  JSON path                          metric name                                         kind             help
  {"object_totals.connections",        "rabbitmq_cluster_connections",                     Kind::kGauge,   "Client connections open in the cluster."},
  {"object_totals.channels",           "rabbitmq_cluster_channels",                        Kind::kGauge,   "Channels open in the cluster."},
  {"object_totals.consumers",          "rabbitmq_cluster_consumers",                       Kind::kGauge,   "Consumers in the cluster."},
  {"object_totals.exchanges",          "rabbitmq_cluster_exchanges",                       Kind::kGauge,   "Exchanges in the cluster."},
  {"object_totals.queues",             "rabbitmq_cluster_queues",                          Kind::kGauge,   "Queues in the cluster."},
  {"queue_totals.messages",            "rabbitmq_cluster_messages",                        Kind::kGauge,   "Messages ready and unacknowledged in all queues."},
  {"queue_totals.messages_ready",      "rabbitmq_cluster_messages_ready",                  Kind::kGauge,   "Messages ready for delivery in all queues."},
  {"queue_totals.messages_unacknowledged", "rabbitmq_cluster_messages_unacked",            Kind::kGauge,   "Messages delivered but not yet acknowledged in all queues."},
  {"message_stats.publish",            "rabbitmq_cluster_messages_published_total",        Kind::kCounter, "Messages published into the cluster."},
  {"message_stats.confirm",            "rabbitmq_cluster_messages_confirmed_total",        Kind::kCounter, "Messages confirmed to publishers."},
  {"message_stats.deliver_get",        "rabbitmq_cluster_messages_delivered_total",        Kind::kCounter, "Messages delivered to consumers or fetched with basic.get."},
  {"message_stats.ack",                "rabbitmq_cluster_messages_acked_total",            Kind::kCounter, "Messages acknowledged by consumers."},
  {"message_stats.redeliver",          "rabbitmq_cluster_messages_redelivered_total",      Kind::kCounter, "Messages delivered again after a consumer failed to acknowledge them."},
  {"message_stats.return_unroutable",  "rabbitmq_cluster_messages_unroutable_returned_total", Kind::kCounter, "Mandatory messages returned to publishers because no queue was bound."},
  {"message_stats.drop_unroutable",    "rabbitmq_cluster_messages_unroutable_dropped_total", Kind::kCounter, "Messages dropped because no queue was bound."},
  {"statistics_db_event_queue",        "rabbitmq_management_event_queue",                  Kind::kGauge,   "Statistics events waiting to be processed by the management plugin."},
};
// clang-format on

// The release, for the joins that depend on it (deprecated_features.h).
constexpr Label kOverviewKeys[] = {{"rabbitmq_version", "rabbitmq_version"}};

}  // namespace

const Endpoint kOverview{
    .name = "overview",
    .group = "overview",
    .path = "/api/overview",
    .shape = Shape::kObject,
    .core = true,
    .broker_facts = true,
    .fields = kOverviewFields,
    .infos = kOverviewInfos,
    .keys = kOverviewKeys,
};

}  // namespace warren::metrics
