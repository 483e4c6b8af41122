// For every pair tests/fixtures/bert/<stem>.{json,bert} (the same request answered as JSON and as
// BERT by a real broker, scripts/record-bert-fixtures), the decoded BERT document equals the parsed
// JSON one and maps to the same exposition, field errors and join keys.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "metrics/bert.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/json.h"
#include "metrics/mapper.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/test_util.h"

namespace warren::metrics {
namespace {

namespace fs = std::filesystem;

const std::string kPairs = WARREN_SOURCE_DIR "/tests/fixtures/bert";

std::vector<std::string> PairStems() {
  std::vector<std::string> stems;
  for (const auto& entry : fs::directory_iterator(kPairs)) {
    if (entry.path().extension() == ".bert") stems.push_back(entry.path().stem().string());
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

std::string Text(const Mapped& mapped) {
  std::vector<const FamilyText*> chunks;
  chunks.reserve(mapped.families.size());
  for (const FamilyText& chunk : mapped.families) chunks.push_back(&chunk);
  std::vector<std::string> duplicates;
  std::string out = Assemble(chunks, &duplicates);
  absl::StrAppend(&out, "# field errors: missing=", mapped.errors.missing, " wrong_type=", mapped.errors.wrong_type,
                  "\n");
  for (const LabelValues& key : mapped.keys) absl::StrAppend(&out, "# key ", absl::StrJoin(key, " "), "\n");
  return out;
}

std::string Json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

class BertPair : public ::testing::TestWithParam<std::string> {};

TEST_P(BertPair, DecodesToTheJsonDocumentAndMapsAlike) {
  const std::string stem = GetParam();
  const Endpoint* endpoint = EndpointNamed(stem);
  ASSERT_NE(endpoint, nullptr) << stem << ": no endpoint of that name";
  const std::string json = testing::ReadFileOrDie(kPairs + "/" + stem + ".json");
  const std::string bert = testing::ReadFileOrDie(kPairs + "/" + stem + ".bert");

  rapidjson::Document from_json, from_bert;
  ASSERT_TRUE(ParseJson(json, stem, &from_json).ok());
  const absl::Status decoded = ParseBert(bert, stem, &from_bert);
  ASSERT_TRUE(decoded.ok()) << decoded;
  // rapidjson compares objects member by member, whatever the order.
  EXPECT_TRUE(from_json == from_bert) << "JSON: " << Json(from_json).substr(0, 2000)
                                      << "\nBERT: " << Json(from_bert).substr(0, 2000);

  const Mapper mapper(*endpoint);
  absl::StatusOr<Mapped> via_json = mapper.Map(json), via_bert = mapper.MapDocument(from_bert);
  ASSERT_TRUE(via_json.ok()) << via_json.status();
  ASSERT_TRUE(via_bert.ok()) << via_bert.status();
  EXPECT_FALSE(via_json->families.empty() && via_json->keys.empty()) << stem << ": the pair must cover samples";
  const std::string expected = Text(*via_json), actual = Text(*via_bert);
  EXPECT_EQ(expected, actual) << testing::Diff(expected, actual);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BertPair, ::testing::ValuesIn(PairStems()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(BertPair, FixturesWereRecorded) { EXPECT_GE(PairStems().size(), 4u); }

}  // namespace
}  // namespace warren::metrics
