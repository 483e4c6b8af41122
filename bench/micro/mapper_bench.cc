// The mapper on /api/queues: Map (parse and map, as Scraper::Fetch calls it), MapDocument (map
// only), and RapidJSON's own parse of the same bytes for scale.
#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "benchmark/benchmark.h"
#include "metrics/endpoints.h"
#include "metrics/json.h"

namespace warren::bench {
namespace {

void SetRates(benchmark::State& state, size_t queues, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

}  // namespace

void RegisterMapperBenchmarks(const std::vector<size_t>& sizes) {
  for (size_t queues : sizes) {
    benchmark::RegisterBenchmark(absl::StrCat("MapQueues/", queues).c_str(), [queues](benchmark::State& state) {
      const auto body = QueuesBodyOf(queues);
      const metrics::Mapper mapper(metrics::kQueues);
      for (auto _ : state) {
        absl::StatusOr<metrics::Mapped> mapped = mapper.Map(*body);
        benchmark::DoNotOptimize(mapped);
      }
      SetRates(state, queues, body->size());
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(absl::StrCat("MapQueuesParsed/", queues).c_str(), [queues](benchmark::State& state) {
      const auto body = QueuesBodyOf(queues);
      rapidjson::Document doc;
      if (!metrics::ParseJson(*body, "queues", &doc).ok()) state.SkipWithError("synthetic body does not parse");
      const metrics::Mapper mapper(metrics::kQueues);
      for (auto _ : state) {
        absl::StatusOr<metrics::Mapped> mapped = mapper.MapDocument(doc);
        benchmark::DoNotOptimize(mapped);
      }
      SetRates(state, queues, body->size());
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(absl::StrCat("RapidJsonParse/", queues).c_str(), [queues](benchmark::State& state) {
      const auto body = QueuesBodyOf(queues);
      for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse(body->data(), body->size());
        benchmark::DoNotOptimize(doc);
      }
      SetRates(state, queues, body->size());
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace warren::bench
