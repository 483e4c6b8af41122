// The web configuration file (--web.config.file) in the Prometheus exporter-toolkit format: TLS
// for warren's own endpoints (tls_server_config), extra response headers (http_server_config) and
// basic auth with bcrypt hashes (basic_auth_users). See docs of prometheus/exporter-toolkit.
//
// LoadWebConfig reads and validates the whole file once, at startup: unknown keys, keys warren
// cannot honour (rate_limit), bad values, unreadable or mismatched certificate files and hashes
// that are not bcrypt are errors naming the file, the line and the key. Relative paths resolve
// against the directory of the web config file, as in exporter-toolkit. The certificate, key and
// client CA files are re-read when they change (see web_tls.h); the web config file itself is not.
//
// BasicAuth checks an Authorization header against the users with the system's crypt(3)
// (libxcrypt's bcrypt), caching successful checks so a scrape every 15 s costs one bcrypt.
#ifndef WARREN_EXPORTER_WEB_CONFIG_H_
#define WARREN_EXPORTER_WEB_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace warren {

// Go's crypto/tls ClientAuthType names, as exporter-toolkit accepts them.
enum class ClientAuth {
  kNoClientCert,                // no certificate asked for
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified (only client_allowed_sans, if set)
  kVerifyClientCertIfGiven,     // not required, verified against client_ca_file if sent
  kRequireAndVerifyClientCert,  // required and verified: the only one that authenticates
};
absl::string_view ClientAuthName(ClientAuth auth);

struct TlsServerConfig {
  // Exactly one of each file/inline pair is set (checked by LoadWebConfig). Paths are resolved.
  std::string cert_file, cert_pem;
  std::string key_file, key_pem;  // key_pem is a secret: never logged
  std::string client_ca_file, client_ca_pem;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  int min_version = 0x0303;                // TLS 1.2 (TLS1_2_VERSION), exporter-toolkit's default
  int max_version = 0x0304;                // TLS 1.3
  std::vector<std::string> cipher_suites;  // OpenSSL names, TLS <= 1.2; empty: OpenSSL's default
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_groups;  // OpenSSL group names; empty: OpenSSL's default
  std::vector<std::string> client_allowed_sans;
  // Not in the file: how often a handshake may stat the certificate files for a reload.
  absl::Duration reload_check_interval = absl::Seconds(1);
};

struct WebConfig {
  std::string path;                                          // the file it was read from
  std::optional<TlsServerConfig> tls;                        // absent: plain HTTP
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response
  std::map<std::string, std::string> basic_auth_users;       // user -> bcrypt hash; empty: no auth
  // Accepted but not honoured (e.g. http2: warren serves HTTP/1.1): logged once at startup.
  std::vector<std::string> warnings;
};

// Reads, parses and validates the web config file, including the certificate files (read, parsed,
// key matching the certificate). Every error starts with "web config <path>" and, where there is
// one, the line: "web config /etc/warren/web.yml:7: tls_server_config: unknown key \"cert_fle\"".
absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path);

// The same from text already read; `path` names the file in errors and anchors relative paths.
absl::StatusOr<WebConfig> ParseWebConfig(absl::string_view text, const std::string& path);

// True when `hash` has the shape of a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters
// of salt and digest).
bool LooksLikeBcrypt(absl::string_view hash);

// crypt(3) of `password` with the setting `hash`, compared in constant time. False for anything
// crypt cannot handle (a NUL in the password, a hash libxcrypt refuses). Slow: bcrypt's cost.
bool CryptMatches(absl::string_view password, const std::string& hash);

// The parts of an Authorization header value. Both are wiped from memory on destruction.
struct BasicCredentials {
  std::string user;
  std::string password;
  BasicCredentials() = default;
  BasicCredentials(const BasicCredentials&) = delete;
  BasicCredentials& operator=(const BasicCredentials&) = delete;
  ~BasicCredentials();
};

class BasicAuth {
 public:
  enum class Result { kOk, kMissing, kMalformed, kUnknownUser, kWrongPassword };

  // Splits an Authorization header value ("Basic base64(user:password)", the scheme in any case)
  // into `out`: kOk, kMissing (empty) or kMalformed. Pure: no user is looked up.
  static Result ParseHeader(absl::string_view authorization, BasicCredentials* out);

  explicit BasicAuth(std::map<std::string, std::string> users);

  // Checks an Authorization header value ("Basic base64(user:password)"). `user` receives the
  // user name when it is one of the configured users (never an unknown name: people type
  // passwords into user fields).
  Result Check(absl::string_view authorization, std::string* user = nullptr);

  static absl::string_view ResultName(Result result);

  // Successful checks remembered (tests).
  int cached() const;

 private:
  std::string CacheKey(absl::string_view user, absl::string_view password) const;

  const std::map<std::string, std::string> users_;
  std::string decoy_hash_;  // checked for unknown users so timing does not reveal user names
  std::string hmac_key_;    // random per process: the cache holds no plain hash of a password
  absl::Mutex crypt_mu_;    // one bcrypt at a time: a flood of wrong passwords uses one core
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> ok_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_CONFIG_H_
