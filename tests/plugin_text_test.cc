// ParseCoarseDepths: the rabbitmq_prometheus plugin's queue_coarse_metrics text, as 3.10.8
// writes it (label values unescaped) and in the standard escaped form, with hostile input.
#include "metrics/plugin_text.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace warren::metrics {
namespace {

using Key = std::pair<std::string, std::string>;

// Lines as RabbitMQ 3.10.8 wrote them on this project's machine (2026-11-30), including queues
// named `we"ird\name`, `sp ace{x="y"}` and `ütf-8 ☃`: no escaping at all.
constexpr char kReal3108[] =
    "# TYPE rabbitmq_detailed_queue_messages_ready gauge\n"
    "# HELP rabbitmq_detailed_queue_messages_ready Messages ready to be delivered to consumers\n"
    "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"pd.q.00000\"} 5\n"
    "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"we\"ird\\name\"} 0\n"
    "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"\xc3\xbctf-8 \xe2\x98\x83\"} 0\n"
    "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"sp ace{x=\"y\"}\"} 7\n"
    "# TYPE rabbitmq_detailed_queue_messages_unacked gauge\n"
    "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"pd.q.00000\"} 5\n"
    "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"we\"ird\\name\"} 0\n"
    "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"\xc3\xbctf-8 \xe2\x98\x83\"} 0\n"
    "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"sp ace{x=\"y\"}\"} 1\n"
    "# TYPE rabbitmq_detailed_queue_messages gauge\n"
    "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"pd.q.00000\"} 10\n"
    "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"we\"ird\\name\"} 0\n"
    "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"\xc3\xbctf-8 \xe2\x98\x83\"} 0\n"
    "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"sp ace{x=\"y\"}\"} 8\n"
    "# TYPE rabbitmq_detailed_queue_process_reductions_total counter\n"
    "rabbitmq_detailed_queue_process_reductions_total{vhost=\"/\",queue=\"pd.q.00000\"} 16932\n"
    "rabbitmq_build_info{rabbitmq_version=\"3.10.8\",prometheus_plugin_version=\"3.10.8\","
    "prometheus_client_version=\"4.9.1\",erlang_version=\"25.2.3\"} 1\n"
    "rabbitmq_identity_info{rabbitmq_node=\"rabbit_o1500_1@localhost\",rabbitmq_cluster=\"warren-local-o1500\","
    "rabbitmq_cluster_permanent_id=\"rabbitmq-cluster-id-nximKaeMw2iZUW_GLM6kYA\"} 1\n"
    "telemetry_scrape_duration_seconds_count{registry=\"detailed\",content_type=\"text/plain; version=0.0.4\"} 76\n";

void ExpectDepth(const PluginDepths& d, const Key& key, double messages, double ready, double unacked) {
  auto it = d.queues.find(key);
  ASSERT_NE(it, d.queues.end()) << key.first << " / " << key.second;
  ASSERT_TRUE(it->second.messages.has_value());
  ASSERT_TRUE(it->second.ready.has_value());
  ASSERT_TRUE(it->second.unacked.has_value());
  EXPECT_EQ(*it->second.messages, messages);
  EXPECT_EQ(*it->second.ready, ready);
  EXPECT_EQ(*it->second.unacked, unacked);
}

void ExpectClean(const PluginDepths& d) {
  EXPECT_EQ(d.ambiguous_lines, 0u);
  EXPECT_EQ(d.malformed_lines, 0u);
  EXPECT_EQ(d.invalid_values, 0u);
  EXPECT_EQ(d.conflicts, 0u);
}

TEST(PluginText, Real3108OutputWithUnescapedNames) {
  const PluginDepths d = ParseCoarseDepths(kReal3108, LabelEscaping::kNone);
  ExpectClean(d);
  EXPECT_EQ(d.node, "rabbit_o1500_1@localhost");
  EXPECT_EQ(d.cluster, "warren-local-o1500");
  EXPECT_EQ(d.queues.size(), 4u);
  ExpectDepth(d, {"/", "pd.q.00000"}, 10, 5, 5);
  ExpectDepth(d, {"/", "we\"ird\\name"}, 0, 0, 0);
  ExpectDepth(d, {"/", "\xc3\xbctf-8 \xe2\x98\x83"}, 0, 0, 0);
  ExpectDepth(d, {"/", "sp ace{x=\"y\"}"}, 8, 7, 1);
}

TEST(PluginText, StandardEscapesAreDecoded) {
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages{vhost=\"v\\\\1\",queue=\"we\\\"ird\\nq\"} 3\n"
      "rabbitmq_detailed_queue_messages_ready{queue=\"we\\\"ird\\nq\",vhost=\"v\\\\1\",} 2 1700000000000\n"
      "rabbitmq_detailed_queue_messages_unacked{vhost=\"v\\\\1\",queue=\"we\\\"ird\\nq\",extra=\"x\"} 1\n",
      LabelEscaping::kStandard);
  ExpectClean(d);
  ExpectDepth(d, {"v\\1", "we\"ird\nq"}, 3, 2, 1);
}

TEST(PluginText, StandardModeRejectsBrokenEscapesAndUnclosedValues) {
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"a\\tb\"} 3\n"          // unknown escape
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"a} 3\n"                // unclosed
      "rabbitmq_detailed_queue_messages{vhost=\"/\",vhost=\"x\",queue=\"a\"} 3\n"  // repeated label
      "rabbitmq_detailed_queue_messages{vhost=\"/\"} 3\n"                          // no queue
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"a\"} 3 soon\n"         // bad timestamp
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"a\"}3\n"               // no space
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"a\\",
      LabelEscaping::kStandard);
  EXPECT_TRUE(d.queues.empty());
  EXPECT_EQ(d.malformed_lines, 7u);
}

TEST(PluginText, AmbiguousRawNamesAreCountedNotGuessed) {
  // A queue named `x",queue="y` in vhost `/`, or queue `y` in vhost `/",queue="x`: the same text.
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"x\",queue=\"y\"} 4\n"
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"ok\"} 1\n",
      LabelEscaping::kNone);
  EXPECT_EQ(d.ambiguous_lines, 1u);
  EXPECT_EQ(d.queues.size(), 1u);
  EXPECT_TRUE(d.queues.contains(Key{"/", "ok"}));
}

TEST(PluginText, NonCountValuesLeaveTheFieldEmptyNeverZero) {
  for (const char* value : {"NaN", "nan", "+Inf", "-Inf", "-1", "1.5", "1e400", "9007199254740994", "", "five"}) {
    const std::string text = std::string("rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"q\"} ") + value + "\n";
    for (LabelEscaping e : {LabelEscaping::kNone, LabelEscaping::kStandard}) {
      const PluginDepths d = ParseCoarseDepths(text, e);
      const std::size_t bad = d.invalid_values + d.malformed_lines;
      EXPECT_EQ(bad, 1u) << "value '" << value << "'";
      // Without a single usable sample the queue is not reported at all.
      EXPECT_EQ(d.queues.count(Key{"/", "q"}), 0u) << "value '" << value << "'";
    }
  }
  // Valid counts, including the largest exact one and exponent notation of a whole number.
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"q\"} 9007199254740992\n"
      "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"q\"} 1e3\n"
      "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"q\"} 0\n",
      LabelEscaping::kNone);
  ExpectClean(d);
  ExpectDepth(d, {"/", "q"}, 9007199254740992.0, 1000, 0);
}

TEST(PluginText, MissingMetricLeavesOnlyThatFieldEmpty) {
  const PluginDepths d =
      ParseCoarseDepths("rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"q\"} 2\n", LabelEscaping::kNone);
  ExpectClean(d);
  const auto it = d.queues.find(Key{"/", "q"});
  ASSERT_NE(it, d.queues.end());
  ASSERT_TRUE(it->second.ready.has_value());
  EXPECT_EQ(*it->second.ready, 2.0);
  EXPECT_FALSE(it->second.messages.has_value());
  EXPECT_FALSE(it->second.unacked.has_value());
}

TEST(PluginText, TwoDifferentValuesForOneQueueDropTheQueue) {
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"q\"} 2\n"
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"q\"} 3\n"
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"same\"} 3\n"
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"same\"} 3\n",
      LabelEscaping::kNone);
  EXPECT_EQ(d.conflicts, 1u);
  EXPECT_FALSE(d.queues.contains(Key{"/", "q"}));
  ExpectDepth(ParseCoarseDepths("rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"same\"} 3\n"
                                "rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"same\"} 3\n"
                                "rabbitmq_detailed_queue_messages_unacked{vhost=\"/\",queue=\"same\"} 0\n",
                                LabelEscaping::kNone),
              {"/", "same"}, 3, 3, 0);
  EXPECT_TRUE(d.queues.contains(Key{"/", "same"}));
}

TEST(PluginText, HugeLinesAreSkippedAndTheRestIsRead) {
  std::string text = "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"";
  text.append(1 << 20, 'x');
  text += "\"} 5\n";
  text += std::string(1 << 20, '#') + "\n";                                  // a huge comment: ignored
  text += "some_other_metric{a=\"" + std::string(1 << 20, 'y') + "\"} 1\n";  // not ours: ignored
  text += "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"small\"} 1\r\n";
  const PluginDepths d = ParseCoarseDepths(text, LabelEscaping::kNone);
  EXPECT_EQ(d.malformed_lines, 1u);
  EXPECT_EQ(d.queues.size(), 1u);
  EXPECT_TRUE(d.queues.contains(Key{"/", "small"}));
  // With a limit above the line, the long name is read whole.
  const PluginDepths big = ParseCoarseDepths(text, LabelEscaping::kNone, 2 << 20);
  EXPECT_EQ(big.malformed_lines, 0u);
  EXPECT_EQ(big.queues.size(), 2u);
}

TEST(PluginText, OtherMetricsSharingThePrefixAreIgnored) {
  const PluginDepths d = ParseCoarseDepths(
      "rabbitmq_detailed_queue_messages_ram{vhost=\"/\",queue=\"q\"} 9\n"
      "rabbitmq_detailed_queue_messages_ready_bytes{vhost=\"/\",queue=\"q\"} 9\n"
      "rabbitmq_detailed_queue_messages 9\n",  // our name, no labels: malformed
      LabelEscaping::kNone);
  EXPECT_TRUE(d.queues.empty());
  EXPECT_EQ(d.malformed_lines, 1u);
  EXPECT_EQ(d.invalid_values, 0u);
}

TEST(PluginText, GarbageNeverCrashes) {
  const std::string inputs[] = {
      "",
      "\n\n\n",
      "{",
      "rabbitmq_detailed_queue_messages{",
      "rabbitmq_detailed_queue_messages{vhost=\"",
      "rabbitmq_detailed_queue_messages{vhost=\"\"} ",
      "rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"\"} 1",  // empty name, no newline: read
      "rabbitmq_detailed_queue_messages} {",
      "rabbitmq_identity_info{rabbitmq_node=\"unterminated",
      "rabbitmq_identity_info{x_rabbitmq_node=\"no\"} 1",
      std::string("rabbitmq_detailed_queue_messages{vhost=\"\0\",queue=\"\xff\"} 1", 55),
  };
  for (const std::string& in : inputs) {
    for (LabelEscaping e : {LabelEscaping::kNone, LabelEscaping::kStandard}) {
      const PluginDepths d = ParseCoarseDepths(in, e);
      EXPECT_TRUE(d.node.empty()) << in;
    }
  }
  const PluginDepths d =
      ParseCoarseDepths("rabbitmq_detailed_queue_messages{vhost=\"/\",queue=\"\"} 1", LabelEscaping::kNone);
  ExpectClean(d);
  EXPECT_TRUE(d.queues.contains(Key{"/", ""}));
}

}  // namespace
}  // namespace warren::metrics
