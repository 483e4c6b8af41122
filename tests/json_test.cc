#include "metrics/json.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

TEST(ParsePath, SplitsOnDots) {
  EXPECT_EQ(ParsePath("queue.name"), (JsonPath{"queue", "name"}));
  EXPECT_EQ(ParsePath("messages"), (JsonPath{"messages"}));
}

TEST(ParseJson, RejectsMalformedBodyWithOffset) {
  rapidjson::Document doc;
  absl::Status status = ParseJson(R"([{"name": "q", )", "/api/queues", &doc);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("/api/queues"), std::string::npos) << status;
  EXPECT_NE(status.message().find("offset"), std::string::npos) << status;
}

TEST(ParseJson, DeepNestingDoesNotOverflowTheStack) {
  const int depth = 1'000'000;
  std::string body(depth, '[');
  body.append(depth, ']');
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(body, "deep", &doc).ok());
  EXPECT_TRUE(doc.IsArray());
}

TEST(ParseJson, DoesNotNeedATerminatingNul) {
  const std::string buffer = "[1,2]garbage";
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(absl::string_view(buffer).substr(0, 5), "slice", &doc).ok());
  EXPECT_EQ(doc.Size(), 2u);
}

TEST(Resolve, FollowsNestedPathsAndReportsMissing) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(R"({"queue":{"name":"q","vhost":"/"},"n":1})", "t", &doc).ok());
  const rapidjson::Value* name = Resolve(doc, ParsePath("queue.name"));
  ASSERT_NE(name, nullptr);
  EXPECT_STREQ(name->GetString(), "q");
  EXPECT_EQ(Resolve(doc, ParsePath("queue.missing")), nullptr);
  EXPECT_EQ(Resolve(doc, ParsePath("n.deeper")), nullptr);  // through a number
}

TEST(Resolve, LastDuplicateKeyWins) {
  // RabbitMQ has sent slave_nodes twice while a mirror re-joined: the stale value first.
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(R"({"slave_nodes":["old"],"x":1,"slave_nodes":["a","b"]})", "t", &doc).ok());
  const rapidjson::Value* value = Resolve(doc, ParsePath("slave_nodes"));
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->Size(), 2u);
}

// The indexed lookup finds what Resolve finds, whatever order the members of each object come in.
TEST(MemberIndex, FindsWhatResolveFindsInAnyMemberOrder) {
  MemberIndex index;
  const JsonPaths first = ParsePaths("a|b.c");
  const MemberIndex::Paths a_or_bc = index.Compile(first);
  const MemberIndex::Paths d = index.Compile(ParsePaths("d"));
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(R"([{"":13}, {"a":1,"d":2}, {"d":3,"x":0,"a":4}, {"a":null,"b":{"c":5}}, {"d":6,"d":7},
                            {"x":1}, 8, {"b":{"c":9},"a":10,"e":11,"f":12}])",
                        "test", &doc)
                  .ok());
  MemberIndex::Order order;
  std::vector<const rapidjson::Value*> found;
  std::vector<std::string> seen;
  for (const rapidjson::Value& object : doc.GetArray()) {
    index.Index(object, &found, &order);
    for (const auto* paths : {&a_or_bc, &d}) {
      const rapidjson::Value* value = Resolve(found, *paths);
      const rapidjson::Value* expected =
          object.IsObject() ? Resolve(object, paths == &d ? ParsePaths("d") : first) : nullptr;
      EXPECT_EQ(value, expected);
      seen.push_back(value == nullptr ? "-" : std::to_string(value->GetInt()));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"-", "-", "1", "2", "4", "3", "5", "-", "-", "7", "-", "-", "-", "-", "10",
                                            "-"}));

  // An index of no keys (a table that reads nothing by path) finds nothing, even a member "".
  const MemberIndex none;
  MemberIndex::Order fresh;
  none.Index(doc[0], &found, &fresh);
  EXPECT_TRUE(found.empty());
}

TEST(ValidUtf8, KeepsValidTextIncludingEmoji) {
  const std::string text = "weird \"q\\\xC3\xBC\xF0\x9F\x90\x87";
  EXPECT_EQ(ValidUtf8(text), text);
}

TEST(ValidUtf8, ReplacesInvalidBytes) {
  struct Case {
    const char* name;
    std::string in;
    std::string want;
  } cases[] = {
      {"lone continuation", "a\x80z", "a\xEF\xBF\xBDz"},
      {"truncated sequence", "a\xC3", "a\xEF\xBF\xBD"},
      {"overlong", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const Case& c : cases) EXPECT_EQ(ValidUtf8(c.in), c.want) << c.name;
}

}  // namespace
}  // namespace warren::metrics
