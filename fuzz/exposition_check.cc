#include "fuzz/exposition_check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzz/check.h"
#include "metrics/exposition.h"

namespace warren::fuzz {
namespace {

absl::Status LineError(size_t line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("exposition line ", line, ": ", message));
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the metric name (letters, digits, _ and :, not starting with a digit) or label
// name (no :) at the start of `s`; 0 if there is none.
size_t NameLength(absl::string_view s, bool metric) {
  size_t n = 0;
  while (n < s.size() && (IsLetter(s[n]) || (n > 0 && IsDigit(s[n])) || (metric && s[n] == ':'))) ++n;
  return n;
}

// Unescapes help text (\\ and \n) or, with `quoted`, a label value up to its closing quote (also
// \"); returns how many bytes of `s` it used, or an error.
absl::StatusOr<size_t> Unescape(absl::string_view s, bool quoted, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '"') return i + 1;
    if (c == '\n') return absl::InvalidArgumentError("raw newline");
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i == s.size()) return absl::InvalidArgumentError("backslash at the end");
    if (s[i] == '\\') {
      out->push_back('\\');
    } else if (s[i] == 'n') {
      out->push_back('\n');
    } else if (quoted && s[i] == '"') {
      out->push_back('"');
    } else {
      return absl::InvalidArgumentError(absl::StrCat("bad escape \\", absl::string_view(&s[i], 1)));
    }
  }
  if (quoted) return absl::InvalidArgumentError("unterminated label value");
  return s.size();
}

// A Go ParseFloat-style number as Prometheus writes them: decimal with optional fraction and
// exponent, or +Inf, -Inf, NaN (any case).
bool ParseValue(absl::string_view s, double* out) {
  if (absl::EqualsIgnoreCase(s, "nan")) {
    *out = std::nan("");
    return true;
  }
  if (absl::EqualsIgnoreCase(s, "+inf") || absl::EqualsIgnoreCase(s, "inf")) {
    *out = HUGE_VAL;
    return true;
  }
  if (absl::EqualsIgnoreCase(s, "-inf")) {
    *out = -HUGE_VAL;
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exponent;
    if (exponent == 0) return false;
  }
  if (i != s.size()) return false;
  const std::string text(s);
  *out = std::strtod(text.c_str(), nullptr);
  return true;
}

absl::Status ParseSample(absl::string_view line, size_t number, ParsedSample* sample) {
  const size_t name_length = NameLength(line, /*metric=*/true);
  if (name_length == 0) return LineError(number, "no metric name");
  sample->name = std::string(line.substr(0, name_length));
  absl::string_view rest = line.substr(name_length);
  if (absl::ConsumePrefix(&rest, "{")) {
    std::set<std::string> seen;
    while (!absl::ConsumePrefix(&rest, "}")) {
      const size_t label_length = NameLength(rest, /*metric=*/false);
      if (label_length == 0) return LineError(number, "no label name");
      std::string name(rest.substr(0, label_length));
      rest.remove_prefix(label_length);
      if (!seen.insert(name).second) return LineError(number, absl::StrCat("label ", name, " twice"));
      if (!absl::ConsumePrefix(&rest, "=\"")) return LineError(number, "label name without =\"");
      std::string value;
      absl::StatusOr<size_t> used = Unescape(rest, /*quoted=*/true, &value);
      if (!used.ok()) return LineError(number, used.status().message());
      rest.remove_prefix(*used);
      sample->labels.emplace_back(std::move(name), std::move(value));
      // A comma and the next label, or the closing brace (no trailing comma).
      if (absl::ConsumePrefix(&rest, ",")) {
        if (NameLength(rest, /*metric=*/false) == 0) return LineError(number, "no label after a comma");
      } else if (!absl::StartsWith(rest, "}")) {
        return LineError(number, "no comma between labels");
      }
    }
  }
  if (!absl::ConsumePrefix(&rest, " ")) return LineError(number, "no space before the value");
  if (!ParseValue(rest, &sample->value)) {
    return LineError(number, absl::StrCat("bad value (or a timestamp) \"", rest, "\""));
  }
  return absl::OkStatus();
}

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-15 * std::max(std::fabs(a), std::fabs(b));
}

}  // namespace

bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    size_t more;
    uint32_t code;
    if ((byte & 0xE0) == 0xC0) {
      more = 1;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      more = 2;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      more = 3;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + more >= text.size()) return false;  // cut short
    for (size_t k = 1; k <= more; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[more] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

absl::StatusOr<std::vector<ParsedFamily>> ParseExposition(absl::string_view text) {
  std::vector<ParsedFamily> families;
  if (text.empty()) return families;
  if (!IsUtf8(text)) return absl::InvalidArgumentError("exposition is not valid UTF-8");
  if (text.back() != '\n') return absl::InvalidArgumentError("exposition does not end in a newline");
  text.remove_suffix(1);
  std::set<std::string> names;
  enum { kFamily, kType, kSamples } want = kFamily;
  size_t number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (absl::ConsumePrefix(&line, "# HELP ")) {
      if (want == kType) return LineError(number, "HELP without TYPE before it");
      const size_t length = NameLength(line, /*metric=*/true);
      if (length == 0) return LineError(number, "HELP without a metric name");
      ParsedFamily family;
      family.name = std::string(line.substr(0, length));
      if (!names.insert(family.name).second) return LineError(number, absl::StrCat("second HELP for ", family.name));
      absl::string_view help = line.substr(length);
      if (!help.empty() && !absl::ConsumePrefix(&help, " ")) return LineError(number, "no space after the name");
      if (absl::Status s = Unescape(help, /*quoted=*/false, &family.help).status(); !s.ok()) {
        return LineError(number, s.message());
      }
      families.push_back(std::move(family));
      want = kType;
    } else if (absl::ConsumePrefix(&line, "# TYPE ")) {
      if (want != kType) return LineError(number, "TYPE not right after HELP");
      const std::string expected = absl::StrCat(families.back().name, " ");
      if (!absl::ConsumePrefix(&line, expected)) return LineError(number, "TYPE names another metric");
      if (line != "gauge" && line != "counter" && line != "untyped") {
        return LineError(number, absl::StrCat("unexpected type \"", line, "\""));
      }
      families.back().type = std::string(line);
      want = kSamples;
    } else if (absl::StartsWith(line, "#")) {
      return LineError(number, "unexpected comment");
    } else {
      if (want != kSamples) return LineError(number, "sample outside a family");
      ParsedSample sample;
      if (absl::Status s = ParseSample(line, number, &sample); !s.ok()) return s;
      if (sample.name != families.back().name) {
        return LineError(number, absl::StrCat("sample ", sample.name, " in family ", families.back().name));
      }
      families.back().samples.push_back(std::move(sample));
    }
  }
  if (want == kType) return absl::InvalidArgumentError("exposition ends with a HELP without TYPE");
  return families;
}

absl::Status SameSamples(const std::vector<ParsedFamily>& parsed, const std::vector<ParsedFamily>& given) {
  using Series = std::tuple<std::string, std::vector<std::pair<std::string, std::string>>, double>;
  std::map<std::string, std::pair<std::string, std::string>> want_headers;  // name -> help, type
  std::vector<Series> want;
  for (const ParsedFamily& family : given) {
    const auto header = std::make_pair(family.help, family.type);
    auto [it, inserted] = want_headers.emplace(family.name, header);
    if (!inserted && it->second != header) {
      return absl::InvalidArgumentError(
          absl::StrCat(family.name, ": two families of this name differ in help or type"));
    }
    for (const ParsedSample& sample : family.samples) want.emplace_back(sample.name, sample.labels, sample.value);
  }
  std::vector<Series> got;
  for (const ParsedFamily& family : parsed) {
    auto it = want_headers.find(family.name);
    if (it == want_headers.end()) return absl::InvalidArgumentError(absl::StrCat(family.name, ": not a family given"));
    if (it->second != std::make_pair(family.help, family.type)) {
      return absl::InvalidArgumentError(absl::StrCat(family.name, ": help or type differ from the family given"));
    }
    for (const ParsedSample& sample : family.samples) got.emplace_back(sample.name, sample.labels, sample.value);
  }
  if (want.size() != got.size()) {
    return absl::InvalidArgumentError(absl::StrCat(got.size(), " samples written for ", want.size(), " given"));
  }
  // Sorted by name and labels; a repeated series (two objects of one name) compares by value.
  auto order = [](const Series& a, const Series& b) {
    if (std::tie(std::get<0>(a), std::get<1>(a)) != std::tie(std::get<0>(b), std::get<1>(b))) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    }
    // NaN last: a strict weak order even with NaN values.
    const double x = std::get<2>(a), y = std::get<2>(b);
    return !std::isnan(x) && (std::isnan(y) || x < y);
  };
  std::sort(want.begin(), want.end(), order);
  std::sort(got.begin(), got.end(), order);
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::get<0>(want[i]) != std::get<0>(got[i]) || std::get<1>(want[i]) != std::get<1>(got[i])) {
      return absl::InvalidArgumentError(absl::StrCat(std::get<0>(want[i]), ": a series was written with other labels"));
    }
    if (!Close(std::get<2>(want[i]), std::get<2>(got[i]))) {
      return absl::InvalidArgumentError(absl::StrCat(std::get<0>(want[i]), ": value ", std::get<2>(want[i]),
                                                     " was written as ", std::get<2>(got[i])));
    }
  }
  return absl::OkStatus();
}

void CheckServedText(const std::vector<metrics::FamilyText>& families) {
  std::vector<const metrics::FamilyText*> chunks;
  chunks.reserve(families.size());
  for (const metrics::FamilyText& family : families) chunks.push_back(&family);
  CheckServedText(chunks);
}

void CheckServedText(const std::vector<const metrics::FamilyText*>& chunks) {
  std::vector<ParsedFamily> given;
  for (const metrics::FamilyText* chunk : chunks) {
    absl::StatusOr<std::vector<ParsedFamily>> parsed = ParseExposition(chunk->text);
    CheckOk(parsed.status(), "a family's text parses");
    Check(parsed->size() == 1 && (*parsed)[0].name == chunk->name, "a family's text is one family of its name");
    const std::vector<ParsedSample>& samples = (*parsed)[0].samples;
    Check(!samples.empty(), absl::StrCat(chunk->name, ": no family without samples"));
    // Sorted by labels, checked on the first: an object listed twice (the broker never does) has
    // its series written together, not interleaved with its twin's.
    auto first = [](const ParsedSample& sample) {
      return sample.labels.empty() ? absl::string_view() : absl::string_view(sample.labels[0].second);
    };
    for (size_t i = 1; i < samples.size(); ++i) {
      Check(first(samples[i - 1]) <= first(samples[i]), absl::StrCat(chunk->name, ": series sorted by labels"));
    }
    given.push_back(std::move((*parsed)[0]));
  }
  std::vector<std::string> duplicates;
  const std::string served = metrics::Assemble(chunks, &duplicates);
  Check(duplicates.empty(),
        absl::StrCat("a family was dropped as a duplicate: ", duplicates.empty() ? "" : duplicates[0]));
  absl::StatusOr<std::vector<ParsedFamily>> parsed = ParseExposition(served);
  CheckOk(parsed.status(), "the exposition parses");
  CheckOk(SameSamples(*parsed, given), "the exposition holds the samples of its families");
}

}  // namespace warren::fuzz
