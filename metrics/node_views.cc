#include "metrics/node_views.h"

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "metrics/json.h"
#include "metrics/tables.h"
#include "rapidjson/document.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

constexpr Label kViewLabels[] = {{"node", "node"}, {"peer", "peer"}};

// clang-format off
constexpr Field kViewFields[] = {
//  JSON path  metric name                   kind         help
  {"running",  "rabbitmq_node_peer_running", Kind::kBool, "1 if the node, asked through its own management listener, sees this cluster member running."},
  {"split",    "rabbitmq_node_split_from",   Kind::kBool, "1 if the node sees this member not running while the member answers that it runs: a network partition, whatever the partitions field says; 0 if it sees it running; absent if the member gave no view (it may be down)."},
};
// clang-format on

// The node's own entry says it runs: its view of the others means something.
bool SeesItselfRunning(const NodeView& view) {
  for (const auto& [member, running] : view.members) {
    if (member == view.node) return running;
  }
  return false;
}

}  // namespace

const Endpoint kNodeViews{
    .name = "node_views",
    .group = "nodes",
    .path = kNodeViewRequest,
    .columns = false,
    .core = false,  // /api/nodes from the target says which nodes there are
    .cadence = Cadence::kHealth,
    .labels = kViewLabels,
    .fields = kViewFields,
};

absl::StatusOr<NodeView> ReadNodeView(absl::string_view node, absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status parsed = ParseJson(body, "/api/nodes", &doc); !parsed.ok()) return parsed;
  if (!doc.IsArray()) return absl::DataLossError("/api/nodes: not a list");
  NodeView view{.node = std::string(node)};
  for (const rapidjson::Value& row : doc.GetArray()) {
    if (!row.IsObject()) continue;
    const rapidjson::Value* name = Resolve(row, ParsePath("name"));
    const rapidjson::Value* running = Resolve(row, ParsePath("running"));
    if (name == nullptr || !name->IsString() || running == nullptr || !running->IsBool()) continue;
    view.members.emplace_back(ValidUtf8({name->GetString(), name->GetStringLength()}), running->GetBool());
  }
  return view;
}

absl::StatusOr<Mapped> MapNodeViews(const std::vector<NodeView>& views) {
  absl::flat_hash_set<std::string> answering;
  for (const NodeView& view : views) {
    if (SeesItselfRunning(view)) answering.insert(view.node);
  }
  rapidjson::Document doc(rapidjson::kArrayType);
  auto& allocator = doc.GetAllocator();
  auto text = [&allocator](const std::string& s) { return rapidjson::Value(s.data(), s.size(), allocator); };
  for (const NodeView& view : views) {
    if (!answering.contains(view.node)) continue;
    for (const auto& [peer, running] : view.members) {
      if (peer == view.node) continue;
      rapidjson::Value object(rapidjson::kObjectType);
      object.AddMember("node", text(view.node), allocator);
      object.AddMember("peer", text(peer), allocator);
      object.AddMember("running", running, allocator);
      if (running || answering.contains(peer)) object.AddMember("split", !running, allocator);
      doc.PushBack(object, allocator);
    }
  }
  return Mapper(kNodeViews).MapDocument(doc);
}

}  // namespace warren::metrics
