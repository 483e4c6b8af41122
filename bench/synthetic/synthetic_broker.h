// A loopback HTTP server answering warren's Management API requests with SyntheticBodies,
// served from memory without copying, so it costs the benchmark next to nothing.
#ifndef WARREN_BENCH_SYNTHETIC_SYNTHETIC_BROKER_H_
#define WARREN_BENCH_SYNTHETIC_SYNTHETIC_BROKER_H_

#include <httplib.h>

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "bench/synthetic/bodies.h"

namespace warren::bench {

class SyntheticBroker {
 public:
  // Listens on 127.0.0.1:`port` (0: a free port) on a thread of its own until destroyed.
  // Unknown paths get 404. Credentials and the query are not looked at.
  static absl::StatusOr<std::unique_ptr<SyntheticBroker>> Start(SyntheticBodies bodies, int port);
  ~SyntheticBroker();
  SyntheticBroker(const SyntheticBroker&) = delete;
  SyntheticBroker& operator=(const SyntheticBroker&) = delete;

  int port() const { return port_; }

 private:
  explicit SyntheticBroker(SyntheticBodies bodies);

  const SyntheticBodies bodies_;  // immutable: handlers read it from any thread
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_SYNTHETIC_BROKER_H_
