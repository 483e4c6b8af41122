// Each node's own view of the cluster, as the node views fetch reads and maps them. Input: up to
// four /api/nodes bodies separated by a 0x01 byte, the i-th answered by node "rabbit@n<i>".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzz/check.h"
#include "fuzz/exposition_check.h"
#include "metrics/node_views.h"

namespace warren::fuzz {
namespace {

void MapViews(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<metrics::NodeView> views;
  for (absl::string_view body : absl::StrSplit(input, absl::MaxSplits('\x01', 3))) {
    const std::string node = absl::StrCat("rabbit@n", views.size());
    absl::StatusOr<metrics::NodeView> view = metrics::ReadNodeView(node, body);
    if (!view.ok()) {
      Check(view.status().code() == absl::StatusCode::kDataLoss, "a body fails only as kDataLoss");
      continue;
    }
    Check(view->node == node, "the view is the answering node's");
    views.push_back(*std::move(view));
  }
  absl::StatusOr<metrics::Mapped> mapped = metrics::MapNodeViews(views);
  CheckOk(mapped.status(), "views always map");
  CheckServedText(mapped->families);
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::MapViews(data, size);
  return 0;
}
