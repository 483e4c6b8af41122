#include "metrics/queue_depth.h"

#include <cstdint>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "metrics/join_rows.h"
#include "metrics/tables.h"

namespace warren::metrics {

const Endpoint kQueueDepth{
    .name = "queue_depth",
    .group = "queues",
    .path = kPluginDepthRequest,
    .columns = false,
    .core = false,  // the listing says which queues exist; their depth failing is not "down"
    .opt_in = true,
};

namespace {
// The depth row columns (AppendDepthRows), read from the listing with totals.
constexpr Label kTotalsKeys[] = {{"vhost", "vhost"},          {"queue", "name"},
                                 {"node", "leader|node"},     {"messages", "messages"},
                                 {"ready", "messages_ready"}, {"unacked", "messages_unacknowledged"}};
}  // namespace

const Endpoint kQueueTotals{
    .name = "queue_totals",
    .group = "queues",
    .path = "/api/queues",
    .params = "disable_stats=true&enable_queue_totals=true",
    .sortable = true,
    .core = false,
    .opt_in = true,
    .vhost_path = "/api/queues/{vhost}",
    .bert_pays = true,
    .keys = kTotalsKeys,
};

void AppendDepthRows(const PluginDepths& depths, absl::string_view node, const Filter* filter,
                     std::vector<LabelValues>* rows) {
  auto text = [](const std::optional<double>& value) {
    // ParseCoarseDepths keeps only whole numbers up to 2^53: exact as integers.
    return value ? absl::StrCat(static_cast<int64_t>(*value)) : std::string();
  };
  rows->reserve(rows->size() + depths.queues.size());
  for (const auto& [name, depth] : depths.queues) {
    if (filter != nullptr &&
        (!filter->Keeps(Filter::Subject::kVhost, name.first) || !filter->Keeps(Filter::Subject::kQueue, name.second))) {
      continue;
    }
    rows->push_back(
        {name.first, name.second, std::string(node), text(depth.messages), text(depth.ready), text(depth.unacked)});
  }
}

namespace {

// Listing keys (queues.cc): vhost, queue, type, policy, host node.
constexpr size_t kListingNode = 4;
// Depth row columns (AppendDepthRows).
constexpr size_t kDepthNode = 2, kDepthMessages = 3, kDepthReady = 4, kDepthUnacked = 5;

using DepthKey = std::tuple<absl::string_view, absl::string_view, absl::string_view>;  // vhost, queue, node

// Depth rows by (vhost, queue, reporting node). A queue reported twice by one node keeps neither.
absl::flat_hash_map<DepthKey, const LabelValues*> IndexDepths(const std::vector<LabelValues>& rows) {
  absl::flat_hash_map<DepthKey, const LabelValues*> index;
  index.reserve(rows.size());
  for (const LabelValues& row : rows) {
    if (row.size() != kDepthColumns) continue;
    auto [it, inserted] = index.try_emplace(DepthKey{row[0], row[1], row[kDepthNode]}, &row);
    if (!inserted) it->second = nullptr;
  }
  return index;
}

// The depth row the host node of `queue` reported for it, or nullptr.
const LabelValues* HostDepth(const absl::flat_hash_map<DepthKey, const LabelValues*>& index, const LabelValues& queue) {
  if (queue.size() <= kListingNode) return nullptr;
  auto it = index.find(DepthKey{queue[0], queue[1], queue[kListingNode]});
  return it == index.end() ? nullptr : it->second;
}

// The help of the totals listing's field of that name (queues.cc): the same series, the same words.
const char* HelpOf(absl::string_view name) {
  for (const Field& field : kQueues.fields) {
    if (name == field.name) return field.help;
  }
  return "";
}

FamilyBuilder DepthFamily(JoinInputs inputs, size_t column, const char* name) {
  const std::vector<LabelValues>& queues = *inputs[0];
  const auto index = IndexDepths(*inputs[1]);
  std::vector<JoinRow> rows;
  rows.reserve(queues.size());
  for (const LabelValues& queue : queues) {
    const LabelValues* depth = HostDepth(index, queue);
    int64_t value = 0;
    if (depth == nullptr || !absl::SimpleAtoi((*depth)[column], &value)) continue;  // missing, never 0
    rows.push_back({queue[0], queue[1], static_cast<double>(value)});
  }
  return JoinFamily(name, HelpOf(name), "vhost", "queue", std::move(rows));
}

constexpr char kMessagesName[] = "rabbitmq_queue_messages";
constexpr char kReadyName[] = "rabbitmq_queue_messages_ready";
constexpr char kUnackedName[] = "rabbitmq_queue_messages_unacked";
constexpr char kMissingName[] = "warren_queue_depth_missing";
constexpr char kMissingHelp[] =
    "Listed queues hosted on the node whose depth its rabbitmq_prometheus plugin did not report in the last fetch.";

}  // namespace

bool DepthMatchesListing(const std::vector<LabelValues>& listing, const std::vector<LabelValues>& rows) {
  if (listing.size() != rows.size()) return false;
  const auto index = IndexDepths(rows);
  for (const LabelValues& queue : listing) {
    const LabelValues* depth = HostDepth(index, queue);
    if (depth == nullptr || (*depth)[kDepthMessages].empty()) return false;
  }
  return true;
}

namespace {

FamilyBuilder Messages(JoinInputs inputs) { return DepthFamily(inputs, kDepthMessages, kMessagesName); }
FamilyBuilder Ready(JoinInputs inputs) { return DepthFamily(inputs, kDepthReady, kReadyName); }
FamilyBuilder Unacked(JoinInputs inputs) { return DepthFamily(inputs, kDepthUnacked, kUnackedName); }

// Every host node of the listing, 0 included, so that an alert on > 0 has a series to watch.
FamilyBuilder Missing(JoinInputs inputs) {
  const std::vector<LabelValues>& queues = *inputs[0];
  const auto index = IndexDepths(*inputs[1]);
  std::map<absl::string_view, int64_t> missing;  // host node -> queues without a depth
  for (const LabelValues& queue : queues) {
    if (queue.size() <= kListingNode) continue;
    int64_t& count = missing[queue[kListingNode]];
    const LabelValues* depth = HostDepth(index, queue);
    if (depth == nullptr || (*depth)[kDepthMessages].empty()) ++count;
  }
  FamilyBuilder family(kMissingName, kMissingHelp, prometheus::MetricType::Gauge);
  for (const auto& [node, count] : missing) family.Label("node", node).Value(static_cast<double>(count));
  return family;
}

}  // namespace

std::span<const Join> PluginDepthJoins() {
  static const Endpoint* const kInputs[] = {&kQueueListing, &kQueueDepth};
  static const Join kAll[] = {
      {kInputs, kMessagesName, "vhost, queue", HelpOf(kMessagesName), &Messages},
      {kInputs, kReadyName, "vhost, queue", HelpOf(kReadyName), &Ready},
      {kInputs, kUnackedName, "vhost, queue", HelpOf(kUnackedName), &Unacked},
      {kInputs, kMissingName, "node", kMissingHelp, &Missing},
  };
  return kAll;
}

}  // namespace warren::metrics
