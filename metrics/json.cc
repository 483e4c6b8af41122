#include "metrics/json.h"

#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rapidjson/error/en.h"

namespace warren::metrics {

JsonPath ParsePath(absl::string_view dotted) {
  return absl::StrSplit(dotted, '.');
}

JsonPaths ParsePaths(absl::string_view alternatives) {
  JsonPaths out;
  for (absl::string_view path : absl::StrSplit(alternatives, '|')) out.push_back(ParsePath(path));
  return out;
}

absl::Status ParseJson(absl::string_view body, absl::string_view what, rapidjson::Document* doc) {
  doc->Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc->HasParseError()) {
    return absl::DataLossError(absl::StrCat(what, ": invalid JSON at offset ", doc->GetErrorOffset(),
                                            ": ", rapidjson::GetParseError_En(doc->GetParseError())));
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

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

namespace {

// The length of the valid UTF-8 prefix of `in`.
size_t ValidPrefix(absl::string_view in) {
  size_t i = 0;
  // Names are mostly ASCII: eight bytes at a time while no high bit is set.
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  for (uint64_t word = 0; i + sizeof word <= in.size(); i += sizeof word) {
    std::memcpy(&word, in.data() + i, sizeof word);
    if ((word & kHighBits) != 0) break;
  }
  while (i < in.size()) {
    const size_t n = Utf8SequenceLength(in, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

}  // namespace

absl::string_view ValidUtf8(absl::string_view in, std::string* scratch) {
  if (ValidPrefix(in) == in.size()) return in;
  *scratch = ValidUtf8(in);
  return *scratch;
}

std::string ValidUtf8(absl::string_view in) {
  size_t i = ValidPrefix(in);
  if (i == in.size()) return std::string(in);  // the common case: already valid

  std::string out(in.substr(0, i));
  while (i < in.size()) {
    const size_t n = Utf8SequenceLength(in, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(in.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace warren::metrics
