#include "metrics/endpoints.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "metrics/consumers.h"
#include "metrics/deprecated_features.h"
#include "metrics/federation.h"
#include "metrics/policies.h"
#include "metrics/queue_depth.h"
#include "metrics/releases.h"

namespace warren::metrics {

std::span<const Endpoint* const> AllEndpoints() {
  static const Endpoint* const kAll[] = {
      &kOverview,
      &kNodes,
      &kQueues,
      &kConsumers,
      &kExchanges,
      &kConnections,
      &kChannels,
      &kFederationLinks,
      &kFederationUpstreams,
      &kShovels,
      &kVhosts,
      &kVhostLimits,
      &kPolicies,
      &kQueueStats,
      &kExchangeStats,
      &kDefinitions,
      &kDeprecatedFeaturesUsed,
      &kHealthAlarms,
      &kHealthLocalAlarms,
      &kHealthQuorumCritical,
      &kHealthMirrorSyncCritical,
      &kHealthVirtualHosts,
      &kHealthCertificateExpiration,
      &kHealthProtocolAmqp,
      &kHealthMetadataStore,
      &kHealthQuorumLeaders,
      &kHealthInService,
      &kHealthConnectionLimit,
      &kHealthReadyToServe,
      &kHealthTargetClusterSize,
  };
  return kAll;
}

const Endpoint* EndpointNamed(absl::string_view name) {
  for (const Endpoint* endpoint : AllEndpoints()) {
    if (name == endpoint->name) return endpoint;
  }
  return nullptr;
}

std::vector<std::string> AllGroups() {
  std::vector<std::string> groups;
  for (const Endpoint* endpoint : AllEndpoints()) {
    if (std::find(groups.begin(), groups.end(), endpoint->group) == groups.end()) groups.emplace_back(endpoint->group);
  }
  return groups;
}

std::vector<std::string> OptInGroups() {
  std::vector<std::string> groups;
  for (const Endpoint* endpoint : AllEndpoints()) {
    if (endpoint->opt_in && std::find(groups.begin(), groups.end(), endpoint->group) == groups.end()) {
      groups.emplace_back(endpoint->group);
    }
  }
  return groups;
}

std::span<const Join> AllJoins() {
  static const Endpoint* const kConsumersOfQueues[] = {&kQueues, &kConsumers};
  static const Endpoint* const kLinksOfUpstreams[] = {&kFederationUpstreams, &kFederationLinks};
  static const Endpoint* const kMirrorsOfQueues[] = {&kQueues, &kPolicies, &kNodes};
  static const Endpoint* const kFeaturesInUse[] = {&kOverview, &kNodes, &kPolicies, &kQueues};
  static const Join kAll[] = {
      {kConsumersOfQueues, kQueueConsumersName, "vhost, queue", kQueueConsumersHelp, &QueueConsumers},
      {kLinksOfUpstreams, kUpstreamLinksRunningName, "vhost, upstream", kUpstreamLinksRunningHelp,
       &UpstreamLinksRunning},
      {kMirrorsOfQueues, kMirrorsExpectedName, "vhost, queue", kMirrorsExpectedHelp, &MirrorsExpected},
      {kFeaturesInUse, kDerivedFeaturesName, "feature, deprecation_phase", kDerivedFeaturesHelp,
       &DerivedDeprecatedFeatures},
  };
  return kAll;
}

std::vector<std::string> ColumnsOf(const Endpoint& endpoint) {
  std::vector<std::string> columns;
  auto add = [&columns](absl::string_view paths) {
    absl::ConsumeSuffix(&paths, "?");
    for (absl::string_view path : absl::StrSplit(paths, absl::ByAnyChar("|,"), absl::SkipEmpty())) {
      if (std::find(columns.begin(), columns.end(), path) == columns.end()) columns.emplace_back(path);
    }
  };
  for (const Label& label : endpoint.labels) add(label.path);
  for (const Field& field : endpoint.fields) add(field.path);
  for (const Info& info : endpoint.infos) {
    for (const Label& label : info.labels) add(label.path);
  }
  for (const StateSet& set : endpoint.states) add(set.path);
  for (const Each& each : endpoint.eaches) add(each.path);
  for (const Derived& derived : endpoint.derived) add(derived.reads);
  for (const Count& count : endpoint.counts) {
    for (const Label& label : count.labels) add(label.path);
  }
  for (const Label& key : endpoint.keys) add(key.path);
  return columns;
}

namespace {

// Everything but RFC 3986's unreserved characters as %XX: "/" is the default vhost's name.
std::string PercentEncode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

std::string RequestWithPath(const Endpoint& endpoint, absl::string_view path, absl::string_view rabbitmq_version) {
  std::vector<std::string> params;
  if (*endpoint.params != '\0') params.emplace_back(endpoint.params);
  const Release release(rabbitmq_version);
  std::vector<std::string> columns = ColumnsOf(endpoint);
  std::erase_if(columns, [&](const std::string& column) { return !release.Wants(endpoint.name, column); });
  if (endpoint.columns && !columns.empty()) {
    params.push_back(absl::StrCat("columns=", absl::StrJoin(columns, ",")));
  }
  if (endpoint.sortable && release.SkipsSortWithEmptySort()) params.emplace_back("sort=");
  if (params.empty()) return std::string(path);
  return absl::StrCat(path, "?", absl::StrJoin(params, "&"));
}

}  // namespace

std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version) {
  return RequestWithPath(endpoint, endpoint.path, rabbitmq_version);
}

bool BertPays(const Endpoint& endpoint) { return endpoint.bert_pays; }

bool HasVhostPath(const Endpoint& endpoint) { return endpoint.vhost_path != nullptr; }

std::string RequestFor(const Endpoint& endpoint, absl::string_view rabbitmq_version, absl::string_view vhost) {
  return RequestWithPath(endpoint, absl::StrReplaceAll(endpoint.vhost_path, {{"{vhost}", PercentEncode(vhost)}}),
                         rabbitmq_version);
}

}  // namespace warren::metrics
