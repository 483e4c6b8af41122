// A made-up RabbitMQ 3.10 cluster for the benchmarks: three nodes, five vhosts, and N queues of
// the kinds production brokers hold (classic, mirrored classic, quorum, stream) with realistic
// names (a few with quotes, backslashes and UTF-8), depths, consumers, and the connections,
// channels, exchanges and policies that go with them. Deterministic for a seed.
#ifndef WARREN_BENCH_SYNTHETIC_CLUSTER_H_
#define WARREN_BENCH_SYNTHETIC_CLUSTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace warren::bench {

struct SyntheticQueue {
  int vhost = 0;  // index into SyntheticCluster::vhosts
  std::string name;
  const char* type = "classic";  // "classic", "quorum" or "stream"
  int policy = -1;               // index into SyntheticCluster::policies, -1 for none
  const char* state = "running";
  int node = 0;  // classic: the master; quorum and stream: the leader
  int64_t ready = 0, unacked = 0;
  std::vector<int> mirrors, synchronised;  // mirrored classic queues: node indices
  std::vector<int> members, online;        // quorum queues: node indices
  int consumers = 0;
  int exchange = -1;  // index into SyntheticCluster::exchanges it is bound from, -1 for none
  std::string routing_key;
};

struct SyntheticExchange {
  int vhost = 0;
  std::string name;
  const char* type = "topic";
};

// A connection or a channel: what warren counts them by.
struct SyntheticLink {
  int vhost = 0;
  int node = 0;
  const char* state = "running";  // nullptr: no state (direct connections, e.g. a shovel's)
};

struct SyntheticPolicy {
  int vhost = 0;
  const char* name = nullptr;
  const char* pattern = nullptr;
  const char* definition = nullptr;  // JSON object
  const char* ha_columns = nullptr;  // what `columns=definition.ha-mode,definition.ha-params` leaves: JSON
};

struct SyntheticCluster {
  std::string cluster_name;
  std::vector<std::string> nodes;
  std::vector<std::string> vhosts;
  std::vector<SyntheticPolicy> policies;
  std::vector<SyntheticQueue> queues;
  std::vector<SyntheticExchange> exchanges;  // declared by applications (not the built-in ones)
  std::vector<SyntheticLink> connections, channels;
};

SyntheticCluster MakeCluster(size_t queues, uint64_t seed);

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_CLUSTER_H_
