// /api/deprecated-features/used (3.13+): the deprecated features this cluster uses, each with its
// deprecation phase on the running release (rabbit_depr_ff_extra:cli_info/1: name, desc,
// deprecation_phase, doc_url, provided_by). What an upgrade to 4.x must clear first: classic
// queue mirroring is removed in 4.0, RAM nodes in 4.3. Fetched on the definitions interval: the
// broker decides "used" by looking at every queue and channel.
#include "metrics/deprecated_features.h"

#include <vector>

#include "metrics/join_rows.h"
#include "metrics/releases.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kFeatureLabels[] = {{"feature", "name"}};
constexpr Label kPhaseLabels[] = {{"deprecation_phase", "deprecation_phase"}};

constexpr Info kFeatureInfos[] = {
    {"rabbitmq_deprecated_feature_used_info", kPhaseLabels,
     "1 for each deprecated feature the cluster uses, with its deprecation phase on the running release "
     "(permitted_by_default, denied_by_default, disconnected, removed)."},
};

}  // namespace

const Endpoint kDeprecatedFeaturesUsed{
    .name = "deprecated_features_used",
    .group = "deprecated_features",
    .path = "/api/deprecated-features/used",
    .columns = false,
    .cadence = Cadence::kDefinitions,
    .labels = kFeatureLabels,
    .infos = kFeatureInfos,
};

const char kDerivedFeaturesName[] = "rabbitmq_deprecated_feature_used_info";
const char kDerivedFeaturesHelp[] =
    "Before 3.13 (no such endpoint), derived as 3.13 and 4.0.4 decide: 1 for classic_queue_mirroring while a "
    "policy sets ha-mode (RabbitMQ 4.0 removes it), for transient_nonexcl_queues while a queue is neither durable "
    "nor exclusive (4.3 refuses new ones), for ram_node_type while a node is a RAM node (4.3 removes it); phase "
    "permitted_by_default.";

FamilyBuilder DerivedDeprecatedFeatures(JoinInputs inputs) {
  const std::vector<LabelValues>& overview = *inputs[0];
  const std::vector<LabelValues>& nodes = *inputs[1];
  const std::vector<LabelValues>& policies = *inputs[2];
  const std::vector<LabelValues>& queues = *inputs[3];
  const Release release(overview.empty() || overview[0].empty() ? "" : overview[0][0]);
  std::vector<JoinRow> rows;
  // Unknown release: the endpoint is asked, and its answer (or "not offered") decides.
  if (release.known() && !release.Offers(kDeprecatedFeaturesUsed.name)) {
    constexpr size_t kHaMode = 2, kNodeType = 3;
    for (const LabelValues& policy : policies) {
      if (policy.size() > kHaMode && !policy[kHaMode].empty()) {
        rows.push_back({"classic_queue_mirroring", "permitted_by_default", 1});
        break;
      }
    }
    // rabbit_amqqueue:are_transient_nonexcl_used/1 (v4.0.4): a transient queue without an owner.
    // A row without both fields (an older listing) says nothing either way.
    constexpr size_t kDurable = 5, kExclusive = 6;
    for (const LabelValues& queue : queues) {
      if (queue.size() > kExclusive && queue[kDurable] == "false" && queue[kExclusive] == "false") {
        rows.push_back({"transient_nonexcl_queues", "permitted_by_default", 1});
        break;
      }
    }
    for (const LabelValues& node : nodes) {
      if (node.size() > kNodeType && node[kNodeType] == "ram") {
        rows.push_back({"ram_node_type", "permitted_by_default", 1});
        break;
      }
    }
  }
  return JoinFamily(kDerivedFeaturesName, kDerivedFeaturesHelp, "feature", "deprecation_phase", std::move(rows));
}

}  // namespace warren::metrics
