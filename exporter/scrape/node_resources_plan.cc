#include "exporter/scrape/node_resources_plan.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "exporter/scrape/self_metrics.h"
#include "metrics/node_resources.h"
#include "metrics/tables.h"

namespace warren {
namespace {

// The nodes' keys (kNodes): name, running, mem_limit, type.
constexpr size_t kName = 0, kRunning = 1, kMemLimit = 2;

// The running nodes whose /api/nodes row has no figures.
std::vector<std::string> WithoutFigures(const std::vector<metrics::LabelValues>& nodes) {
  std::vector<std::string> out;
  for (const metrics::LabelValues& node : nodes) {
    if (node.size() > kMemLimit && !node[kName].empty() && node[kRunning] == "true" && node[kMemLimit].empty()) {
      out.push_back(node[kName]);
    }
  }
  return out;
}

}  // namespace

NodeResourcesPlan::NodeResourcesPlan(const PluginOptions& plugin, const RabbitClient* management)
    : FetchPlan(metrics::kNodeResources),
      plugin_(plugin),
      management_(management),
      nodes_(plugin.retry_interval, kNodeResourcesFromPlugin, "node resources"),
      locator_(plugin_, management) {}

const char* NodeResourcesPlan::Follows() const { return metrics::kNodes.name; }

std::vector<prometheus::MetricFamily> NodeResourcesPlan::SelfMetrics() const {
  std::vector<prometheus::MetricFamily> families = nodes_.SelfMetrics();
  if (const int missing = missing_.load(); missing >= 0) {
    prometheus::MetricFamily family = FamilyOf(kNodeResourcesMissing);
    AddSample(&family, {}, missing);
    families.push_back(std::move(family));
  }
  return families;
}

FetchResult NodeResourcesPlan::Fetch(const FetchContext& context) {
  const std::shared_ptr<const std::vector<metrics::LabelValues>> listed = context.keys_of(metrics::kNodes.name);
  // No node list: the nodes endpoint says why. Statistics on: /api/nodes has every figure.
  const std::vector<std::string> wanted = listed == nullptr ? std::vector<std::string>() : WithoutFigures(*listed);
  nodes_.KeepOnly(wanted);
  if (wanted.empty()) {
    missing_ = -1;
    return {.mapped = metrics::Mapped{}, .stand_down = true};
  }

  FetchResult result;
  absl::Status first_error;
  auto fail = [&first_error](const absl::Status& status) {
    if (first_error.ok()) first_error = status;
  };
  std::vector<PluginTarget> targets;
  if (plugin_.On()) {
    absl::StatusOr<std::vector<PluginTarget>> located = locator_.Locate(wanted, context.deadline, &result.requests);
    if (located.ok()) {
      targets = *std::move(located);
    } else {
      // The listeners could not be read: why is the nodes' reason too.
      fail(located.status());
      for (const std::string& node : wanted) targets.push_back({.node = node, .reason = NodeReason(located.status())});
    }
  } else {
    for (const std::string& node : wanted) targets.push_back({.node = node, .reason = "plugin_off"});
  }

  // Each node's figures in its own slot; a node not due for a retry is not asked.
  const absl::Time now = absl::Now();
  std::vector<std::optional<metrics::NodeFigures>> figures(targets.size());
  std::vector<absl::Status> statuses(targets.size());
  std::vector<size_t> asked;
  for (size_t i = 0; i < targets.size(); ++i) {
    const PluginTarget& target = targets[i];
    if (target.url.empty()) {
      nodes_.Record(target.node, "", target.reason, now);
      statuses[i] =
          absl::UnavailableError(absl::StrCat("node ", target.node, ": no plugin to ask (", target.reason, ")"));
    } else if (!nodes_.Due(target.node, now)) {
      statuses[i] =
          absl::UnavailableError(absl::StrCat("node ", target.node, "'s plugin is not asked until its retry"));
    } else {
      asked.push_back(i);
    }
  }
  const int64_t max_body_bytes = management_->max_body_bytes();
  AskEach(asked.size(), [&](size_t k) {
    const size_t i = asked[k];
    const PluginTarget& target = targets[i];
    absl::StatusOr<std::string> text =
        GetFromPlugin(target.url, metrics::kNodeResourcesRequest, plugin_.tls, max_body_bytes, context.deadline);
    if (!text.ok()) {
      statuses[i] = text.status();
      return;
    }
    metrics::NodeFigures read = metrics::ReadNodeFigures(*text);
    statuses[i] = CheckPluginNode(target.node, read.node);
    if (statuses[i].ok()) figures[i] = std::move(read);
  });
  result.requests += asked.size();
  const absl::Time answered = absl::Now();
  for (size_t i : asked) {
    const PluginTarget& target = targets[i];
    const absl::Status& status = statuses[i];
    nodes_.Record(target.node, SafeUrl(target.url), NodeReason(status), answered, std::string(status.message()));
    if (!status.ok()) {
      statuses[i] = absl::Status(
          status.code(), absl::StrCat("node ", target.node, " (", SafeUrl(target.url), "): ", status.message()));
    }
  }

  // The alarms of the whole cluster, from the node that answers the management API.
  ++result.requests;
  std::optional<metrics::ClusterAlarms> alarms;
  absl::StatusOr<std::string> body = management_->Get(metrics::kClusterAlarmsRequest, context.deadline, true);
  absl::StatusOr<metrics::ClusterAlarms> read_alarms =
      body.ok() ? metrics::ReadClusterAlarms(*body) : absl::StatusOr<metrics::ClusterAlarms>(body.status());
  if (read_alarms.ok()) {
    alarms = *std::move(read_alarms);
  } else {
    fail(read_alarms.status());
  }

  std::vector<metrics::NodeResources> nodes;
  int missing = 0;
  metrics::FieldErrors errors;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!statuses[i].ok()) fail(statuses[i]);
    if (figures[i].has_value()) {
      errors.wrong_type += figures[i]->invalid;
    } else {
      ++missing;
    }
    nodes.push_back({.node = targets[i].node,
                     .figures = figures[i].has_value() ? &*figures[i] : nullptr,
                     .alarms = alarms.has_value() ? &*alarms : nullptr});
  }
  missing_ = missing;
  result.mapped = metrics::MapNodeResources(nodes);
  if (result.mapped.ok()) result.mapped->errors.Add(errors);
  result.partial_error = first_error;
  return result;
}

}  // namespace warren
