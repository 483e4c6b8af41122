// The web configuration file (--web.config.file) in the Prometheus exporter-toolkit format: TLS
// for warren's own endpoints (tls_server_config), extra response headers (http_server_config) and
// basic auth with bcrypt hashes (basic_auth_users). See docs of prometheus/exporter-toolkit.
//
// LoadWebConfig reads and validates the whole file once, at startup: unknown keys, keys warren
// cannot honour (rate_limit), bad values, unreadable or mismatched certificate files and hashes
// that are not bcrypt are errors naming the file, the line and the key. Relative paths resolve
// against the directory of the web config file, as in exporter-toolkit. The certificate, key and
// client CA files are re-read when they change (see web_tls.h); the web config file itself is not.
// The users' hashes are checked by BasicAuth (basic_auth.h).
#ifndef WARREN_EXPORTER_WEB_WEB_CONFIG_H_
#define WARREN_EXPORTER_WEB_WEB_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "exporter/web/tls_server_config.h"

namespace warren {

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

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_WEB_CONFIG_H_
