#include "metrics/bert.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace warren::metrics {
namespace {

// Tags of Erlang's external term format (erts/doc "External Term Format").
constexpr uint8_t kVersion = 131;
constexpr uint8_t kNewFloat = 70;        // 'F': 8-byte IEEE 754, big-endian
constexpr uint8_t kSmallInteger = 97;    // 'a': uint8
constexpr uint8_t kInteger = 98;         // 'b': int32, big-endian
constexpr uint8_t kAtom = 100;           // 'd': uint16 length, Latin-1
constexpr uint8_t kSmallTuple = 104;     // 'h': uint8 arity
constexpr uint8_t kLargeTuple = 105;     // 'i': uint32 arity
constexpr uint8_t kNil = 106;            // 'j': []
constexpr uint8_t kString = 107;         // 'k': uint16 length, bytes (a list of small integers)
constexpr uint8_t kList = 108;           // 'l': uint32 length, elements, tail
constexpr uint8_t kBinary = 109;         // 'm': uint32 length, bytes
constexpr uint8_t kSmallBig = 110;       // 'n': uint8 digit count, sign, little-endian base-256 digits
constexpr uint8_t kLargeBig = 111;       // 'o': uint32 digit count, sign, digits
constexpr uint8_t kSmallAtom = 115;      // 's': uint8 length, Latin-1
constexpr uint8_t kMap = 116;            // 't': uint32 arity, key/value pairs
constexpr uint8_t kAtomUtf8 = 118;       // 'v': uint16 length, UTF-8
constexpr uint8_t kSmallAtomUtf8 = 119;  // 'w': uint8 length, UTF-8

// Elements reserved up front: a declared count is only an upper bound until the bytes arrive.
constexpr uint32_t kMaxReserve = 4096;

// A list, tuple or map whose elements are being decoded, collected in an array.
struct Frame {
  rapidjson::Value items;
  uint8_t tag = 0;         // kList, kSmallTuple (any tuple) or kMap
  uint64_t declared = 0;   // elements it announced (a map: keys plus values)
  uint64_t remaining = 0;  // elements still to come (a list's tail not counted)
  bool all_pairs = true;   // kList: every element so far is a {key, value} tuple
  bool key_ok = false;     // tuple: its first element is a binary or an atom
};

class Decoder {
 public:
  Decoder(absl::string_view body, absl::string_view what, rapidjson::Document::AllocatorType* alloc)
      : data_(reinterpret_cast<const unsigned char*>(body.data())), size_(body.size()), what_(what), alloc_(alloc) {}

  absl::Status Run(rapidjson::Value* root);

 private:
  absl::Status Fail(absl::string_view why) const {
    return absl::DataLossError(absl::StrCat(what_, ": invalid BERT at offset ", pos_, ": ", why));
  }
  size_t Left() const { return size_ - pos_; }
  uint8_t U8() { return data_[pos_++]; }
  uint16_t U16() {
    const uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 8;
    return v;
  }

  // Decodes the term at pos_: a scalar into *value, or a container onto stack_ (*opened).
  absl::Status Term(bool key_slot, rapidjson::Value* value, bool* keyish, bool* opened);
  absl::Status Open(uint8_t tag, uint64_t count);
  absl::Status Atom(size_t length, bool latin1, bool key_slot, rapidjson::Value* value);
  absl::Status Big(size_t digits, rapidjson::Value* value);
  // Turns the finished top frame into its value.
  absl::Status Close(rapidjson::Value* value, bool* pair);

  const unsigned char* const data_;
  const size_t size_;
  const absl::string_view what_;
  rapidjson::Document::AllocatorType* const alloc_;
  size_t pos_ = 0;
  std::vector<Frame> stack_;
};

absl::Status Decoder::Open(uint8_t tag, uint64_t count) {
  // Every element takes at least one byte (a list also its tail): never trust a count further.
  const uint64_t needed = count + (tag == kList ? 1 : 0);
  if (needed > Left()) {
    return Fail(absl::StrCat("declares ", count, " elements with ", Left(), " bytes left"));
  }
  if (stack_.size() >= kMaxBertDepth) return Fail(absl::StrCat("nested deeper than ", kMaxBertDepth));
  Frame frame;
  frame.items.SetArray();
  frame.items.Reserve(static_cast<rapidjson::SizeType>(std::min<uint64_t>(count, kMaxReserve)), *alloc_);
  frame.tag = tag;
  frame.declared = count;
  frame.remaining = count;
  stack_.push_back(std::move(frame));
  return absl::OkStatus();
}

absl::Status Decoder::Atom(size_t length, bool latin1, bool key_slot, rapidjson::Value* value) {
  if (length > Left()) return Fail(absl::StrCat("atom of ", length, " bytes with ", Left(), " left"));
  const absl::string_view text(reinterpret_cast<const char*>(data_ + pos_), length);
  pos_ += length;
  // A key stays a string: {true, 1} in a proplist is the JSON member "true": 1.
  if (!key_slot) {
    if (text == "true" || text == "false") {
      value->SetBool(text == "true");
      return absl::OkStatus();
    }
    // RabbitMQ's JSON encoder writes `undefined` as null.
    if (text == "null" || text == "undefined") {
      value->SetNull();
      return absl::OkStatus();
    }
  }
  if (!latin1) {
    value->SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), *alloc_);
    return absl::OkStatus();
  }
  std::string utf8;
  utf8.reserve(text.size() * 2);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      utf8 += c;
    } else {
      utf8 += static_cast<char>(0xC0 | (byte >> 6));
      utf8 += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  value->SetString(utf8.data(), static_cast<rapidjson::SizeType>(utf8.size()), *alloc_);
  return absl::OkStatus();
}

absl::Status Decoder::Big(size_t digits, rapidjson::Value* value) {
  if (Left() < 1 || digits > Left() - 1)
    return Fail(absl::StrCat("integer of ", digits, " bytes with ", Left(), " left"));
  const uint8_t sign = U8();
  if (sign > 1) return Fail(absl::StrCat("integer sign byte ", sign));
  const unsigned char* const digit = data_ + pos_;
  pos_ += digits;
  size_t used = digits;  // leading (most significant) zero digits do not count
  while (used > 0 && digit[used - 1] == 0) --used;
  if (used <= 8) {
    uint64_t magnitude = 0;
    for (size_t i = used; i > 0; --i) magnitude = (magnitude << 8) | digit[i - 1];
    constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (sign == 0) {
      if (magnitude <= kInt64Max) {
        value->SetInt64(static_cast<int64_t>(magnitude));
      } else {
        value->SetUint64(magnitude);
      }
      return absl::OkStatus();
    }
    if (magnitude <= kInt64Max + 1) {
      // -(2^63) is int64's minimum; negate in unsigned arithmetic to stay defined.
      value->SetInt64(static_cast<int64_t>(~magnitude + 1));
      return absl::OkStatus();
    }
  }
  // Like a JSON integer too large for 64 bits: a double, or an error past double's range.
  double magnitude = 0;
  for (size_t i = used; i > 0; --i) {
    magnitude = magnitude * 256 + digit[i - 1];
    if (std::isinf(magnitude)) return Fail("integer too large for a double");
  }
  value->SetDouble(sign == 0 ? magnitude : -magnitude);
  return absl::OkStatus();
}

absl::Status Decoder::Term(bool key_slot, rapidjson::Value* value, bool* keyish, bool* opened) {
  *keyish = false;
  *opened = false;
  if (Left() < 1) return Fail("truncated: a term is missing");
  const size_t start = pos_;
  const uint8_t tag = U8();
  auto need = [&](size_t n) { return Left() >= n; };
  auto truncated = [&] {
    pos_ = start;
    return Fail(absl::StrCat("truncated term with tag ", tag));
  };
  switch (tag) {
    case kSmallInteger:
      if (!need(1)) return truncated();
      value->SetInt(U8());
      return absl::OkStatus();
    case kInteger:
      if (!need(4)) return truncated();
      value->SetInt(static_cast<int32_t>(U32()));
      return absl::OkStatus();
    case kNewFloat: {
      if (!need(8)) return truncated();
      const double d = std::bit_cast<double>(U64());
      if (!std::isfinite(d)) return Fail("float is not finite");
      value->SetDouble(d);
      return absl::OkStatus();
    }
    case kSmallBig:
      if (!need(1)) return truncated();
      return Big(U8(), value);
    case kLargeBig:
      if (!need(4)) return truncated();
      return Big(U32(), value);
    case kAtom:
    case kAtomUtf8:
      if (!need(2)) return truncated();
      *keyish = true;
      return Atom(U16(), tag == kAtom, key_slot, value);
    case kSmallAtom:
    case kSmallAtomUtf8:
      if (!need(1)) return truncated();
      *keyish = true;
      return Atom(U8(), tag == kSmallAtom, key_slot, value);
    case kBinary:
    case kString: {
      if (!need(tag == kBinary ? 4 : 2)) return truncated();
      const size_t length = tag == kBinary ? U32() : U16();
      if (length > Left()) return Fail(absl::StrCat("string of ", length, " bytes with ", Left(), " left"));
      value->SetString(reinterpret_cast<const char*>(data_ + pos_), static_cast<rapidjson::SizeType>(length), *alloc_);
      pos_ += length;
      *keyish = tag == kBinary;
      return absl::OkStatus();
    }
    case kNil:
      value->SetArray();
      return absl::OkStatus();
    case kSmallTuple:
    case kLargeTuple: {
      if (!need(tag == kSmallTuple ? 1 : 4)) return truncated();
      const uint64_t arity = tag == kSmallTuple ? U8() : U32();
      *opened = true;
      return Open(kSmallTuple, arity);
    }
    case kList:
      if (!need(4)) return truncated();
      *opened = true;
      return Open(kList, U32());
    case kMap:
      if (!need(4)) return truncated();
      *opened = true;
      return Open(kMap, uint64_t{U32()} * 2);
    default:
      pos_ = start;
      return Fail(absl::StrCat("unsupported term tag ", tag));
  }
}

absl::Status Decoder::Close(rapidjson::Value* value, bool* pair) {
  Frame& frame = stack_.back();
  *pair = false;
  switch (frame.tag) {
    case kList:
      // The JSON encoder refuses improper lists ([a | b]); so does this.
      if (Left() < 1 || data_[pos_] != kNil) return Fail("list tail is not []");
      ++pos_;
      if (frame.all_pairs && frame.declared > 0) {
        value->SetObject();
        for (rapidjson::Value& element : frame.items.GetArray()) value->AddMember(element[0], element[1], *alloc_);
      } else {
        *value = frame.items;  // moves
      }
      break;
    case kMap:
      value->SetObject();
      for (rapidjson::SizeType i = 0; i + 1 < frame.items.Size(); i += 2) {
        value->AddMember(frame.items[i], frame.items[i + 1], *alloc_);
      }
      break;
    default:  // a tuple
      *pair = frame.declared == 2 && frame.key_ok;
      *value = frame.items;
      break;
  }
  stack_.pop_back();
  return absl::OkStatus();
}

absl::Status Decoder::Run(rapidjson::Value* root) {
  if (size_ < 1 || U8() != kVersion) {
    pos_ = 0;
    return Fail("does not start with version byte 131");
  }
  while (true) {
    rapidjson::Value value;
    bool pair = false, keyish = false;
    if (!stack_.empty() && stack_.back().remaining == 0) {
      if (absl::Status status = Close(&value, &pair); !status.ok()) return status;
    } else {
      const bool key_slot =
          !stack_.empty() &&
          ((stack_.back().tag == kSmallTuple && stack_.back().declared == 2 && stack_.back().remaining == 2) ||
           (stack_.back().tag == kMap && stack_.back().remaining % 2 == 0));
      bool opened = false;
      if (absl::Status status = Term(key_slot, &value, &keyish, &opened); !status.ok()) return status;
      if (opened) continue;
    }
    if (stack_.empty()) {
      if (pos_ != size_) return Fail("trailing bytes after the term");
      *root = value;
      return absl::OkStatus();
    }
    Frame& parent = stack_.back();
    if (parent.tag == kMap && parent.remaining % 2 == 0 && !keyish) return Fail("map key is not a binary or an atom");
    if (parent.tag == kList) parent.all_pairs = parent.all_pairs && pair;
    if (parent.tag == kSmallTuple && parent.remaining == parent.declared) parent.key_ok = keyish;
    parent.items.PushBack(value, *alloc_);
    --parent.remaining;
  }
}

}  // namespace

absl::Status ParseBert(absl::string_view body, absl::string_view what, rapidjson::Document* doc) {
  rapidjson::Value root;
  Decoder decoder(body, what, &doc->GetAllocator());
  if (absl::Status status = decoder.Run(&root); !status.ok()) return status;
  static_cast<rapidjson::Value&>(*doc) = root;  // moves
  return absl::OkStatus();
}

}  // namespace warren::metrics
