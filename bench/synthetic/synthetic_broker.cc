#include "bench/synthetic/synthetic_broker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace warren::bench {
namespace {

const CannedResponse& NotFound() {
  static const CannedResponse* response =
      new CannedResponse{404, R"({"error":"Object Not Found","reason":"Not Found"})"};
  return *response;
}

}  // namespace

SyntheticBroker::SyntheticBroker(SyntheticBodies bodies) : bodies_(std::move(bodies)) {
  server_.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    auto it = bodies_.find(request.path);
    const CannedResponse& canned = it == bodies_.end() ? NotFound() : it->second;
    response.status = canned.status;
    // A content provider reads the stored body in place: set_content would copy 170 MB per
    // request at a million queues.
    const std::string* body = &canned.body;
    response.set_content_provider(body->size(), "application/json",
                                  [body](size_t offset, size_t length, httplib::DataSink& sink) {
                                    const size_t chunk = std::min<size_t>(length, size_t{1} << 20);
                                    return sink.write(body->data() + offset, chunk);
                                  });
  });
}

absl::StatusOr<std::unique_ptr<SyntheticBroker>> SyntheticBroker::Start(SyntheticBodies bodies, int port) {
  std::unique_ptr<SyntheticBroker> broker(new SyntheticBroker(std::move(bodies)));
  if (port == 0) {
    broker->port_ = broker->server_.bind_to_any_port("127.0.0.1");
    if (broker->port_ < 0) return absl::UnavailableError("cannot bind 127.0.0.1 to any port");
  } else {
    if (!broker->server_.bind_to_port("127.0.0.1", port)) {
      return absl::UnavailableError(absl::StrCat("cannot bind 127.0.0.1:", port));
    }
    broker->port_ = port;
  }
  SyntheticBroker* raw = broker.get();
  broker->thread_ = std::thread([raw] { raw->server_.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so a broker destroyed at once would hang.
  while (!broker->server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  return broker;
}

SyntheticBroker::~SyntheticBroker() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace warren::bench
