// --web.config.file: parsing and validation of the exporter-toolkit format, the bcrypt check with
// the system's crypt, and warren's server end to end with certificates made here by the openssl
// command (a CA, a server certificate for 127.0.0.1/localhost, client certificates, a second CA).
#include "exporter/web/web_config.h"

#include <crypt.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "exporter/web/basic_auth.h"
#include "exporter/web/server.h"
#include "exporter/web/web_tls.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"
#include "tests/test_util.h"
#include "util/log.h"

namespace warren {
namespace {

using ::warren::testing::ReadFileOrDie;
using ::warren::testing::WriteFileOrDie;

// Certificates for every test of this file, made once (EC P-256: fast).
class Certs {
 public:
  static const Certs& Get() {
    static Certs* certs = new Certs;
    return *certs;
  }
  std::string dir;
  std::string Path(const std::string& name) const { return dir + "/" + name; }

 private:
  Certs() {
    char tmpl[] = "/tmp/warren-web-test-XXXXXX";
    const char* made = mkdtemp(tmpl);
    if (made == nullptr) std::abort();
    dir = made;
    static std::string* to_remove = new std::string(dir);
    if (std::atexit([] { std::filesystem::remove_all(*to_remove); }) != 0) std::abort();
    const std::string script = absl::StrCat(R"(set -e
cd ')",
                                            dir, R"('
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() {  # name CN
  key $1.key
  openssl req -x509 -new -key $1.key -out $1.crt -days 2 -subj "/CN=$2" 2>/dev/null
}
leaf() {  # name CA CN extensions
  key $1.key
  openssl req -new -key $1.key -out $1.csr -subj "/CN=$3" 2>/dev/null
  printf '%s\n' "$4" > $1.ext
  openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -CAcreateserial -out $1.crt -days 2 -extfile $1.ext 2>/dev/null
}
ca ca "warren test CA"
ca ca2 "warren other CA"
leaf server ca localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf server2 ca2 localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf client ca prometheus "subjectAltName=DNS:prometheus.example
extendedKeyUsage=clientAuth"
leaf rogue ca2 prometheus "subjectAltName=DNS:prometheus.example
extendedKeyUsage=clientAuth"
openssl pkey -in server.key -out server-encrypted.key -aes256 -passout pass:secret 2>/dev/null
)");
    WriteFileOrDie(dir + "/make.sh", script);
    if (std::system(absl::StrCat("sh '", dir, "/make.sh'").c_str()) != 0) {
      std::cerr << "openssl failed making test certificates in " << dir << "\n";
      std::abort();
    }
  }
};

// A fresh directory per test, removed at the end.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/warren-web-XXXXXX";
    const char* made = mkdtemp(tmpl);
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Copy(const std::string& cert_name, const std::string& as) const {
    WriteFileOrDie(path_ + "/" + as, ReadFileOrDie(Certs::Get().Path(cert_name)));
    return path_ + "/" + as;
  }
  // Replaces a file atomically (write, rename), as a certificate manager does.
  void Replace(const std::string& cert_name, const std::string& as) const {
    WriteFileOrDie(path_ + "/.tmp", ReadFileOrDie(Certs::Get().Path(cert_name)));
    std::filesystem::rename(path_ + "/.tmp", path_ + "/" + as);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    WriteFileOrDie(path_ + "/" + name, text);
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

std::string MakeHash(const std::string& password, int cost = 4, const char* prefix = "$2b$") {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof(setting)), nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), setting, data.get(), sizeof(crypt_data));
  EXPECT_NE(out, nullptr);
  return out == nullptr ? "" : out;
}

std::string BasicHeader(const std::string& user, const std::string& password) {
  return "Basic " + absl::Base64Escape(user + ":" + password);
}

// Captures log lines for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() {
    SetLogSink([this](absl::string_view line) {
      testing::Keep("log", line);
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  int Count(absl::string_view needle) {
    int n = 0;
    for (const std::string& line : Lines()) n += absl::StrContains(line, needle) ? 1 : 0;
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

// ---- parsing ------------------------------------------------------------------------------------

TEST(WebConfigParse, FullFileIsRead) {
  TempDir dir;
  dir.Copy("server.crt", "server.crt");
  dir.Copy("server.key", "server.key");
  dir.Copy("ca.crt", "clients.crt");
  const std::string hash = MakeHash("pw");
  const std::string path = dir.Write("web.yml", absl::StrCat(R"(# a comment
tls_server_config:
  cert_file: server.crt
  key_file: )",
                                                             dir.path(), R"(/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: clients.crt
  client_allowed_sans: [prometheus.example, 10.0.0.1]
  min_version: TLS12
  max_version: TLS13
  cipher_suites:
    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    - TLS_AES_128_GCM_SHA256
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: false
  headers:
    X-Content-Type-Options: nosniff
    X-Frame-Options: deny
    Content-Security-Policy: ""
basic_auth_users:
  alice: )",
                                                             hash, "\n"));
  absl::StatusOr<WebConfig> web = LoadWebConfig(path);
  ASSERT_TRUE(web.ok()) << web.status();
  ASSERT_TRUE(web->tls.has_value());
  EXPECT_EQ(web->tls->cert_file, dir.path() + "/server.crt") << "relative to the web config file";
  EXPECT_EQ(web->tls->key_file, dir.path() + "/server.key") << "absolute stays";
  EXPECT_EQ(web->tls->client_ca_file, dir.path() + "/clients.crt");
  EXPECT_EQ(web->tls->client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(web->tls->min_version, TLS1_2_VERSION);
  EXPECT_EQ(web->tls->cipher_suites, std::vector<std::string>{"ECDHE-ECDSA-AES128-GCM-SHA256"});
  EXPECT_FALSE(web->tls->prefer_server_cipher_suites);
  EXPECT_EQ(web->tls->curve_groups, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_EQ(web->tls->client_allowed_sans, (std::vector<std::string>{"prometheus.example", "10.0.0.1"}));
  EXPECT_EQ(web->headers, (std::vector<std::pair<std::string, std::string>>{{"X-Content-Type-Options", "nosniff"},
                                                                            {"X-Frame-Options", "deny"}}));
  EXPECT_EQ(web->basic_auth_users.at("alice"), hash);
  ASSERT_EQ(web->warnings.size(), 1u);  // the TLS 1.3 suite
  EXPECT_TRUE(absl::StrContains(web->warnings[0], "TLS_AES_128_GCM_SHA256")) << web->warnings[0];
}

TEST(WebConfigParse, RelativePathsFollowTheConfigFileNotTheWorkingDirectory) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/conf/tls");
  dir.Copy("server.crt", "conf/tls/server.crt");
  dir.Copy("server.key", "conf/tls/server.key");
  const std::string path =
      dir.Write("conf/web.yml", "tls_server_config:\n  cert_file: tls/server.crt\n  key_file: ./tls/server.key\n");
  absl::StatusOr<WebConfig> web = LoadWebConfig(path);
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_EQ(web->tls->cert_file, dir.path() + "/conf/tls/server.crt");
  EXPECT_EQ(web->tls->key_file, dir.path() + "/conf/./tls/server.key");
}

TEST(WebConfigParse, UnknownKeyNamesFileLineAndKey) {
  TempDir dir;
  const std::string path = dir.Write("web.yml", "tls_server_config:\n  cert_file: a.crt\n  cert_fle: b.crt\n");
  absl::StatusOr<WebConfig> web = LoadWebConfig(path);
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.status().message(),
            absl::StrCat("web config ", path, ":3: tls_server_config: unknown key \"cert_fle\""));

  web = ParseWebConfig("basic_auth_users: {}\n\ntls_config:\n  x: 1\n", "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.status().message(), "web config w.yml:3: top level: unknown key \"tls_config\"");

  web = ParseWebConfig("http_server_config:\n  headers:\n    X-Powered-By: warren\n", "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StartsWith(web.status().message(),
                               "web config w.yml:3: http_server_config.headers: header \"X-Powered-By\" can not"))
      << web.status();
}

TEST(WebConfigParse, MissingOrUnreadableFilesAreNamed) {
  TempDir dir;
  dir.Copy("server.crt", "server.crt");
  absl::StatusOr<WebConfig> web =
      ParseWebConfig("tls_server_config:\n  cert_file: server.crt\n", dir.path() + "/web.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), "tls_server_config: missing key_file")) << web.status();

  web = ParseWebConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: nope.key\n", dir.path() + "/web.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), absl::StrCat("tls_server_config.key_file ", dir.path(),
                                                                     "/nope.key: cannot read: No such file")))
      << web.status();

  web = ParseWebConfig("tls_server_config:\n  cert_file: .\n  key_file: server.crt\n", dir.path() + "/web.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), "not a regular file")) << web.status();

  web = LoadWebConfig(dir.path() + "/absent.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), "absent.yml: cannot read")) << web.status();
}

TEST(WebConfigParse, CertificateProblemsAreCaughtAtLoad) {
  TempDir dir;
  dir.Copy("server.crt", "server.crt");
  dir.Copy("server2.key", "other.key");
  dir.Copy("server-encrypted.key", "encrypted.key");
  dir.Copy("server.key", "server.key");
  dir.Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
  const std::string path = dir.path() + "/web.yml";
  struct Case {
    std::string yaml, want;
  };
  for (const Case& c : std::vector<Case>{
           {"cert_file: server.crt\n  key_file: other.key",
            "key_file " + dir.path() + "/other.key: the key does not match"},
           {"cert_file: server.crt\n  key_file: encrypted.key", "encrypted one (not supported)"},
           {"cert_file: server.key\n  key_file: server.key",
            "cert_file " + dir.path() + "/server.key: no PEM certificate"},
           {"cert_file: garbage.pem\n  key_file: server.key", "no PEM certificate"},
           {"cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  "
            "client_ca_file: server.key",
            "client_ca_file " + dir.path() + "/server.key: no PEM certificate"},
       }) {
    absl::StatusOr<WebConfig> web = ParseWebConfig("tls_server_config:\n  " + c.yaml + "\n", path);
    ASSERT_FALSE(web.ok()) << c.yaml;
    EXPECT_TRUE(absl::StrContains(web.status().message(), c.want)) << web.status() << "\nwant: " << c.want;
  }
}

TEST(WebConfigParse, PoliciesThatCannotWorkAreRefused) {
  TempDir dir;
  dir.Copy("server.crt", "s.crt");
  dir.Copy("server.key", "s.key");
  dir.Copy("ca.crt", "ca.crt");
  const std::string path = dir.path() + "/web.yml";
  const std::string tls = "tls_server_config:\n  cert_file: s.crt\n  key_file: s.key\n";
  struct Case {
    std::string yaml, want;
  };
  for (const Case& c : std::vector<Case>{
           {tls + "  client_auth_type: RequireAndVerifyClientCert\n",
            "RequireAndVerifyClientCert needs client_ca_file"},
           {tls + "  client_auth_type: VerifyClientCertIfGiven\n", "VerifyClientCertIfGiven needs client_ca_file"},
           {tls + "  client_ca_file: ca.crt\n", "client_ca_file is set but client_auth_type is NoClientCert"},
           {tls + "  client_auth_type: RequestClientCert\n  client_allowed_sans: [a]\n", "client_allowed_sans needs"},
           {tls + "  client_auth_type: Sometimes\n", "unknown client_auth_type \"Sometimes\""},
           {tls + "  min_version: TLS13\n  max_version: TLS12\n", "min_version is above max_version"},
           {tls + "  min_version: SSL3\n", "unknown TLS version \"SSL3\""},
           {tls + "  cipher_suites: [TLS_RSA_WITH_NOTHING]\n", "unknown cipher suite \"TLS_RSA_WITH_NOTHING\""},
           {tls + "  curve_preferences: [CurveP999]\n", "unknown curve \"CurveP999\""},
           {tls + "  cert: inline\n", "set cert_file or cert, not both"},
           {"tls_server_config:\n  min_version: TLS13\n", "missing cert_file"},
           {"rate_limit:\n  interval: 1s\n  burst: 20\n", ":1: rate_limit is not supported by warren"},
           {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "is not one of deny, sameorigin"},
           {"http_server_config:\n  headers:\n    X-XSS-Protection: \"1\\r\\nSet-Cookie: x\"\n", "control character"},
           {"http_server_config:\n  http2: maybe\n", "http_server_config.http2: must be true or false"},
       }) {
    absl::StatusOr<WebConfig> web = ParseWebConfig(c.yaml, path);
    ASSERT_FALSE(web.ok()) << c.yaml;
    EXPECT_TRUE(absl::StrContains(web.status().message(), c.want)) << web.status() << "\nwant: " << c.want;
  }
  absl::StatusOr<WebConfig> web = ParseWebConfig("http_server_config:\n  http2: true\n", path);
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_TRUE(absl::StrContains(absl::StrJoin(web->warnings, "|"), "HTTP/1.1 only")) << "accepted, with a warning";
}

TEST(WebConfigParse, BadHashesAreRefusedWithoutShowingThem) {
  struct Case {
    std::string value, want;
  };
  const std::string good = MakeHash("pw");
  for (const Case& c : std::vector<Case>{
           {"hunter2-plain", "basic_auth_users.alice: not a bcrypt hash"},
           {"$1$abcdefgh$abcdefghijklmnopqrstuv", "not a bcrypt hash"},  // md5-crypt
           {"$2x$" + good.substr(4), "not a bcrypt hash"},               // the broken-bug variant
           {good.substr(0, 59), "not a bcrypt hash"},                    // truncated
           {"$2b$03$" + good.substr(7), "not a bcrypt hash"},            // cost below 4
           {"$2b$17$" + good.substr(7), "bcrypt cost 17 is above 16"},
       }) {
    absl::StatusOr<WebConfig> web = ParseWebConfig("basic_auth_users:\n  alice: '" + c.value + "'\n", "w.yml");
    ASSERT_FALSE(web.ok()) << c.value;
    EXPECT_TRUE(absl::StrContains(web.status().message(), c.want)) << web.status();
    EXPECT_TRUE(absl::StrContains(web.status().message(), "w.yml:2")) << web.status();
    EXPECT_FALSE(absl::StrContains(web.status().message(), c.value)) << "the secret is shown: " << web.status();
  }
  absl::StatusOr<WebConfig> web = ParseWebConfig("basic_auth_users:\n  alice: [a, b]\n", "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), "w.yml:2: basic_auth_users.alice: not a bcrypt hash"))
      << web.status();
  web = ParseWebConfig("basic_auth_users:\n  'a:b': '" + good + "'\n", "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_TRUE(absl::StrContains(web.status().message(), "contains ':'")) << web.status();
  for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) {
    EXPECT_TRUE(
        ParseWebConfig(absl::StrCat("basic_auth_users:\n  alice: '", prefix, good.substr(4), "'\n"), "w.yml").ok())
        << prefix;
  }
}

TEST(WebConfigParse, HostileInputGivesErrorsNeverCrashes) {
  const std::vector<std::string> inputs = {
      "[",
      "{{{{",
      "tls_server_config: [",
      std::string(100000, '['),
      std::string(100000, '{'),
      std::string(20000, '-') + " a",
      "a: *nothing",
      "a: &x [*x, *x]",
      "basic_auth_users: &u\n  alice: *u\n",
      "basic_auth_users: [alice, bob]",
      "basic_auth_users: 5",
      "basic_auth_users:\n  ? [a, b]\n  : x\n",
      "tls_server_config: 5",
      "tls_server_config:\n  cert_file: [1, 2]\n",
      "tls_server_config:\n  cert_file: {a: b}\n",
      "tls_server_config:\n  cipher_suites: TLS_X\n",
      "tls_server_config:\n  cipher_suites: [[a]]\n",
      "tls_server_config:\n  cert_file: \"a\\0b\"\n  key_file: k\n",
      "tls_server_config:\n  cert_file: a\n  cert_file: b\n",
      "basic_auth_users:\n  alice: x\n  alice: y\n",
      "http_server_config:\n  headers: [a]\n",
      "- just\n- a list\n",
      "just a string",
      "42",
      "---\na: 1\n---\nb: 2\n",
      std::string("\xff\xfe\x00\x01garbage", 9),
      "\t\ttabs: are bad\n",
      "%YAML 9.9\n---\na: 1\n",
      "!!binary 'AAAA'",
  };
  for (const std::string& in : inputs) {
    absl::StatusOr<WebConfig> web = ParseWebConfig(in, "w.yml");
    EXPECT_FALSE(web.ok()) << "accepted: " << absl::CHexEscape(in.substr(0, 60));
    if (!web.ok()) {
      EXPECT_TRUE(absl::StartsWith(web.status().message(), "web config w.yml")) << web.status();
    }
  }
  // Found by fuzz/web_config_fuzz: yaml-cpp's LoadAll read a stray ',' at the top as empty
  // documents without end, until memory ran out; YAML::Load would have ignored the rest.
  absl::StatusOr<WebConfig> comma = ParseWebConfig(",_server_config:\n  cert: |\n    -----BEGIN IN CERba", "w.yml");
  ASSERT_FALSE(comma.ok());
  EXPECT_TRUE(
      absl::StartsWith(comma.status().message(), "web config w.yml:1: not valid YAML: more than one YAML document"))
      << comma.status();
  absl::StatusOr<WebConfig> deep = ParseWebConfig(std::string(100000, '['), "w.yml");
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(absl::StrContains(deep.status().message(), "not valid YAML: nested more than")) << deep.status();
  // Empty and comment-only files are valid: nothing to do (a warning says so).
  for (const std::string& in : {std::string(""), std::string("# nothing\n"), std::string("tls_server_config:\n")}) {
    absl::StatusOr<WebConfig> web = ParseWebConfig(in, "w.yml");
    ASSERT_TRUE(web.ok()) << web.status();
    EXPECT_FALSE(web->tls.has_value());
    EXPECT_FALSE(web->warnings.empty());
  }
  TempDir dir;
  EXPECT_FALSE(LoadWebConfig(dir.path()).ok()) << "a directory";
  EXPECT_FALSE(LoadWebConfig("").ok());
  EXPECT_FALSE(LoadWebConfig(dir.Write("big.yml", std::string(2 << 20, '#'))).ok()) << "over 1 MiB";
}

// ---- bcrypt -------------------------------------------------------------------------------------

TEST(Bcrypt, CryptMatchesTheRightPasswordOnly) {
  const std::string hash = MakeHash("correct horse");
  EXPECT_TRUE(LooksLikeBcrypt(hash)) << hash;
  EXPECT_TRUE(CryptMatches("correct horse", hash));
  EXPECT_FALSE(CryptMatches("correct horsf", hash));
  EXPECT_FALSE(CryptMatches("", hash));
  EXPECT_FALSE(CryptMatches(std::string("correct horse\0x", 15), hash)) << "a NUL would truncate";
  EXPECT_FALSE(CryptMatches("correct horse", "$2b$04$short"));
  EXPECT_FALSE(CryptMatches("correct horse", ""));
  // htpasswd writes $2y$: the same algorithm, and libxcrypt knows it.
  const std::string y = MakeHash("pw", 4, "$2y$");
  ASSERT_TRUE(absl::StartsWith(y, "$2y$")) << y;
  EXPECT_TRUE(CryptMatches("pw", y));
}

TEST(Bcrypt, BasicAuthChecksAndCachesOnlySuccess) {
  BasicAuth auth({{"alice", MakeHash("s3cret:with:colons")}, {"bob", MakeHash("other")}});
  std::string user;
  EXPECT_EQ(auth.Check(BasicHeader("alice", "s3cret:with:colons"), &user), BasicAuth::Result::kOk);
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(auth.cached(), 1);
  EXPECT_EQ(auth.Check(BasicHeader("alice", "s3cret:with:colons")), BasicAuth::Result::kOk);
  EXPECT_EQ(auth.cached(), 1);
  EXPECT_EQ(auth.Check(BasicHeader("alice", "wrong")), BasicAuth::Result::kWrongPassword);
  EXPECT_EQ(auth.Check(BasicHeader("bob", "s3cret:with:colons")), BasicAuth::Result::kWrongPassword);
  EXPECT_EQ(auth.cached(), 1) << "failures are not cached";
  user.clear();
  EXPECT_EQ(auth.Check(BasicHeader("mallory", "x"), &user), BasicAuth::Result::kUnknownUser);
  EXPECT_EQ(user, "") << "unknown names are not reported (they may be passwords typed in the wrong field)";
  EXPECT_EQ(auth.Check(""), BasicAuth::Result::kMissing);
  EXPECT_EQ(auth.Check("Bearer abc"), BasicAuth::Result::kMalformed);
  EXPECT_EQ(auth.Check("Basic"), BasicAuth::Result::kMalformed);
  EXPECT_EQ(auth.Check("Basic !!!!"), BasicAuth::Result::kMalformed);
  EXPECT_EQ(auth.Check("Basic " + absl::Base64Escape("no colon")), BasicAuth::Result::kMalformed);
  EXPECT_EQ(auth.Check("basic " + absl::Base64Escape("alice:s3cret:with:colons")), BasicAuth::Result::kOk)
      << "the scheme is case-insensitive";
  EXPECT_EQ(auth.Check("Basic " + absl::Base64Escape(std::string("alice\0:x", 8))), BasicAuth::Result::kUnknownUser);
}

// Users with different bcrypt costs: the decoy of an unknown user had the highest cost, so a
// low-cost user answered visibly faster and was found by timing (issue 16, hole 7). Every uncached
// check now does the same work, one hash at each cost the users have; counted, not timed.
TEST(Bcrypt, EveryUncachedCheckHashesOnceAtEachCost) {
  BasicAuth auth({{"low", MakeHash("a", 4)}, {"high", MakeHash("b", 6)}, {"also-low", MakeHash("c", 4)}});
  const std::map<int, int> one_each = {{4, 1}, {6, 1}};
  auto work_of = [&](const std::string& header, BasicAuth::Result want) {
    const std::map<int, int> before = auth.hashes_by_cost();
    EXPECT_EQ(auth.Check(header), want) << header;
    std::map<int, int> done;
    for (const auto& [cost, count] : auth.hashes_by_cost()) {
      const auto was = before.find(cost);
      done[cost] = count - (was == before.end() ? 0 : was->second);
    }
    return done;
  };
  EXPECT_EQ(work_of(BasicHeader("nobody", "x"), BasicAuth::Result::kUnknownUser), one_each);
  EXPECT_EQ(work_of(BasicHeader("low", "x"), BasicAuth::Result::kWrongPassword), one_each);
  EXPECT_EQ(work_of(BasicHeader("high", "x"), BasicAuth::Result::kWrongPassword), one_each);
  EXPECT_EQ(work_of(BasicHeader("low", "a"), BasicAuth::Result::kOk), one_each) << "a first success too";
  EXPECT_EQ(work_of(BasicHeader("low", "a"), BasicAuth::Result::kOk), (std::map<int, int>{{4, 0}, {6, 0}}))
      << "cached: no hash";
}

TEST(Bcrypt, HeaderSplitsAtTheFirstColonWithoutLookingUpTheUser) {
  BasicCredentials credentials;
  ASSERT_EQ(BasicAuth::ParseHeader("  BASIC  " + absl::Base64Escape("alice:pw:with:colons") + " ", &credentials),
            BasicAuth::Result::kOk);
  EXPECT_EQ(credentials.user, "alice");
  EXPECT_EQ(credentials.password, "pw:with:colons");
  BasicCredentials empty;
  ASSERT_EQ(BasicAuth::ParseHeader("Basic " + absl::Base64Escape(":"), &empty), BasicAuth::Result::kOk);
  EXPECT_EQ(empty.user, "");
  EXPECT_EQ(empty.password, "");
  BasicCredentials none;
  EXPECT_EQ(BasicAuth::ParseHeader(" \t", &none), BasicAuth::Result::kMissing);
  EXPECT_EQ(BasicAuth::ParseHeader("Basicx " + absl::Base64Escape("a:b"), &none), BasicAuth::Result::kMalformed);
  EXPECT_EQ(BasicAuth::ParseHeader("Basic " + absl::Base64Escape("ab"), &none), BasicAuth::Result::kMalformed);
}

TEST(Bcrypt, CachedCheckSkipsTheSlowHash) {
  BasicAuth auth({{"prometheus", MakeHash("pw", 10)}});  // the usual htpasswd -B -C 10
  absl::Time start = absl::Now();
  ASSERT_EQ(auth.Check(BasicHeader("prometheus", "pw")), BasicAuth::Result::kOk);
  const absl::Duration first = absl::Now() - start;
  start = absl::Now();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(auth.Check(BasicHeader("prometheus", "pw")), BasicAuth::Result::kOk);
  const absl::Duration cached = (absl::Now() - start) / 100;
  std::printf("bcrypt cost 10: first check %s, cached check %s\n", absl::FormatDuration(first).c_str(),
              absl::FormatDuration(cached).c_str());
  EXPECT_GT(first, absl::Milliseconds(10));
  EXPECT_LT(cached * 20, first);  // relative: sanitizers and a busy machine slow both down
  start = absl::Now();
  EXPECT_EQ(auth.Check(BasicHeader("nobody", "pw")), BasicAuth::Result::kUnknownUser);
  EXPECT_GT(absl::Now() - start, first / 4) << "an unknown user costs a bcrypt too (no user enumeration by timing)";
}

// ---- the server ---------------------------------------------------------------------------------

class WebServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.reset();
    if (HasFailure()) {
      for (const std::string& line : logs_.Lines()) std::cerr << "log: " << line << "\n";
    }
  }

  void SetUp() override {
    broker_.SetHealthy();
    config_.listen_address = "127.0.0.1:0";
    config_.scrape_timeout = absl::Seconds(5);
    ClientOptions options;
    options.url = *ParseBrokerUrl(broker_.url());
    options.user = "u";
    options.password = "p";
    client_ = std::make_unique<RabbitClient>(options);
    Scraper::Options scraper_options;
    scraper_options.scrape_timeout = config_.scrape_timeout;
    scraper_options.min_interval = absl::ZeroDuration();
    scraper_ = std::make_unique<Scraper>(scraper_options, client_.get(), &pool_);
  }

  // Writes web.yml into dir_ (certificates copied there) and starts warren with it.
  absl::Status Start(const std::string& yaml, absl::Duration reload_check = absl::Seconds(1)) {
    absl::StatusOr<WebConfig> web = LoadWebConfig(dir_.Write("web.yml", yaml));
    if (!web.ok()) return web.status();
    if (web->tls.has_value()) web->tls->reload_check_interval = reload_check;
    server_ = std::make_unique<MetricsServer>(ServerOptionsOf(config_), scraper_.get(), *std::move(web));
    return server_->Start();
  }

  std::unique_ptr<httplib::SSLClient> Https(const std::string& ca = "ca.crt", const std::string& cert = "",
                                            const std::string& key = "") {
    auto client = cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port())
                               : std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port(),
                                                                      Certs::Get().Path(cert), Certs::Get().Path(key));
    client->set_ca_cert_path(Certs::Get().Path(ca));
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5);
    client->set_read_timeout(5);
    return client;
  }

  LogCapture logs_;  // quiet unless a test fails; outlives the server
  TempDir dir_;
  testing::FakeBroker broker_;
  Config config_;
  ScraperPool pool_{2};
  std::unique_ptr<RabbitClient> client_;
  std::unique_ptr<Scraper> scraper_;
  std::unique_ptr<MetricsServer> server_;
};

constexpr char kTls[] = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

TEST_F(WebServerTest, HttpsWithTheRightCaWorksWrongCaAndPlainHttpFail) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  ASSERT_TRUE(Start(absl::StrCat(kTls, "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n")).ok());
  ASSERT_TRUE(server_->tls());

  auto https = Https();
  auto metrics = https->Get("/metrics");
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(testing::SampleValue(metrics->body, "rabbitmq_up"), 1.0);
  EXPECT_EQ(metrics->get_header_value("X-Content-Type-Options"), "nosniff");
  httplib::SSLClient localhost("localhost", server_->port());
  localhost.set_ca_cert_path(Certs::Get().Path("ca.crt"));
  localhost.enable_server_certificate_verification(true);
  auto by_name = localhost.Get("/healthz");
  ASSERT_TRUE(by_name) << "the DNS:localhost SAN: " << httplib::to_string(by_name.error());
  EXPECT_EQ(by_name->status, 200);

  auto wrong_ca = Https("ca2.crt")->Get("/metrics");
  EXPECT_FALSE(wrong_ca);
  EXPECT_EQ(wrong_ca.error(), httplib::Error::SSLServerVerification);

  httplib::Client plain("127.0.0.1", server_->port());
  plain.set_read_timeout(5);
  auto refused = plain.Get("/healthz");
  EXPECT_FALSE(refused) << "plain HTTP to the TLS port got HTTP " << refused->status;
}

TEST_F(WebServerTest, MinVersionIsHonoured) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  ASSERT_TRUE(Start(absl::StrCat(kTls, "  min_version: TLS13\n")).ok());
  auto tls12 = Https();
  SSL_CTX_set_max_proto_version(tls12->ssl_context(), TLS1_2_VERSION);
  EXPECT_FALSE(tls12->Get("/healthz"));
  auto tls13 = Https()->Get("/healthz");
  ASSERT_TRUE(tls13);
  EXPECT_EQ(tls13->status, 200);
}

TEST_F(WebServerTest, BasicAuthOverTls) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  const std::string password = "pa55-w0rd-that-must-not-be-logged";
  ASSERT_TRUE(Start(absl::StrCat(kTls, "basic_auth_users:\n  prometheus: ", MakeHash(password), "\n")).ok());

  auto https = Https();
  https->set_basic_auth("prometheus", password);
  auto ok = https->Get("/metrics");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(testing::SampleValue(ok->body, "rabbitmq_up"), 1.0);

  auto wrong = Https();
  wrong->set_basic_auth("prometheus", "guess");
  auto denied = wrong->Get("/metrics");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->get_header_value("WWW-Authenticate"), "Basic realm=\"warren\"");
  EXPECT_EQ(denied->body.find("rabbitmq_"), std::string::npos);

  for (const char* path : {"/metrics", "/", "/readyz", "/nope"}) {
    auto missing = Https()->Get(path);
    ASSERT_TRUE(missing) << path;
    EXPECT_EQ(missing->status, 401) << path;
  }
  auto health = Https()->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "/healthz needs no credentials";

  // Five failures, one log line (rate-limited), and no secret in any line.
  EXPECT_EQ(logs_.Count("basic auth failed"), 1);
  const std::string header = BasicHeader("prometheus", password).substr(6);
  for (const std::string& line : logs_.Lines()) {
    EXPECT_FALSE(absl::StrContains(line, password)) << line;
    EXPECT_FALSE(absl::StrContains(line, header)) << line;
    EXPECT_FALSE(absl::StrContains(line, "guess")) << line;
  }
}

TEST_F(WebServerTest, BasicAuthWithoutTls) {
  ASSERT_TRUE(Start(absl::StrCat("basic_auth_users:\n  prometheus: ", MakeHash("pw"), "\n")).ok());
  ASSERT_FALSE(server_->tls());
  httplib::Client http("127.0.0.1", server_->port());
  auto missing = http.Get("/metrics");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  http.set_basic_auth("prometheus", "pw");
  auto ok = http.Get("/metrics");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(logs_.Count("passwords cross the network in clear text"), 1);
}

TEST_F(WebServerTest, RequireAndVerifyClientCert) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  dir_.Copy("ca.crt", "clients.crt");
  ASSERT_TRUE(
      Start(absl::StrCat(kTls, "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients.crt\n"))
          .ok());

  auto none = Https()->Get("/healthz");
  EXPECT_FALSE(none) << "no client certificate got HTTP " << none->status;
  auto rogue = Https("ca.crt", "rogue.crt", "rogue.key")->Get("/healthz");
  EXPECT_FALSE(rogue) << "a certificate of another CA got HTTP " << rogue->status;
  auto right = Https("ca.crt", "client.crt", "client.key")->Get("/metrics");
  ASSERT_TRUE(right) << httplib::to_string(right.error());
  EXPECT_EQ(right->status, 200);
}

TEST_F(WebServerTest, ClientAllowedSans) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  dir_.Copy("ca.crt", "clients.crt");
  ASSERT_TRUE(Start(absl::StrCat(kTls,
                                 "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients.crt\n"
                                 "  client_allowed_sans: [grafana.example]\n"))
                  .ok());
  EXPECT_FALSE(Https("ca.crt", "client.crt", "client.key")->Get("/healthz")) << "SAN prometheus.example is not allowed";
  server_.reset();
  ASSERT_TRUE(Start(absl::StrCat(kTls,
                                 "  client_auth_type: RequireAnyClientCert\n"
                                 "  client_allowed_sans: [grafana.example, prometheus.example]\n"))
                  .ok());
  auto any = Https("ca.crt", "rogue.crt", "rogue.key")->Get("/healthz");
  ASSERT_TRUE(any) << "RequireAnyClientCert does not verify the chain, only the SAN";
  EXPECT_EQ(any->status, 200);
}

TEST_F(WebServerTest, RenewedCertificateIsServedWithoutARestart) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  ASSERT_TRUE(Start(kTls, absl::ZeroDuration()).ok());
  ASSERT_TRUE(Https("ca.crt")->Get("/healthz"));
  EXPECT_FALSE(Https("ca2.crt")->Get("/healthz"));

  // A half-done rotation (new certificate, old key) keeps the old pair and logs once.
  dir_.Replace("server2.crt", "server.crt");
  EXPECT_TRUE(Https("ca.crt")->Get("/healthz")) << "still the old certificate";
  EXPECT_TRUE(Https("ca.crt")->Get("/healthz"));
  EXPECT_EQ(logs_.Count("TLS certificate reload failed"), 1);

  dir_.Replace("server2.key", "server.key");
  auto renewed = Https("ca2.crt")->Get("/healthz");
  ASSERT_TRUE(renewed) << "the new certificate after the key arrived: " << httplib::to_string(renewed.error());
  EXPECT_EQ(renewed->status, 200);
  EXPECT_FALSE(Https("ca.crt")->Get("/healthz")) << "the old certificate is gone";
  EXPECT_EQ(logs_.Count("TLS certificate reloaded"), 1);

  // Files that vanish (a botched deploy) keep the last good pair too.
  std::filesystem::remove(dir_.path() + "/server.key");
  EXPECT_TRUE(Https("ca2.crt")->Get("/healthz"));
}

TEST_F(WebServerTest, StartFailsCleanlyWhenTheFilesWentAway) {
  dir_.Copy("server.crt", "server.crt");
  dir_.Copy("server.key", "server.key");
  absl::StatusOr<WebConfig> web = LoadWebConfig(dir_.Write("web.yml", kTls));
  ASSERT_TRUE(web.ok()) << web.status();
  std::filesystem::remove(dir_.path() + "/server.key");
  MetricsServer server(ServerOptionsOf(config_), scraper_.get(), *std::move(web));
  absl::Status s = server.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), "server.key: cannot read")) << s;
}

TEST_F(WebServerTest, WithoutWebConfigNothingChanges) {
  server_ = std::make_unique<MetricsServer>(ServerOptionsOf(config_), scraper_.get());
  ASSERT_TRUE(server_->Start().ok());
  httplib::Client http("127.0.0.1", server_->port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
}

}  // namespace
}  // namespace warren
