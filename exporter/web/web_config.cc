// Over 400 lines on purpose: one schema (exporter-toolkit's web config), read and checked in one
// pass so every error names its line and key the same way.
#include "exporter/web/web_config.h"

#include <openssl/ssl.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exporter/config/yaml_document.h"
#include "exporter/web/basic_auth.h"
#include "exporter/web/web_tls.h"
#include "util/read_file.h"

namespace warren {
namespace {

constexpr size_t kMaxWebConfigBytes = 1 << 20;
constexpr int kMaxBcryptCost = 16;  // ~5 s per uncached check at 70 ms for cost 10

// A string from the file, safe to put in an error message: escaped and cut short.
std::string Shown(absl::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = absl::CHexEscape(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out;
}

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  absl::Status Error(const YAML::Node& at, absl::string_view msg) const {
    std::string where = absl::StrCat("web config ", path_);
    if (at.IsDefined() && !at.Mark().is_null()) absl::StrAppend(&where, ":", at.Mark().line + 1);
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", msg));
  }

  // Calls fn(key, key node, value) for each entry of the mapping `node` (null: none); keys must be
  // scalars and appear once.
  absl::Status ForEach(
      const YAML::Node& node, absl::string_view section,
      const std::function<absl::Status(const std::string&, const YAML::Node&, const YAML::Node&)>& fn) const {
    if (node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) return Error(node, absl::StrCat(section, ": must be a mapping"));
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;  // copies: the iterator's pair is a temporary
      const YAML::Node value = it->second;
      if (!key.IsScalar()) return Error(key, absl::StrCat(section, ": keys must be strings"));
      const std::string& name = key.Scalar();
      if (!seen.insert(name).second) {
        return Error(key, absl::StrCat(section, ": key \"", Shown(name), "\" appears twice"));
      }
      if (absl::Status s = fn(name, key, value); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Unknown(const YAML::Node& key, absl::string_view section, absl::string_view name) const {
    return Error(key, absl::StrCat(section, ": unknown key \"", Shown(name), "\""));
  }

  absl::Status String(const YAML::Node& value, absl::string_view what, std::string* out) const {
    if (value.IsNull()) {
      out->clear();
      return absl::OkStatus();
    }
    if (!value.IsScalar()) return Error(value, absl::StrCat(what, ": must be a string"));
    *out = value.Scalar();
    if (out->find('\0') != std::string::npos) return Error(value, absl::StrCat(what, ": contains a NUL byte"));
    return absl::OkStatus();
  }

  absl::Status Bool(const YAML::Node& value, absl::string_view what, bool* out) const {
    if (value.IsScalar()) {
      const std::string& v = value.Scalar();
      if (v == "true" || v == "True" || v == "TRUE") {
        *out = true;
        return absl::OkStatus();
      }
      if (v == "false" || v == "False" || v == "FALSE") {
        *out = false;
        return absl::OkStatus();
      }
    }
    return Error(value, absl::StrCat(what, ": must be true or false"));
  }

  absl::Status Strings(const YAML::Node& value, absl::string_view what, std::vector<std::string>* out) const {
    out->clear();
    if (value.IsNull()) return absl::OkStatus();
    if (!value.IsSequence()) return Error(value, absl::StrCat(what, ": must be a list of strings"));
    for (const YAML::Node& item : value) {
      std::string s;
      if (!item.IsScalar()) return Error(item, absl::StrCat(what, ": must be a list of strings"));
      if (absl::Status st = String(item, what, &s); !st.ok()) return st;
      out->push_back(std::move(s));
    }
    return absl::OkStatus();
  }

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
};

// exporter-toolkit's (Prometheus common's) JoinDir: relative paths are relative to the directory
// of the web config file.
std::string JoinDir(const std::string& config_path, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  const size_t slash = config_path.rfind('/');
  if (slash == std::string::npos) return p;
  return absl::StrCat(config_path.substr(0, slash == 0 ? 1 : slash), slash == 0 ? "" : "/", p);
}

absl::StatusOr<int> TlsVersion(absl::string_view name) {
  if (name == "TLS10") return TLS1_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS12") return TLS1_2_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown TLS version \"", Shown(name), "\" (want TLS10, TLS11, TLS12 or TLS13)"));
}

absl::StatusOr<ClientAuth> ParseClientAuth(absl::string_view name) {
  if (name.empty() || name == "NoClientCert") return ClientAuth::kNoClientCert;
  if (name == "RequestClientCert") return ClientAuth::kRequestClientCert;
  if (name == "RequireAnyClientCert" || name == "RequireClientCert") return ClientAuth::kRequireAnyClientCert;
  if (name == "VerifyClientCertIfGiven") return ClientAuth::kVerifyClientCertIfGiven;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerifyClientCert;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown client_auth_type \"", Shown(name),
                   "\" (want NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or "
                   "RequireAndVerifyClientCert)"));
}

bool IsTls13Suite(absl::string_view name) {
  return name == "TLS_AES_128_GCM_SHA256" || name == "TLS_AES_256_GCM_SHA384" || name == "TLS_CHACHA20_POLY1305_SHA256";
}

absl::Status ParseTls(const Parser& p, const YAML::Node& node, WebConfig* web) {
  TlsServerConfig tls;
  bool any = false;
  std::string client_auth, min_version, max_version;
  std::vector<std::string> ciphers, curves;
  YAML::Node client_auth_node, min_node, ciphers_node, curves_node, sans_node;
  const char* section = "tls_server_config";
  absl::Status s = p.ForEach(
      node, section, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) -> absl::Status {
        any = true;
        const std::string what = absl::StrCat(section, ".", key);
        if (key == "cert_file") return p.String(value, what, &tls.cert_file);
        if (key == "key_file") return p.String(value, what, &tls.key_file);
        if (key == "client_ca_file") return p.String(value, what, &tls.client_ca_file);
        if (key == "cert") return p.String(value, what, &tls.cert_pem);
        if (key == "key") return p.String(value, what, &tls.key_pem);
        if (key == "client_ca") return p.String(value, what, &tls.client_ca_pem);
        if (key == "client_auth_type") {
          client_auth_node = value;
          return p.String(value, what, &client_auth);
        }
        if (key == "min_version") {
          min_node = value;
          return p.String(value, what, &min_version);
        }
        if (key == "max_version") return p.String(value, what, &max_version);
        if (key == "cipher_suites") {
          ciphers_node = value;
          return p.Strings(value, what, &ciphers);
        }
        if (key == "prefer_server_cipher_suites") return p.Bool(value, what, &tls.prefer_server_cipher_suites);
        if (key == "curve_preferences") {
          curves_node = value;
          return p.Strings(value, what, &curves);
        }
        if (key == "client_allowed_sans") {
          sans_node = value;
          return p.Strings(value, what, &tls.client_allowed_sans);
        }
        return p.Unknown(key_node, section, key);
      });
  if (!s.ok()) return s;
  if (!any) return absl::OkStatus();  // "tls_server_config:" or "{}": plain HTTP, as exporter-toolkit

  // Any key at all switches TLS on: a file with only min_version must not silently serve HTTP.
  if (!tls.cert_file.empty() && !tls.cert_pem.empty())
    return p.Error(node, "tls_server_config: set cert_file or cert, not both");
  if (!tls.key_file.empty() && !tls.key_pem.empty())
    return p.Error(node, "tls_server_config: set key_file or key, not both");
  if (!tls.client_ca_file.empty() && !tls.client_ca_pem.empty()) {
    return p.Error(node, "tls_server_config: set client_ca_file or client_ca, not both");
  }
  if (tls.cert_file.empty() && tls.cert_pem.empty()) return p.Error(node, "tls_server_config: missing cert_file");
  if (tls.key_file.empty() && tls.key_pem.empty()) return p.Error(node, "tls_server_config: missing key_file");

  absl::StatusOr<ClientAuth> auth = ParseClientAuth(client_auth);
  if (!auth.ok())
    return p.Error(client_auth_node, absl::StrCat("tls_server_config.client_auth_type: ", auth.status().message()));
  tls.client_auth = *auth;
  const bool has_ca = !tls.client_ca_file.empty() || !tls.client_ca_pem.empty();
  if (has_ca && tls.client_auth == ClientAuth::kNoClientCert) {
    return p.Error(node, "tls_server_config: client_ca_file is set but client_auth_type is NoClientCert");
  }
  if (!has_ca && (tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                  tls.client_auth == ClientAuth::kRequireAndVerifyClientCert)) {
    return p.Error(client_auth_node, absl::StrCat("tls_server_config.client_auth_type ",
                                                  ClientAuthName(tls.client_auth), " needs client_ca_file"));
  }
  if (!tls.client_allowed_sans.empty() && tls.client_auth != ClientAuth::kRequireAnyClientCert &&
      tls.client_auth != ClientAuth::kRequireAndVerifyClientCert) {
    return p.Error(sans_node,
                   "tls_server_config.client_allowed_sans needs client_auth_type RequireAnyClientCert or "
                   "RequireAndVerifyClientCert");
  }
  if (!min_version.empty()) {
    absl::StatusOr<int> v = TlsVersion(min_version);
    if (!v.ok()) return p.Error(min_node, absl::StrCat("tls_server_config.min_version: ", v.status().message()));
    tls.min_version = *v;
  }
  if (!max_version.empty()) {
    absl::StatusOr<int> v = TlsVersion(max_version);
    if (!v.ok()) return p.Error(node, absl::StrCat("tls_server_config.max_version: ", v.status().message()));
    tls.max_version = *v;
  }
  if (tls.min_version > tls.max_version) return p.Error(node, "tls_server_config: min_version is above max_version");

  for (const std::string& name : ciphers) {
    if (IsTls13Suite(name)) {
      web->warnings.push_back(absl::StrCat("tls_server_config.cipher_suites: ", name,
                                           " is a TLS 1.3 suite; TLS 1.3 suites are not configurable (as in Go)"));
      continue;
    }
    const char* openssl_name = OPENSSL_cipher_name(name.c_str());
    if (openssl_name == nullptr || absl::string_view(openssl_name) == "(NONE)") {
      return p.Error(ciphers_node, absl::StrCat("tls_server_config.cipher_suites: unknown cipher suite \"", Shown(name),
                                                "\" (want IANA names as in Go, e.g. "
                                                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"));
    }
    tls.cipher_suites.emplace_back(openssl_name);
  }
  for (const std::string& name : curves) {
    if (name == "CurveP256")
      tls.curve_groups.emplace_back("P-256");
    else if (name == "CurveP384")
      tls.curve_groups.emplace_back("P-384");
    else if (name == "CurveP521")
      tls.curve_groups.emplace_back("P-521");
    else if (name == "X25519")
      tls.curve_groups.emplace_back("X25519");
    else {
      return p.Error(curves_node, absl::StrCat("tls_server_config.curve_preferences: unknown curve \"", Shown(name),
                                               "\" (want CurveP256, CurveP384, CurveP521 or X25519)"));
    }
  }
  tls.cert_file = JoinDir(p.path(), tls.cert_file);
  tls.key_file = JoinDir(p.path(), tls.key_file);
  tls.client_ca_file = JoinDir(p.path(), tls.client_ca_file);
  web->tls = std::move(tls);
  return absl::OkStatus();
}

// exporter-toolkit's list: only these headers, some only with these values.
absl::Status ParseHttp(const Parser& p, const YAML::Node& node, WebConfig* web) {
  const char* section = "http_server_config";
  return p.ForEach(
      node, section, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) -> absl::Status {
        if (key == "http2") {
          bool http2 = true;
          if (absl::Status s = p.Bool(value, "http_server_config.http2", &http2); !s.ok()) return s;
          if (http2) web->warnings.emplace_back("http_server_config.http2: warren serves HTTP/1.1 only; ignored");
          return absl::OkStatus();
        }
        if (key != "headers") return p.Unknown(key_node, section, key);
        return p.ForEach(
            value, "http_server_config.headers",
            [&](const std::string& name, const YAML::Node& name_node, const YAML::Node& v) -> absl::Status {
              std::vector<std::string> allowed;
              if (name == "X-Content-Type-Options") {
                allowed = {"nosniff"};
              } else if (name == "X-Frame-Options") {
                allowed = {"deny", "sameorigin"};
              } else if (name != "Strict-Transport-Security" && name != "X-XSS-Protection" &&
                         name != "Content-Security-Policy") {
                return p.Error(name_node,
                               absl::StrCat("http_server_config.headers: header \"", Shown(name),
                                            "\" can not be configured (want Content-Security-Policy, X-Frame-Options, "
                                            "X-Content-Type-Options, X-XSS-Protection or Strict-Transport-Security)"));
              }
              const std::string what = absl::StrCat("http_server_config.headers.", name);
              std::string text;
              if (absl::Status s = p.String(v, what, &text); !s.ok()) return s;
              for (char c : text) {
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                  return p.Error(v, absl::StrCat(what, ": control character in value"));
              }
              if (text.empty()) return absl::OkStatus();  // "Unset if blank"
              if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
                return p.Error(
                    v, absl::StrCat(what, ": \"", Shown(text), "\" is not one of ", absl::StrJoin(allowed, ", ")));
              }
              web->headers.emplace_back(name, text);
              return absl::OkStatus();
            });
      });
}

absl::Status ParseUsers(const Parser& p, const YAML::Node& node, WebConfig* web) {
  return p.ForEach(
      node, "basic_auth_users",
      [&](const std::string& user, const YAML::Node& key_node, const YAML::Node& value) -> absl::Status {
        if (user.empty()) return p.Error(key_node, "basic_auth_users: empty user name");
        for (char c : user) {
          if (c == ':')
            return p.Error(key_node, absl::StrCat("basic_auth_users: user \"", Shown(user), "\" contains ':'"));
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return p.Error(key_node,
                           absl::StrCat("basic_auth_users: user \"", Shown(user), "\" contains a control character"));
          }
        }
        // Never show the value: it is a secret, and maybe a plain password put there by mistake.
        if (!value.IsScalar() || !LooksLikeBcrypt(value.Scalar())) {
          return p.Error(
              value,
              absl::StrCat("basic_auth_users.", Shown(user),
                           ": not a bcrypt hash ($2a$, $2b$ or $2y$; e.g. htpasswd -nBC 10 \"\" | tr -d ':\\n')"));
        }
        if (BcryptCost(value.Scalar()) > kMaxBcryptCost) {
          return p.Error(value,
                         absl::StrCat("basic_auth_users.", Shown(user), ": bcrypt cost ", BcryptCost(value.Scalar()),
                                      " is above ", kMaxBcryptCost, " (each uncached check would take seconds)"));
        }
        web->basic_auth_users[user] = value.Scalar();
        return absl::OkStatus();
      });
}

}  // namespace

absl::StatusOr<WebConfig> ParseWebConfig(absl::string_view text, const std::string& path) {
  Parser p(path);
  YAML::Node root;
  try {
    root = LoadOneYamlDocument(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    return absl::InvalidArgumentError(absl::StrCat("web config ", path, ":", e.mark.line + 1,
                                                   ": not valid YAML: nested more than ", e.depth() - 1,
                                                   " levels deep"));
  } catch (const YAML::Exception& e) {
    std::string where = absl::StrCat("web config ", path);
    if (!e.mark.is_null()) absl::StrAppend(&where, ":", e.mark.line + 1);
    return absl::InvalidArgumentError(absl::StrCat(where, ": not valid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("web config ", path, ": not valid YAML: ", e.what()));
  }

  WebConfig web;
  web.path = path;
  if (!root.IsDefined() || root.IsNull()) {
    web.warnings.emplace_back("the web config file sets neither TLS nor basic auth");
    return web;
  }
  if (!root.IsMap()) return p.Error(root, "the top level must be a mapping");
  absl::Status s;
  try {
    s = p.ForEach(root, "top level",
                  [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) -> absl::Status {
                    if (key == "tls_server_config") return ParseTls(p, value, &web);
                    if (key == "http_server_config") return ParseHttp(p, value, &web);
                    if (key == "basic_auth_users") return ParseUsers(p, value, &web);
                    if (key == "rate_limit") {
                      return p.Error(key_node,
                                     "rate_limit is not supported by warren (use a reverse proxy, or remove the key)");
                    }
                    return p.Unknown(key_node, "top level", key);
                  });
  } catch (const std::exception& e) {  // yaml-cpp throws on misuse; never let it escape
    return absl::InvalidArgumentError(absl::StrCat("web config ", path, ": ", e.what()));
  }
  if (!s.ok()) return s;

  if (!web.tls.has_value() && web.basic_auth_users.empty()) {
    web.warnings.emplace_back("the web config file sets neither TLS nor basic auth");
  }
  if (!web.tls.has_value() && !web.basic_auth_users.empty()) {
    web.warnings.emplace_back("basic_auth_users without tls_server_config: passwords cross the network in clear text");
  }
  if (web.tls.has_value()) {
    if (web.tls->client_auth == ClientAuth::kRequestClientCert ||
        web.tls->client_auth == ClientAuth::kRequireAnyClientCert ||
        web.tls->client_auth == ClientAuth::kVerifyClientCertIfGiven) {
      web.warnings.push_back(absl::StrCat("tls_server_config.client_auth_type ", ClientAuthName(web.tls->client_auth),
                                          " does not authenticate clients; use RequireAndVerifyClientCert"));
    }
    // Read and check the certificate files now, so a mistake stops warren at startup.
    absl::StatusOr<std::unique_ptr<TlsContext>> ctx = TlsContext::Create(*web.tls);
    if (!ctx.ok()) return absl::InvalidArgumentError(absl::StrCat("web config ", path, ": ", ctx.status().message()));
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> scratch(SSL_CTX_new(TLS_method()), SSL_CTX_free);
    if (scratch == nullptr || !(*ctx)->Configure(scratch.get())) {
      return absl::InvalidArgumentError(absl::StrCat("web config ", path,
                                                     ": tls_server_config: OpenSSL refuses the cipher_suites, "
                                                     "curve_preferences or versions"));
    }
  }
  return web;
}

absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("web config: empty path");
  std::string text;
  if (absl::Status s = ReadLimitedFile(path, kMaxWebConfigBytes, &text); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("web config ", path, ": cannot read: ", s.message()));
  }
  return ParseWebConfig(text, path);
}

}  // namespace warren
