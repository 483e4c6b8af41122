// /api/nodes: every node of the cluster as the answering node sees it, so one target covers all.
// Names follow the rabbitmq_prometheus plugin (which reports only its own node) plus a node label.
#include <span>

#include "metrics/node_resources.h"
#include "metrics/releases.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kNodeLabels[] = {{"node", "name"}};
// What the node resources fetch needs to know of each node: whether the management statistics
// gave its figures (mem_limit is there whenever they are on), and whether it runs.
constexpr Label kNodeKeys[] = {{"node", "name"}, {"running", "running"}, {"mem_limit", "mem_limit"}, {"type", "type"}};
constexpr Label kNodeInfoLabels[] = {{"type", "type"}};

constexpr Info kNodeInfos[] = {
    {"rabbitmq_node_info", kNodeInfoLabels, "Node type: disc or ram."},
};

// mem_used to uptime: the node's resources. With the management statistics off /api/nodes lacks
// them and each node's plugin reports them instead (kNodeResources, node_resources.h).
// clang-format off
constexpr Field kNodeFields[] = {
//  JSON path          metric name                                   kind            help
  {"running",          "rabbitmq_node_running",                      Kind::kBool,   "1 if the node is running, as seen by the node that answered."},
  {"mem_used",         "rabbitmq_process_resident_memory_bytes",     Kind::kGauge,  "Memory used by the node, as compared with the memory watermark."},
  {"mem_limit",        "rabbitmq_resident_memory_limit_bytes",       Kind::kGauge,  "Memory high watermark: publishers are blocked above it."},
  {"mem_alarm",        "rabbitmq_alarms_memory_used_watermark",      Kind::kBool,   "1 if the memory alarm is in effect."},
  {"disk_free",        "rabbitmq_disk_space_available_bytes",        Kind::kGauge,  "Free disk space on the node's data partition."},
  {"disk_free_limit",  "rabbitmq_disk_space_available_limit_bytes",  Kind::kGauge,  "Free disk space low watermark: publishers are blocked below it."},
  {"disk_free_alarm",  "rabbitmq_alarms_free_disk_space_watermark",  Kind::kBool,   "1 if the free disk space alarm is in effect."},
  {"fd_used",          "rabbitmq_process_open_fds",                  Kind::kGauge,  "File descriptors open."},
  {"fd_total",         "rabbitmq_process_max_fds",                   Kind::kGauge,  "File descriptors limit."},
  {"sockets_used",     "rabbitmq_process_open_tcp_sockets",          Kind::kGauge,  "TCP sockets open."},
  {"sockets_total",    "rabbitmq_process_max_tcp_sockets",           Kind::kGauge,  "TCP sockets limit."},
  {"proc_used",        "rabbitmq_erlang_processes_used",             Kind::kGauge,  "Erlang processes used."},
  {"proc_total",       "rabbitmq_erlang_processes_limit",            Kind::kGauge,  "Erlang processes limit."},
  {"run_queue",        "rabbitmq_erlang_scheduler_run_queue",        Kind::kGauge,  "Erlang processes waiting to run."},
  {"uptime",           "rabbitmq_erlang_uptime_seconds",             Kind::kMillis, "Time since the node started."},
  {"partitions",       "rabbitmq_node_partitions",                   Kind::kLength, "Nodes this node sees on the other side of a network partition."},
};
// clang-format on
constexpr auto kResourceFields = std::span(kNodeFields).subspan(1, 14);  // mem_used to uptime

// clang-format off
constexpr Each kNodeEaches[] = {
  {"partitions", "rabbitmq_node_partitioned_from", "peer", "1 for each node this node sees on the other side of a network partition."},
};
// clang-format on

void NodeVersion(const rapidjson::Value& node, SampleSink& sink) {
  const std::string version = NodeVersionOf(node);
  if (!version.empty()) sink.Add(1, {{"rabbitmq_version", version}});
}

// Also what decides which of the node's fields measure something (releases.h): sockets and
// partitions are constants on some releases, and in a rolling upgrade nodes run different ones.
constexpr Derived kNodeDerived[] = {
    {"rabbitmq_node_version_info", prometheus::MetricType::Gauge, "rabbitmq_version,applications", "rabbitmq_version",
     &NodeVersion, "The RabbitMQ version each node runs (its rabbit application's): differs in a rolling upgrade."},
};

}  // namespace

const Endpoint kNodes{
    .name = "nodes",
    .group = "nodes",
    .path = "/api/nodes",
    .core = true,
    .labels = kNodeLabels,
    .fields = kNodeFields,
    .infos = kNodeInfos,
    .eaches = kNodeEaches,
    .derived = kNodeDerived,
    // the cluster's nodes, for mirrors expected (policies.cc), node resources, node views and RAM
    // nodes as a deprecated feature (deprecated_features.h)
    .keys = kNodeKeys,
};

const Endpoint kNodeResources{
    .name = "node_resources",
    .group = "nodes",
    .path = kNodeResourcesRequest,
    .columns = false,
    .core = false,  // /api/nodes says which nodes there are and whether they run
    .opt_in = true,
    .labels = kNodeLabels,
    .fields = kResourceFields,
};

}  // namespace warren::metrics
