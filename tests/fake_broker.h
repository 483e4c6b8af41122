// A loopback HTTP server standing in for the management API in client and scraper tests. It
// serves canned bodies per path, can fail, stall or trickle on demand, and counts requests.
// It tests warren's client side; what the broker really does is checked by tests/live.
#ifndef WARREN_TESTS_FAKE_BROKER_H_
#define WARREN_TESTS_FAKE_BROKER_H_

#include <httplib.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace warren::testing {

struct FakeResponse {
  int status = 200;
  std::string body = {};
  absl::Duration delay = absl::ZeroDuration();          // before the headers (cut short by the destructor)
  bool trickle = false;                                 // send the body a few bytes at a time, slowly
  absl::Duration byte_interval = absl::ZeroDuration();  // else: one byte of the body per interval
  int64_t reset_after = -1;                             // close the connection after this many bytes of the body
  // Instead of `body`: a JSON array of queues of this many bytes, made while it is sent, with a
  // Content-Length header unless `chunked`.
  int64_t generated_bytes = 0;
  bool chunked = false;
  std::string content_type = "application/json";  // of `body`
};

class FakeBroker {
 public:
  FakeBroker();
  ~FakeBroker();
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  // Responses are chosen by path (without the query). Unknown paths get 404.
  void Set(const std::string& path, FakeResponse response);
  // The standard bodies for overview, nodes, queues and consumers, with `queues` queues.
  void SetHealthy(int queues = 3);

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int Requests(const std::string& path);
  std::string LastQuery(const std::string& path);
  std::string LastAuthorization();
  std::string LastAccept(const std::string& path);

 private:
  // Sleeps for `d`, or less if the broker is being destroyed; false then.
  bool Pause(absl::Duration d);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  absl::Mutex mu_;
  std::map<std::string, FakeResponse> responses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> last_query_ ABSL_GUARDED_BY(mu_);
  std::string last_authorization_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> last_accept_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace warren::testing

#endif  // WARREN_TESTS_FAKE_BROKER_H_
