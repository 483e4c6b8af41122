// /api/shovels (shovel_management plugin): one state series set per shovel. 3.10 has no
// message counters here. A shovel that cannot connect stays "starting".
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kShovelLabels[] = {{"vhost", "vhost"}, {"shovel", "name"}, {"node", "node?"}, {"type", "type?"}};
constexpr const char* kShovelStateNames[] = {"running", "starting", "terminated"};
// clang-format off
constexpr StateSet kShovelStates[] = {
  {"state", "rabbitmq_shovel_state", "state", kShovelStateNames, "1 for the shovel's current state; states not listed appear when seen."},
};
// clang-format on

}  // namespace

const Endpoint kShovels{
    .name = "shovels",
    .group = "shovels",
    .path = "/api/shovels",
    .labels = kShovelLabels,
    .states = kShovelStates,
};

}  // namespace warren::metrics
