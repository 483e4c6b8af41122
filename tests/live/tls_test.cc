// warren's TLS to a real RabbitMQ whose management API also listens on HTTPS (ctest fixture
// live_tls, see CMakeLists.txt): certificates made with openssl by tls_certs.sh, node 1 asks
// nothing of the client, node 2 demands a client certificate signed by the test CA
// (management.ssl.verify = verify_peer, fail_if_no_peer_cert = true).
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "exporter/broker/rabbit_client.h"
#include "gtest/gtest.h"
#include "tests/live/live_harness.h"

namespace warren {
namespace {

using live::AwaitAll;
using live::Eq;
using live::Ge;
using live::Series;

class TlsLive : public ::testing::Test {
 protected:
  void SetUp() override {
    // As main.cc does: OpenSSL writes to a socket a refusing broker has closed without MSG_NOSIGNAL.
    ASSERT_NE(std::signal(SIGPIPE, SIG_IGN), SIG_ERR);
    certs_ = live::RequiredEnv("WARREN_TLS_CERTS");
    const std::vector<std::string> urls = live::RequiredEnvList("WARREN_TLS_URLS", 2);
    ASSERT_FALSE(::testing::Test::HasFailure());
    open_url_ = urls[0];
    verify_peer_url_ = urls[1];
  }

  std::string File(const std::string& name) const { return certs_ + "/" + name; }
  TlsOptions Ca() const { return {.ca_file = File("ca.pem")}; }
  TlsOptions CaAndClient() const {
    return {.ca_file = File("ca.pem"), .cert_file = File("client.pem"), .key_file = File("client-key.pem")};
  }

  // GET /api/overview through a client made by RabbitClient::Create.
  absl::StatusOr<std::string> Overview(const std::string& url, TlsOptions tls) {
    absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
    if (!parsed.ok()) return parsed.status();
    absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(
        ClientOptions{.url = *parsed, .user = "guest", .password = "guest", .tls = std::move(tls)});
    if (!client.ok()) return client.status();
    return (*client)->Get("/api/overview?columns=rabbitmq_version,cluster_name", absl::Now() + absl::Seconds(10));
  }

  // Expects a failure with reason "tls" whose message contains `detail`, or `or_detail`.
  void ExpectTlsFailure(const absl::StatusOr<std::string>& result, absl::string_view detail,
                        absl::string_view or_detail = "") {
    ASSERT_FALSE(result.ok()) << *result;
    EXPECT_EQ(ErrorReason(result.status()), "tls") << result.status();
    EXPECT_TRUE(absl::StrContains(result.status().message(), detail) ||
                (!or_detail.empty() && absl::StrContains(result.status().message(), or_detail)))
        << result.status();
    EXPECT_FALSE(absl::StrContains(result.status().message(), "guest")) << result.status();
    std::cerr << "[  TLS ERR ] " << result.status().message() << "\n";
  }

  static void ExpectOverview(const absl::StatusOr<std::string>& body) {
    ASSERT_TRUE(body.ok()) << body.status();
    EXPECT_TRUE(absl::StrContains(*body, R"("rabbitmq_version":"3.)")) << *body;
  }

  std::string certs_, open_url_, verify_peer_url_;
};

// ---- the broker's certificate

TEST_F(TlsLive, TheRightCaReturnsData) {
  ExpectOverview(Overview(open_url_, Ca()));  // URL host 127.0.0.1: the IP address SAN
}

TEST_F(TlsLive, AUrlByNameIsCheckedAgainstTheDnsName) {
  const std::string by_name = absl::StrReplaceAll(open_url_, {{"127.0.0.1", "localhost"}});
  ExpectOverview(Overview(by_name, Ca()));
}

TEST_F(TlsLive, TheSystemStoreDoesNotKnowTheTestCa) {
  ExpectTlsFailure(Overview(open_url_, {}), "broker certificate refused");
}

TEST_F(TlsLive, TheWrongCaFails) {
  ExpectTlsFailure(Overview(open_url_, {.ca_file = File("other-ca.pem")}), "broker certificate refused");
}

TEST_F(TlsLive, InsecureSkipVerifyAcceptsTheWrongCa) {
  const TlsOptions insecure{.ca_file = File("other-ca.pem"), .insecure_skip_verify = true};
  EXPECT_TRUE(
      InsecureTls(ClientOptions{.url = *ParseBrokerUrl(open_url_), .user = "", .password = "", .tls = insecure}));
  ExpectOverview(Overview(open_url_, insecure));
}

TEST_F(TlsLive, AWrongServerNameFailsAndTheRightOneWorks) {
  TlsOptions tls = Ca();
  tls.server_name = "rabbit.example";
  ExpectTlsFailure(Overview(open_url_, tls), "does not name rabbit.example");
  tls.server_name = "localhost";
  ExpectOverview(Overview(open_url_, tls));
  tls.server_name = "127.0.0.2";
  ExpectTlsFailure(Overview(open_url_, tls), "does not name 127.0.0.2");
}

TEST_F(TlsLive, PlainHttpsClientOfAnHttpPortIsATlsError) {
  // https:// to node 1's plain HTTP listener.
  const std::string http = live::RequiredEnvList("WARREN_TLS_HTTP_URLS", 1)[0];
  ASSERT_TRUE(absl::StartsWith(http, "http://")) << http;
  ExpectTlsFailure(Overview("https://" + http.substr(7), Ca()), "TLS with");
}

// ---- the client's certificate (node 2)

// Under TLS 1.3 the broker refuses after the client's side of the handshake: its alert is read,
// or (if the broker closes first) the client knows only that a certificate was asked for.
TEST_F(TlsLive, WithoutAClientCertificateTheBrokerRefuses) {
  ExpectTlsFailure(Overview(verify_peer_url_, Ca()), "alert certificate required", "none is configured");
}

TEST_F(TlsLive, AClientCertificateOfAnotherCaIsRefused) {
  ExpectTlsFailure(Overview(verify_peer_url_, {.ca_file = File("ca.pem"),
                                               .cert_file = File("other-client.pem"),
                                               .key_file = File("other-client-key.pem")}),
                   "alert unknown ca", "it refused ours");
}

TEST_F(TlsLive, TheRightClientCertificateWorks) {
  ExpectOverview(Overview(verify_peer_url_, CaAndClient()));
  TlsOptions named = CaAndClient();
  named.server_name = "localhost";
  ExpectOverview(Overview(verify_peer_url_, named));
}

TEST_F(TlsLive, ACertificateWithoutItsKeyIsAConstructionError) {
  absl::StatusOr<std::unique_ptr<RabbitClient>> client =
      RabbitClient::Create(ClientOptions{.url = *ParseBrokerUrl(verify_peer_url_),
                                         .user = "guest",
                                         .password = "guest",
                                         .tls = {.ca_file = File("ca.pem"), .cert_file = File("client.pem")}});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument) << client.status();
  EXPECT_TRUE(absl::StrContains(client.status().message(), "without its key")) << client.status();
}

// ---- whole scrapes: warren in-process, over TLS

TEST_F(TlsLive, AScrapeOverTlsWithAClientCertificate) {
  live::LogCapture logs;
  TlsOptions tls = CaAndClient();
  tls.server_name = "localhost";
  live::InProcessWarren warren({.mgmt_url = verify_peer_url_, .tls = tls});
  ASSERT_TRUE(warren.started());
  AwaitAll(warren,
           {Eq("rabbitmq_up", 1), Eq(Series("warren_scrape_success", {{"endpoint", "nodes"}}), 1),
            Eq(Series("warren_scrape_success", {{"endpoint", "queues"}}), 1),
            Eq(Series("warren_scrape_errors_total", {{"endpoint", "overview"}, {"reason", "tls"}}), 0)},
           absl::Seconds(30), "scrape over TLS");
}

TEST_F(TlsLive, TlsFailuresAreCountedWithReasonTls) {
  live::LogCapture logs;
  // The wrong CA (node 1), and no client certificate where one is required (node 2).
  live::InProcessWarren wrong_ca({.mgmt_url = open_url_, .tls = {.ca_file = File("other-ca.pem")}});
  live::InProcessWarren no_cert({.mgmt_url = verify_peer_url_, .tls = Ca()});
  ASSERT_TRUE(wrong_ca.started() && no_cert.started());
  const std::vector<live::Want> wants = {
      Eq("rabbitmq_up", 0), Ge(Series("warren_scrape_errors_total", {{"endpoint", "overview"}, {"reason", "tls"}}), 1),
      Eq(Series("warren_scrape_errors_total", {{"endpoint", "overview"}, {"reason", "unreachable"}}), 0)};
  AwaitAll(wrong_ca, wants, absl::Seconds(20), "wrong CA");
  AwaitAll(no_cert, wants, absl::Seconds(20), "no client certificate");
  EXPECT_TRUE(absl::StrContains(logs.Logs(), "reason=tls")) << logs.Logs();
}

}  // namespace
}  // namespace warren
