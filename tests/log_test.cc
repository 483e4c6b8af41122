#include "util/log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace warren {
namespace {

// Captures the lines logged in `format` while it lives.
class Captured {
 public:
  explicit Captured(LogFormat format) {
    SetLogFormat(format);
    SetLogSink([this](absl::string_view line) { lines.emplace_back(line); });
  }
  ~Captured() {
    SetLogSink(nullptr);
    SetLogFormat(LogFormat::kLogfmt);
  }
  Captured(const Captured&) = delete;
  Captured& operator=(const Captured&) = delete;
  std::vector<std::string> lines;
};

constexpr char kHostile[] = "a \"quoted\" back\\slash\nnew line\ttab \x01 bell \xFF bad utf-8 \xF0\x9F\x90\x87";

TEST(Log, LogfmtQuotesAndEscapes) {
  Captured log(LogFormat::kLogfmt);
  Log(LogLevel::kWarn, "endpoint failed", {{"endpoint", "queues"}, {"err", kHostile}});
  ASSERT_EQ(log.lines.size(), 1u);
  const std::string& line = log.lines[0];
  EXPECT_NE(
      line.find(
          " level=warn msg=\"endpoint failed\" endpoint=queues err=\"a \\\"quoted\\\" back\\\\slash\\nnew line\\ttab"),
      std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line per event";
}

TEST(Log, JsonLinesParseWithEveryFieldIntact) {
  Captured log(LogFormat::kJson);
  Log(LogLevel::kError, "endpoint failed", {{"endpoint", "queues"}, {"err", kHostile}});
  ASSERT_EQ(log.lines.size(), 1u);
  const std::string& line = log.lines[0];
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line per event";
  rapidjson::Document doc;
  doc.Parse(line.c_str(), line.size());
  ASSERT_FALSE(doc.HasParseError()) << line;
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["level"].GetString(), "error");
  EXPECT_STREQ(doc["msg"].GetString(), "endpoint failed");
  EXPECT_STREQ(doc["endpoint"].GetString(), "queues");
  EXPECT_EQ(std::string(doc["err"].GetString()),
            "a \"quoted\" back\\slash\nnew line\ttab \x01 bell \xEF\xBF\xBD bad utf-8 \xF0\x9F\x90\x87");
  EXPECT_TRUE(doc["ts"].IsString());
}

TEST(Log, FormatNamesParse) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace warren
