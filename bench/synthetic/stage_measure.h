// One endpoint's fetch, cut into warren's stages and timed, in the calling process: receive
// (RabbitClient::Get), parse (ParseJson), map (freeing the body, Mapper::MapDocument, freeing
// the document, as Scraper::Fetch does), join (the joins the endpoint feeds, as Scraper::UpdateJoins),
// serialize (handing over the text the mapper wrote) and assemble (AssemblePieces, as every
// /metrics request does before writing the pieces), next to a bare rapidjson::Document::Parse of
// the same bytes: the floor.
#ifndef WARREN_BENCH_SYNTHETIC_STAGE_MEASURE_H_
#define WARREN_BENCH_SYNTHETIC_STAGE_MEASURE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "exporter/broker/rabbit_client.h"
#include "metrics/table.h"

namespace warren::bench {

// Name -> one value per repetition (or a single value): "receive_ms", "rss_peak_bytes", ...
using Measurements = std::map<std::string, std::vector<double>>;

// `reps` repetitions against the broker `client` talks to. Keeps the previous repetition's text
// until the next one is ready, like warren's cache, so the peak RSS is warren's. Fails if the
// broker does not answer or the body does not map.
absl::StatusOr<Measurements> MeasureStages(const RabbitClient& client, const metrics::Endpoint& endpoint, int reps);

// One line per measurement: "<name> <value> <value>...": how a measuring child reports.
std::string ToLines(const Measurements& measurements);
absl::StatusOr<Measurements> FromLines(const std::string& lines);

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_STAGE_MEASURE_H_
