// TLS for warren's own HTTP server, from a TlsServerConfig (tls_server_config.h), with OpenSSL.
//
// TlsContext configures the SSL_CTX warren's HTTP server is given (versions, ciphers, groups, client
// certificate policy) and, on every handshake, hands the connection the current certificate, key
// and client CAs. Those are re-read when one of their files changes (a stat() at most once per
// reload_check_interval, on a handshake): a renewed certificate is served without a restart. A
// reload that fails (say the new certificate is in place but the key is not yet) keeps serving the
// previous pair and logs one warning; the next change of a file tries again.
#ifndef WARREN_EXPORTER_WEB_WEB_TLS_H_
#define WARREN_EXPORTER_WEB_WEB_TLS_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/web/tls_server_config.h"

namespace warren {

// Certificate chain, key and client CAs, parsed and checked (the key matches the certificate).
struct TlsMaterial;

// Reads and checks the files (or inline PEM) of `tls`. Errors name the key and the file.
absl::StatusOr<std::shared_ptr<const TlsMaterial>> LoadTlsMaterial(const TlsServerConfig& tls);

class TlsContext {
 public:
  // Loads the material once; errors as LoadTlsMaterial.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(const TlsServerConfig& tls);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Sets up `ctx` (the server calls this once, before it listens). The context keeps a
  // pointer to this object: it must outlive the server.
  bool Configure(SSL_CTX* ctx);

  // The material the next handshake gets, reloaded first if a file changed. Thread-safe.
  std::shared_ptr<const TlsMaterial> Current();

  // Successful reloads since Create (tests).
  int reloads() const;

 private:
  explicit TlsContext(TlsServerConfig tls);
  std::vector<std::string> Signature() const;  // what stat() says of each file
  static int OnClientHello(SSL* ssl, int* alert, void* arg);
  static int VerifyClientCert(X509_STORE_CTX* store, void* arg);

  const TlsServerConfig tls_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TlsMaterial> current_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> signature_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
  int reloads_ ABSL_GUARDED_BY(mu_) = 0;
};

// Whether a certificate's subject alternative names (DNS, e-mail, URI, IP) contain one of
// `allowed` exactly (IP addresses compared as addresses). exporter-toolkit's client_allowed_sans.
bool CertHasAllowedSan(X509* cert, const std::vector<std::string>& allowed);

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_WEB_TLS_H_
