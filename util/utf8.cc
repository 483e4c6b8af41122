#include "util/utf8.h"

#include <cstdint>
#include <cstring>

namespace warren {
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

bool IsValidUtf8(absl::string_view in) { return ValidPrefix(in) == in.size(); }

}  // namespace warren
