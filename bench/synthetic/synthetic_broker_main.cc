// warren_synthetic_broker: serves a synthetic cluster's Management API bodies on 127.0.0.1 until
// SIGTERM or SIGINT. Prints the port on the first line of stdout once it accepts requests, and
// the size of each body on stderr.
//
//   warren_synthetic_broker [--queues=10000] [--seed=1] [--port=0]
#include <signal.h>

#include <cstdint>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/synthetic/bodies.h"
#include "bench/synthetic/cluster.h"
#include "bench/synthetic/synthetic_broker.h"

ABSL_FLAG(uint64_t, queues, 10000, "queues in the synthetic cluster");
ABSL_FLAG(uint64_t, seed, 1, "seed of the generated names, types and depths");
ABSL_FLAG(int, port, 0, "port on 127.0.0.1; 0 picks a free one");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("serves synthetic RabbitMQ Management API bodies on 127.0.0.1");
  absl::ParseCommandLine(argc, argv);
  // Block the stop signals before the server's threads start, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR) return 1;  // a client that hangs up mid-body would end us

  warren::bench::SyntheticBodies bodies =
      warren::bench::MakeBodies(warren::bench::MakeCluster(absl::GetFlag(FLAGS_queues), absl::GetFlag(FLAGS_seed)));
  for (const auto& [path, response] : bodies) {
    std::cerr << "warren_synthetic_broker: " << path << " " << response.status << " " << response.body.size()
              << " bytes\n";
  }
  auto broker = warren::bench::SyntheticBroker::Start(std::move(bodies), absl::GetFlag(FLAGS_port));
  if (!broker.ok()) {
    std::cerr << "warren_synthetic_broker: " << broker.status().message() << "\n";
    return 1;
  }
  std::cout << (*broker)->port() << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}
