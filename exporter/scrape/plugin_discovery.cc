#include "exporter/scrape/plugin_discovery.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace warren {

bool PlainHost(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

namespace {

// The URL host for a bind address: "" for a wildcard or anything that is not an address.
std::string HostOfBindAddress(const std::string& address) {
  if (address.empty() || address == "0.0.0.0" || address == "::") return "";
  unsigned char buffer[16];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) return address;
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) return absl::StrCat("[", address, "]");
  return "";
}

// The host to connect to for `listener` of the node whose name ends in `name_host`: its bind
// address, else its address, else the node name's host; "" if none will do.
std::string HostOfListener(const metrics::Listener& listener, absl::string_view name_host) {
  std::string host = HostOfBindAddress(listener.bind_address);
  if (host.empty()) host = HostOfBindAddress(listener.ip_address);
  if (host.empty() && PlainHost(name_host)) host = std::string(name_host);
  return host;
}

absl::string_view NameHost(absl::string_view node) {
  const size_t at = node.find('@');
  return at == absl::string_view::npos ? absl::string_view() : node.substr(at + 1);
}

}  // namespace

DiscoveredUrl PluginUrlFromListeners(absl::string_view node, const std::vector<metrics::Listener>& listeners) {
  const absl::string_view name_host = NameHost(node);
  const metrics::Listener* chosen = nullptr;
  bool listed = false;
  for (const metrics::Listener& listener : listeners) {
    if (listener.node != node) continue;
    listed = true;
    if (listener.protocol == "http/prometheus") {
      chosen = &listener;
      break;
    }
    if (listener.protocol == "https/prometheus" && chosen == nullptr) chosen = &listener;
  }
  if (!listed) {
    // No listener of the node at all: the broker lists none (its statistics are off). The plugin's
    // default port on the node's host is a guess the identity check makes safe.
    if (!PlainHost(name_host)) return {.url = "", .reason = "no_host"};
    return {.url = absl::StrCat("http://", name_host, ":", kDefaultPluginPort), .reason = "ok"};
  }
  if (chosen == nullptr) return {.url = "", .reason = "not_listed", .listed = true};
  const std::string host = HostOfListener(*chosen, name_host);
  if (host.empty()) return {.url = "", .reason = "no_host", .listed = true};
  const char* scheme = chosen->protocol == "http/prometheus" ? "http" : "https";
  return {.url = absl::StrCat(scheme, "://", host, ":", chosen->port), .reason = "ok", .listed = true};
}

DiscoveredUrl ManagementUrlFromListeners(absl::string_view node, const std::vector<metrics::Listener>& listeners,
                                         const BrokerUrl& target) {
  const absl::string_view name_host = NameHost(node);
  bool listed = false;
  for (const metrics::Listener& listener : listeners) {
    if (listener.node != node) continue;
    listed = true;
    if (listener.protocol != target.scheme) continue;
    const std::string host = HostOfListener(listener, name_host);
    if (host.empty()) return {.url = "", .reason = "no_host", .listed = true};
    return {.url = absl::StrCat(target.scheme, "://", host, ":", listener.port, target.base_path),
            .reason = "ok",
            .listed = true};
  }
  if (listed) return {.url = "", .reason = "not_listed", .listed = true};
  // Not listed at all (statistics off; or the node is cut off from the target): the target's port
  // on the node's host, as clusters usually run; the identity check makes the guess safe.
  if (!PlainHost(name_host)) return {.url = "", .reason = "no_host"};
  return {.url = absl::StrCat(target.scheme, "://", name_host, ":", target.port, target.base_path), .reason = "ok"};
}

}  // namespace warren
