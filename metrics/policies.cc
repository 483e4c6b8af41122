// Policies, read only for what classic queue mirroring should look like. Reading /api/policies
// needs the policymaker (or administrator) tag: a monitoring-only user gets 401, so policies are a
// group of their own that such a setup switches off (--no-collector.policies).
#include "metrics/policies.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "metrics/join_rows.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kPolicyKeys[] = {
    {"vhost", "vhost"},
    {"policy", "name"},
    {"ha_mode", "definition.ha-mode"},
    {"ha_params", "definition.ha-params"},
};

// Copies of the master and its mirrors that `policy` (vhost, name, ha-mode, ha-params) asks for,
// or -1 if it does not mirror.
int64_t Copies(const LabelValues& policy, const absl::flat_hash_set<std::string>& cluster) {
  const std::string& mode = policy[2];
  const std::string& params = policy[3];
  const int64_t nodes = static_cast<int64_t>(cluster.size());
  if (mode == "all") return nodes;
  if (mode == "exactly") {
    int64_t count = 0;
    if (!absl::SimpleAtoi(params, &count) || count < 1) return -1;  // the broker rejects these too
    return std::min(count, nodes);
  }
  if (mode == "nodes") {
    int64_t listed = 0;
    for (absl::string_view node : absl::StrSplit(params, ',', absl::SkipEmpty())) {
      listed += cluster.contains(node) ? 1 : 0;
    }
    return listed;
  }
  return -1;
}

}  // namespace

const Endpoint kPolicies{
    .name = "policies",
    .group = "policies",
    .path = "/api/policies",
    .keys = kPolicyKeys,
};

const char kMirrorsExpectedName[] = "rabbitmq_queue_mirrors_expected";
const char kMirrorsExpectedHelp[] =
    "Mirrors the classic queue's ha-mode policy asks for, counting nodes that are down: compare with "
    "rabbitmq_queue_mirrors.";

FamilyBuilder MirrorsExpected(JoinInputs inputs) {
  const std::vector<LabelValues>& queues = *inputs[0];
  const std::vector<LabelValues>& policies = *inputs[1];
  const std::vector<LabelValues>& nodes = *inputs[2];

  absl::flat_hash_set<std::string> cluster;
  for (const LabelValues& node : nodes) {
    if (!node.empty() && !node[0].empty()) cluster.insert(node[0]);
  }
  absl::flat_hash_map<std::pair<std::string, std::string>, int64_t> copies;  // (vhost, policy)
  for (const LabelValues& policy : policies) {
    if (policy.size() != 4) continue;
    if (const int64_t n = Copies(policy, cluster); n >= 0) copies[{policy[0], policy[1]}] = n;
  }

  std::vector<JoinRow> rows;
  if (!copies.empty()) {
    std::pair<std::string, std::string> key;
    for (const LabelValues& queue : queues) {  // vhost, queue, type, policy, node
      if (queue.size() < 4 || queue[2] != "classic" || queue[3].empty()) continue;
      key.first = queue[0];
      key.second = queue[3];
      auto it = copies.find(key);
      if (it == copies.end()) continue;
      rows.push_back({queue[0], queue[1], static_cast<double>(std::max<int64_t>(it->second - 1, 0))});
    }
  }
  return JoinFamily(kMirrorsExpectedName, kMirrorsExpectedHelp, "vhost", "queue", std::move(rows));
}

}  // namespace warren::metrics
