// warren's own metrics: names, labels and help in one place, used both to build the families
// and to generate the README's metric reference.
#ifndef WARREN_EXPORTER_SCRAPE_SELF_METRICS_H_
#define WARREN_EXPORTER_SCRAPE_SELF_METRICS_H_

#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace warren {

struct SelfMetric {
  const char* name;
  prometheus::MetricType type;
  const char* labels;  // comma-separated, for the reference
  const char* help;
};

inline constexpr SelfMetric kUp{"rabbitmq_up", prometheus::MetricType::Gauge, "",
                                "1 if the last fetch of overview, nodes and queues all succeeded."};
inline constexpr SelfMetric kScrapeSuccess{"warren_scrape_success", prometheus::MetricType::Gauge, "endpoint",
                                           "1 if the last fetch of the endpoint succeeded."};
inline constexpr SelfMetric kScrapeDuration{"warren_scrape_duration_seconds", prometheus::MetricType::Gauge, "endpoint",
                                            "Duration of the last fetch of the endpoint, mapping included."};
inline constexpr SelfMetric kScrapeErrors{"warren_scrape_errors_total", prometheus::MetricType::Counter,
                                          "endpoint,reason", "Failed fetches of the endpoint by reason."};
inline constexpr SelfMetric kLastSuccess{"warren_last_success_timestamp_seconds", prometheus::MetricType::Gauge,
                                         "endpoint", "When the data served for the endpoint was fetched."};
inline constexpr SelfMetric kFieldErrors{
    "warren_json_field_errors_total", prometheus::MetricType::Counter, "endpoint,reason",
    "JSON fields that produced no sample: missing, of the wrong type, or in an object whose labels repeat an "
    "earlier one's (duplicate)."};
inline constexpr SelfMetric kObjectsDropped{
    "warren_objects_dropped", prometheus::MetricType::Gauge, "endpoint,reason",
    "Objects of the endpoint's last fetch left out by the filters (reason filter) or the queue cap (reason cap)."};
inline constexpr SelfMetric kScrapeRequests{
    "warren_scrape_requests", prometheus::MetricType::Gauge, "endpoint",
    "HTTP requests of the endpoint's last fetch when a vhost filter applies on the broker's side: one per kept vhost."};
inline constexpr SelfMetric kEndpointNotOffered{
    "warren_endpoint_not_offered", prometheus::MetricType::Gauge, "endpoint",
    "1 for an endpoint the broker does not serve (its release routes no such path; HTTP 404 or 406: a plugin that "
    "is off, a check the release lacks; HTTP 400: statistics that are off): no failure and no series, asked again "
    "every 10 minutes or when the release changes."};
inline constexpr SelfMetric kPluginUp{
    "warren_plugin_up", prometheus::MetricType::Gauge, "node,reason",
    "With plugin depth: 1 if the node's rabbitmq_prometheus plugin answered as that node at its last attempt; 0 with "
    "why not (not_listed: the plugin is off; no_url, no_host, wrong_node, unreachable, timeout, ...)."};
inline constexpr SelfMetric kQueueDepthFromPlugin{
    "warren_queue_depth_from_plugin", prometheus::MetricType::Gauge, "",
    "With plugin depth: 1 if the queue depths served came from every node's plugin, 0 if from the listing with "
    "totals (a node's plugin not answering)."};
inline constexpr SelfMetric kNodeResourcesFromPlugin{
    "warren_node_resources_from_plugin", prometheus::MetricType::Gauge, "node,reason",
    "For a running node whose resources /api/nodes lacks (the management statistics off): 1 if its "
    "rabbitmq_prometheus plugin gave them at its last attempt; 0 with why not (plugin_off, not_listed, no_url, "
    "wrong_node, unreachable, timeout, ...)."};
inline constexpr SelfMetric kNodeResourcesMissing{
    "warren_node_resources_missing", prometheus::MetricType::Gauge, "",
    "Running nodes whose resources neither /api/nodes nor their plugin gave at the last scrape: their memory, disk, "
    "file descriptor, socket, process and uptime series are absent."};
inline constexpr SelfMetric kNodeViewUp{
    "warren_node_view_up", prometheus::MetricType::Gauge, "node,reason",
    "In a cluster: 1 if the node, asked through its own management listener, answered as that node with its view "
    "of the members at its last attempt; 0 with why not (not_listed, no_host, wrong_node, unreachable, timeout, auth, "
    "tls, ...)."};
inline constexpr SelfMetric kBuildInfo{"warren_build_info", prometheus::MetricType::Gauge, "version",
                                       "The warren version."};

inline constexpr const SelfMetric* kAllSelfMetrics[] = {
    &kUp,
    &kScrapeSuccess,
    &kScrapeDuration,
    &kScrapeErrors,
    &kLastSuccess,
    &kFieldErrors,
    &kObjectsDropped,
    &kScrapeRequests,
    &kEndpointNotOffered,
    &kPluginUp,
    &kQueueDepthFromPlugin,
    &kNodeResourcesFromPlugin,
    &kNodeResourcesMissing,
    &kNodeViewUp,
    &kBuildInfo,
};

// The process_* families (see process_metrics.h), for the reference.
inline constexpr SelfMetric kProcessMetrics[] = {
    {"process_cpu_seconds_total", prometheus::MetricType::Counter, "", "User and system CPU time spent by warren."},
    {"process_max_fds", prometheus::MetricType::Gauge, "", "File descriptor limit of warren."},
    {"process_open_fds", prometheus::MetricType::Gauge, "", "File descriptors open in warren."},
    {"process_resident_memory_bytes", prometheus::MetricType::Gauge, "", "Resident memory size of warren."},
    {"process_start_time_seconds", prometheus::MetricType::Gauge, "", "Start time of warren since the Unix epoch."},
    {"process_virtual_memory_bytes", prometheus::MetricType::Gauge, "", "Virtual memory size of warren."},
};

// An empty family described by `metric`, ready for samples.
prometheus::MetricFamily FamilyOf(const SelfMetric& metric);

// Adds one sample with `labels` (name, value pairs) to `family`.
void AddSample(prometheus::MetricFamily* family, std::vector<prometheus::ClientMetric::Label> labels, double value);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_SELF_METRICS_H_
