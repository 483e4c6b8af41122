#include "metrics/node_resources.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "metrics/json.h"
#include "metrics/plugin_text.h"
#include "metrics/tables.h"
#include "rapidjson/document.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

// What the plugin calls each /api/nodes figure (names in prometheus_rabbitmq_core_metrics_collector.erl,
// families node_coarse_metrics and node_metrics, prefixed rabbitmq_detailed_ on this endpoint).
struct PluginFigure {
  absl::string_view metric;
  const char* field = nullptr;
  double to_field = 1;  // the plugin's unit to /api/nodes'
};

// clang-format off
constexpr PluginFigure kPluginFigures[] = {
  {"rabbitmq_detailed_process_resident_memory_bytes",    "mem_used"},
  {"rabbitmq_detailed_resident_memory_limit_bytes",      "mem_limit"},
  {"rabbitmq_detailed_disk_space_available_bytes",       "disk_free"},
  {"rabbitmq_detailed_disk_space_available_limit_bytes", "disk_free_limit"},
  {"rabbitmq_detailed_process_open_fds",                 "fd_used"},
  {"rabbitmq_detailed_process_max_fds",                  "fd_total"},
  {"rabbitmq_detailed_process_open_tcp_sockets",         "sockets_used"},
  {"rabbitmq_detailed_process_max_tcp_sockets",          "sockets_total"},
  {"rabbitmq_detailed_erlang_processes_used",            "proc_used"},
  {"rabbitmq_detailed_erlang_processes_limit",           "proc_total"},
  {"rabbitmq_detailed_erlang_scheduler_run_queue",       "run_queue"},
  {"rabbitmq_detailed_erlang_uptime_seconds",            "uptime", 1000},  // /api/nodes: milliseconds
};
// clang-format on

constexpr absl::string_view kMemoryResource = "memory";
constexpr absl::string_view kDiskResource = "disk space";  // rabbit_alarm's DISK_SPACE_RESOURCE

// As the nodes' keys hold their names (Mapper): valid UTF-8, so the two match.
std::string TextOf(const rapidjson::Value& value) { return ValidUtf8({value.GetString(), value.GetStringLength()}); }

const PluginFigure* FigureNamed(absl::string_view metric) {
  for (const PluginFigure& figure : kPluginFigures) {
    if (figure.metric == metric) return &figure;
  }
  return nullptr;
}

}  // namespace

NodeFigures ReadNodeFigures(absl::string_view text) {
  NodeFigures out;
  std::vector<const PluginFigure*> dropped;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line.front() == '#') continue;
    if (absl::StartsWith(line, kPluginIdentityPrefix)) {
      out.node = PluginIdentityLabel(line, "rabbitmq_node");
      continue;
    }
    const PluginFigure* figure = FigureNamed(line.substr(0, line.find_first_of("{ ")));
    if (figure == nullptr) continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos || !absl::SimpleAtod(line.substr(space + 1), &value) ||
        !std::isfinite(value) || value < 0) {
      ++out.invalid;
      continue;
    }
    // The plugin divides whole milliseconds by 1000: rounding gets them back exactly.
    value = figure->to_field == 1 ? value : std::round(value * figure->to_field);
    auto same = [figure](const auto& field) { return field.first == figure->field; };
    if (std::find(dropped.begin(), dropped.end(), figure) != dropped.end()) continue;
    if (auto seen = std::find_if(out.fields.begin(), out.fields.end(), same); seen != out.fields.end()) {
      // Two samples of one figure: which one is the node's is unknown, so neither.
      out.fields.erase(seen);
      dropped.push_back(figure);
      out.invalid += 2;
      continue;
    }
    out.fields.emplace_back(figure->field, value);
  }
  return out;
}

absl::StatusOr<ClusterAlarms> ReadClusterAlarms(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status parsed = ParseJson(body, kClusterAlarmsRequest, &doc); !parsed.ok()) return parsed;
  const rapidjson::Value* status = Resolve(doc, ParsePath("status"));
  if (status == nullptr || !status->IsString()) {
    return absl::DataLossError(absl::StrCat(kClusterAlarmsRequest, ": no status"));
  }
  ClusterAlarms alarms;
  if (TextOf(*status) == "ok") return alarms;
  const rapidjson::Value* list = Resolve(doc, ParsePath("alarms"));
  if (list == nullptr || !list->IsArray()) {
    // A failed check without its list: which node has which alarm is unknown.
    return absl::DataLossError(absl::StrCat(kClusterAlarmsRequest, ": failed without a list of alarms"));
  }
  for (const rapidjson::Value& alarm : list->GetArray()) {
    const rapidjson::Value* node = Resolve(alarm, ParsePath("node"));
    const rapidjson::Value* resource = Resolve(alarm, ParsePath("resource"));
    if (node == nullptr || !node->IsString() || resource == nullptr || !resource->IsString()) continue;
    const std::string which = TextOf(*resource);
    if (which == kMemoryResource) alarms.memory.insert(TextOf(*node));
    if (which == kDiskResource) alarms.disk.insert(TextOf(*node));
  }
  return alarms;
}

absl::StatusOr<Mapped> MapNodeResources(const std::vector<NodeResources>& nodes) {
  rapidjson::Document doc(rapidjson::kArrayType);
  auto& allocator = doc.GetAllocator();
  for (const NodeResources& node : nodes) {
    rapidjson::Value object(rapidjson::kObjectType);
    object.AddMember("name", rapidjson::Value(node.node.data(), node.node.size(), allocator), allocator);
    if (node.figures != nullptr) {
      for (const auto& [field, value] : node.figures->fields) {
        object.AddMember(rapidjson::StringRef(field), rapidjson::Value(value), allocator);
      }
    }
    if (node.alarms != nullptr) {
      object.AddMember("mem_alarm", node.alarms->memory.contains(node.node), allocator);
      object.AddMember("disk_free_alarm", node.alarms->disk.contains(node.node), allocator);
    }
    doc.PushBack(object, allocator);
  }
  return Mapper(kNodeResources).MapDocument(doc);
}

std::vector<const char*> PluginNodeFields() {
  std::vector<const char*> fields;
  for (const PluginFigure& figure : kPluginFigures) fields.push_back(figure.field);
  return fields;
}

}  // namespace warren::metrics
