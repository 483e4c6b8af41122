#include "exporter/web/http_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace warren {
namespace {

// RFC 9110 token characters: a method or a header name.
bool IsToken(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(c) && absl::string_view("!#$%&'*+-.^_`|~").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::string_view HttpRequest::Header(absl::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

std::string HttpRequest::Param(absl::string_view name) const {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    const size_t eq = pair.find('=');
    if (DecodeQueryComponent(pair.substr(0, eq)) != name) continue;
    return eq == absl::string_view::npos ? "" : DecodeQueryComponent(pair.substr(eq + 1));
  }
  return "";
}

bool HttpRequest::KeepAlive() const {
  bool close = false;
  bool keep = false;
  for (const auto& [header, value] : headers) {
    if (header != "connection") continue;
    for (absl::string_view option : absl::StrSplit(value, ',')) {
      option = absl::StripAsciiWhitespace(option);
      close = close || absl::EqualsIgnoreCase(option, "close");
      keep = keep || absl::EqualsIgnoreCase(option, "keep-alive");
    }
  }
  return !close && (minor_version == 1 || keep);
}

bool HttpRequest::HasBody() const {
  for (const auto& [name, value] : headers) {
    if (name == "transfer-encoding") return true;
    if (name == "content-length" && value != "0") return true;
  }
  return false;
}

size_t RequestHeadLength(absl::string_view buffer) {
  for (size_t at = buffer.find('\n'); at != absl::string_view::npos; at = buffer.find('\n', at + 1)) {
    // A blank line: "\n\n" or "\n\r\n" right after the previous line's end.
    if (at + 1 < buffer.size() && buffer[at + 1] == '\n') return at + 2;
    if (at + 2 < buffer.size() && buffer[at + 1] == '\r' && buffer[at + 2] == '\n') return at + 3;
  }
  return 0;
}

absl::StatusOr<HttpRequest> ParseRequestHead(absl::string_view head) {
  if (head.size() > kMaxRequestHeadBytes) return absl::OutOfRangeError("request head too large");
  HttpRequest request;
  std::vector<absl::string_view> lines = absl::StrSplit(head, '\n');
  size_t first = 0;
  // RFC 9112 2.2: a server should ignore empty lines before the request line.
  while (first < lines.size() && absl::StripSuffix(lines[first], "\r").empty()) ++first;
  if (first == lines.size()) return absl::InvalidArgumentError("no request line");
  const absl::string_view request_line = absl::StripSuffix(lines[first], "\r");
  if (request_line.size() > kMaxRequestLineBytes) return absl::FailedPreconditionError("request line too long");
  const std::vector<absl::string_view> parts = absl::StrSplit(request_line, ' ');
  if (parts.size() != 3 || !IsToken(parts[0])) return absl::InvalidArgumentError("bad request line");
  request.method = std::string(parts[0]);
  const absl::string_view target = parts[1];
  if (target.empty() || target[0] != '/') return absl::InvalidArgumentError("the target must be a path");
  for (char c : target) {
    if (!absl::ascii_isgraph(c)) return absl::InvalidArgumentError("bad character in the target");
  }
  const size_t question = target.find('?');
  request.path = DecodePath(target.substr(0, question));
  if (question != absl::string_view::npos) request.query = std::string(target.substr(question + 1));
  if (parts[2] == "HTTP/1.1") {
    request.minor_version = 1;
  } else if (parts[2] == "HTTP/1.0") {
    request.minor_version = 0;
  } else if (absl::StartsWith(parts[2], "HTTP/")) {
    return absl::UnimplementedError("HTTP version not supported");
  } else {
    return absl::InvalidArgumentError("bad request line");
  }
  for (size_t i = first + 1; i < lines.size(); ++i) {
    const absl::string_view line = absl::StripSuffix(lines[i], "\r");
    if (line.empty()) break;  // the blank line that ends the head
    const size_t colon = line.find(':');
    // No obsolete line folding, no space before the colon (RFC 9112 5.1, 5.2): both are how
    // requests are smuggled past proxies.
    if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
      return absl::InvalidArgumentError("bad header line");
    }
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    for (char c : value) {
      if (c == '\0' || c == '\r' || (absl::ascii_iscntrl(c) && c != '\t')) {
        return absl::InvalidArgumentError("bad character in a header");
      }
    }
    if (request.headers.size() == kMaxRequestHeaders) return absl::OutOfRangeError("too many headers");
    request.headers.emplace_back(absl::AsciiStrToLower(line.substr(0, colon)), std::string(value));
  }
  int64_t length = 0;
  for (const auto& [name, value] : request.headers) {
    if (name == "content-length" && (!absl::SimpleAtoi(value, &length) || length < 0)) {
      return absl::InvalidArgumentError("bad Content-Length");
    }
  }
  return request;
}

namespace {

std::string Decode(absl::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (plus_is_space && text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string DecodeQueryComponent(absl::string_view text) { return Decode(text, /*plus_is_space=*/true); }

std::string DecodePath(absl::string_view text) { return Decode(text, /*plus_is_space=*/false); }

}  // namespace warren
