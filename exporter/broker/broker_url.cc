#include "exporter/broker/broker_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace warren {

std::string BrokerUrl::Origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(scheme, "://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

std::string BrokerUrl::ToString() const { return absl::StrCat(Origin(), base_path); }

namespace {

// A DNS name or a dotted IPv4 address: labels of letters, digits, '-' and '_' (container and
// Kubernetes names), joined by single dots, at most 253 characters: nothing that a resolver or a
// URL reader would take for something else (a percent sign, a backslash, '?' or '#').
bool IsHostName(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  absl::string_view labels = host;
  absl::ConsumeSuffix(&labels, ".");  // a fully qualified name's trailing dot
  for (absl::string_view label : absl::StrSplit(labels, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
    }
  }
  return true;
}

bool IsIpv6Address(absl::string_view host) {
  in6_addr address{};
  return inet_pton(AF_INET6, std::string(host).c_str(), &address) == 1;
}

// 1 to 65535, digits only: no sign, no spaces, not empty.
bool ParsePort(absl::string_view text, int* port) {
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  int number = 0;
  if (!absl::SimpleAtoi(text, &number) || number < 1 || number > 65535) return false;
  *port = number;
  return true;
}

}  // namespace

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
  // Anywhere, not only in the authority: in "http://user:pa/ss@host" the password's own '/' ends
  // the authority, and the error about the "port" would show "pa".
  if (absl::StrContains(rest, '@')) {
    return absl::InvalidArgumentError("must not contain credentials; use --rabbitmq.user and --rabbitmq.password-file");
  }
  // Anywhere too: "http://host?x" has no path, and its host is not "host?x".
  if (absl::StrContains(rest, '?') || absl::StrContains(rest, '#')) {
    return absl::InvalidArgumentError("must not contain a query or fragment");
  }
  for (char c : url) {
    if (!absl::ascii_isgraph(c)) return absl::InvalidArgumentError("must not contain spaces or control characters");
  }
  if (absl::StrContains(rest, '\\')) return absl::InvalidArgumentError("must not contain a backslash");
  const size_t slash = rest.find('/');
  absl::string_view host = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);

  std::optional<absl::string_view> port;
  if (absl::ConsumePrefix(&host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("unclosed [ in host");
    absl::string_view after = host.substr(close + 1);
    host = host.substr(0, close);
    if (!IsIpv6Address(host)) return absl::InvalidArgumentError("bad host: brackets hold an IPv6 address");
    if (!after.empty()) {
      if (!absl::ConsumePrefix(&after, ":")) return absl::InvalidArgumentError("bad host");
      port = after;
    }
  } else {
    if (const size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty()) return absl::InvalidArgumentError("has no host");
    if (!IsHostName(host)) {
      return absl::InvalidArgumentError(
          "bad host: a name or IPv4 address of letters, digits, '-', '_' and '.' (an IPv6 address goes in brackets)");
    }
  }
  if (port.has_value() && !ParsePort(*port, &out.port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad port \"", *port, "\" (want 1 to 65535)"));
  }
  out.host = std::string(host);
  while (absl::ConsumeSuffix(&path, "/")) {
  }
  out.base_path = std::string(path);
  return out;
}

}  // namespace warren
