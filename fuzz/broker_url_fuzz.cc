// --rabbitmq.url and /probe targets (ParseBrokerUrl): what is accepted has a usable scheme, host
// and port, no credentials, query or fragment, and reads back the same from its own ToString();
// what is refused quotes nothing of a URL that may hold a password.
#include <cstddef>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "exporter/broker/broker_url.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

void ParseOne(absl::string_view text) {
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(text);
  if (!url.ok()) {
    Check(url.status().code() == absl::StatusCode::kInvalidArgument, "a refusal is InvalidArgument");
    // Only "bad port" quotes the input; with an '@' in it, part of a password could be quoted.
    if (absl::StrContains(text, '@')) Check(!absl::StrContains(url.status().message(), '"'), "no password in an error");
    return;
  }
  Check(url->scheme == "http" || url->scheme == "https", "scheme http or https");
  Check(url->port >= 1 && url->port <= 65535, "a port number");
  Check(!url->host.empty(), "a host");
  Check(!absl::StrContains(text, '@'), "no credentials");
  for (char c : url->host) Check(absl::ascii_isgraph(c) && c != '@' && c != '/', "a host of visible characters");
  Check(url->base_path.empty() || (absl::StartsWith(url->base_path, "/") && !absl::EndsWith(url->base_path, "/")),
        "a base path starting but not ending with /");
  Check(!absl::StrContains(url->base_path, '?') && !absl::StrContains(url->base_path, '#'), "no query or fragment");

  absl::StatusOr<BrokerUrl> again = ParseBrokerUrl(url->ToString());
  CheckOk(again.status(), "ToString() parses");
  Check(again->scheme == url->scheme && again->host == url->host && again->port == url->port &&
            again->base_path == url->base_path,
        "ToString() reads back the same URL");
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::ParseOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
