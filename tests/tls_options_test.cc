// TLS options of the management API client: what Create refuses, and what a handshake with a
// loopback HTTPS server (httplib::SSLServer) accepts. Certificates come from
// tests/live/tls_certs.sh (openssl) in a temporary directory. The real broker: tests/live/tls_test.cc.
#include <httplib.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "exporter/broker/rabbit_client.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"
#include "tests/test_util.h"

namespace warren {
namespace {

class TlsOptionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // As main.cc does: OpenSSL writes to a socket a refusing server has closed without MSG_NOSIGNAL.
    ASSERT_NE(std::signal(SIGPIPE, SIG_IGN), SIG_ERR);
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/warren-tls-unit-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new std::string(pattern);
    const std::string command =
        std::string("'") + WARREN_SOURCE_DIR + "/tests/live/tls_certs.sh' '" + *dir_ + "' 2> /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command << " failed: is openssl installed?";
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (dir_ == nullptr || !std::filesystem::exists(File("ca.pem"))) GTEST_SKIP() << "no certificates";
  }

  static std::string File(const std::string& name) { return *dir_ + "/" + name; }

  static ClientOptions Https(const std::string& url, TlsOptions tls) {
    return ClientOptions{.url = *ParseBrokerUrl(url), .user = "u", .password = "p", .tls = std::move(tls)};
  }

  static std::string* dir_;
};

std::string* TlsOptionsTest::dir_ = nullptr;

absl::Status CreateStatus(ClientOptions options) { return RabbitClient::Create(std::move(options)).status(); }

TEST_F(TlsOptionsTest, ValidOptionsAreAccepted) {
  EXPECT_TRUE(CreateStatus(Https("https://127.0.0.1:1", {})).ok());  // the system store
  EXPECT_TRUE(CreateStatus(Https("https://127.0.0.1:1", {.ca_file = File("ca.pem"),
                                                         .cert_file = File("client.pem"),
                                                         .key_file = File("client-key.pem"),
                                                         .server_name = "localhost"}))
                  .ok());
  EXPECT_TRUE(CreateStatus(Https("http://127.0.0.1:1", {})).ok());
}

TEST_F(TlsOptionsTest, CertificateAndKeyGoTogether) {
  absl::Status status = CreateStatus(Https("https://127.0.0.1:1", {.cert_file = File("client.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "without its key")) << status;
  status = CreateStatus(Https("https://127.0.0.1:1", {.key_file = File("client-key.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "without its certificate")) << status;
}

TEST_F(TlsOptionsTest, UnreadableFilesAreNamed) {
  const std::string missing = File("nope.pem");
  for (const TlsOptions& tls :
       {TlsOptions{.ca_file = missing}, TlsOptions{.cert_file = missing, .key_file = File("client-key.pem")},
        TlsOptions{.cert_file = File("client.pem"), .key_file = missing}}) {
    absl::Status status = CreateStatus(Https("https://127.0.0.1:1", tls));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), missing)) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "No such file or directory")) << status;
  }
}

TEST_F(TlsOptionsTest, FilesWithoutWhatTheyShouldHoldAreRefused) {
  testing::WriteFileOrDie(File("garbage.pem"), "not a certificate\n");
  absl::Status status = CreateStatus(Https("https://127.0.0.1:1", {.ca_file = File("garbage.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "no PEM certificate")) << status;

  // A key is not a certificate, and a certificate is not a key.
  status = CreateStatus(Https("https://127.0.0.1:1", {.ca_file = File("ca-key.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  status =
      CreateStatus(Https("https://127.0.0.1:1", {.cert_file = File("client.pem"), .key_file = File("client.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "no unencrypted PEM private key")) << status;

  // A damaged block after a good one is an error, not silently dropped.
  testing::WriteFileOrDie(File("damaged.pem"), testing::ReadFileOrDie(File("ca.pem")) +
                                                   "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  status = CreateStatus(Https("https://127.0.0.1:1", {.ca_file = File("damaged.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "after 1 certificate")) << status;
}

TEST_F(TlsOptionsTest, KeyMustMatchTheCertificate) {
  absl::Status status = CreateStatus(
      Https("https://127.0.0.1:1", {.cert_file = File("client.pem"), .key_file = File("other-client-key.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "does not hold the key")) << status;
}

TEST_F(TlsOptionsTest, EncryptedKeyIsRefusedWithoutAPrompt) {
  absl::Status status = CreateStatus(
      Https("https://127.0.0.1:1", {.cert_file = File("client.pem"), .key_file = File("client-key-encrypted.pem")}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "no unencrypted PEM private key")) << status;
}

TEST_F(TlsOptionsTest, TlsOptionsNeedAnHttpsUrl) {
  for (const TlsOptions& tls : {TlsOptions{.ca_file = File("ca.pem")}, TlsOptions{.server_name = "localhost"},
                                TlsOptions{.insecure_skip_verify = true}}) {
    absl::Status status = CreateStatus(Https("http://127.0.0.1:1", tls));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "https://")) << status;
  }
  EXPECT_EQ(CreateStatus(Https("https://127.0.0.1:1", {.server_name = "bad name"})).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsOptionsTest, InsecureTlsOnlyForHttpsWithTheFlag) {
  EXPECT_TRUE(InsecureTls(Https("https://127.0.0.1:1", {.insecure_skip_verify = true})));
  EXPECT_FALSE(InsecureTls(Https("https://127.0.0.1:1", {})));
  EXPECT_FALSE(InsecureTls(Https("http://127.0.0.1:1", {.insecure_skip_verify = true})));
}

TEST_F(TlsOptionsTest, TheConstructorDefersTheErrorToEveryGet) {
  RabbitClient client(Https("https://127.0.0.1:1", {.cert_file = File("client.pem")}));
  absl::Status status = client.Get("/api/overview", absl::Now() + absl::Seconds(5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(ErrorReason(status), "tls");
  EXPECT_TRUE(absl::StrContains(status.message(), "/api/overview")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "without its key")) << status;
}

TEST(TlsReason, IsListed) {
  EXPECT_EQ(ErrorReason(absl::FailedPreconditionError("x")), "tls");
  int count = 0;
  for (absl::string_view reason : AllErrorReasons()) count += reason == "tls";
  EXPECT_EQ(count, 1);
}

// ---------------------------------------------------------------- handshakes on loopback

// An HTTPS server on 127.0.0.1 with server.pem (SAN localhost, 127.0.0.1), remembering the SNI
// of the last handshake; optionally demanding a client certificate signed by ca.pem.
class TlsServer {
 public:
  TlsServer(const std::string& dir, bool verify_client)
      : server_((dir + "/server.pem").c_str(), (dir + "/server-key.pem").c_str(),
                verify_client ? (dir + "/ca.pem").c_str() : nullptr) {
    SSL_CTX* ctx = server_.ssl_context();
    SSL_CTX_set_tlsext_servername_arg(ctx, this);
    SSL_CTX_set_tlsext_servername_callback(
        ctx, +[](SSL* ssl, int*, void* self) {
          const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
          static_cast<TlsServer*>(self)->SetSni(name == nullptr ? "" : name);
          return SSL_TLSEXT_ERR_OK;
        });
    server_.Get("/api/overview", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"tls":true})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~TlsServer() {
    server_.stop();
    thread_.join();
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string Sni() {
    absl::MutexLock lock(&mu_);
    return sni_;
  }

 private:
  void SetSni(std::string sni) {
    absl::MutexLock lock(&mu_);
    sni_ = std::move(sni);
  }
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = 0;
  absl::Mutex mu_;
  std::string sni_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::string> GetOverview(const ClientOptions& options) {
  absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(options);
  if (!client.ok()) return client.status();
  return (*client)->Get("/api/overview", absl::Now() + absl::Seconds(5));
}

TEST_F(TlsOptionsTest, HandshakeVerifiesTheChainAndTheName) {
  TlsServer server(*dir_, /*verify_client=*/false);
  const std::string ca = File("ca.pem");

  absl::StatusOr<std::string> body = GetOverview(Https(server.url(), {.ca_file = ca}));  // IP SAN
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, R"({"tls":true})");
  body = GetOverview(Https("https://localhost:" + std::to_string(server.port()), {.ca_file = ca}));  // DNS SAN
  EXPECT_TRUE(body.ok()) << body.status();

  absl::Status status = GetOverview(Https(server.url(), {.ca_file = File("other-ca.pem")})).status();
  EXPECT_EQ(ErrorReason(status), "tls") << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "broker certificate refused")) << status;

  status = GetOverview(Https(server.url(), {})).status();  // the system store does not know the test CA
  EXPECT_EQ(ErrorReason(status), "tls") << status;

  status = GetOverview(Https(server.url(), {.ca_file = ca, .server_name = "rabbit.example"})).status();
  EXPECT_EQ(ErrorReason(status), "tls") << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "does not name rabbit.example")) << status;
  EXPECT_EQ(server.Sni(), "rabbit.example");

  body = GetOverview(Https(server.url(), {.ca_file = ca, .server_name = "localhost"}));
  EXPECT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(server.Sni(), "localhost");

  body = GetOverview(Https(
      server.url(), {.ca_file = File("other-ca.pem"), .server_name = "rabbit.example", .insecure_skip_verify = true}));
  EXPECT_TRUE(body.ok()) << body.status();
}

TEST_F(TlsOptionsTest, ClientCertificateIsPresented) {
  TlsServer server(*dir_, /*verify_client=*/true);
  const std::string ca = File("ca.pem");
  // Under TLS 1.3 the server refuses after the client's side of the handshake is done; whether
  // its alert is read first depends on timing: either way the reason is tls.
  absl::Status status = GetOverview(Https(server.url(), {.ca_file = ca})).status();
  EXPECT_EQ(ErrorReason(status), "tls") << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "certificate")) << status;
  std::cerr << "[  TLS ERR ] " << status.message() << "\n";

  status = GetOverview(
               Https(server.url(),
                     {.ca_file = ca, .cert_file = File("other-client.pem"), .key_file = File("other-client-key.pem")}))
               .status();
  EXPECT_EQ(ErrorReason(status), "tls") << status;
  std::cerr << "[  TLS ERR ] " << status.message() << "\n";

  absl::StatusOr<std::string> body = GetOverview(
      Https(server.url(), {.ca_file = ca, .cert_file = File("client.pem"), .key_file = File("client-key.pem")}));
  EXPECT_TRUE(body.ok()) << body.status();
}

TEST_F(TlsOptionsTest, HttpsToAPlainHttpServerIsATlsError) {
  testing::FakeBroker broker;
  broker.SetHealthy();
  absl::Status status =
      GetOverview(Https("https://127.0.0.1:" + std::to_string(broker.port()), {.ca_file = File("ca.pem")})).status();
  EXPECT_EQ(ErrorReason(status), "tls") << status;
}

}  // namespace
}  // namespace warren
