#include "metrics/mapper.h"

#include <initializer_list>
#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "metrics/consumers.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/federation.h"
#include "metrics/policies.h"
#include "tests/test_util.h"

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
constexpr const char* kStateNames[] = {"running", "down"};
constexpr StateSet kStates[] = {{"state", "test_state", "state", kStateNames, "State."}};
constexpr Each kEaches[] = {{"leader|node", "test_leader", "node", "Leader."}};
constexpr Label kCountLabels[] = {{"type", "type"}};
constexpr Count kCounts[] = {{"test_by_type", kCountLabels, "Objects per type."}};
void Doubled(const rapidjson::Value& object, SampleSink& sink) {
  const rapidjson::Value* messages = Resolve(object, ParsePath("messages"));
  if (messages != nullptr && messages->IsNumber()) sink.Add(2 * messages->GetDouble(), {{"factor", "2"}});
}
constexpr Derived kDerived[] = {
    {"test_doubled", prometheus::MetricType::Gauge, "messages", "factor", &Doubled, "Twice."}};
constexpr Label kKeys[] = {{"vhost", "vhost"}, {"queue", "name"}};
const Endpoint kTest{.name = "test",
                     .group = "test",
                     .path = "/api/test",
                     .labels = kLabels,
                     .fields = kFields,
                     .infos = kInfos,
                     .keys = kKeys};
const Endpoint kRich{.name = "rich",
                     .group = "test",
                     .path = "/api/rich",
                     .labels = kLabels,
                     .states = kStates,
                     .eaches = kEaches,
                     .counts = kCounts,
                     .derived = kDerived};

using testing::ParsedSample;
using testing::ParseSamples;

const FamilyText* Find(const Mapped& mapped, const std::string& name) {
  for (const auto& family : mapped.families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// The samples of family `name`, in their order in the text; none if it is absent.
std::vector<ParsedSample> SamplesOf(const Mapped& mapped, const std::string& name) {
  const FamilyText* family = Find(mapped, name);
  return family == nullptr ? std::vector<ParsedSample>{} : ParseSamples(family->text);
}

TEST(Mapper, MapsEveryKind) {
  absl::StatusOr<Mapped> mapped =
      Mapper(kTest).Map(R"([{"vhost":"/","name":"q","type":"quorum","messages":7,"stats":{"publish":12},)"
                        R"("alarm":true,"members":["a","b","c"],"uptime":1500}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(SamplesOf(*mapped, "test_messages").at(0).value, 7);
  EXPECT_NE(Find(*mapped, "test_published_total")->text.find("# TYPE test_published_total counter\n"),
            std::string::npos);
  EXPECT_EQ(SamplesOf(*mapped, "test_published_total").at(0).value, 12);
  EXPECT_EQ(SamplesOf(*mapped, "test_alarm").at(0).value, 1);
  EXPECT_EQ(SamplesOf(*mapped, "test_members").at(0).value, 3);
  EXPECT_DOUBLE_EQ(SamplesOf(*mapped, "test_uptime_seconds").at(0).value, 1.5);
  const ParsedSample info = SamplesOf(*mapped, "test_queue_info").at(0);
  ASSERT_EQ(info.labels.size(), 3u);
  EXPECT_EQ(info.labels[2].first, "type");
  EXPECT_EQ(info.labels[2].second, "quorum");
  EXPECT_EQ(mapped->errors.missing, 0u);
  EXPECT_EQ(mapped->errors.wrong_type, 0u);
  EXPECT_EQ(mapped->keys, (std::vector<LabelValues>{{"/", "q"}}));
}

std::optional<double> Value(const Mapped& mapped, const std::string& name, const LabelValues& labels) {
  for (const ParsedSample& sample : SamplesOf(mapped, name)) {
    LabelValues values;
    for (const auto& label : sample.labels) values.push_back(label.second);
    if (values == labels) return sample.value;
  }
  return std::nullopt;
}

TEST(Mapper, StatesAreOneHotAndUnknownStatesStayVisible) {
  absl::StatusOr<Mapped> mapped =
      Mapper(kRich).Map(R"([{"vhost":"/","name":"a","state":"running"},{"vhost":"/","name":"b","state":"syncing"}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "test_state", {"/", "a", "running"}), 1);
  EXPECT_EQ(Value(*mapped, "test_state", {"/", "a", "down"}), 0);
  EXPECT_EQ(Value(*mapped, "test_state", {"/", "b", "running"}), 0);
  EXPECT_EQ(Value(*mapped, "test_state", {"/", "b", "syncing"}), 1);
  EXPECT_EQ(SamplesOf(*mapped, "test_state").size(), 5u);
}

TEST(Mapper, EachExpandsArraysAndSingleStringsWithAlternativePaths) {
  absl::StatusOr<Mapped> mapped = Mapper(kRich).Map(
      R"([{"vhost":"/","name":"q","leader":"rabbit@1","node":"ignored"},{"vhost":"/","name":"c","node":"rabbit@2"},)"
      R"({"vhost":"/","name":"p","leader":["rabbit@a","rabbit@b",7]}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "test_leader", {"/", "q", "rabbit@1"}), 1);
  EXPECT_FALSE(Value(*mapped, "test_leader", {"/", "q", "ignored"}).has_value()) << "the first alternative wins";
  EXPECT_EQ(Value(*mapped, "test_leader", {"/", "c", "rabbit@2"}), 1);
  EXPECT_EQ(Value(*mapped, "test_leader", {"/", "p", "rabbit@b"}), 1);
  EXPECT_EQ(mapped->errors.wrong_type, 1u);  // the 7
}

TEST(Mapper, CountsUseOnlyTheirOwnLabelsAndMissingValuesAreEmpty) {
  absl::StatusOr<Mapped> mapped = Mapper(kRich).Map(
      R"([{"vhost":"/","name":"a","type":"quorum"},{"vhost":"/","name":"b","type":"quorum"},{"vhost":"/","name":"c"}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "test_by_type", {"quorum"}), 2);
  EXPECT_EQ(Value(*mapped, "test_by_type", {""}), 1);
}

TEST(Mapper, DerivedFunctionsAddLabelledSamples) {
  absl::StatusOr<Mapped> mapped = Mapper(kRich).Map(R"([{"vhost":"/","name":"a","messages":21}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "test_doubled", {"/", "a", "2"}), 42);
}

TEST(Mapper, SeriesComeOutSortedByLabelValues) {
  // Objects in the broker's order, states and array items in table order: each family sorted by
  // its label values all the same, as prometheus-cpp's families were.
  absl::StatusOr<Mapped> mapped = Mapper(kRich).Map(
      R"([{"vhost":"v","name":"a","state":"running","leader":["z","m"]},{"vhost":"/","name":"b","state":"zz"},)"
      R"({"vhost":"/","name":"a","state":"down"}])");
  ASSERT_TRUE(mapped.ok());
  std::vector<std::string> series;
  for (const ParsedSample& sample : SamplesOf(*mapped, "test_state")) {
    series.push_back(sample.labels[0].second + " " + sample.labels[1].second + " " + sample.labels[2].second);
  }
  EXPECT_EQ(series, (std::vector<std::string>{"/ a down", "/ a running", "/ b down", "/ b running", "/ b zz",
                                              "v a down", "v a running"}));
  series.clear();
  for (const ParsedSample& sample : SamplesOf(*mapped, "test_leader")) series.push_back(sample.labels[2].second);
  EXPECT_EQ(series, (std::vector<std::string>{"m", "z"}));
}

TEST(Mapper, OptionalIdentityLabelsBecomeEmpty) {
  constexpr Label kLinkLabels[] = {{"vhost", "vhost"}, {"exchange", "exchange?"}, {"queue", "queue?"}};
  constexpr Field kLinkFields[] = {{"n", "test_n", Kind::kGauge, "N."}};
  const Endpoint links{
      .name = "links", .group = "test", .path = "/api/links", .labels = kLinkLabels, .fields = kLinkFields};
  absl::StatusOr<Mapped> mapped = Mapper(links).Map(R"([{"vhost":"/","exchange":"x","n":1},{"exchange":"y","n":2}])");
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "test_n", {"/", "x", ""}), 1);
  EXPECT_EQ(SamplesOf(*mapped, "test_n").size(), 1u) << "vhost is still required";
  EXPECT_EQ(ColumnsOf(links), (std::vector<std::string>{"vhost", "exchange", "queue", "n"}));
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
  absl::StatusOr<Mapped> mapped =
      Mapper(kTest).Map(R"([{"vhost":"/","messages":1},{"vhost":"/","name":42,"messages":1},"not an object",)"
                        R"({"vhost":"/","name":"ok","messages":2}])");
  ASSERT_TRUE(mapped.ok());
  ASSERT_NE(Find(*mapped, "test_messages"), nullptr);
  EXPECT_EQ(SamplesOf(*mapped, "test_messages").size(), 1u);
  EXPECT_EQ(mapped->errors.missing, 1u + 4u);     // no name; then "ok" lacks 4 fields (info labels may)
  EXPECT_EQ(mapped->errors.wrong_type, 1u + 1u);  // name 42; the string item
}

TEST(Mapper, WrongTopLevelShapeFailsTheEndpoint) {
  EXPECT_EQ(Mapper(kTest).Map(R"({"items":[]})").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kOverview).Map(R"([])").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kTest).Map("<html>").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Mapper(kTest).Map("").status().code(), absl::StatusCode::kDataLoss);
}

TEST(Mapper, HostileNamesAreEscapedInTheExposition) {
  absl::StatusOr<Mapped> mapped =
      Mapper(kQueues).Map("[{\"vhost\":\"/\",\"name\":\"a\\\"b\\\\c\\nd \xF0\x9F\x90\x87 \xFF\",\"messages\":1}]");
  ASSERT_TRUE(mapped.ok());
  const std::vector<FamilyText>& text = mapped->families;
  ASSERT_FALSE(text.empty());
  EXPECT_NE(text[0].text.find("queue=\"a\\\"b\\\\c\\nd \xF0\x9F\x90\x87 \xEF\xBF\xBD\""), std::string::npos)
      << text[0].text;
}

// Membership series are a quorum queue's or stream's: a classic queue that lists its one node as
// `members` (4.1+'s notes) has neither members nor a majority to lose.
TEST(Mapper, OnlyQuorumQueuesAndStreamsHaveMembers) {
  absl::StatusOr<Mapped> mapped = Mapper(kQueues).Map(
      R"([{"vhost":"/","name":"c","type":"classic","members":["rabbit@a"],"online":[]},)"
      R"({"vhost":"/","name":"q","type":"quorum","members":["rabbit@a","rabbit@b","rabbit@c"],"online":["rabbit@a"]},)"
      R"({"vhost":"/","name":"s","type":"stream","members":["rabbit@a"],"online":["rabbit@a"]},)"
      R"({"vhost":"/","name":"t","members":["rabbit@a"],"online":[]}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  auto queues_of = [&](const std::string& name) {
    std::vector<std::pair<std::string, double>> out;
    for (const ParsedSample& sample : SamplesOf(*mapped, name)) out.emplace_back(sample.labels[1].second, sample.value);
    return out;
  };
  using Values = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(queues_of("rabbitmq_queue_members"), (Values{{"q", 3}, {"s", 1}}));
  EXPECT_EQ(queues_of("rabbitmq_queue_members_online"), (Values{{"q", 1}, {"s", 1}}));
  EXPECT_EQ(queues_of("rabbitmq_queue_below_majority"), (Values{{"q", 1}, {"s", 0}}))
      << "a classic queue (or one without a type) whose node is down is no quorum queue below its majority";
}

// Calls a join function with these inputs.
FamilyText Join(FamilyBuilder (*compute)(JoinInputs), std::initializer_list<std::vector<LabelValues>> inputs) {
  std::vector<const std::vector<LabelValues>*> pointers;
  for (const std::vector<LabelValues>& input : inputs) pointers.push_back(&input);
  return compute(pointers).Finish();
}

TEST(UpstreamLinksRunning, ZeroForAnUpstreamWithoutRunningLinks) {
  const std::vector<ParsedSample> samples = ParseSamples(
      Join(&UpstreamLinksRunning,
           {{{"/", "hare"}, {"/", "fox"}}, {{"/", "hare", "running"}, {"/", "hare", "running"}, {"/", "fox", "error"}}})
          .text);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].labels[1].second, "fox") << "sorted by labels";
  EXPECT_EQ(samples[0].value, 0);
  EXPECT_EQ(samples[1].value, 2);
}

TEST(Definitions, CountsKindsAndHashChangesWithContent) {
  const std::string before =
      R"({"rabbit_version":"3.10.8","users":[{"name":"a"}],"queues":[{"name":"q"},{"name":"r"}]})";
  const std::string after =
      R"({"rabbit_version":"3.10.8","users":[{"name":"a"}],"queues":[{"name":"q"},{"name":"s"}]})";
  absl::StatusOr<Mapped> a = Mapper(kDefinitions).Map(before), b = Mapper(kDefinitions).Map(after),
                         again = Mapper(kDefinitions).Map(before);
  ASSERT_TRUE(a.ok() && b.ok() && again.ok());
  EXPECT_EQ(Value(*a, "rabbitmq_definitions_objects", {"queues"}), 2);
  EXPECT_EQ(Value(*a, "rabbitmq_definitions_objects", {"users"}), 1);
  EXPECT_FALSE(Value(*a, "rabbitmq_definitions_objects", {"bindings"}).has_value()) << "absent kinds are not 0";
  EXPECT_EQ(Value(*a, "rabbitmq_definitions_hash", {}), Value(*again, "rabbitmq_definitions_hash", {}));
  EXPECT_NE(Value(*a, "rabbitmq_definitions_hash", {}), Value(*b, "rabbitmq_definitions_hash", {}));
}

TEST(Definitions, DeepNestingIsHashedWithoutRecursion) {
  std::string body = R"({"users":[],"x":)";
  body.append(300'000, '[');
  body.append(300'000, ']');
  body += "}";
  absl::StatusOr<Mapped> mapped = Mapper(kDefinitions).Map(body);
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(Value(*mapped, "rabbitmq_definitions_hash", {}).has_value());
}

// Chunks of family x from several endpoints (a, b; c with another HELP) and a family w.
struct AssembleChunks {
  const FamilyText a{"x", "# HELP x X.\n# TYPE x gauge\nx{check=\"a\"} 1\n"};
  const FamilyText b{"x", "# HELP x X.\n# TYPE x gauge\nx{check=\"b\"} 0\n"};
  const FamilyText c{"x", "# HELP x Other.\n# TYPE x gauge\nx{check=\"c\"} 0\n"};
  const FamilyText w{"w", "# HELP w W.\n# TYPE w gauge\nw 2\n"};
  const FamilyText empty{"v", ""};
  // w first, then x with a's HELP and TYPE and both samples.
  static constexpr char kMerged[] =
      "# HELP w W.\n# TYPE w gauge\nw 2\n# HELP x X.\n# TYPE x gauge\nx{check=\"a\"} 1\nx{check=\"b\"} 0\n";
};

TEST(Assemble, MergesOneFamilyFromSeveralEndpoints) {
  const AssembleChunks chunks;
  std::vector<std::string> duplicates;
  EXPECT_EQ(Assemble({&chunks.a, &chunks.w, &chunks.b, &chunks.c}, &duplicates), AssembleChunks::kMerged);
  EXPECT_EQ(duplicates, (std::vector<std::string>{"x"})) << "other HELP: not merged";
}

// Every byte offset finds the rest of its piece, as a response written piece by piece asks.
TEST(Assemble, PiecesReadFromAnyOffsetGiveTheSameText) {
  const AssembleChunks chunks;
  std::vector<std::string> duplicates;
  const Exposition pieces = AssemblePieces({&chunks.a, &chunks.w, &chunks.empty, &chunks.b}, &duplicates);
  const absl::string_view merged = AssembleChunks::kMerged;
  EXPECT_EQ(pieces.Joined(), merged);
  ASSERT_EQ(pieces.size(), merged.size());
  for (size_t offset = 0; offset < merged.size(); ++offset) {
    const absl::string_view rest = pieces.At(offset);
    ASSERT_FALSE(rest.empty()) << offset;
    EXPECT_EQ(rest, merged.substr(offset, rest.size())) << offset;
  }
  EXPECT_TRUE(pieces.At(merged.size()).empty());
  EXPECT_TRUE(pieces.At(merged.size() + 100).empty());
  EXPECT_TRUE(duplicates.empty());
}

TEST(QueueConsumers, CountsPerQueueAndZeroForQueuesWithout) {
  const FamilyText family =
      Join(&QueueConsumers, {{{"/", "a", "classic", ""}, {"/", "b", "quorum", "p"}, {"v", "a", "classic", ""}},
                             {{"/", "a"}, {"/", "a"}, {"v", "a"}, {"/", "gone"}}});
  const std::vector<ParsedSample> samples = ParseSamples(family.text);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].value, 2);
  EXPECT_EQ(samples[1].value, 0);
  EXPECT_EQ(samples[2].value, 1);
  EXPECT_EQ(family.name, "rabbitmq_queue_consumers");
}

TEST(MirrorsExpected, FollowsHaModeAndCountsNodesThatAreDown) {
  const std::vector<LabelValues> nodes = {{"r@a"}, {"r@b"}, {"r@c"}};
  const std::vector<LabelValues> policies = {
      {"/", "all", "all", ""},         {"/", "two", "exactly", "2"},    {"/", "nine", "exactly", "9"},
      {"/", "ab", "nodes", "r@a,r@b"}, {"/", "ax", "nodes", "r@a,r@x"}, {"/", "limit", "", ""},
      {"/", "bad", "exactly", "zero"}, {"v", "all", "exactly", "2"},
  };
  const std::vector<LabelValues> queues = {
      {"/", "q.all", "classic", "all"}, {"/", "q.two", "classic", "two"}, {"/", "q.nine", "classic", "nine"},
      {"/", "q.ab", "classic", "ab"},   {"/", "q.ax", "classic", "ax"},   {"/", "q.limit", "classic", "limit"},
      {"/", "q.bad", "classic", "bad"}, {"/", "q.none", "classic", ""},   {"/", "qq", "quorum", "all"},
      {"v", "q.all", "classic", "all"}, {"w", "q.all", "classic", "all"},
  };
  const FamilyText family = Join(&MirrorsExpected, {queues, policies, nodes});
  EXPECT_EQ(family.name, "rabbitmq_queue_mirrors_expected");
  std::map<std::string, double> got;
  for (const ParsedSample& sample : ParseSamples(family.text)) {
    ASSERT_EQ(sample.labels.size(), 2u);
    got[sample.labels[0].second + " " + sample.labels[1].second] = sample.value;
  }
  const std::map<std::string, double> want = {
      {"/ q.all", 2}, {"/ q.two", 1}, {"/ q.nine", 2}, {"/ q.ab", 1}, {"/ q.ax", 0}, {"v q.all", 1},
  };
  EXPECT_EQ(got, want) << "no series for queues without an ha policy, quorum queues, or another vhost's policy";
}

TEST(MirrorsExpected, ReadsHaParamsAsNumberOrNodeList) {
  absl::StatusOr<Mapped> mapped =
      Mapper(kPolicies).Map(R"([{"vhost":"/","name":"two","definition":{"ha-mode":"exactly","ha-params":2}},)"
                            R"({"vhost":"/","name":"ab","definition":{"ha-mode":"nodes","ha-params":["r@a","r@b"]}},)"
                            R"({"vhost":"/","name":"plain","definition":[]}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->keys, (std::vector<LabelValues>{
                              {"/", "two", "exactly", "2"}, {"/", "ab", "nodes", "r@a,r@b"}, {"/", "plain", "", ""}}));
  EXPECT_EQ(mapped->errors.wrong_type, 0u);
}

TEST(Filter, IncludeAndExcludeMatchWholeNames) {
  absl::StatusOr<std::unique_ptr<Filter>> filter = Filter::Create({.vhosts = "prod|staging",
                                                                   .vhosts_exclude = "",
                                                                   .queues = "",
                                                                   .queues_exclude = "amq\\.gen-.*|tmp\\..*",
                                                                   .exchanges = "",
                                                                   .exchanges_exclude = ""});
  ASSERT_TRUE(filter.ok()) << filter.status();
  using S = Filter::Subject;
  EXPECT_TRUE((*filter)->Keeps(S::kVhost, "prod"));
  EXPECT_FALSE((*filter)->Keeps(S::kVhost, "production")) << "whole-name match";
  EXPECT_FALSE((*filter)->Keeps(S::kVhost, "/"));
  EXPECT_TRUE((*filter)->Keeps(S::kQueue, "orders"));
  EXPECT_FALSE((*filter)->Keeps(S::kQueue, "amq.gen-Xa1"));
  EXPECT_TRUE((*filter)->Keeps(S::kExchange, "anything"));
  EXPECT_FALSE((*filter)->Empty());
  absl::StatusOr<std::unique_ptr<Filter>> bad = Filter::Create({.vhosts = "",
                                                                .vhosts_exclude = "",
                                                                .queues = "(",
                                                                .queues_exclude = "",
                                                                .exchanges = "",
                                                                .exchanges_exclude = ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("queues: "), 0u) << bad.status();
}

TEST(Mapper, FilterLeavesOutObjectsEverywhereItFindsTheirNames) {
  absl::StatusOr<std::unique_ptr<Filter>> filter = Filter::Create({.vhosts = "",
                                                                   .vhosts_exclude = "test",
                                                                   .queues = "",
                                                                   .queues_exclude = "tmp\\..*",
                                                                   .exchanges = "",
                                                                   .exchanges_exclude = ""});
  ASSERT_TRUE(filter.ok());
  const std::string queues = R"([{"vhost":"/","name":"orders","messages":1},{"vhost":"/","name":"tmp.x","messages":2},)"
                             R"({"vhost":"test","name":"orders","messages":3}])";
  absl::StatusOr<Mapped> mapped =
      Mapper(kQueues).Map(queues, {.filter = filter->get(), .max_objects = 0, .rank_path = "messages"});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(Value(*mapped, "rabbitmq_queue_messages", {"/", "orders"}), 1);
  EXPECT_FALSE(Value(*mapped, "rabbitmq_queue_messages", {"/", "tmp.x"}).has_value());
  EXPECT_FALSE(Value(*mapped, "rabbitmq_queue_messages", {"test", "orders"}).has_value());
  EXPECT_EQ(mapped->filtered, 2u);
  EXPECT_EQ(mapped->keys.size(), 1u) << "left out of joins too";
  EXPECT_EQ(Value(*mapped, "rabbitmq_vhost_queues", {"/"}), 1) << "and of counts";
  // consumers name their queue under queue.vhost / queue.name (join keys)
  absl::StatusOr<Mapped> consumers =
      Mapper(kConsumers)
          .Map(R"([{"queue":{"vhost":"/","name":"tmp.x"}},{"queue":{"vhost":"/","name":"orders"}}])",
               {.filter = filter->get(), .max_objects = 0, .rank_path = "messages"});
  ASSERT_TRUE(consumers.ok());
  EXPECT_EQ(consumers->keys, (std::vector<LabelValues>{{"/", "orders"}}));
  // connections are counted per vhost: the excluded vhost's are not
  absl::StatusOr<Mapped> connections =
      Mapper(kConnections)
          .Map(R"([{"vhost":"test","node":"n","state":"running"},{"vhost":"/","node":"n","state":"running"}])",
               {.filter = filter->get(), .max_objects = 0, .rank_path = "messages"});
  ASSERT_TRUE(connections.ok());
  EXPECT_EQ(connections->filtered, 1u);
}

TEST(Mapper, CapKeepsTheDeepestQueuesAndCountsTheRest) {
  std::string body = "[";
  for (int i = 0; i < 10; ++i)
    absl::StrAppend(&body, i ? "," : "", R"({"vhost":"/","name":"q)", i, R"(","messages":)", i, "}");
  body += R"(,{"vhost":"/","name":"nodepth"}])";
  absl::StatusOr<Mapped> mapped =
      Mapper(kQueues).Map(body, {.filter = nullptr, .max_objects = 3, .rank_path = "messages"});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->capped, 8u);
  std::vector<std::string> kept;
  for (const ParsedSample& sample : SamplesOf(*mapped, "rabbitmq_queue_messages"))
    kept.push_back(sample.labels[1].second);
  EXPECT_EQ(kept, (std::vector<std::string>{"q7", "q8", "q9"}));
}

TEST(Mapper, MapDocumentOfAParsedBodyEqualsMap) {
  const std::string body = testing::ReadFileOrDie(WARREN_SOURCE_DIR "/tests/fixtures/queues--cluster3.json");
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(body, "queues", &doc).ok());
  absl::StatusOr<Mapped> whole = Mapper(kQueues).Map(body), parsed = Mapper(kQueues).MapDocument(doc);
  ASSERT_TRUE(whole.ok() && parsed.ok());
  EXPECT_EQ(parsed->keys, whole->keys);
  const std::vector<FamilyText>& a = whole->families;
  const std::vector<FamilyText>& b = parsed->families;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].text, b[i].text);
}

}  // namespace
}  // namespace warren::metrics
