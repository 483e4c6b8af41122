#include "exporter/config/listen_address.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace warren {

absl::Status ParseListenAddress(absl::string_view address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return absl::InvalidArgumentError("want [HOST]:PORT");
  absl::string_view h = address.substr(0, colon);
  const bool bracketed = absl::ConsumePrefix(&h, "[");
  if (bracketed && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError("unclosed [ in host");
  }
  // As in ParseBrokerUrl: "a:b:9419" or "[[a]:9419" names no host to listen on.
  if (h.find_first_of("[]") != absl::string_view::npos || (!bracketed && absl::StrContains(h, ':'))) {
    return absl::InvalidArgumentError("bad host (an IPv6 address goes in brackets)");
  }
  if (!absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in \"", address, "\""));
  }
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  return absl::OkStatus();
}

}  // namespace warren
