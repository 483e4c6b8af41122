#include "metrics/broker_facts.h"

#include <vector>

#include "util/utf8.h"

namespace warren::metrics {
namespace {

std::string StringAt(const rapidjson::Value& object, const char* key) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) return "";
  const absl::string_view text(member->value.GetString(), member->value.GetStringLength());
  return IsValidUtf8(text) ? std::string(text) : std::string();
}

int PortAt(const rapidjson::Value& object) {
  const auto member = object.FindMember("port");
  if (member == object.MemberEnd() || !member->value.IsInt()) return 0;
  const int port = member->value.GetInt();
  return port >= 1 && port <= 65535 ? port : 0;
}

}  // namespace

BrokerFacts ReadBrokerFacts(const rapidjson::Value& overview) {
  BrokerFacts facts;
  if (!overview.IsObject()) return facts;
  facts.rabbitmq_version = StringAt(overview, "rabbitmq_version");
  facts.erlang_version = StringAt(overview, "erlang_version");
  facts.cluster_name = StringAt(overview, "cluster_name");
  facts.node = StringAt(overview, "node");
  const auto listeners = overview.FindMember("listeners");
  if (listeners == overview.MemberEnd() || !listeners->value.IsArray()) return facts;
  for (const rapidjson::Value& entry : listeners->value.GetArray()) {
    if (!entry.IsObject()) continue;
    Listener listener{.node = StringAt(entry, "node"),
                      .protocol = StringAt(entry, "protocol"),
                      .ip_address = StringAt(entry, "ip_address"),
                      .bind_address = {},
                      .port = PortAt(entry)};
    const auto socket_opts = entry.FindMember("socket_opts");
    if (socket_opts != entry.MemberEnd() && socket_opts->value.IsObject()) {
      listener.bind_address = StringAt(socket_opts->value, "ip");
    }
    if (listener.node.empty() || listener.protocol.empty() || listener.port == 0) continue;
    facts.listeners.push_back(std::move(listener));
  }
  return facts;
}

}  // namespace warren::metrics
