// The exposition of /api/queues' families: SerializeFamilies (sort, then prometheus-cpp's
// TextSerializer per family, as Scraper::Fetch does), the TextSerializer alone on sorted
// families (what the sort and the per-family streams add is the difference), and Assemble.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "benchmark/benchmark.h"
#include "metrics/exposition.h"
#include "prometheus/text_serializer.h"

namespace warren::bench {

void RegisterSerializerBenchmarks(const std::vector<size_t>& sizes) {
  for (size_t queues : sizes) {
    benchmark::RegisterBenchmark(absl::StrCat("SerializeQueues/", queues).c_str(), [queues](benchmark::State& state) {
      const auto mapped = MappedQueuesOf(queues);
      for (auto _ : state) {
        state.PauseTiming();  // SerializeFamilies consumes its input: a fresh copy each time
        std::vector<prometheus::MetricFamily> families = mapped->families;
        state.ResumeTiming();
        std::vector<metrics::FamilyText> text = metrics::SerializeFamilies(std::move(families));
        benchmark::DoNotOptimize(text);
      }
      state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(absl::StrCat("TextSerializerSorted/", queues).c_str(), [queues](benchmark::State& state) {
      // Sorted once, the way SerializeFamilies sorts.
      std::vector<prometheus::MetricFamily> families = MappedQueuesOf(queues)->families;
      for (prometheus::MetricFamily& family : families) {
        std::sort(family.metric.begin(), family.metric.end(),
                  [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) { return a.label < b.label; });
      }
      const prometheus::TextSerializer serializer;
      for (auto _ : state) {
        std::ostringstream out;
        serializer.Serialize(out, families);
        benchmark::DoNotOptimize(out);
      }
      state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(absl::StrCat("AssembleQueues/", queues).c_str(), [queues](benchmark::State& state) {
      const std::vector<metrics::FamilyText> text = metrics::SerializeFamilies(MappedQueuesOf(queues)->families);
      for (auto _ : state) {
        std::vector<const metrics::FamilyText*> chunks;
        chunks.reserve(text.size());
        for (const metrics::FamilyText& chunk : text) chunks.push_back(&chunk);
        std::vector<std::string> duplicates;
        std::string out = metrics::Assemble(std::move(chunks), &duplicates);
        benchmark::DoNotOptimize(out);
      }
      state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queues));
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace warren::bench
