// /api/exchanges, counted per vhost and type. Exchanges have no cheap per-object numbers worth
// one series each; disable_stats skips their message statistics.
#include "metrics/tables.h"

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
    .sortable = true,
    .vhost_path = "/api/exchanges/{vhost}",
    .bert_pays = true,
    .counts = kExchangeCounts,
};

}  // namespace warren::metrics
