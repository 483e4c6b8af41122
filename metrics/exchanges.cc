// /api/exchanges, counted per vhost and type. Exchanges have no cheap per-object numbers worth
// one series each; disable_stats skips their message statistics.
#include "metrics/endpoints.h"

namespace warren::metrics {
namespace {

constexpr Label kExchangeCountLabels[] = {{"vhost", "vhost"}, {"type", "type"}};
constexpr Count kExchangeCounts[] = {
  {"rabbitmq_exchanges", kExchangeCountLabels, "Exchanges per vhost and type."},
};

}  // namespace

const Endpoint kExchanges{
    .name = "exchanges",
    .group = "exchanges",
    .path = "/api/exchanges",
    .params = "disable_stats=true",
    .shape = Shape::kArray,
    .columns = true,
    .sortable = true,
    .core = false,
    .opt_in = false,
    .cadence = Cadence::kScrape,
    .body_on_503 = false,
    .labels = {},
    .fields = {},
    .infos = {},
    .states = {},
    .eaches = {},
    .counts = kExchangeCounts,
    .derived = {},
    .keys = {},
};

}  // namespace warren::metrics
