// HTTP GETs against the RabbitMQ management API. Thread-safe and stateless between calls: each
// Get opens its own connection, so parallel fetches never share a socket.
#ifndef WARREN_EXPORTER_BROKER_RABBIT_CLIENT_H_
#define WARREN_EXPORTER_BROKER_RABBIT_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/broker/client_options.h"

namespace warren {

// What warren asks the broker to encode its answers in (--rabbitmq.format).
enum class BodyFormat {
  kAuto,  // BERT for the endpoints where it saves the broker CPU (BertPays), JSON for the rest
  kBert,  // BERT wherever the broker offers it
  kJson,  // JSON only
};
absl::StatusOr<BodyFormat> ParseBodyFormat(absl::string_view text);
absl::string_view BodyFormatName(BodyFormat format);

// A response body and how it is encoded.
struct Body {
  std::string data;
  bool bert = false;  // Content-Type application/bert, else JSON
};

// The TLS options' files, loaded (client_tls.cc). Immutable, shared by copies of a client.
struct LoadedTls;

// True if the options make warren talk TLS without verifying the broker's certificate.
bool InsecureTls(const ClientOptions& options);

class RabbitClient {
 public:
  // Checks the TLS options and loads their files: InvalidArgument naming the option and the file
  // (unreadable, no certificate in it, a certificate without its key, a key that does not match,
  // TLS options with an http:// URL).
  static absl::StatusOr<std::unique_ptr<RabbitClient>> Create(ClientOptions options);

  // Never fails: with TLS options that Create would refuse, every Get returns that error
  // (reason "tls"). Prefer Create.
  explicit RabbitClient(ClientOptions options);

  // A client with this one's credentials, body cap and TLS options at another URL (another node of
  // the cluster): Create's errors.
  absl::StatusOr<std::unique_ptr<RabbitClient>> At(BrokerUrl url) const;

  // GETs base_path + `request` ("/api/queues?..."), giving up at `deadline`. Error codes:
  // kUnavailable (connect/read failed), kDeadlineExceeded, kPermissionDenied (401/403),
  // kNotFound (404), kResourceExhausted (body over the cap), kInternal (other HTTP status),
  // kFailedPrecondition (TLS: handshake failed, certificate or name not accepted by either
  // side, unusable TLS options). Messages name the request, never the credentials.
  // With `body_on_503`, an HTTP 503 body is returned like a 200 one (failing health checks).
  absl::StatusOr<std::string> Get(absl::string_view request, absl::Time deadline, bool body_on_503 = false) const;
  // Get, asking for BERT if `bert` (JSON still accepted: endpoints that do not offer BERT answer
  // JSON); the Content-Type of the answer says which it is. The body cap is the same.
  absl::StatusOr<Body> GetBody(absl::string_view request, absl::Time deadline, bool body_on_503, bool bert) const;
  // Get, asking for text/plain (the rabbitmq_prometheus plugin's exposition), with the same errors.
  absl::StatusOr<std::string> GetText(absl::string_view request, absl::Time deadline) const;
  // The cap on one body; Get answers kResourceExhausted above it.
  int64_t max_body_bytes() const { return options_.max_body_bytes; }
  // Where it asks (no credentials in it).
  const BrokerUrl& url() const { return options_.url; }

 private:
  // The GET behind the three above, with this Accept header.
  absl::StatusOr<Body> GetAccepting(absl::string_view request, absl::Time deadline, bool body_on_503,
                                    const char* accept) const;

  const ClientOptions options_;
  absl::Status tls_status_;               // why the TLS options are unusable, else OK
  std::shared_ptr<const LoadedTls> tls_;  // for an https:// URL when tls_status_ is OK
};

// Short, bounded label value for warren_scrape_errors_total{reason}. "not_offered"
// (kUnimplemented: HTTP 406, or 400 for statistics that are off) names an endpoint the broker
// does not serve, which the scraper does not count as a failure.
absl::string_view ErrorReason(const absl::Status& status);

// Every value ErrorReason returns for a failure, so counters can start at 0.
const std::vector<absl::string_view>& AllErrorReasons();

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_RABBIT_CLIENT_H_
