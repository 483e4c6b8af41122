#include "metrics/json.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rapidjson/error/en.h"

namespace warren::metrics {

JsonPath ParsePath(absl::string_view dotted) { return absl::StrSplit(dotted, '.'); }

JsonPaths ParsePaths(absl::string_view alternatives) {
  JsonPaths out;
  for (absl::string_view path : absl::StrSplit(alternatives, '|')) out.push_back(ParsePath(path));
  return out;
}

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a "\\uXXXX" escape at `at`, or -1.
int EscapedUnit(absl::string_view text, size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  int unit = 0;
  for (size_t i = at + 2; i < at + 6; ++i) {
    const int digit = Hex(text[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool IsNumberChar(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

}  // namespace

std::optional<std::string> RepairJsonValues(absl::string_view body) {
  std::string out;
  auto copy = [&]() -> std::string& {
    if (out.empty()) out.assign(body.data(), body.size());
    return out;
  };
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '"') {
        in_string = false;
      } else if (c == '\\') {
        const int unit = EscapedUnit(body, i);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          const int low = EscapedUnit(body, i + 6);
          if (low >= 0xDC00 && low <= 0xDFFF) {  // a pair: one character
            i += 11;
            continue;
          }
        }
        if (unit >= 0xD800 && unit <= 0xDFFF) copy().replace(i, 6, "\\ufffd");  // same length: offsets hold
        ++i;  // past the escaped character (the rest of \\uXXXX is plain text)
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if ((c >= '0' && c <= '9') || c == '-') {
      size_t end = i;
      while (end < body.size() && IsNumberChar(body[end])) ++end;
      const std::string token(body.substr(i, end - i));
      const double value = std::strtod(token.c_str(), nullptr);
      if (std::isinf(value)) copy().replace(i, token.size(), "[]" + std::string(token.size() - 2, ' '));
      i = end - 1;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

absl::Status ParseJson(absl::string_view body, absl::string_view what, rapidjson::Document* doc) {
  doc->Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  // A number too big for a double and an unpaired surrogate escape are one value's fault, not the
  // body's: the number becomes [] (a wrong_type field error where it is read), the escape U+FFFD, and the
  // body is parsed again, instead of the whole endpoint failing.
  const rapidjson::ParseErrorCode code = doc->GetParseError();
  if (code == rapidjson::kParseErrorNumberTooBig || code == rapidjson::kParseErrorStringUnicodeSurrogateInvalid) {
    if (std::optional<std::string> repaired = RepairJsonValues(body)) {
      doc->Parse<rapidjson::kParseIterativeFlag>(repaired->data(), repaired->size());
    }
  }
  if (doc->HasParseError()) {
    return absl::DataLossError(absl::StrCat(what, ": invalid JSON at offset ", doc->GetErrorOffset(), ": ",
                                            rapidjson::GetParseError_En(doc->GetParseError())));
  }
  return absl::OkStatus();
}

const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPath& path) {
  const rapidjson::Value* current = &object;
  for (const std::string& key : path) {
    if (!current->IsObject()) return nullptr;
    const rapidjson::Value* found = nullptr;
    for (auto it = current->MemberBegin(); it != current->MemberEnd(); ++it) {
      if (it->name.GetStringLength() == key.size() &&
          std::char_traits<char>::compare(it->name.GetString(), key.data(), key.size()) == 0) {
        found = &it->value;  // keep going: the last duplicate wins
      }
    }
    if (found == nullptr) return nullptr;
    current = found;
  }
  return current;
}

const rapidjson::Value* Resolve(const rapidjson::Value& object, const JsonPaths& paths) {
  for (const JsonPath& path : paths) {
    const rapidjson::Value* value = Resolve(object, path);
    if (value != nullptr && !value->IsNull()) return value;
  }
  return nullptr;
}

MemberIndex::Paths MemberIndex::Compile(const JsonPaths& paths) {
  Paths out;
  for (const JsonPath& path : paths) {
    if (path.empty()) continue;
    const size_t slot = slots_.try_emplace(path.front(), slots_.size()).first->second;
    out.push_back({slot, JsonPath(path.begin() + 1, path.end())});
  }
  return out;
}

void MemberIndex::Index(const rapidjson::Value& object, std::vector<const rapidjson::Value*>* found,
                        Order* order) const {
  found->assign(slots_.size(), nullptr);
  if (!object.IsObject()) return;
  size_t position = 0;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it, ++position) {
    const absl::string_view name(it->name.GetString(), it->name.GetStringLength());
    auto lookup = [&] {
      auto known = slots_.find(name);
      return std::make_pair(name, known == slots_.end() ? kNone : known->second);
    };
    if (position == order->at.size()) {
      order->at.push_back(lookup());  // a position no earlier object had
    } else if (order->at[position].first != name) {
      order->at[position] = lookup();  // not where the previous object had it
    }
    const size_t slot = order->at[position].second;
    if (slot != kNone) (*found)[slot] = &it->value;
  }
}

const rapidjson::Value* Resolve(const std::vector<const rapidjson::Value*>& found, const MemberIndex::Paths& paths) {
  for (const MemberIndex::Path& path : paths) {
    const rapidjson::Value* value = found[path.slot];
    if (value != nullptr && !path.rest.empty()) value = Resolve(*value, path.rest);
    if (value != nullptr && !value->IsNull()) return value;
  }
  return nullptr;
}

}  // namespace warren::metrics
