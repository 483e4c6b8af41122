#include "exporter/broker/rabbit_client.h"

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"

namespace warren {
namespace {

using testing::FakeBroker;

RabbitClient ClientFor(const FakeBroker& broker, int64_t max_body = 1 << 20) {
  return RabbitClient({.url = *ParseBrokerUrl(broker.url() + "/prefix"),
                       .user = "monitor",
                       .password = "s3cret-pw",
                       .max_body_bytes = max_body});
}

TEST(RabbitClient, GetsBodyWithBasicAuthUnderThePrefix) {
  FakeBroker broker;
  broker.Set("/prefix/api/overview", {.body = R"({"ok":true})"});
  absl::StatusOr<std::string> body = ClientFor(broker).Get("/api/overview?columns=a,b", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, R"({"ok":true})");
  EXPECT_EQ(broker.LastQuery("/prefix/api/overview"), "columns=a,b");
  EXPECT_EQ(broker.LastAuthorization(), "Basic " + absl::Base64Escape("monitor:s3cret-pw"));
}

TEST(RabbitClient, MapsFailuresToStatusCodes) {
  FakeBroker broker;
  struct Case {
    int http;
    absl::StatusCode want;
    const char* reason;
  } cases[] = {
      {401, absl::StatusCode::kPermissionDenied, "auth"}, {403, absl::StatusCode::kPermissionDenied, "auth"},
      {404, absl::StatusCode::kNotFound, "not_found"},    {406, absl::StatusCode::kUnimplemented, "not_offered"},
      {400, absl::StatusCode::kInternal, "http_error"},   {500, absl::StatusCode::kInternal, "http_error"},
      {503, absl::StatusCode::kInternal, "http_error"}};
  for (const Case& c : cases) {
    broker.Set("/prefix/api/x", {.status = c.http, .body = R"({"error":"nope"})"});
    absl::Status status = ClientFor(broker).Get("/api/x", absl::Now() + absl::Seconds(5)).status();
    EXPECT_EQ(status.code(), c.want) << c.http;
    EXPECT_EQ(ErrorReason(status), c.reason) << c.http;
    EXPECT_NE(status.message().find("/api/x"), std::string::npos) << status;
    EXPECT_EQ(status.message().find("s3cret-pw"), std::string::npos) << status;
  }
}

// RabbitMQ 3.10.8 with management_agent.disable_metrics_collector = true, asked for /api/channels.
TEST(RabbitClient, StatisticsThatAreOffAreNotOffered) {
  FakeBroker broker;
  broker.Set("/prefix/api/channels",
             {.status = 400,
              .body = R"({"error":"bad_request","reason":"Stats in management UI are disabled on this node"})"});
  absl::Status status = ClientFor(broker).Get("/api/channels", absl::Now() + absl::Seconds(5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
  EXPECT_EQ(ErrorReason(status), "not_offered");
}

// A target or proxy that echoes the request puts the credentials in its error body; the excerpt
// that reaches the log must not carry them (issue 16, hole 8).
TEST(RabbitClient, ErrorExcerptsAreRedacted) {
  FakeBroker broker;
  const std::string basic = absl::Base64Escape("monitor:s3cret-pw");
  broker.Set("/prefix/api/x", {.status = 400,
                               .body = "you sent: GET /prefix/api/x HTTP/1.1\r\nAuthorization: Basic " + basic +
                                       "\r\nX-Echo: s3cret-pw " + basic + " http://monitor:s3cret-pw@rabbit/\r\n"});
  absl::Status status = ClientFor(broker).Get("/api/x", absl::Now() + absl::Seconds(5)).status();
  EXPECT_EQ(status.message().find("s3cret-pw"), std::string::npos) << status;
  EXPECT_EQ(status.message().find(basic), std::string::npos) << status;
  EXPECT_NE(status.message().find("Authorization: [redacted]?"), std::string::npos) << status;
  EXPECT_NE(status.message().find("you sent: GET /prefix/api/x"), std::string::npos) << "the rest is kept: " << status;
}

TEST(RabbitClient, A503BodyIsDataOnlyWhenAsked) {
  FakeBroker broker;
  broker.Set("/prefix/api/health/checks/alarms", {.status = 503, .body = R"({"status":"failed"})"});
  EXPECT_EQ(ClientFor(broker).Get("/api/health/checks/alarms", absl::Now() + absl::Seconds(5)).status().code(),
            absl::StatusCode::kInternal);
  absl::StatusOr<std::string> body =
      ClientFor(broker).Get("/api/health/checks/alarms", absl::Now() + absl::Seconds(5), /*body_on_503=*/true);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, R"({"status":"failed"})");
}

TEST(RabbitClient, ConnectionRefusedIsUnavailable) {
  const int port = FakeBroker().port();  // closed again: nothing listens there
  RabbitClient client(
      {.url = *ParseBrokerUrl("http://127.0.0.1:" + std::to_string(port)), .user = "u", .password = "p"});
  absl::Status status = client.Get("/api/overview", absl::Now() + absl::Seconds(5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(ErrorReason(status), "unreachable");
}

TEST(RabbitClient, StalledBrokerTimesOutAtTheDeadline) {
  FakeBroker broker;
  broker.Set("/prefix/api/slow", {.body = "[]", .delay = absl::Seconds(3)});
  const absl::Time start = absl::Now();
  absl::Status status = ClientFor(broker).Get("/api/slow", start + absl::Milliseconds(300)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(RabbitClient, TricklingBodyIsCutOffAtTheDeadline) {
  FakeBroker broker;
  broker.Set("/prefix/api/trickle", {.body = std::string(200, 'x'), .trickle = true});
  const absl::Time start = absl::Now();
  absl::Status status = ClientFor(broker).Get("/api/trickle", start + absl::Milliseconds(700)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(RabbitClient, OversizedBodyIsRefused) {
  FakeBroker broker;
  broker.Set("/prefix/api/huge", {.body = std::string(3 << 20, ' ')});
  absl::Status status = ClientFor(broker, 1 << 20).Get("/api/huge", absl::Now() + absl::Seconds(5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_EQ(ErrorReason(status), "too_large");
}

TEST(RabbitClient, NoTimeLeftFailsWithoutConnecting) {
  FakeBroker broker;
  EXPECT_EQ(ClientFor(broker).Get("/api/overview", absl::Now() - absl::Seconds(1)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(broker.Requests("/prefix/api/overview"), 0);
}

}  // namespace
}  // namespace warren
