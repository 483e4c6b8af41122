#include "exporter/config/plugin_urls.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "exporter/broker/broker_url.h"

namespace warren {
namespace {

// A URL of a node's rabbitmq_prometheus plugin: http(s)://host[:port][/], no credentials, path or
// query. Errors never repeat the URL.
absl::Status CheckPluginUrl(absl::string_view url) {
  // Before ParseBrokerUrl, whose message about credentials points at --rabbitmq.user.
  if (absl::StrContains(url, '@')) {
    return absl::InvalidArgumentError("must not contain credentials (user:password@)");
  }
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  // ParseBrokerUrl accepted a scheme, so "://" is there; it drops trailing slashes, so look at the
  // path as written.
  absl::string_view rest = url.substr(url.find("://") + 3);
  if (const size_t slash = rest.find('/'); slash != absl::string_view::npos && rest.substr(slash) != "/") {
    return absl::InvalidArgumentError("must not have a path (warren asks for /metrics/detailed itself)");
  }
  return absl::OkStatus();
}

}  // namespace

// One --rabbitmq.plugin-url entry, against the entries before it. The node is named only once it
// is known to be one (a value like "http://user:pw=x@..." would otherwise show part of a password).
absl::Status CheckPluginUrlEntry(const PluginUrl& entry, absl::Span<const PluginUrl> before) {
  if (entry.node.empty()) return absl::InvalidArgumentError("want NODE=URL; the node is empty");
  // NAME@HOST, one '@', neither part empty. No ':' or '/' either: an Erlang node name has none, and
  // a URL or credentials given as the node (by a missing "NODE=") would.
  const size_t at = entry.node.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == entry.node.size() ||
      entry.node.find('@', at + 1) != std::string::npos || entry.node.find_first_of(":/") != std::string::npos ||
      !std::all_of(entry.node.begin(), entry.node.end(), [](char c) { return absl::ascii_isgraph(c); })) {
    return absl::InvalidArgumentError("want NODE=URL with NODE a node name as /api/nodes gives it, NAME@HOST");
  }
  if (absl::Status s = CheckPluginUrl(entry.url); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(entry.node, ": ", s.message()));
  }
  if (std::any_of(before.begin(), before.end(), [&entry](const PluginUrl& p) { return p.node == entry.node; })) {
    return absl::InvalidArgumentError(absl::StrCat(entry.node, ": given twice"));
  }
  return absl::OkStatus();
}

// "NODE=URL" or "NODE=URL,NODE=URL,...": split at the first '=' (node names have none), appended.
// An empty value adds none (an empty variable or key, as for the template, means "off").
absl::Status AddPluginUrls(absl::string_view value, std::vector<PluginUrl>* urls) {
  if (value.empty()) return absl::OkStatus();
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError("want NODE=URL (e.g. rabbit@host-1=http://10.0.0.5:15692)");
    }
    PluginUrl entry{std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))};
    if (absl::Status s = CheckPluginUrlEntry(entry, *urls); !s.ok()) return s;
    urls->push_back(std::move(entry));
  }
  return absl::OkStatus();
}

// {host} once; with it replaced, a plugin URL. That also keeps {host} in the host part: in the
// scheme, port, credentials, path or query the URL is refused.
absl::Status CheckPluginUrlTemplate(absl::string_view url_template) {
  constexpr absl::string_view kHost = "{host}";
  const size_t at = url_template.find(kHost);
  if (at == absl::string_view::npos || url_template.find(kHost, at + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("must contain {host} once, as or in the host (e.g. http://{host}:15692)");
  }
  return CheckPluginUrl(absl::StrReplaceAll(url_template, {{kHost, "example"}}));
}

}  // namespace warren
