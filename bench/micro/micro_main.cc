// warren_micro_bench: Google Benchmark's flags (--benchmark_filter, --benchmark_min_time, ...)
// plus --sizes, the queue counts of the synthetic /api/queues bodies.
//
//   warren_micro_bench [--sizes=1000,10000] [--benchmark_...]
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "bench/micro/micro_benchmarks.h"
#include "bench/synthetic/bodies.h"
#include "bench/synthetic/cluster.h"
#include "benchmark/benchmark.h"
#include "metrics/endpoints.h"

ABSL_FLAG(std::vector<std::string>, sizes, std::vector<std::string>({"1000", "10000"}),
          "queue counts of the /api/queues bodies");

namespace warren::bench {

std::shared_ptr<const std::string> QueuesBodyOf(size_t queues) {
  static auto* bodies = new std::map<size_t, std::shared_ptr<const std::string>>;
  auto& body = (*bodies)[queues];
  if (body == nullptr) body = std::make_shared<const std::string>(QueuesBody(MakeCluster(queues, 1)));
  return body;
}

std::shared_ptr<const metrics::Mapped> MappedQueuesOf(size_t queues) {
  static auto* all = new std::map<size_t, std::shared_ptr<const metrics::Mapped>>;
  auto& mapped = (*all)[queues];
  if (mapped == nullptr) {
    absl::StatusOr<metrics::Mapped> result = metrics::Mapper(metrics::kQueues).Map(*QueuesBodyOf(queues));
    if (!result.ok()) {
      std::cerr << "warren_micro_bench: " << result.status().message() << "\n";
      std::abort();  // a benchmark without its input has nothing to measure
    }
    mapped = std::make_shared<const metrics::Mapped>(*std::move(result));
  }
  return mapped;
}

}  // namespace warren::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);  // takes the --benchmark_* flags out of argv
  absl::ParseCommandLine(argc, argv);
  std::vector<size_t> sizes;
  for (const std::string& size : absl::GetFlag(FLAGS_sizes)) {
    size_t n = 0;
    if (!absl::SimpleAtoi(size, &n) || n == 0) {
      std::cerr << "warren_micro_bench: --sizes: not a positive count: " << size << "\n";
      return 2;
    }
    sizes.push_back(n);
  }
  warren::bench::RegisterMapperBenchmarks(sizes);
  warren::bench::RegisterSerializerBenchmarks(sizes);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
