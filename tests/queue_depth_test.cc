// The plugin-depth joins (metrics/queue_depth.h): depth only from the queue's host node, missing
// never 0, and the missing count per node.
#include "metrics/queue_depth.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "metrics/endpoints.h"
#include "tests/test_util.h"

namespace warren::metrics {
namespace {

using ::warren::testing::ParsedSample;
using ::warren::testing::ParseSamples;

const Join& JoinNamed(absl::string_view name) {
  for (const Join& join : PluginDepthJoins()) {
    if (name == join.name) return join;
  }
  ADD_FAILURE() << "no join " << name;
  return PluginDepthJoins()[0];
}

std::vector<ParsedSample> RunJoin(absl::string_view name, const std::vector<LabelValues>& listing,
                                  const std::vector<LabelValues>& depths) {
  const std::vector<const std::vector<LabelValues>*> inputs = {&listing, &depths};
  return ParseSamples(JoinNamed(name).compute(inputs).Finish().text);
}

std::string Labels(const ParsedSample& sample) {
  std::string out;
  for (const auto& [name, value] : sample.labels) absl::StrAppend(&out, name, "=", value, ";");
  return out;
}

// Listing keys: vhost, queue, type, policy, host node.
const std::vector<LabelValues> kListing = {
    {"/", "a", "classic", "", "r@1"},
    {"/", "b", "quorum", "", "r@2"},
    {"/", "c", "classic", "", "r@3"},  // its node did not answer
    {"v", "we\"ird\\name", "classic", "", "r@1"},
    {"/", "moved", "quorum", "", "r@2"},  // reported by a node that is not its host
};

PluginDepths Depths(std::initializer_list<std::pair<std::pair<std::string, std::string>, QueueDepth>> queues) {
  PluginDepths depths;
  for (const auto& [key, depth] : queues) depths.queues[key] = depth;
  return depths;
}

std::vector<LabelValues> Rows() {
  std::vector<LabelValues> rows;
  AppendDepthRows(Depths({{{"/", "a"}, {12, 10, 2}}, {{"v", "we\"ird\\name"}, {0, 0, 0}}}), "r@1", nullptr, &rows);
  AppendDepthRows(Depths({{{"/", "b"}, {9007199254740992.0, 9007199254740990.0, 2}}}), "r@2", nullptr, &rows);
  AppendDepthRows(Depths({{{"/", "moved"}, {5, 5, 0}}}), "r@1", nullptr, &rows);  // r@1 is not its host
  return rows;
}

TEST(PluginDepthJoins, DepthComesOnlyFromTheHostNode) {
  const std::vector<ParsedSample> samples = RunJoin("rabbitmq_queue_messages", kListing, Rows());
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(Labels(samples[0]), "vhost=/;queue=a;");
  EXPECT_EQ(samples[0].value, 12);
  EXPECT_EQ(Labels(samples[1]), "vhost=/;queue=b;");
  EXPECT_EQ(samples[1].value, 9007199254740992.0);  // 2^53 passes exactly
  EXPECT_EQ(Labels(samples[2]), "vhost=v;queue=we\"ird\\name;");
  EXPECT_EQ(samples[2].value, 0);  // a real 0, reported
}

TEST(PluginDepthJoins, ReadyAndUnackedFollowTheSameRule) {
  const std::vector<ParsedSample> ready = RunJoin("rabbitmq_queue_messages_ready", kListing, Rows());
  const std::vector<ParsedSample> unacked = RunJoin("rabbitmq_queue_messages_unacked", kListing, Rows());
  ASSERT_EQ(ready.size(), 3u);
  ASSERT_EQ(unacked.size(), 3u);
  EXPECT_EQ(ready[0].value, 10);
  EXPECT_EQ(unacked[0].value, 2);
  EXPECT_EQ(ready[1].value, 9007199254740990.0);
}

TEST(PluginDepthJoins, MissingCountsEveryHostNodeZeroIncluded) {
  const std::vector<ParsedSample> samples = RunJoin("warren_queue_depth_missing", kListing, Rows());
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(Labels(samples[0]), "node=r@1;");
  EXPECT_EQ(samples[0].value, 0);
  EXPECT_EQ(Labels(samples[1]), "node=r@2;");
  EXPECT_EQ(samples[1].value, 1);  // "moved": its host r@2 did not report it
  EXPECT_EQ(Labels(samples[2]), "node=r@3;");
  EXPECT_EQ(samples[2].value, 1);
}

TEST(PluginDepthJoins, AbsentValueIsNoSampleNeverZero) {
  std::vector<LabelValues> rows;
  AppendDepthRows(Depths({{{"/", "a"}, {std::nullopt, 3, std::nullopt}}}), "r@1", nullptr, &rows);
  EXPECT_TRUE(RunJoin("rabbitmq_queue_messages", kListing, rows).empty());
  EXPECT_TRUE(RunJoin("rabbitmq_queue_messages_unacked", kListing, rows).empty());
  ASSERT_EQ(RunJoin("rabbitmq_queue_messages_ready", kListing, rows).size(), 1u);
  const std::vector<ParsedSample> missing = RunJoin("warren_queue_depth_missing", kListing, rows);
  ASSERT_FALSE(missing.empty());
  EXPECT_EQ(missing[0].value, 2);  // "a" has no total depth, the hostile name no row at all
}

TEST(PluginDepthJoins, AQueueReportedTwiceByItsHostKeepsNoDepth) {
  std::vector<LabelValues> rows = {{"/", "a", "r@1", "1", "1", "0"}, {"/", "a", "r@1", "2", "2", "0"}};
  EXPECT_TRUE(RunJoin("rabbitmq_queue_messages", kListing, rows).empty());
}

TEST(PluginDepthJoins, MalformedRowsAndKeysAreSkipped) {
  const std::vector<LabelValues> listing = {{"/", "a"}, {"/", "b", "classic", "", "r@1"}};
  const std::vector<LabelValues> rows = {{"/", "b", "r@1", "x", "", ""}, {"/", "b"}};
  EXPECT_TRUE(RunJoin("rabbitmq_queue_messages", listing, rows).empty());
  const std::vector<ParsedSample> missing = RunJoin("warren_queue_depth_missing", listing, rows);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].value, 0);  // a row exists; its unreadable value gives no sample
}

TEST(DepthMatchesListing, OnlyWhenEveryListedQueueCameFromItsHostAndNothingElse) {
  const std::vector<LabelValues> listing = {{"/", "a", "classic", "", "r@1"}, {"/", "b", "quorum", "", "r@2"}};
  std::vector<LabelValues> rows = {{"/", "a", "r@1", "1", "1", "0"}, {"/", "b", "r@2", "0", "0", "0"}};
  EXPECT_TRUE(DepthMatchesListing(listing, rows));
  EXPECT_FALSE(DepthMatchesListing(listing, {rows[0]})) << "b not reported: deleted, or its node is down";
  std::vector<LabelValues> extra = rows;
  extra.push_back({"/", "new", "r@1", "0", "0", "0"});
  EXPECT_FALSE(DepthMatchesListing(listing, extra)) << "a queue the listing does not have yet";
  std::vector<LabelValues> moved = rows;
  moved[1][2] = "r@1";  // the leader moved since the listing
  EXPECT_FALSE(DepthMatchesListing(listing, moved));
  std::vector<LabelValues> no_total = rows;
  no_total[0][3] = "";
  EXPECT_FALSE(DepthMatchesListing(listing, no_total));
  EXPECT_TRUE(DepthMatchesListing({}, {}));
}

TEST(AppendDepthRows, KeepsOnlyWhatTheFilterKeeps) {
  FilterPatterns patterns;
  patterns.queues_exclude = "tmp\\..*";
  absl::StatusOr<std::unique_ptr<Filter>> filter = Filter::Create(patterns);
  ASSERT_TRUE(filter.ok()) << filter.status();
  std::vector<LabelValues> rows;
  AppendDepthRows(Depths({{{"/", "a"}, {1, 1, 0}}, {{"/", "tmp.x"}, {2, 2, 0}}}), "r@1", filter->get(), &rows);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "a");
}

TEST(QueueListing, AsksWithoutTotalsAndForTheHostNode) {
  const std::string request = RequestFor(kQueueListing, "3.10.8");
  EXPECT_EQ(request.find("enable_queue_totals"), std::string::npos) << request;
  EXPECT_NE(request.find("disable_stats=true"), std::string::npos) << request;
  EXPECT_EQ(request.find("messages"), std::string::npos) << request;
  EXPECT_NE(request.find("leader"), std::string::npos) << request;
  EXPECT_NE(RequestFor(kQueues, "3.10.8").find("enable_queue_totals=true"), std::string::npos);
}

}  // namespace
}  // namespace warren::metrics

namespace warren::metrics {
namespace {

// The listing plugin depth falls back to: the depths alone, as depth rows, exact past a million.
TEST(QueueTotals, AsksForTheDepthsAloneAndGivesDepthRows) {
  const std::string request = RequestFor(kQueueTotals, "3.10.8");
  EXPECT_EQ(request,
            "/api/queues?disable_stats=true&enable_queue_totals=true&columns=vhost,name,leader,node,messages,"
            "messages_ready,messages_unacknowledged&sort=");
  absl::StatusOr<Mapped> mapped =
      Mapper(kQueueTotals)
          .Map(R"([{"vhost":"/","name":"big","node":"rabbit@a","messages":123456789,"messages_ready":123456788,)"
               R"("messages_unacknowledged":1},)"
               R"({"vhost":"v","name":"q","leader":"rabbit@b","node":"rabbit@a","type":"quorum"},)"
               R"({"vhost":"v","name":"down","node":"rabbit@c","state":"down"}])");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_EQ(mapped->keys.size(), 3u);
  EXPECT_EQ(mapped->keys[0], (LabelValues{"/", "big", "rabbit@a", "123456789", "123456788", "1"}));
  EXPECT_EQ(mapped->keys[1], (LabelValues{"v", "q", "rabbit@b", "", "", ""})) << "the leader hosts a quorum queue";
  EXPECT_EQ(mapped->keys[2], (LabelValues{"v", "down", "rabbit@c", "", "", ""})) << "no depth, never 0";
  EXPECT_TRUE(mapped->families.empty());
}

}  // namespace
}  // namespace warren::metrics
