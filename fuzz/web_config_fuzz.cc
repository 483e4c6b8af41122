// The --web.config.file YAML (ParseWebConfig): whatever is accepted keeps the rules the file
// promises (bcrypt hashes only, user names without ':' or control characters, only the headers
// exporter-toolkit allows, one source per certificate and key, versions in order), and no error or
// warning shows a password hash or an inline private key. Relative file names resolve into a
// directory that does not exist.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/web/basic_auth.h"
#include "exporter/web/web_config.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

constexpr char kPath[] = "/nonexistent-warren-fuzz/web.yml";

size_t Occurrences(absl::string_view text, absl::string_view part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != absl::string_view::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// The values the file holds as secrets (hashes, inline keys), read independently of the parser;
// only those long enough to mean something and written once (not also a key shown in an error).
std::vector<std::string> Secrets(absl::string_view text) {
  std::vector<std::string> secrets;
  auto add = [&](const YAML::Node& node) {
    if (node.IsScalar() && node.Scalar().size() >= 16 && Occurrences(text, node.Scalar()) == 1) {
      secrets.push_back(node.Scalar());
    }
  };
  try {
    // The first document only: yaml-cpp's LoadAll may not return (see exporter/config/yaml_document.h).
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) return secrets;
    for (const auto& entry : root) {
      if (!entry.first.IsScalar() || !entry.second.IsMap()) continue;
      for (const auto& item : entry.second) {
        if (entry.first.Scalar() == "basic_auth_users" ||
            (entry.first.Scalar() == "tls_server_config" && item.first.IsScalar() && item.first.Scalar() == "key")) {
          add(item.second);
        }
      }
    }
  } catch (const std::exception&) {  // not YAML: the parser refuses it too
  }
  return secrets;
}

bool HasControl(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void CheckAccepted(const WebConfig& web) {
  Check(web.path == kPath, "the config names its file");
  for (const auto& [user, hash] : web.basic_auth_users) {
    Check(!user.empty() && !absl::StrContains(user, ':') && !HasControl(user), "user names are usable in a header");
    Check(LooksLikeBcrypt(hash), "only bcrypt hashes are accepted");
    Check(hash.substr(4, 2) <= "16", "no bcrypt cost above 16");
  }
  for (const auto& [name, value] : web.headers) {
    Check(name == "Content-Security-Policy" || name == "X-Frame-Options" || name == "X-Content-Type-Options" ||
              name == "X-XSS-Protection" || name == "Strict-Transport-Security",
          "only exporter-toolkit's headers");
    Check(!value.empty() && !HasControl(value), "header values are usable in a response");
  }
  if (!web.tls.has_value()) return;
  const TlsServerConfig& tls = *web.tls;
  Check(tls.cert_file.empty() != tls.cert_pem.empty(), "a certificate from one source");
  Check(tls.key_file.empty() != tls.key_pem.empty(), "a key from one source");
  Check(tls.client_ca_file.empty() || tls.client_ca_pem.empty(), "client CAs from one source at most");
  Check(tls.min_version <= tls.max_version, "versions in order");
  const bool verifies = tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                        tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
  Check(!verifies || !tls.client_ca_file.empty() || !tls.client_ca_pem.empty(), "verifying needs client CAs");
}

// The errors and warnings the parser gives for a text.
std::vector<std::string> Messages(absl::string_view text) {
  absl::StatusOr<WebConfig> web = ParseWebConfig(text, kPath);
  if (web.ok()) return web->warnings;
  return {std::string(web.status().message())};
}

// Whether a message shows the secret because of the secret: with the secret blanked out of the
// file, no message shows it any more (the parser's own fixed help text may contain any string).
bool Leaks(absl::string_view text, const std::string& secret) {
  bool shown = false;
  for (const std::string& message : Messages(text)) shown = shown || absl::StrContains(message, secret);
  if (!shown) return false;
  std::string blanked(text);
  const char filler = secret.find_first_not_of('x') == std::string::npos ? 'y' : 'x';
  blanked.replace(blanked.find(secret), secret.size(), std::string(secret.size(), filler));
  for (const std::string& message : Messages(blanked)) {
    if (absl::StrContains(message, secret)) return false;
  }
  return true;
}

void ParseOne(absl::string_view text) {
  absl::StatusOr<WebConfig> web = ParseWebConfig(text, kPath);
  if (web.ok()) {
    CheckAccepted(*web);
  } else {
    Check(absl::StartsWith(web.status().message(), absl::StrCat("web config ", kPath)), "errors name the file");
  }
  for (const std::string& secret : Secrets(text)) Check(!Leaks(text, secret), "no secret in a message");
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::ParseOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
