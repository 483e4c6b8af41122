// /api/shovels (shovel_management plugin): one state series set per shovel. 3.10 has no
// message counters here. A shovel that cannot connect stays "starting".
#include "metrics/endpoints.h"

namespace warren::metrics {
namespace {

constexpr Label kShovelLabels[] = {{"vhost", "vhost"}, {"shovel", "name"}, {"node", "node?"}, {"type", "type?"}};
constexpr const char* kShovelStateNames[] = {"running", "starting", "terminated"};
constexpr StateSet kShovelStates[] = {
  {"state", "rabbitmq_shovel_state", "state", kShovelStateNames, "1 for the shovel's current state; states not listed appear when seen."},
};

}  // namespace

const Endpoint kShovels{
    .name = "shovels",
    .group = "shovels",
    .path = "/api/shovels",
    .params = "",
    .shape = Shape::kArray,
    .columns = true,
    .sortable = false,
    .core = false,
    .opt_in = false,
    .cadence = Cadence::kScrape,
    .body_on_503 = false,
    .labels = kShovelLabels,
    .fields = {},
    .infos = {},
    .states = kShovelStates,
    .eaches = {},
    .counts = {},
    .derived = {},
    .keys = {},
};

}  // namespace warren::metrics
