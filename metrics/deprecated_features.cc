// /api/deprecated-features/used (3.13+): the deprecated features this cluster uses, each with its
// deprecation phase on the running release (rabbit_depr_ff_extra:cli_info/1: name, desc,
// deprecation_phase, doc_url, provided_by). What an upgrade to 4.x must clear first: classic
// queue mirroring is removed in 4.0, RAM nodes in 4.3. Fetched on the definitions interval: the
// broker decides "used" by looking at every queue and channel.
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

}  // namespace warren::metrics
