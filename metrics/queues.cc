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
// For the consumers (consumers.cc), mirrors expected (policies.cc) and plugin depth
// (queue_depth.cc) joins. The host node is the one whose plugin reports the queue's depth.
// clang-format off
constexpr Label kQueueKeys[] = {
    {"vhost", "vhost"}, {"queue", "name"}, {"type", "type"}, {"policy", "policy"}, {"node", "leader|node"}};

constexpr Field kQueueFields[] = {
//  JSON path                   metric name                             kind            help
  {"messages",                  "rabbitmq_queue_messages",              Kind::kGauge,  "Messages ready and unacknowledged: the queue depth."},
  {"messages_ready",            "rabbitmq_queue_messages_ready",        Kind::kGauge,  "Messages ready for delivery to consumers."},
  {"messages_unacknowledged",   "rabbitmq_queue_messages_unacked",      Kind::kGauge,  "Messages delivered to consumers but not yet acknowledged."},
  {"slave_nodes",               "rabbitmq_queue_mirrors",               Kind::kLength, "Mirrors of a classic mirrored queue, synchronised or not."},
  {"synchronised_slave_nodes",  "rabbitmq_queue_mirrors_synchronised",  Kind::kLength, "Mirrors of a classic mirrored queue that hold every message."},
  {"members",                   "rabbitmq_queue_members",               Kind::kLength, "Members of a quorum queue or stream."},
  {"online",                    "rabbitmq_queue_members_online",        Kind::kLength, "Members of a quorum queue or stream that are online."},
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

// Quorum queues and streams need a majority of their members online to accept writes.
void BelowMajority(const rapidjson::Value& queue, SampleSink& sink) {
  static const JsonPath* const kMembers = new JsonPath(ParsePath("members"));  // parsed once, never freed
  static const JsonPath* const kOnline = new JsonPath(ParsePath("online"));
  const rapidjson::Value* members = Resolve(queue, *kMembers);
  const rapidjson::Value* online = Resolve(queue, *kOnline);
  if (members == nullptr || online == nullptr || !members->IsArray() || !online->IsArray() || members->Empty()) return;
  sink.Add(online->Size() < members->Size() / 2 + 1 ? 1 : 0);
}

constexpr Derived kQueueDerived[] = {
    {"rabbitmq_queue_below_majority", prometheus::MetricType::Gauge, "members,online", "", &BelowMajority,
     "1 if fewer than a majority of the quorum queue's or stream's members are online."},
};

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
