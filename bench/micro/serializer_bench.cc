// The exposition of /api/queues past the mapper (which now writes each family's text itself):
// the consumers join with its text, and AssemblePieces (what /metrics does before writing them).
#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "benchmark/benchmark.h"
#include "metrics/consumers.h"
#include "metrics/exposition.h"

namespace warren::bench {

void RegisterSerializerBenchmarks(const std::vector<size_t>& sizes) {
  for (size_t queues : sizes) {
    benchmark::RegisterBenchmark(absl::StrCat("JoinQueueConsumers/", queues).c_str(), [queues](
                                                                                          benchmark::State& state) {
      const auto mapped = MappedQueuesOf(queues);
      std::vector<metrics::LabelValues> consumers;  // one consumer on every queue
      for (const metrics::LabelValues& key : mapped->keys) consumers.push_back({key[0], key[1]});
      const std::vector<const std::vector<metrics::LabelValues>*> inputs = {&mapped->keys, &consumers};
      for (auto _ : state) {
        metrics::FamilyText text = metrics::QueueConsumers(inputs).Finish();
        benchmark::DoNotOptimize(text);
      }
      state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(absl::StrCat("AssembleQueues/", queues).c_str(), [queues](benchmark::State& state) {
      const auto mapped = MappedQueuesOf(queues);
      for (auto _ : state) {
        std::vector<const metrics::FamilyText*> chunks;
        chunks.reserve(mapped->families.size());
        for (const metrics::FamilyText& chunk : mapped->families) chunks.push_back(&chunk);
        std::vector<std::string> duplicates;
        metrics::Exposition out = metrics::AssemblePieces(std::move(chunks), &duplicates);
        benchmark::DoNotOptimize(out);
      }
      state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace warren::bench
