// TLS to the broker, on httplib's client: the CA store, client certificate and name a
// ClientOptions asks for, loaded once (LoadTls), and put into each request's SSL_CTX with the
// callbacks that say why a handshake failed (ConfigureTls). Internal to broker/.
#ifndef WARREN_EXPORTER_BROKER_CLIENT_TLS_H_
#define WARREN_EXPORTER_BROKER_CLIENT_TLS_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "exporter/broker/client_options.h"
#include "exporter/broker/pem.h"

namespace httplib {
class Client;
}

namespace warren {

void FreeCertStack(STACK_OF(X509) * chain);

struct LoadedTls {
  std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>> store;    // the CA file or the system store
  X509Ptr cert;                                                       // null without a client certificate
  std::unique_ptr<STACK_OF(X509), OpenSslFree<FreeCertStack>> chain;  // intermediates after it
  PrivateKeyPtr key;
  std::string verify_name;  // what the broker's certificate must name
  bool verify_ip = false;   // verify_name is an IP address
  std::string sni;          // the server name to send instead of the URL host, if any
  bool insecure = false;
};

// The TLS options' files, loaded and checked; null for an http:// URL (which may have none).
absl::StatusOr<std::shared_ptr<const LoadedTls>> LoadTls(const ClientOptions& options);

// One handshake's view for the verify callback: set as ex_data of the request's SSL_CTX.
struct Handshake {
  const LoadedTls* tls = nullptr;
  std::string failure;                 // why the broker's certificate was refused, if it was
  bool certificate_requested = false;  // the broker asked for a client certificate
  std::string alert;                   // the first fatal alert the broker sent
};

// Puts the loaded material into this request's SSL_CTX. httplib's own check is off: it runs
// after the handshake and only against the URL host; OpenSSL's, set here, runs during it.
absl::Status ConfigureTls(httplib::Client& client, Handshake* handshake);

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_CLIENT_TLS_H_
