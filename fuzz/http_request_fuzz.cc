// The request head in front of every handler (RequestHeadLength, ParseRequestHead, Param): any
// bytes a client sends give a head length within the input, and a parsed head has a method, a
// path starting with '/', lower-case header names and bounded counts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "exporter/web/http_request.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

void ParseOne(absl::string_view bytes) {
  const size_t length = RequestHeadLength(bytes);
  Check(length <= bytes.size(), "a head within the input");
  if (length == 0) return;
  const absl::string_view head = bytes.substr(0, length);
  Check(absl::EndsWith(head, "\n\n") || absl::EndsWith(head, "\n\r\n"), "a head ends with a blank line");
  absl::StatusOr<HttpRequest> request = ParseRequestHead(head);
  if (!request.ok()) return;
  Check(head.size() <= kMaxRequestHeadBytes, "no head over the limit");
  Check(!request->method.empty(), "a method");
  Check(absl::StartsWith(request->path, "/"), "a path");
  Check(request->minor_version == 0 || request->minor_version == 1, "HTTP/1.0 or 1.1");
  Check(request->headers.size() <= kMaxRequestHeaders, "bounded headers");
  for (const auto& [name, value] : request->headers) {
    Check(!name.empty() && name == absl::AsciiStrToLower(name), "a lower-case name");
    Check(name.find(':') == std::string::npos, "no colon in a name");
    Check(value.find('\r') == std::string::npos && value.find('\n') == std::string::npos, "a value of one line");
  }
  (void)request->Param("target");
  (void)request->Param("module");
  (void)request->KeepAlive();
  (void)request->HasBody();
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::ParseOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
