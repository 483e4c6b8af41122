#include "exporter/plugin_depth.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "exporter/broker_url.h"
#include "metrics/json.h"
#include "metrics/plugin_text.h"
#include "metrics/queue_depth.h"
#include "rapidjson/document.h"

namespace warren {
namespace {

using NodeUrls = std::vector<std::pair<std::string, std::string>>;

// A host name or address as a node name may carry after '@': nothing that could change which
// URL the template makes (no '/', '@', ':', '?', '#', '%' or spaces).
bool PlainHost(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// Node name -> plugin base URL: the explicit ones, and the template's for the other nodes
// /api/nodes says are running ("" for a node whose name gives the template no host).
absl::StatusOr<NodeUrls> UrlsToAsk(const RabbitClient& management, const PluginDepthOptions& options,
                                   absl::Time deadline, size_t* requests) {
  NodeUrls urls = options.urls;
  if (options.url_template.empty()) return urls;
  ++*requests;
  absl::StatusOr<std::string> body = management.Get("/api/nodes?columns=name,running", deadline);
  if (!body.ok()) return body.status();
  rapidjson::Document nodes;
  if (absl::Status parsed = metrics::ParseJson(*body, "/api/nodes", &nodes); !parsed.ok()) return parsed;
  if (!nodes.IsArray()) return absl::DataLossError("/api/nodes: not a JSON array");
  for (const rapidjson::Value& node : nodes.GetArray()) {
    if (!node.IsObject()) continue;
    auto name = node.FindMember("name");
    auto running = node.FindMember("running");
    // A node that is down has no plugin to ask; its queues are down and count as missing.
    if (name == node.MemberEnd() || !name->value.IsString() || running == node.MemberEnd() ||
        !running->value.IsBool() || !running->value.GetBool()) {
      continue;
    }
    const std::string node_name(name->value.GetString(), name->value.GetStringLength());
    if (std::any_of(urls.begin(), urls.end(), [&](const auto& url) { return url.first == node_name; })) continue;
    const size_t at = node_name.find('@');
    const absl::string_view host =
        at == std::string::npos ? absl::string_view() : absl::string_view(node_name).substr(at + 1);
    urls.emplace_back(node_name,
                      PlainHost(host) ? absl::StrReplaceAll(options.url_template, {{"{host}", host}}) : std::string());
  }
  return urls;
}

// One node's plugin, its depth rows appended to `rows`.
absl::Status FetchNode(const std::string& node, const std::string& url, const PluginDepthOptions& options,
                       const metrics::Filter* filter, metrics::LabelEscaping escaping, int64_t max_body_bytes,
                       absl::Time deadline, metrics::Mapped* rows) {
  if (url.empty()) return absl::InvalidArgumentError("the node name has no host for the plugin URL template");
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return parsed.status();
  const bool tls = parsed->scheme == "https";
  // No credentials: the plugin asks for none, and they are not the plugin's to see.
  absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(
      {.url = *std::move(parsed), .user = "", .password = "", .max_body_bytes = max_body_bytes,
       .tls = tls ? options.tls : TlsOptions{}});
  if (!client.ok()) return client.status();
  absl::StatusOr<std::string> body = (*client)->GetText(metrics::kPluginDepthRequest, deadline);
  if (!body.ok()) return body.status();
  const metrics::PluginDepths depths = metrics::ParseCoarseDepths(*body, escaping);
  if (depths.node != node) {  // a wrong port map or a load balancer: never attribute depths to the wrong node
    return absl::DataLossError(absl::StrCat("the plugin is node '", depths.node, "', not this node"));
  }
  rows->errors.wrong_type += depths.ambiguous_lines + depths.malformed_lines + depths.invalid_values + depths.conflicts;
  metrics::AppendDepthRows(depths, node, filter, &rows->keys);
  return absl::OkStatus();
}

}  // namespace

PluginDepthFetch FetchPluginDepths(const RabbitClient& management, const PluginDepthOptions& options,
                                   const metrics::Filter* filter, absl::string_view rabbitmq_version,
                                   absl::Time deadline) {
  PluginDepthFetch fetch;
  absl::StatusOr<NodeUrls> urls = UrlsToAsk(management, options, deadline, &fetch.requests);
  if (!urls.ok()) {
    fetch.rows = urls.status();
    return fetch;
  }
  if (urls->empty()) {
    fetch.rows = absl::NotFoundError("no node to ask for queue depth");
    return fetch;
  }
  const metrics::LabelEscaping escaping = metrics::PluginEscapingFor(rabbitmq_version);
  metrics::Mapped rows;
  absl::Status first_error;
  // One node after the other: a cluster has a handful, each answers in tens of milliseconds.
  for (const auto& [node, url] : *urls) {
    ++fetch.requests;
    const absl::Status status =
        FetchNode(node, url, options, filter, escaping, management.max_body_bytes(), deadline, &rows);
    if (status.ok()) {
      fetch.answered.push_back(node);
    } else if (first_error.ok()) {
      first_error = absl::Status(status.code(), absl::StrCat("node ", node, " (", url, "): ", status.message()));
    }
  }
  std::sort(fetch.answered.begin(), fetch.answered.end());
  if (fetch.answered.empty()) {
    fetch.rows = first_error;
  } else {
    fetch.rows = std::move(rows);
    fetch.node_error = first_error;
  }
  return fetch;
}

}  // namespace warren
