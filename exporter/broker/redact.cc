#include "exporter/broker/redact.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace warren {
namespace {

constexpr size_t kMaxRead = 64 << 10;

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(c) || absl::string_view("+/=._~-").find(c) != absl::string_view::npos;
}

// Replaces, in `text` (lower-cased copy `lower` for finding), each span that `span_at(pos)` reports
// from a match of `word` by kRedacted. span_at returns [begin, end) of what to redact, or
// begin == end to leave the match alone.
template <typename SpanAt>
std::string RedactAfter(const std::string& text, absl::string_view word, SpanAt span_at) {
  const std::string lower_text = absl::AsciiStrToLower(text);
  const absl::string_view lower = lower_text;
  std::string out;
  size_t copied = 0;
  for (size_t at = lower.find(word); at != absl::string_view::npos; at = lower.find(word, at + 1)) {
    if (at < copied) continue;
    auto [begin, end] = span_at(text, at + word.size());
    if (begin >= end) continue;
    out.append(text, copied, begin - copied);
    absl::StrAppend(&out, kRedacted);
    copied = end;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

size_t SkipSpaces(const std::string& text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  return pos;
}

}  // namespace

std::string Redact(absl::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  std::vector<std::string> by_length = secrets;
  // Longest first: a secret that holds another is replaced whole.
  std::sort(by_length.begin(), by_length.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& secret : by_length) {
    if (!secret.empty()) absl::StrReplaceAll({{absl::string_view(secret), kRedacted}}, &out);
  }
  // "Authorization: ..." or "authorization":"..." or authorization=...: the rest of the line.
  out = RedactAfter(out, "authorization", [](const std::string& t, size_t pos) {
    while (pos < t.size() && (t[pos] == '"' || t[pos] == '\'' || t[pos] == ' ')) ++pos;
    if (pos >= t.size() || (t[pos] != ':' && t[pos] != '=')) return std::pair<size_t, size_t>{0, 0};
    const size_t begin = SkipSpaces(t, pos + 1);
    return std::pair<size_t, size_t>{begin, std::min(t.find_first_of("\r\n", begin), t.size())};
  });
  for (absl::string_view scheme : {"basic ", "bearer "}) {
    out = RedactAfter(out, scheme, [](const std::string& t, size_t pos) {
      const size_t begin = SkipSpaces(t, pos);
      size_t end = begin;
      while (end < t.size() && IsTokenChar(t[end])) ++end;
      if (absl::StartsWith(absl::string_view(t).substr(begin), kRedacted)) return std::pair<size_t, size_t>{0, 0};
      return std::pair<size_t, size_t>{begin, end};
    });
  }
  // "scheme://user:password@host": everything between "://" and '@' within the authority.
  out = RedactAfter(out, "://", [](const std::string& t, size_t pos) {
    const size_t end = t.find_first_of("@/ \t\r\n\"'<>", pos);
    if (end == std::string::npos || t[end] != '@' || end == pos) return std::pair<size_t, size_t>{0, 0};
    return std::pair<size_t, size_t>{pos, end};
  });
  return out;
}

std::string SafeExcerpt(absl::string_view body, const std::vector<std::string>& secrets, size_t max_chars) {
  absl::string_view read = body.substr(0, kMaxRead);
  if (read.size() < body.size()) {
    size_t longest = 0;
    for (const std::string& secret : secrets) longest = std::max(longest, secret.size());
    read.remove_suffix(std::min(read.size(), longest > 0 ? longest - 1 : 0));
  }
  const std::string redacted = Redact(read, secrets);
  std::string out;
  for (char c : absl::string_view(redacted).substr(0, max_chars)) {
    out += absl::ascii_isprint(c) ? c : '?';
  }
  return out;
}

}  // namespace warren
