// Google Benchmark micro-benchmarks of warren's mapping, joins and assembly on a synthetic
// /api/queues body, registered for the queue counts given on the command line.
#ifndef WARREN_BENCH_MICRO_MICRO_BENCHMARKS_H_
#define WARREN_BENCH_MICRO_MICRO_BENCHMARKS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "metrics/mapper.h"

namespace warren::bench {

// The synthetic cluster's /api/queues body with `queues` queues (seed 1), made once per count.
std::shared_ptr<const std::string> QueuesBodyOf(size_t queues);
// That body mapped as warren maps it.
std::shared_ptr<const metrics::Mapped> MappedQueuesOf(size_t queues);

void RegisterMapperBenchmarks(const std::vector<size_t>& sizes);      // mapper_bench.cc
void RegisterSerializerBenchmarks(const std::vector<size_t>& sizes);  // serializer_bench.cc

}  // namespace warren::bench

#endif  // WARREN_BENCH_MICRO_MICRO_BENCHMARKS_H_
