#include "exporter/broker_url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace warren {

std::string BrokerUrl::Origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(scheme, "://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

std::string BrokerUrl::ToString() const { return absl::StrCat(Origin(), base_path); }

absl::StatusOr<BrokerUrl> ParseBrokerUrl(absl::string_view url) {
  BrokerUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
    out.port = 80;
  } else if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "https";
    out.port = 443;
  } else {
    return absl::InvalidArgumentError("must start with http:// or https://");
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);

  // Anywhere, not only in the authority: in "http://user:pa/ss@host" the password's own '/' ends
  // the authority, and the error about the "port" would show "pa".
  if (absl::StrContains(rest, '@')) {
    return absl::InvalidArgumentError(
        "must not contain credentials; use --rabbitmq.user and --rabbitmq.password-file");
  }
  if (absl::StrContains(path, '?') || absl::StrContains(path, '#')) {
    return absl::InvalidArgumentError("must not contain a query or fragment");
  }
  for (char c : url) {
    if (!absl::ascii_isgraph(c)) return absl::InvalidArgumentError("must not contain spaces or control characters");
  }

  absl::string_view host = authority;
  absl::string_view port;
  const bool bracketed = absl::ConsumePrefix(&host, "[");
  if (bracketed) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("unclosed [ in host");
    absl::string_view after = host.substr(close + 1);
    host = host.substr(0, close);
    if (!after.empty()) {
      if (!absl::ConsumePrefix(&after, ":")) return absl::InvalidArgumentError("bad host");
      port = after;
    }
  } else if (const size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return absl::InvalidArgumentError("has no host");
  // Brackets only around a whole IPv6 address, and ':' only inside them: "a:b:80" or "a]" names
  // no host, and would be connected to as something else than written.
  if (host.find_first_of("[]") != absl::string_view::npos || (!bracketed && absl::StrContains(host, ':'))) {
    return absl::InvalidArgumentError("bad host (an IPv6 address goes in brackets)");
  }
  if (!port.empty()) {
    int number = 0;
    if (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port \"", port, "\""));
    }
    out.port = number;
  }
  out.host = std::string(host);
  while (absl::ConsumeSuffix(&path, "/")) {
  }
  out.base_path = std::string(path);
  return out;
}

}  // namespace warren
