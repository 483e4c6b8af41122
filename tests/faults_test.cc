// Fault injection: warren's /metrics, served over HTTP like Prometheus sees it, while the fake
// broker's /api/queues misbehaves in one way at a time. For every fault: the answer comes within
// the scrape timeout, says what failed (rabbitmq_up, warren_scrape_success, the error reason),
// keeps serving the other endpoints and the last good queue data, stays within bounded memory,
// and recovers without a restart once the broker behaves. Each case prints one [ FAULT ] line
// with its measured times and memory: docs/reliability.md quotes them.
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "metrics/json.h"
#include "tests/fake_broker.h"
#include "tests/in_process_warren.h"
#include "tests/test_util.h"
#include "util/utf8.h"

namespace warren {
namespace {

using testing::FakeBroker;
using testing::FakeResponse;
using testing::SampleValue;

constexpr int kTimeoutSeconds = 3;  // what Prometheus announces in X-Prometheus-Scrape-Timeout-Seconds
constexpr int64_t kBodyCap = int64_t{64} << 20;
// Under a sanitizer the process's peak memory is mostly the sanitizer's (ASan's quarantine keeps
// freed blocks, TSan's shadow is several times the heap): the bound on warren's own memory is
// checked in the uninstrumented build, which scripts/test always runs first.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kMemoryIsWarrens = false;
#else
constexpr bool kMemoryIsWarrens = true;
#endif

// The peak resident memory since the last ResetPeak, in MiB (Linux: VmHWM).
double PeakMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmHWM:")) {
      double kib = 0;
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (parts.size() >= 2 && absl::SimpleAtod(parts[1], &kib)) return kib / 1024;
    }
  }
  return -1;
}
void ResetPeak() {  // "5" resets VmHWM to the current RSS (Linux 4.0+)
  std::ofstream("/proc/self/clear_refs") << "5";
}

// Every line of an exposition is a comment or `name{labels} value`, in valid UTF-8.
void ExpectWellFormed(const std::string& text, const std::string& fault) {
  EXPECT_EQ(ValidUtf8(text), text) << fault;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, absl::string_view::npos) << fault << ": " << line;
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value) || line.substr(space + 1) == "NaN")
        << fault << ": " << line;
  }
}

class FaultTest : public ::testing::Test {
 protected:
  // A test may start several times: each start replaces the warren of the one before.
  void Start(const std::string& broker_url) {
    ASSERT_TRUE(warren_.Start(broker_url, {.password = "fault-Pw-0d9e1", .max_body_bytes = kBodyCap}).ok());
  }

  // GET /metrics as Prometheus does; the body ("" on failure) and how long the answer took.
  std::string Scrape(absl::Duration* took = nullptr) {
    httplib::Client http("127.0.0.1", warren_.port());
    http.set_read_timeout(30, 0);
    const absl::Time start = absl::Now();
    auto result = http.Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", absl::StrCat(kTimeoutSeconds)}});
    if (took != nullptr) *took = absl::Now() - start;
    EXPECT_TRUE(result) << "no answer";
    if (!result) return "";
    testing::Keep(result->status == 200 ? "metrics" : "error", result->body);
    EXPECT_EQ(result->status, 200);
    return result->body;
  }

  // Scrapes until rabbitmq_up is 1 again; how long that took, or -1 s after 20 s.
  absl::Duration AwaitRecovery() {
    const absl::Time start = absl::Now();
    while (absl::Now() - start < absl::Seconds(20)) {
      if (SampleValue(Scrape(), "rabbitmq_up") == 1) return absl::Now() - start;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return absl::Seconds(-1);
  }

  // One fault on /api/queues of a healthy broker: checks the answer under the fault, then that
  // warren recovers when the broker is healthy again.
  // `slow_reason`: also accepted, for a body so large that a slow (sanitizer) build reaches the
  // deadline before the cap.
  void Check(const std::string& fault, FakeResponse response, const char* reason, const char* slow_reason = nullptr) {
    FakeBroker broker;
    broker.SetHealthy(3);
    Start(broker.url());
    const std::string before = Scrape();
    ASSERT_EQ(SampleValue(before, "rabbitmq_up"), 1.0) << before;
    const double last_good =
        SampleValue(before, R"(warren_last_success_timestamp_seconds{endpoint="queues"})").value_or(-1);

    broker.Set("/api/queues", std::move(response));
    ResetPeak();
    const double base = PeakMiB();
    absl::Duration took;
    const std::string text = Scrape(&took);
    const double peak = PeakMiB() - base;
    ExpectWellFormed(text, fault);
    EXPECT_LE(took, absl::Seconds(kTimeoutSeconds) + absl::Milliseconds(300)) << fault;
    EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0) << fault;
    EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="queues"})"), 0.0) << fault;
    EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="overview"})"), 1.0) << fault;
    EXPECT_EQ(SampleValue(text, R"(rabbitmq_queue_messages_ready{vhost="/",queue="q1"})"), 3.0)
        << fault << ": the last good queue data is served, with its age";
    EXPECT_EQ(SampleValue(text, R"(warren_last_success_timestamp_seconds{endpoint="queues"})"), last_good) << fault;
    // A body of unknown length is received into a buffer that doubles up to the cap: the old and
    // the new buffer live together for a moment.
    if (kMemoryIsWarrens) {
      EXPECT_LT(peak, 2.0 * static_cast<double>(kBodyCap >> 20) + 32)
          << fault << ": peak RSS grew by " << peak << " MiB";
    }
    // The failure is counted by its reason once the fetch has ended (a trickling one ends at the
    // first byte after its deadline, after the answer above).
    auto counted = [&](const std::string& text) {
      double n = 0;
      for (const char* r : {reason, slow_reason}) {
        if (r != nullptr) {
          n += SampleValue(text, absl::StrCat(R"(warren_scrape_errors_total{endpoint="queues",reason=")", r, R"("})"))
                   .value_or(0);
        }
      }
      return n;
    };
    std::string again;
    for (const absl::Time give_up = absl::Now() + absl::Seconds(60); absl::Now() < give_up;) {
      again = Scrape();  // a slow (sanitizer) build may still be reading the first fetch
      if (counted(again) >= 1) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_GE(counted(again), 1.0) << fault << "\n" << again;

    broker.SetHealthy(3);
    const absl::Duration recovery = AwaitRecovery();
    EXPECT_GE(recovery, absl::ZeroDuration()) << fault << ": never recovered";
    std::cerr << "[ FAULT    ] " << fault << ": /metrics 200 in "
              << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1)))
              << ", rabbitmq_up 0, queues reason=" << reason << ", peak RSS +" << static_cast<int>(peak)
              << " MiB, recovered in " << absl::FormatDuration(absl::Trunc(recovery, absl::Milliseconds(1))) << "\n";
  }

  testing::InProcessWarren warren_{4};
};

TEST_F(FaultTest, ResetMidBody) {
  Check("reset mid-body", {.body = std::string(5000, ' ') + "[]", .reset_after = 1000}, "unreachable");
}

TEST_F(FaultTest, StallOfThirtySeconds) { Check("30 s stall", {.body = "[]", .delay = absl::Seconds(30)}, "timeout"); }

TEST_F(FaultTest, OneBytePerSecond) {
  Check("1 byte per second", {.body = R"([{"vhost":"/","name":"q1","messages":1}])", .byte_interval = absl::Seconds(1)},
        "timeout");
}

TEST_F(FaultTest, Http500) { Check("HTTP 500", {.status = 500, .body = R"({"error":"boom"})"}, "http_error"); }
TEST_F(FaultTest, Http503) { Check("HTTP 503", {.status = 503, .body = "busy"}, "http_error"); }
TEST_F(FaultTest, Http401) { Check("HTTP 401", {.status = 401, .body = R"({"error":"not_authorised"})"}, "auth"); }

TEST_F(FaultTest, BodyOf500MegabytesAnnounced) {
  Check("500 MB body, Content-Length", {.generated_bytes = int64_t{500} << 20}, "too_large");
}

TEST_F(FaultTest, BodyOf500MegabytesChunked) {
  Check("500 MB body, chunked", {.generated_bytes = int64_t{500} << 20, .chunked = true}, "too_large", "timeout");
}

TEST_F(FaultTest, NotJson) { Check("HTML instead of JSON", {.body = "<html>502 Bad Gateway</html>"}, "bad_response"); }

// Valid JSON, but not a list of queues.
TEST_F(FaultTest, DeeplyNestedArrays) {
  Check("1,000,000 nested arrays", {.body = std::string(1000000, '[') + std::string(1000000, ']')}, "bad_response");
}

// Odd bodies: repaired and served where the meaning is clear, refused where it is not; the
// exposition stays well-formed either way.
TEST_F(FaultTest, OddBodiesAreRepairedOrRefusedNeverGuessed) {
  const struct {
    const char* fault;
    std::string body;
    bool served;
  } cases[] = {
      {"invalid UTF-8 in a name", "[{\"vhost\":\"/\",\"name\":\"bad\xff\xfe\",\"messages\":1}]", true},
      {"duplicate keys", R"([{"vhost":"/","name":"dup","messages":1,"messages":2}])", true},
      // One value's fault: those two fields are field errors, the rest of the queue is served.
      {"numbers out of range", R"([{"vhost":"/","name":"big","messages":1e400,"messages_ready":-1e400}])", true},
      {"a JSON object, not an array", R"({"vhost":"/","name":"x"})", false},
      {"an array of numbers", "[1,2,3]", false},
  };
  for (const auto& c : cases) {
    FakeBroker broker;
    broker.SetHealthy(3);
    broker.Set("/api/queues", {.body = c.body});
    Start(broker.url());
    absl::Duration took;
    const std::string text = Scrape(&took);
    ExpectWellFormed(text, c.fault);
    EXPECT_LE(took, absl::Seconds(kTimeoutSeconds)) << c.fault;
    EXPECT_EQ(SampleValue(text, R"(warren_scrape_success{endpoint="overview"})"), 1.0) << c.fault;
    const bool ok = SampleValue(text, R"(warren_scrape_success{endpoint="queues"})") == 1;
    EXPECT_EQ(ok, c.served) << c.fault;
    EXPECT_EQ(SampleValue(text, "rabbitmq_up"), c.served ? 1.0 : 0.0) << c.fault;
    if (!c.served) {
      EXPECT_EQ(testing::CountSamples(text, "rabbitmq_queue_messages"), 0) << c.fault;
    }
    std::cerr << "[ FAULT    ] " << c.fault << ": /metrics 200 in "
              << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1))) << ", queues "
              << (ok ? "served" : "failed") << ", rabbitmq_up " << SampleValue(text, "rabbitmq_up").value_or(-1)
              << "\n";
  }
}

TEST_F(FaultTest, ConnectionRefusedIsUnreachableAndInventsNothing) {
  int port = 0;
  {
    FakeBroker gone;  // a port that was just free: nothing listens there now
    port = gone.port();
  }
  Start(absl::StrCat("http://127.0.0.1:", port));
  absl::Duration took;
  const std::string text = Scrape(&took);
  EXPECT_LE(took, absl::Seconds(kTimeoutSeconds));
  EXPECT_EQ(SampleValue(text, "rabbitmq_up"), 0.0);
  EXPECT_EQ(SampleValue(text, R"(warren_scrape_errors_total{endpoint="queues",reason="unreachable"})"), 1.0) << text;
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_queue_messages"), 0) << "nothing made up";
  std::cerr << "[ FAULT    ] connection refused: /metrics 200 in "
            << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1)))
            << ", rabbitmq_up 0, reason=unreachable\n";
}

}  // namespace
}  // namespace warren
