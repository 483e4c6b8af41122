// The management API base URL, parsed and checked once. Credentials never live in it.
#ifndef WARREN_EXPORTER_BROKER_BROKER_URL_H_
#define WARREN_EXPORTER_BROKER_BROKER_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace warren {

struct BrokerUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string base_path;  // "" or "/prefix" (management.path_prefix), no trailing slash

  // "http://host:port": what httplib connects to.
  std::string Origin() const;
  // Origin() + base_path: safe to log.
  std::string ToString() const;
};

// Accepts http(s)://host[:port][/prefix], strictly: the host is a name or IPv4 address (letters,
// digits, '-', '_', '.') or an IPv6 address in brackets, the port digits from 1 to 65535. Refuses
// user:password@ (the message never repeats the URL, which would leak the password; any '@'
// counts, even in the path), queries, fragments and backslashes.
absl::StatusOr<BrokerUrl> ParseBrokerUrl(absl::string_view url);

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_BROKER_URL_H_
