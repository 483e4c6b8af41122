// ParseBert on hand-built external term format: every tag, then hostile input (truncation at every
// offset, lengths larger than the body, deep nesting).
#include "metrics/bert.h"

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "metrics/json.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace warren::metrics {
namespace {

// Builders of term bytes (without the version byte; Body() adds it).
std::string U16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)}; }
std::string U32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF), static_cast<char>((v >> 8) & 0xFF),
          static_cast<char>(v & 0xFF)};
}
std::string Body(const std::string& term) { return "\x83" + term; }
std::string SmallInt(uint8_t v) { return std::string("a") + static_cast<char>(v); }
std::string Int(int32_t v) { return "b" + U32(static_cast<uint32_t>(v)); }
std::string Bin(const std::string& s) { return "m" + U32(static_cast<uint32_t>(s.size())) + s; }
std::string Atom(const std::string& s) { return "d" + U16(static_cast<uint16_t>(s.size())) + s; }
std::string SmallAtomUtf8(const std::string& s) { return std::string("w") + static_cast<char>(s.size()) + s; }
std::string Nil() { return "j"; }
std::string Tuple2(const std::string& a, const std::string& b) { return std::string("h\x02") + a + b; }
std::string List(std::initializer_list<std::string> items) {
  std::string out = "l" + U32(static_cast<uint32_t>(items.size()));
  for (const std::string& item : items) out += item;
  return out + Nil();
}

// The document as compact JSON, or "error: <message>".
std::string Decode(const std::string& body) {
  rapidjson::Document doc;
  absl::Status status = ParseBert(body, "test", &doc);
  if (!status.ok()) return "error: " + std::string(status.message());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return buffer.GetString();
}

TEST(ParseBert, Integers) {
  EXPECT_EQ(Decode(Body(SmallInt(200))), "200");
  EXPECT_EQ(Decode(Body(Int(-5))), "-5");
  EXPECT_EQ(Decode(Body(Int(2147483647))), "2147483647");
  // SMALL_BIG: digit count, sign, little-endian digits.
  EXPECT_EQ(Decode(Body(std::string("n\x05\x00\x00\x00\x00\x00\x01", 8))), "4294967296");
  EXPECT_EQ(Decode(Body(std::string("n\x08\x01\x00\x00\x00\x00\x00\x00\x00\x80", 11))), "-9223372036854775808");
  EXPECT_EQ(Decode(Body(std::string("n\x08\x00\xff\xff\xff\xff\xff\xff\xff\xff", 11))), "18446744073709551615");
  // 2^64: past 64 bits, a double like a JSON parser would make of it.
  EXPECT_EQ(Decode(Body(std::string("n\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 12))), "18446744073709553000.0");
  // LARGE_BIG with a 4-byte digit count.
  EXPECT_EQ(Decode(Body(std::string("o\x00\x00\x00\x02\x01\x01\x01", 8))), "-257");
}

TEST(ParseBert, Floats) {
  EXPECT_EQ(Decode(Body(std::string("F\x3f\xf8\x00\x00\x00\x00\x00\x00", 9))), "1.5");
  EXPECT_TRUE(absl::StartsWith(Decode(Body(std::string("F\x7f\xf0\x00\x00\x00\x00\x00\x00", 9))), "error: "));
}

TEST(ParseBert, Atoms) {
  EXPECT_EQ(Decode(Body(List({Atom("true"), Atom("false"), Atom("null"), Atom("undefined"), Atom("running")}))),
            R"([true,false,null,null,"running"])");
  EXPECT_EQ(Decode(Body(std::string("s\x01\xfc", 3))), "\"\xc3\xbc\"");  // Latin-1 u-umlaut
  EXPECT_EQ(Decode(Body(SmallAtomUtf8("\xc3\xbc"))), "\"\xc3\xbc\"");
  EXPECT_EQ(Decode(Body("v" + U16(2) + "ok")), R"("ok")");
}

TEST(ParseBert, StringsAndLists) {
  EXPECT_EQ(Decode(Body(Bin("a\"b"))), R"("a\"b")");
  EXPECT_EQ(Decode(Body("k" + U16(3) + "3.1")), R"("3.1")");
  EXPECT_EQ(Decode(Body(Nil())), "[]");
  EXPECT_EQ(Decode(Body(List({SmallInt(1), Bin("x")}))), R"([1,"x"])");
  EXPECT_EQ(Decode(Body("i" + U32(2) + SmallInt(1) + SmallInt(2))), "[1,2]");
}

TEST(ParseBert, ProplistsBecomeObjects) {
  EXPECT_EQ(Decode(Body(List({Tuple2(Atom("name"), Bin("q")), Tuple2(Bin("messages"), SmallInt(3)),
                              Tuple2(Atom("slave_nodes"), Nil()), Tuple2(Atom("true"), Atom("true"))}))),
            R"({"name":"q","messages":3,"slave_nodes":[],"true":true})");
  // One element that is not a {key, value} pair keeps the list an array.
  EXPECT_EQ(Decode(Body(List({Tuple2(Atom("a"), SmallInt(1)), SmallInt(2)}))), R"([["a",1],2])");
  EXPECT_EQ(Decode(Body(List({Tuple2(SmallInt(1), SmallInt(1))}))), "[[1,1]]");
  // Duplicate keys stay, and Resolve takes the last, as with JSON.
  rapidjson::Document doc;
  ASSERT_TRUE(ParseBert(Body(List({Tuple2(Atom("n"), SmallInt(1)), Tuple2(Atom("n"), SmallInt(2))})), "t", &doc).ok());
  const rapidjson::Value* n = Resolve(doc, ParsePath("n"));
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->GetInt(), 2);
}

TEST(ParseBert, Maps) {
  EXPECT_EQ(Decode(Body("t" + U32(0))), "{}");
  EXPECT_EQ(Decode(Body("t" + U32(2) + Atom("a") + SmallInt(1) + Bin("b") + Nil())), R"({"a":1,"b":[]})");
  EXPECT_TRUE(absl::StrContains(Decode(Body("t" + U32(1) + SmallInt(1) + SmallInt(1))), "map key"));
}

TEST(ParseBert, RejectsWhatJsonCannotSay) {
  EXPECT_TRUE(absl::StrContains(Decode("x"), "version byte"));
  EXPECT_TRUE(absl::StrContains(Decode(""), "version byte"));
  EXPECT_TRUE(absl::StrContains(Decode(Body("M" + U32(1) + "\x07" + "a")), "unsupported term tag 77"));
  EXPECT_TRUE(absl::StrContains(Decode(Body("l" + U32(1) + SmallInt(1) + SmallInt(2))), "tail"));
  EXPECT_TRUE(absl::StrContains(Decode(Body(SmallInt(1) + SmallInt(2))), "trailing"));
  EXPECT_TRUE(absl::StrContains(Decode(Body(std::string("n\x01\x02\x01", 4))), "sign"));
  // The error names what was asked for and where.
  rapidjson::Document doc;
  const absl::Status status = ParseBert(Body("Z"), "/api/queues", &doc);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "/api/queues: invalid BERT at offset 1: unsupported term tag 90");
}

TEST(ParseBert, EveryTruncationFails) {
  const std::string body = Body(List({List({Tuple2(Atom("name"), Bin("q1")), Tuple2(Atom("messages"), Int(70000)),
                                            Tuple2(Atom("rate"), std::string("F\x3f\xf8\x00\x00\x00\x00\x00\x00", 9)),
                                            Tuple2(Atom("big"), std::string("n\x05\x00\x00\x00\x00\x00\x01", 8)),
                                            Tuple2(Atom("args"), "t" + U32(1) + Bin("x") + SmallAtomUtf8("y")),
                                            Tuple2(Atom("s"), "k" + U16(2) + "ab")}),
                                      Nil()}));
  ASSERT_EQ(Decode(body),
            R"([{"name":"q1","messages":70000,"rate":1.5,"big":4294967296,"args":{"x":"y"},"s":"ab"},[]])");
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_TRUE(absl::StartsWith(Decode(body.substr(0, n)), "error: ")) << "prefix of " << n << " bytes";
  }
}

TEST(ParseBert, DeclaredLengthsAreNotTrusted) {
  for (const std::string& term : {"l" + U32(0xFFFFFFFF), "m" + U32(0xFFFFFFFF) + "ab", "i" + U32(0xFFFFFFFF),
                                  "t" + U32(0xFFFFFFFF), "o" + U32(0xFFFFFFFF) + std::string(1, '\0'),
                                  "k" + U16(0xFFFF) + "a", "d" + U16(0xFFFF), std::string("h\xff") + SmallInt(1)}) {
    const std::string result = Decode(Body(term));
    EXPECT_TRUE(absl::StartsWith(result, "error: ")) << result;
  }
}

TEST(ParseBert, DeepNestingIsRefusedWithoutRecursion) {
  std::string deep = "\x83";
  for (int i = 0; i < 100000; ++i) deep += "l" + U32(1);
  EXPECT_TRUE(absl::StrContains(Decode(deep), "nested deeper than 256"));
  // Within the limit it decodes.
  std::string ok = "\x83";
  for (size_t i = 0; i + 1 < kMaxBertDepth; ++i) ok += "l" + U32(1);
  ok += Nil();
  for (size_t i = 0; i + 1 < kMaxBertDepth; ++i) ok += Nil();
  EXPECT_FALSE(absl::StartsWith(Decode(ok), "error: "));
}

TEST(ParseBert, InvalidUtf8IsKeptLikeTheJsonPathKeepsIt) {
  // The JSON parser does not validate UTF-8 either; labels are repaired later (ValidUtf8).
  EXPECT_EQ(Decode(Body(Bin("\xff"))), "\"\xff\"");
}

}  // namespace
}  // namespace warren::metrics
