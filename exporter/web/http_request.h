// The HTTP/1.x request head as warren's server reads it: what a scraper, a probe or a browser
// sends, and nothing else. Pure functions, so the parsing is fuzzed apart from any socket.
#ifndef WARREN_EXPORTER_WEB_HTTP_REQUEST_H_
#define WARREN_EXPORTER_WEB_HTTP_REQUEST_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace warren {

// Request heads larger than this are refused with 431: a scrape sends a few hundred bytes.
inline constexpr size_t kMaxRequestHeadBytes = 16 << 10;
inline constexpr size_t kMaxRequestHeaders = 100;
inline constexpr size_t kMaxRequestLineBytes = 8 << 10;  // 414 above it

struct HttpRequest {
  std::string method;                                        // as sent: GET, HEAD, POST, ...
  std::string path;                                          // the target up to '?', %XX decoded
  std::string query;                                         // after '?', not decoded
  int minor_version = 1;                                     // HTTP/1.0 or HTTP/1.1
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, values trimmed
  std::string remote_addr;                                   // filled in by the server

  // The first header of that name (lower case), "" if none.
  absl::string_view Header(absl::string_view lower_name) const;
  // The first query parameter of that name, percent- and '+'-decoded, "" if none.
  std::string Param(absl::string_view name) const;
  // Whether the client wants the connection kept open after the answer.
  bool KeepAlive() const;
  // Whether a body follows the head (Content-Length above 0, or any Transfer-Encoding).
  bool HasBody() const;
};

// The length of the head at the start of `buffer` (through the blank line that ends it, CRLF or
// bare LF), or 0 while it is incomplete.
size_t RequestHeadLength(absl::string_view buffer);

// Parses a complete head (RequestHeadLength bytes). Errors are what to answer: kInvalidArgument
// 400, kOutOfRange 431 (a head over kMaxRequestHeadBytes or kMaxRequestHeaders), kFailedPrecondition
// 414 (a request line over kMaxRequestLineBytes), kUnimplemented 505 (not HTTP/1.0 or 1.1).
absl::StatusOr<HttpRequest> ParseRequestHead(absl::string_view head);

// %XX and '+' decoded; a bad escape is kept as written.
std::string DecodeQueryComponent(absl::string_view text);
// %XX decoded ('+' is itself in a path); a bad escape is kept as written.
std::string DecodePath(absl::string_view text);

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_HTTP_REQUEST_H_
