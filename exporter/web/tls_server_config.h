// tls_server_config of the web config file: what TLS warren's own server speaks. Plain data, read by
// web_config.cc and served by web_tls.cc.
#ifndef WARREN_EXPORTER_WEB_TLS_SERVER_CONFIG_H_
#define WARREN_EXPORTER_WEB_TLS_SERVER_CONFIG_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
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

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_TLS_SERVER_CONFIG_H_
