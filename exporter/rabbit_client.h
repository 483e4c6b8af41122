// HTTP GETs against the RabbitMQ management API. Thread-safe and stateless between calls: each
// Get opens its own connection, so parallel fetches never share a socket.
#ifndef WARREN_EXPORTER_RABBIT_CLIENT_H_
#define WARREN_EXPORTER_RABBIT_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/broker_url.h"

namespace warren {

struct ClientOptions {
  BrokerUrl url;
  std::string user;
  std::string password;
  int64_t max_body_bytes = int64_t{256} << 20;
};

class RabbitClient {
 public:
  explicit RabbitClient(ClientOptions options);

  // GETs base_path + `request` ("/api/queues?..."), giving up at `deadline`. Error codes:
  // kUnavailable (connect/read failed), kDeadlineExceeded, kPermissionDenied (401/403),
  // kNotFound (404), kResourceExhausted (body over the cap), kInternal (other HTTP status).
  // Messages name the request, never the credentials.
  // With `body_on_503`, an HTTP 503 body is returned like a 200 one (failing health checks).
  absl::StatusOr<std::string> Get(absl::string_view request, absl::Time deadline, bool body_on_503 = false) const;

 private:
  const ClientOptions options_;
};

// Short, bounded label value for warren_scrape_errors_total{reason}.
absl::string_view ErrorReason(const absl::Status& status);

// Every value ErrorReason can return, so counters can start at 0.
const std::vector<absl::string_view>& AllErrorReasons();

}  // namespace warren

#endif  // WARREN_EXPORTER_RABBIT_CLIENT_H_
