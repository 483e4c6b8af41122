// Hostile bodies never crash a mapper: each gives a clean Status or fewer samples, and whatever
// is emitted is valid UTF-8 with escaped label values.
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/json.h"
#include "metrics/mapper.h"
#include "tests/test_util.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

namespace fs = std::filesystem;

// Maps `body` with every endpoint; returns how many mapped without error.
int MapWithEveryEndpoint(const std::string& body, const std::string& what) {
  int ok = 0;
  for (const Endpoint* endpoint : AllEndpoints()) {
    absl::StatusOr<Mapped> mapped = Mapper(*endpoint).Map(body);
    if (!mapped.ok()) {
      EXPECT_EQ(mapped.status().code(), absl::StatusCode::kDataLoss) << what << ": " << mapped.status();
      continue;
    }
    ++ok;
    for (const FamilyText& family : mapped->families) {
      EXPECT_EQ(ValidUtf8(family.text), family.text) << what << " " << endpoint->name;
    }
  }
  return ok;
}

TEST(Hostile, EveryCorpusFileMapsOrFailsCleanly) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(WARREN_SOURCE_DIR "/tests/hostile")) {
    ++files;
    MapWithEveryEndpoint(testing::ReadFileOrDie(entry.path().string()), entry.path().filename().string());
  }
  EXPECT_GE(files, 8);
}

TEST(Hostile, MegabyteNamesSurvive) {
  const std::string name(1 << 20, 'n');
  const std::string body = absl::StrCat(R"([{"vhost":"/","name":")", name, R"(","messages":1}])");
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(body);
  ASSERT_TRUE(mapped.ok());
  ASSERT_FALSE(mapped->families.empty());
  EXPECT_EQ(mapped->families[0].name, "rabbitmq_queue_messages");
  const std::vector<testing::ParsedSample> samples = testing::ParseSamples(mapped->families[0].text);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].labels.at(1).second.size(), name.size());
}

TEST(Hostile, DeeplyNestedInputIsHandled) {
  std::string deep(500'000, '[');
  deep.append(500'000, ']');
  // Valid JSON but no endpoint's data: not one object in the list, so every endpoint refuses it
  // (kDataLoss, checked by MapWithEveryEndpoint) instead of reporting an empty list.
  EXPECT_EQ(MapWithEveryEndpoint(deep, "nested arrays"), 0);
  std::string deep_object = R"([{"vhost":"/","name":"q","messages":)";
  for (int i = 0; i < 200'000; ++i) deep_object += R"({"a":)";
  deep_object += "1";
  deep_object.append(200'000, '}');
  deep_object += "}]";
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(deep_object);
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->errors.wrong_type, 1u);
}

// A JSON string may hold a NUL: compared as a C string, "ok\u0000failed" passed for "ok".
TEST(Hostile, EmbeddedNulDoesNotShortenAComparedString) {
  auto value_of = [](const Endpoint& endpoint, const std::string& body, const std::string& family) {
    absl::StatusOr<Mapped> mapped = Mapper(endpoint).Map(body);
    EXPECT_TRUE(mapped.ok()) << mapped.status();
    for (const FamilyText& f : mapped.ok() ? mapped->families : std::vector<FamilyText>{}) {
      const std::vector<testing::ParsedSample> samples = testing::ParseSamples(f.text);
      if (f.name == family && samples.size() == 1) return samples[0].value;
    }
    ADD_FAILURE() << family << " has not exactly one sample";
    return -1.0;
  };
  EXPECT_EQ(value_of(kHealthAlarms, R"({"status":"ok\u0000failed"})", "rabbitmq_health_check_up"), 0);
  EXPECT_EQ(value_of(kHealthAlarms, R"({"status":"ok"})", "rabbitmq_health_check_up"), 1);
  EXPECT_EQ(value_of(kVhosts, R"([{"name":"/","cluster_state":{"rabbit@a":"running\u0000not"}}])", "rabbitmq_vhost_up"),
            0);
}

// A failing check's reason becomes a label value: escaped, cut to 200 bytes (a character cut in
// two becomes U+FFFD), and absent while the check passes. Every check maps the same way.
TEST(Hostile, HealthCheckReasonIsAnEscapedBoundedLabel) {
  // The reason label of the one failure_info sample, unescaped; "<none>" without one.
  auto reason_of = [](const Endpoint& endpoint, const std::string& body) -> std::string {
    absl::StatusOr<Mapped> mapped = Mapper(endpoint).Map(body);
    EXPECT_TRUE(mapped.ok()) << mapped.status();
    for (const FamilyText& f : mapped.ok() ? mapped->families : std::vector<FamilyText>{}) {
      if (f.name != "rabbitmq_health_check_failure_info") continue;
      const std::vector<testing::ParsedSample> samples = testing::ParseSamples(f.text);
      EXPECT_EQ(samples.size(), 1u) << f.text;
      if (samples.size() != 1 || samples[0].value != 1) return "<bad>";
      for (const auto& [name, value] : samples[0].labels) {
        if (name == "reason") return value;
      }
    }
    return "<none>";
  };
  for (const Endpoint* endpoint : AllEndpoints()) {
    if (std::string(endpoint->group) != "health") continue;
    SCOPED_TRACE(endpoint->name);
    EXPECT_EQ(reason_of(*endpoint, R"({"status":"ok"})"), "<none>");
    EXPECT_EQ(reason_of(*endpoint, R"({"status":"failed","reason":"a \"quoted\"\nline \\ and \u00e9"})"),
              "a \"quoted\"\nline \\ and \xc3\xa9");
    EXPECT_EQ(reason_of(*endpoint, R"({"status":"failed"})"), "");
    EXPECT_EQ(reason_of(*endpoint, R"({"status":"failed","reason":["not","text"]})"), "");
  }
  // 199 ASCII bytes, then a two-byte character across the cut.
  const std::string body =
      R"({"status":"failed","reason":")" + std::string(199, 'x') + R"(\u00e9)" + std::string(50, 'y') + R"("})";
  EXPECT_EQ(reason_of(kHealthAlarms, body), std::string(199, 'x') + "\xef\xbf\xbd");
}

TEST(Hostile, TruncatedBodiesFailAtEveryLength) {
  const std::string body = R"([{"vhost":"/","name":"q\"\\\n","messages":12,"messages_ready":3}])";
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_EQ(Mapper(kQueues).Map(body.substr(0, n)).status().code(), absl::StatusCode::kDataLoss) << n;
  }
  EXPECT_TRUE(Mapper(kQueues).Map(body).ok());
}

// Found by trying to break warren (issue 16, "also seen"): one value's fault failed or doubled a
// whole endpoint.
TEST(Hostile, ANumberTooBigIsAFieldErrorNotAFailedEndpoint) {
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(
      R"([{"vhost":"/","name":"a","messages":1e400},{"vhost":"/","name":"b","messages":-1E+999,"consumers":3},)"
      R"({"vhost":"/","name":"c","messages":2}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->errors.wrong_type, 2u);
  const std::string text = mapped->families[0].text;
  EXPECT_EQ(testing::CountSamples(text, "rabbitmq_queue_messages"), 1) << text;
  EXPECT_TRUE(absl::StrContains(text, R"(rabbitmq_queue_messages{vhost="/",queue="c"} 2)")) << text;
}

TEST(Hostile, AnUnpairedSurrogateBecomesTheReplacementCharacter) {
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(
      R"([{"vhost":"/","name":"a\ud800","messages":1},{"vhost":"/","name":"b\udc00x","messages":2},)"
      R"({"vhost":"/","name":"c\ud83d\ude00","messages":3},{"vhost":"/","name":"d\ud800\u0041","messages":4}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const std::string text = mapped->families[0].text;
  for (const char* series :
       {"queue=\"a\xEF\xBF\xBD\"} 1", "queue=\"b\xEF\xBF\xBDx\"} 2", "queue=\"c\xF0\x9F\x98\x80\"} 3",
        "queue=\"d\xEF\xBF\xBD"
        "A\"} 4"}) {
    EXPECT_TRUE(absl::StrContains(text, series)) << series << "\n" << text;
  }
}

TEST(Hostile, NamesThatDifferOnlyInInvalidUtf8MakeOneSeries) {
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(
      "[{\"vhost\":\"/\",\"name\":\"a\xff\",\"messages\":1,\"consumers\":1},"
      "{\"vhost\":\"/\",\"name\":\"a\xfe\",\"messages\":2,\"consumers\":2},"
      "{\"vhost\":\"/\",\"name\":\"a\xEF\xBF\xBD\",\"messages\":3}]");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->errors.duplicate, 2u);
  for (const FamilyText& family : mapped->families) {
    const std::vector<testing::ParsedSample> samples = testing::ParseSamples(family.text);
    std::set<std::vector<std::pair<std::string, std::string>>> seen;
    for (const testing::ParsedSample& sample : samples) {
      EXPECT_TRUE(seen.insert(sample.labels).second) << family.name << " repeats a series:\n" << family.text;
    }
  }
  EXPECT_TRUE(
      absl::StrContains(mapped->families[0].text, "rabbitmq_queue_messages{vhost=\"/\",queue=\"a\xEF\xBF\xBD\"} 1"))
      << "the first in the broker's order is kept";
}

TEST(RepairJsonValues, OnlyNumbersTooBigAndUnpairedSurrogatesChange) {
  EXPECT_EQ(RepairJsonValues(R"({"a":1e308,"b":"\ud83d\ude00","c":-0.5e-400})"), std::nullopt);
  EXPECT_EQ(RepairJsonValues(R"({"a":1e400,"b":"x\ud800y","k1e999":"1e999"})"),
            R"({"a":[]   ,"b":"x\ufffdy","k1e999":"1e999"})");
  EXPECT_EQ(RepairJsonValues(R"(["\\ud800", "\"\udfff"])"), R"(["\\ud800", "\"\ufffd"])") << "escapes are followed";
}

}  // namespace
}  // namespace warren::metrics
