// /api/queues on the cheap path: disable_stats skips per-queue statistics and
// enable_queue_totals brings back only the message counts. What stays on that path: state,
// type, policy, node, and the mirror and quorum/stream membership lists.
// Consumers come from /api/consumers (consumers.cc).
//
// kQueueListing is the same listing without enable_queue_totals, for depth from each node's
// rabbitmq_prometheus plugin instead (queue_depth.cc, docs/design/plugin-depth.md).
#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>

#include "metrics/queue_depth.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kQueueLabels[] = {{"vhost", "vhost"}, {"queue", "name"}};
constexpr Label kQueueInfoLabels[] = {{"type", "type"}, {"policy", "policy"}};
// For the consumers (consumers.cc), mirrors expected (policies.cc), plugin depth (queue_depth.cc)
// and deprecated features (deprecated_features.cc) joins. The host node is the one whose plugin
// reports the queue's depth.
// clang-format off
constexpr Label kQueueKeys[] = {
    {"vhost", "vhost"}, {"queue", "name"}, {"type", "type"}, {"policy", "policy"}, {"node", "leader|node"},
    {"durable", "durable"}, {"exclusive", "exclusive"}};

constexpr Field kQueueFields[] = {
//  JSON path                   metric name                             kind            help
  {"messages",                  "rabbitmq_queue_messages",              Kind::kGauge,  "Messages ready and unacknowledged: the queue depth."},
  {"messages_ready",            "rabbitmq_queue_messages_ready",        Kind::kGauge,  "Messages ready for delivery to consumers."},
  {"messages_unacknowledged",   "rabbitmq_queue_messages_unacked",      Kind::kGauge,  "Messages delivered to consumers but not yet acknowledged."},
  {"slave_nodes",               "rabbitmq_queue_mirrors",               Kind::kLength, "Mirrors of a classic mirrored queue, synchronised or not."},
  {"synchronised_slave_nodes",  "rabbitmq_queue_mirrors_synchronised",  Kind::kLength, "Mirrors of a classic mirrored queue that hold every message."},
};
// clang-format on

constexpr Info kQueueInfos[] = {
    {"rabbitmq_queue_info", kQueueInfoLabels, "Queue type (classic, quorum, stream) and the policy applied to it."},
};

constexpr const char* kQueueStateNames[] = {"running", "idle", "flow", "down", "minority"};
// clang-format off
constexpr StateSet kQueueStates[] = {
  {"state", "rabbitmq_queue_state", "state", kQueueStateNames, "1 for the queue's current state; states not listed appear when seen."},
};
// clang-format on

// Without totals the broker reports only whether a queue is up ("live") or "down": a series at 0
// for running, idle or flow would claim what warren did not see. Other states still appear when seen.
constexpr const char* kQueueListingStateNames[] = {"live", "down"};
// clang-format off
constexpr StateSet kQueueListingStates[] = {
  {"state", "rabbitmq_queue_state", "state", kQueueListingStateNames, "1 for the queue's current state; states not listed appear when seen."},
};
// clang-format on

// clang-format off
constexpr Each kQueueEaches[] = {
  {"leader|node", "rabbitmq_queue_leader", "node", "1 for the node hosting the queue: the quorum or stream leader, or the classic queue's master."},
};
// clang-format on

// Membership is a quorum queue's or stream's. From 4.1 a classic queue may list its one node as
// `members` too (release notes; 4.3.6's disable_stats listing did not): no replica set, and no
// majority to lose.
bool Replicated(const rapidjson::Value& queue) {
  static const JsonPath* const kType = new JsonPath(ParsePath("type"));  // parsed once, never freed
  const rapidjson::Value* type = Resolve(queue, *kType);
  if (type == nullptr || !type->IsString()) return false;
  const absl::string_view name(type->GetString(), type->GetStringLength());
  return name == "quorum" || name == "stream";
}

// The array at `path` of a quorum queue or stream, else null.
const rapidjson::Value* Membership(const rapidjson::Value& queue, const JsonPath& path) {
  if (!Replicated(queue)) return nullptr;
  const rapidjson::Value* list = Resolve(queue, path);
  return list != nullptr && list->IsArray() ? list : nullptr;
}

const JsonPath& MembersPath() {
  static const JsonPath* const kMembers = new JsonPath(ParsePath("members"));
  return *kMembers;
}
const JsonPath& OnlinePath() {
  static const JsonPath* const kOnline = new JsonPath(ParsePath("online"));
  return *kOnline;
}

void Members(const rapidjson::Value& queue, SampleSink& sink) {
  if (const rapidjson::Value* members = Membership(queue, MembersPath())) sink.Add(members->Size());
}

void MembersOnline(const rapidjson::Value& queue, SampleSink& sink) {
  if (const rapidjson::Value* online = Membership(queue, OnlinePath())) sink.Add(online->Size());
}

// Quorum queues and streams need a majority of their members online to accept writes.
void BelowMajority(const rapidjson::Value& queue, SampleSink& sink) {
  const rapidjson::Value* members = Membership(queue, MembersPath());
  const rapidjson::Value* online = Membership(queue, OnlinePath());
  if (members == nullptr || online == nullptr || members->Empty()) return;
  sink.Add(online->Size() < members->Size() / 2 + 1 ? 1 : 0);
}

// clang-format off
constexpr Derived kQueueDerived[] = {
  {"rabbitmq_queue_members",        prometheus::MetricType::Gauge, "type,members",        "", &Members,       "Members of a quorum queue or stream."},
  {"rabbitmq_queue_members_online", prometheus::MetricType::Gauge, "type,online",         "", &MembersOnline, "Members of a quorum queue or stream that are online."},
  {"rabbitmq_queue_below_majority", prometheus::MetricType::Gauge, "type,members,online", "", &BelowMajority, "1 if fewer than a majority of the quorum queue's or stream's members are online."},
};
// clang-format on

constexpr Label kVhostLabel[] = {{"vhost", "vhost"}};
constexpr Count kQueueCounts[] = {
    {"rabbitmq_vhost_queues", kVhostLabel, "Queues in the vhost."},
};

}  // namespace

constexpr Endpoint kQueues{
    .name = "queues",
    .group = "queues",
    .path = "/api/queues",
    .params = "disable_stats=true&enable_queue_totals=true",
    .sortable = true,
    .core = true,
    .vhost_path = "/api/queues/{vhost}",
    .bert_pays = true,
    .rank_path = "messages",
    .labels = kQueueLabels,
    .fields = kQueueFields,
    .infos = kQueueInfos,
    .states = kQueueStates,
    .eaches = kQueueEaches,
    .counts = kQueueCounts,
    .derived = kQueueDerived,
    .keys = kQueueKeys,
};

namespace {

// What enable_queue_totals adds: without it the broker sends none of these.
constexpr std::string_view kDepthPaths[] = {"messages", "messages_ready", "messages_unacknowledged"};

constexpr bool IsDepth(const Field& field) {
  return std::find(std::begin(kDepthPaths), std::end(kDepthPaths), field.path) != std::end(kDepthPaths);
}
static_assert(std::count_if(std::begin(kQueueFields), std::end(kQueueFields), IsDepth) == std::ssize(kDepthPaths),
              "every depth path is a field of kQueues");

// kQueueFields but the depths, in their order.
constexpr auto kListingFields = [] {
  std::array<Field, std::size(kQueueFields) - std::size(kDepthPaths)> fields{};
  std::copy_if(std::begin(kQueueFields), std::end(kQueueFields), fields.begin(),
               [](const Field& f) { return !IsDepth(f); });
  return fields;
}();

// kQueues' listing without enable_queue_totals: the same labels, keys and series but the
// depths, and the state series it can see; never capped by depth (it has none).
constexpr Endpoint WithoutTotals(Endpoint listing) {
  listing.params = "disable_stats=true";  // the broker then says state "live", not running/idle/flow
  listing.fields = kListingFields;
  listing.states = kQueueListingStates;
  listing.rank_path = nullptr;
  return listing;  // name "queues" still: the same endpoint to whoever reads warren_scrape_success
}

}  // namespace

constexpr Endpoint kQueueListing = WithoutTotals(kQueues);

}  // namespace warren::metrics
