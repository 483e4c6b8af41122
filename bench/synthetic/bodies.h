// The Management API bodies of a SyntheticCluster, as RabbitMQ 3.10 answers warren's requests
// (the columns warren asks for, the shapes and key order of tests/fixtures/*--cluster3.json).
#ifndef WARREN_BENCH_SYNTHETIC_BODIES_H_
#define WARREN_BENCH_SYNTHETIC_BODIES_H_

#include <map>
#include <string>

#include "bench/synthetic/cluster.h"

namespace warren::bench {

struct CannedResponse {
  int status = 200;
  std::string body;
};

// Keyed by path without the query ("/api/queues"): the query is not looked at, so the opt-in
// statistics requests (same paths, other columns) get the default requests' bodies.
using SyntheticBodies = std::map<std::string, CannedResponse>;

// Every endpoint warren asks for. The federation and shovel plugins are off: their paths answer
// 404 as the broker does then, which warren reports as reason not_found.
SyntheticBodies MakeBodies(const SyntheticCluster& cluster);

// Only GET /api/queues of `cluster`: for the micro-benchmarks.
std::string QueuesBody(const SyntheticCluster& cluster);

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_BODIES_H_
