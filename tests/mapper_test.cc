#include "metrics/mapper.h"

#include "gtest/gtest.h"
#include "metrics/consumers.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"

namespace warren::metrics {
namespace {

constexpr Label kLabels[] = {{"vhost", "vhost"}, {"queue", "name"}};
constexpr Label kInfoLabels[] = {{"type", "type"}};
constexpr Info kInfos[] = {{"test_queue_info", kInfoLabels, "Queue type."}};
constexpr Field kFields[] = {
    {"messages", "test_messages", Kind::kGauge, "Messages."},
    {"stats.publish", "test_published_total", Kind::kCounter, "Published."},
    {"alarm", "test_alarm", Kind::kBool, "Alarm."},
    {"members", "test_members", Kind::kLength, "Members."},
    {"uptime", "test_uptime_seconds", Kind::kMillis, "Uptime."},
};
const Endpoint kTest{.name = "test", .path = "/api/test", .params = "", .shape = Shape::kArray,
                     .sortable = false, .labels = kLabels, .fields = kFields, .infos = kInfos};

const prometheus::MetricFamily* Find(const Mapped& mapped, const std::string& name) {
  for (const auto& family : mapped.families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

TEST(Mapper, MapsEveryKind) {
  absl::StatusOr<Mapped> mapped = Mapper(kTest).Map(
      R"([{"vhost":"/","name":"q","type":"quorum","messages":7,"stats":{"publish":12},)"
      R"("alarm":true,"members":["a","b","c"],"uptime":1500}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(Find(*mapped, "test_messages")->metric[0].gauge.value, 7);
  EXPECT_EQ(Find(*mapped, "test_published_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(Find(*mapped, "test_published_total")->metric[0].counter.value, 12);
  EXPECT_EQ(Find(*mapped, "test_alarm")->metric[0].gauge.value, 1);
  EXPECT_EQ(Find(*mapped, "test_members")->metric[0].gauge.value, 3);
  EXPECT_DOUBLE_EQ(Find(*mapped, "test_uptime_seconds")->metric[0].gauge.value, 1.5);
  const auto& info = Find(*mapped, "test_queue_info")->metric[0];
  ASSERT_EQ(info.label.size(), 3u);
  EXPECT_EQ(info.label[2].name, "type");
  EXPECT_EQ(info.label[2].value, "quorum");
  EXPECT_EQ(mapped->errors.missing, 0u);
  EXPECT_EQ(mapped->errors.wrong_type, 0u);
  EXPECT_EQ(mapped->objects, (std::vector<std::vector<std::string>>{{"/", "q"}}));
}

TEST(Mapper, MissingCounterEmitsNoSample) {
  // A queue on a stopped node has only its static keys: nothing may be reported as 0.
  absl::StatusOr<Mapped> mapped = Mapper(kTest).Map(R"([{"vhost":"/","name":"down","type":"classic"}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Find(*mapped, "test_published_total"), nullptr);
  EXPECT_EQ(Find(*mapped, "test_messages"), nullptr);
  EXPECT_EQ(mapped->errors.missing, 5u);
  EXPECT_EQ(mapped->errors.wrong_type, 0u);
}

TEST(Mapper, WrongTypesAreCountedNotGuessed) {
  absl::StatusOr<Mapped> mapped = Mapper(kTest).Map(
      R"([{"vhost":"/","name":"q","type":"classic","messages":"7","stats":[],"alarm":1,"members":{},"uptime":null}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->families.size() == 1u && mapped->families[0].name == "test_queue_info");
  EXPECT_EQ(mapped->errors.wrong_type, 3u);  // messages, alarm, members
  EXPECT_EQ(mapped->errors.missing, 2u);     // stats.publish under [], uptime null
}

TEST(Mapper, ObjectWithUnusableLabelIsSkipped) {
  absl::StatusOr<Mapped> mapped = Mapper(kTest).Map(
      R"([{"vhost":"/","messages":1},{"vhost":"/","name":42,"messages":1},"not an object",)"
      R"({"vhost":"/","name":"ok","messages":2}])");
  ASSERT_TRUE(mapped.ok());
  ASSERT_NE(Find(*mapped, "test_messages"), nullptr);
  EXPECT_EQ(Find(*mapped, "test_messages")->metric.size(), 1u);
  EXPECT_EQ(mapped->errors.missing, 1u + 5u);     // no name; then "ok" lacks 4 fields and type
  EXPECT_EQ(mapped->errors.wrong_type, 1u + 1u);  // name 42; the string item
}

TEST(Mapper, WrongTopLevelShapeFailsTheEndpoint) {
  EXPECT_EQ(Mapper(kTest).Map(R"({"items":[]})").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kOverview).Map(R"([])").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kTest).Map("<html>").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kTest).Map("").status().code(), absl::StatusCode::kDataLoss);
}

TEST(Mapper, HostileNamesAreEscapedInTheExposition) {
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(
      "[{\"vhost\":\"/\",\"name\":\"a\\\"b\\\\c\\nd \xF0\x9F\x90\x87 \xFF\",\"messages\":1}]");
  ASSERT_TRUE(mapped.ok());
  std::vector<FamilyText> text = SerializeFamilies(std::move(mapped->families));
  ASSERT_EQ(text.size(), 1u);
  EXPECT_NE(text[0].text.find("queue=\"a\\\"b\\\\c\\nd \xF0\x9F\x90\x87 \xEF\xBF\xBD\""), std::string::npos)
      << text[0].text;
}

TEST(QueueConsumers, CountsPerQueueAndZeroForQueuesWithout) {
  prometheus::MetricFamily family =
      QueueConsumers({{"/", "a"}, {"/", "b"}, {"v", "a"}}, {{"/", "a"}, {"/", "a"}, {"v", "a"}, {"/", "gone"}});
  ASSERT_EQ(family.metric.size(), 3u);
  EXPECT_EQ(family.metric[0].gauge.value, 2);
  EXPECT_EQ(family.metric[1].gauge.value, 0);
  EXPECT_EQ(family.metric[2].gauge.value, 1);
  EXPECT_EQ(family.name, "rabbitmq_queue_consumers");
}

TEST(RabbitVersionOf, ReadsTheBuildInfoLabel) {
  absl::StatusOr<Mapped> mapped =
      Mapper(kOverview).Map(R"({"rabbitmq_version":"3.12.1","erlang_version":"25","cluster_name":"c","node":"n"})");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(RabbitVersionOf(*mapped), "3.12.1");
  EXPECT_EQ(RabbitVersionOf(Mapped{}), "");
}

}  // namespace
}  // namespace warren::metrics
