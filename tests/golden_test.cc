// For every recorded body tests/fixtures/<stem>.json there is tests/golden/<stem>.prom: the
// mapped, sorted exposition. WARREN_UPDATE_GOLDEN=1 rewrites the golden files.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "metrics/consumers.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/mapper.h"
#include "tests/test_util.h"

namespace warren::metrics {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = WARREN_SOURCE_DIR "/tests/fixtures";
const std::string kGolden = WARREN_SOURCE_DIR "/tests/golden";

std::vector<std::string> FixtureStems() {
  std::vector<std::string> stems;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() == ".json") stems.push_back(entry.path().stem().string());
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

const Endpoint* EndpointForStem(absl::string_view stem) { return EndpointNamed(stem.substr(0, stem.find("--"))); }

Mapped MapFixture(const Endpoint& endpoint, const std::string& stem) {
  absl::StatusOr<Mapped> mapped = Mapper(endpoint).Map(testing::ReadFileOrDie(kFixtures + "/" + stem + ".json"));
  EXPECT_TRUE(mapped.ok()) << stem << ": " << mapped.status();
  return mapped.ok() ? *std::move(mapped) : Mapped{};
}

// The exposition a fixture maps to, with the joins it feeds.
std::string Render(const std::string& stem) {
  const Endpoint* endpoint = EndpointForStem(stem);
  if (endpoint == nullptr) {
    ADD_FAILURE() << stem << ": no endpoint named like this fixture";
    return "";
  }
  Mapped mapped = MapFixture(*endpoint, stem);
  std::vector<FamilyText> text = std::move(mapped.families);
  // A join is shown in the golden of its first input, with the fixtures of the others recorded
  // in the same broker state.
  const std::string state = stem.substr(std::string(endpoint->name).size());
  for (const Join& join : AllJoins()) {
    if (join.inputs[0] != endpoint) continue;
    std::vector<Mapped> others;
    for (const Endpoint* other : join.inputs.subspan(1)) {
      const std::string other_stem = absl::StrCat(other->name, state);
      if (!fs::exists(absl::StrCat(kFixtures, "/", other_stem, ".json"))) break;
      others.push_back(MapFixture(*other, other_stem));
    }
    if (others.size() + 1 != join.inputs.size()) continue;
    std::vector<const std::vector<LabelValues>*> keys = {&mapped.keys};
    for (const Mapped& other : others) keys.push_back(&other.keys);
    FamilyBuilder family = join.compute(keys);
    if (family.samples() > 0) text.push_back(std::move(family).Finish());  // as the scraper serves it
  }
  std::vector<const FamilyText*> chunks;
  chunks.reserve(text.size());
  for (const FamilyText& chunk : text) chunks.push_back(&chunk);
  std::vector<std::string> duplicates;
  std::string out = Assemble(chunks, &duplicates);
  EXPECT_TRUE(duplicates.empty()) << stem;
  absl::StrAppend(&out, "# field errors: missing=", mapped.errors.missing, " wrong_type=", mapped.errors.wrong_type,
                  "\n");
  // The values kept for joins, one line per object, so the goldens cover them too.
  for (const LabelValues& key : mapped.keys) {
    absl::StrAppend(&out, "# key");
    for (size_t i = 0; i < key.size() && i < endpoint->keys.size(); ++i) {
      absl::StrAppend(&out, " ", endpoint->keys[i].name, "=\"", absl::CEscape(key[i]), "\"");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesTheRecordedExposition) {
  const std::string stem = GetParam();
  const std::string actual = Render(stem);
  int samples = 0;
  for (absl::string_view line : absl::StrSplit(actual, '\n')) {
    samples += (!line.empty() && line[0] != '#') || absl::StartsWith(line, "# key ");
  }
  EXPECT_GT(samples, 0) << stem << ": a golden test must cover samples or join keys";
  const std::string path = kGolden + "/" + stem + ".prom";
  if (const char* update = std::getenv("WARREN_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    testing::WriteFileOrDie(path, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with WARREN_UPDATE_GOLDEN=1";
  const std::string expected = testing::ReadFileOrDie(path);
  EXPECT_EQ(expected, actual) << testing::Diff(expected, actual);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::ValuesIn(FixtureStems()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Golden, EveryGoldenFileHasAFixture) {
  for (const auto& entry : fs::directory_iterator(kGolden)) {
    const std::string stem = entry.path().stem().string();
    EXPECT_TRUE(fs::exists(absl::StrCat(kFixtures, "/", stem, ".json"))) << entry.path() << " is stale";
  }
}

}  // namespace
}  // namespace warren::metrics
