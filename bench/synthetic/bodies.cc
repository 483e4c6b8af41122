// Over 400 lines on purpose: every endpoint body the synthetic broker serves, generated side by side
// so their shapes (and the joins between them) can be compared at a glance.
#include "bench/synthetic/bodies.h"

#include <cstdint>
#include <string_view>
#include <vector>

#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace warren::bench {
namespace {

// RapidJSON's writer escapes '"', '\\' and control characters and passes UTF-8 through, as
// RabbitMQ does.
class Json {
 public:
  Json() : writer_(buffer_) {}
  rapidjson::Writer<rapidjson::StringBuffer>& w() { return writer_; }
  void Key(std::string_view key) { writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }
  void Str(std::string_view value) { writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size())); }
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    Str(value);
  }
  // Without it a string literal would pick the bool overload (a standard conversion).
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, int64_t value) {
    Key(key);
    writer_.Int64(value);
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    writer_.Bool(value);
  }
  void Raw(std::string_view key, std::string_view json) {
    Key(key);
    writer_.RawValue(json.data(), json.size(), json.front() == '[' ? rapidjson::kArrayType : rapidjson::kObjectType);
  }
  std::string Take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

void NodeList(Json& json, std::string_view key, const std::vector<int>& nodes, const SyntheticCluster& cluster) {
  json.Key(key);
  json.w().StartArray();
  for (int node : nodes) json.Str(cluster.nodes[node]);
  json.w().EndArray();
}

// Keys in the order RabbitMQ 3.10 sends them (alphabetical), only those it sends for the kind.
void Queue(Json& json, const SyntheticQueue& q, const SyntheticCluster& cluster) {
  const std::string_view type = q.type;
  const bool down = std::string_view(q.state) == "down";
  json.w().StartObject();
  if (type == "quorum") {
    json.Field("leader", cluster.nodes[q.node]);
    NodeList(json, "members", q.members, cluster);
  }
  if (type != "stream" && !down) {
    json.Field("messages", q.ready + q.unacked);
    json.Field("messages_ready", q.ready);
    json.Field("messages_unacknowledged", q.unacked);
  }
  json.Field("name", q.name);
  if (type == "classic") json.Field("node", cluster.nodes[q.node]);
  if (type == "quorum") NodeList(json, "online", q.online, cluster);
  if (q.policy >= 0) json.Field("policy", cluster.policies[q.policy].name);
  if (!q.mirrors.empty()) NodeList(json, "slave_nodes", q.mirrors, cluster);
  json.Field("state", q.state);
  if (!q.mirrors.empty()) NodeList(json, "synchronised_slave_nodes", q.synchronised, cluster);
  json.Field("type", q.type);
  json.Field("vhost", cluster.vhosts[q.vhost]);
  json.w().EndObject();
}

struct Totals {
  int64_t ready = 0, unacked = 0, consumers = 0;
};

std::vector<Totals> TotalsPerVhost(const SyntheticCluster& cluster) {
  std::vector<Totals> out(cluster.vhosts.size());
  for (const SyntheticQueue& q : cluster.queues) {
    out[q.vhost].ready += q.ready;
    out[q.vhost].unacked += q.unacked;
    out[q.vhost].consumers += q.consumers;
  }
  return out;
}

constexpr const char* kBuiltInExchanges[][2] = {
    {"", "direct"},           {"amq.direct", "direct"},        {"amq.fanout", "fanout"}, {"amq.headers", "headers"},
    {"amq.match", "headers"}, {"amq.rabbitmq.trace", "topic"}, {"amq.topic", "topic"}};

std::string Overview(const SyntheticCluster& cluster) {
  Totals all;
  for (const Totals& t : TotalsPerVhost(cluster)) {
    all.ready += t.ready;
    all.unacked += t.unacked;
    all.consumers += t.consumers;
  }
  const int64_t published = 4'000'000 + 900 * static_cast<int64_t>(cluster.queues.size());
  Json json;
  json.w().StartObject();
  json.Field("rabbitmq_version", "3.10.8");
  json.Field("cluster_name", cluster.cluster_name);
  json.Field("erlang_version", "25.2.3");
  // With columns=message_stats.x the broker still sends all of message_stats, rates included
  // (tests/fixtures/overview.json).
  json.Key("message_stats");
  json.w().StartObject();
  const std::pair<const char*, int64_t> stats[] = {{"ack", published - 4000},
                                                   {"confirm", published / 2},
                                                   {"deliver", published - 3500},
                                                   {"deliver_get", published - 3000},
                                                   {"deliver_no_ack", 0},
                                                   {"disk_reads", 1200},
                                                   {"disk_writes", published / 3},
                                                   {"drop_unroutable", 17},
                                                   {"get", 500},
                                                   {"get_empty", 40},
                                                   {"get_no_ack", 0},
                                                   {"publish", published},
                                                   {"redeliver", 2311},
                                                   {"return_unroutable", 3}};
  for (const auto& [name, value] : stats) {
    json.Field(name, value);
    json.Key(std::string(name) + "_details");
    json.w().StartObject();
    json.Key("rate");
    json.w().Double(value == 0 ? 0.0 : 812.4);
    json.w().EndObject();
  }
  json.w().EndObject();
  json.Key("queue_totals");
  json.w().StartObject();
  for (const auto& [name, value] : {std::pair<const char*, int64_t>{"messages", all.ready + all.unacked},
                                    {"messages_ready", all.ready},
                                    {"messages_unacknowledged", all.unacked}}) {
    json.Field(name, value);
    json.Key(std::string(name) + "_details");
    json.w().StartObject();
    json.Key("rate");
    json.w().Double(3.2);
    json.w().EndObject();
  }
  json.w().EndObject();
  json.Key("object_totals");
  json.w().StartObject();
  json.Field("channels", static_cast<int64_t>(cluster.channels.size()));
  json.Field("connections", static_cast<int64_t>(cluster.connections.size()));
  json.Field("consumers", all.consumers);
  json.Field("exchanges", static_cast<int64_t>(cluster.exchanges.size() + 7 * cluster.vhosts.size()));
  json.Field("queues", static_cast<int64_t>(cluster.queues.size()));
  json.w().EndObject();
  json.Field("statistics_db_event_queue", int64_t{0});
  json.Field("node", cluster.nodes[0]);
  json.w().EndObject();
  return json.Take();
}

std::string Nodes(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  for (size_t i = 0; i < cluster.nodes.size(); ++i) {
    const int64_t n = static_cast<int64_t>(i);
    json.w().StartObject();
    json.Key("partitions");
    json.w().StartArray();
    json.w().EndArray();
    json.Field("fd_total", int64_t{1048576});
    json.Field("sockets_total", int64_t{943629});
    json.Field("mem_limit", int64_t{6871947673});
    json.Field("mem_alarm", false);
    json.Field("disk_free_limit", int64_t{2147483648});
    json.Field("disk_free_alarm", false);
    json.Field("proc_total", int64_t{1048576});
    json.Field("uptime", int64_t{86400000} * 12 + int64_t{3600000} * n);
    json.Field("run_queue", n);
    json.Field("name", cluster.nodes[i]);
    json.Field("type", "disc");
    json.Field("running", true);
    json.Field("mem_used", 1'400'000'000 + 50'000 * static_cast<int64_t>(cluster.queues.size() / 3) + 10'000'000 * n);
    json.Field("fd_used", 120 + static_cast<int64_t>(cluster.connections.size() / 3));
    json.Field("sockets_used", static_cast<int64_t>(cluster.connections.size() / 3));
    json.Field("proc_used", 900 + static_cast<int64_t>(cluster.queues.size()));
    json.Field("disk_free", 41'000'000'000 - 100'000'000 * n);
    json.w().EndObject();
  }
  json.w().EndArray();
  return json.Take();
}

std::string Consumers(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  for (const SyntheticQueue& q : cluster.queues) {
    for (int c = 0; c < q.consumers; ++c) {
      json.w().StartObject();
      json.Key("queue");
      json.w().StartObject();
      json.Field("name", q.name);
      json.Field("vhost", cluster.vhosts[q.vhost]);
      json.w().EndObject();
      json.w().EndObject();
    }
  }
  json.w().EndArray();
  return json.Take();
}

std::string Exchanges(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  for (const std::string& vhost : cluster.vhosts) {
    for (const auto& [name, type] : kBuiltInExchanges) {
      json.w().StartObject();
      json.Field("type", type);
      json.Field("vhost", vhost);
      json.w().EndObject();
    }
  }
  for (const SyntheticExchange& exchange : cluster.exchanges) {
    json.w().StartObject();
    json.Field("type", exchange.type);
    json.Field("vhost", cluster.vhosts[exchange.vhost]);
    json.w().EndObject();
  }
  json.w().EndArray();
  return json.Take();
}

std::string Links(const SyntheticCluster& cluster, const std::vector<SyntheticLink>& links) {
  Json json;
  json.w().StartArray();
  for (const SyntheticLink& link : links) {
    json.w().StartObject();
    json.Field("node", cluster.nodes[link.node]);
    if (link.state != nullptr) json.Field("state", link.state);
    json.Field("vhost", cluster.vhosts[link.vhost]);
    json.w().EndObject();
  }
  json.w().EndArray();
  return json.Take();
}

std::string Vhosts(const SyntheticCluster& cluster) {
  const std::vector<Totals> totals = TotalsPerVhost(cluster);
  Json json;
  json.w().StartArray();
  for (size_t v = 0; v < cluster.vhosts.size(); ++v) {
    json.w().StartObject();
    json.Key("cluster_state");
    json.w().StartObject();
    for (const std::string& node : cluster.nodes) json.Field(node, "running");
    json.w().EndObject();
    json.Field("messages", totals[v].ready + totals[v].unacked);
    json.Field("messages_ready", totals[v].ready);
    json.Field("messages_unacknowledged", totals[v].unacked);
    json.Field("name", cluster.vhosts[v]);
    json.w().EndObject();
  }
  json.w().EndArray();
  return json.Take();
}

std::string VhostLimits(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  json.w().StartObject();
  json.Field("vhost", cluster.vhosts[2]);
  json.Key("value");
  json.w().StartObject();
  json.Field("max-queues", static_cast<int64_t>(cluster.queues.size()));
  json.Field("max-connections", int64_t{500});
  json.w().EndObject();
  json.w().EndObject();
  json.w().StartObject();
  json.Field("vhost", cluster.vhosts[4]);
  json.Key("value");
  json.w().StartObject();
  json.Field("max-connections", int64_t{200});
  json.w().EndObject();
  json.w().EndObject();
  json.w().EndArray();
  return json.Take();
}

std::string Policies(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  for (const SyntheticPolicy& policy : cluster.policies) {
    json.w().StartObject();
    json.Field("vhost", cluster.vhosts[policy.vhost]);
    json.Field("name", policy.name);
    json.Raw("definition", policy.ha_columns);
    json.w().EndObject();
  }
  json.w().EndArray();
  return json.Take();
}

// GET /api/definitions: every queue, exchange and binding, so it grows with the queues (it is
// the largest body warren fetches, every --scrape.definitions-interval).
std::string Definitions(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartObject();
  for (const char* key : {"rabbit_version", "rabbitmq_version", "product_version"}) json.Field(key, "3.10.8");
  json.Field("product_name", "RabbitMQ");
  json.Key("users");
  json.w().StartArray();
  for (const char* user : {"admin", "monitor", "app"}) {
    json.w().StartObject();
    json.Field("name", user);
    json.Field("password_hash", "0QGufBYoNHnhndZf3TCxldyLVy+fcQxLOyhxqWucZueDM3pI");
    json.Field("hashing_algorithm", "rabbit_password_hashing_sha256");
    json.Key("tags");
    json.w().StartArray();
    json.Str(std::string_view(user) == "admin"     ? "administrator"
             : std::string_view(user) == "monitor" ? "monitoring"
                                                   : "");
    json.w().EndArray();
    json.Raw("limits", "{}");
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Key("vhosts");
  json.w().StartArray();
  for (const std::string& vhost : cluster.vhosts) {
    json.w().StartObject();
    json.Field("name", vhost);
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Key("permissions");
  json.w().StartArray();
  for (const std::string& vhost : cluster.vhosts) {
    json.w().StartObject();
    json.Field("user", "app");
    json.Field("vhost", vhost);
    for (const char* what : {"configure", "write", "read"}) json.Field(what, ".*");
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Raw("topic_permissions", "[]");
  json.Raw("parameters", "[]");
  json.Raw("global_parameters",
           R"([{"name":"cluster_name","value":"rmq-prod-eu"},)"
           R"({"name":"internal_cluster_id","value":"rabbitmq-cluster-id-Zq3v0bRk5xWm1yTtPQs8cA"}])");
  json.Key("policies");
  json.w().StartArray();
  for (const SyntheticPolicy& policy : cluster.policies) {
    json.w().StartObject();
    json.Field("vhost", cluster.vhosts[policy.vhost]);
    json.Field("name", policy.name);
    json.Field("pattern", policy.pattern);
    json.Field("apply-to", "queues");
    json.Raw("definition", policy.definition);
    json.Field("priority", int64_t{0});
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Key("queues");
  json.w().StartArray();
  for (const SyntheticQueue& q : cluster.queues) {
    if (q.name.starts_with("amq.gen-")) continue;  // exclusive queues are not exported
    json.w().StartObject();
    json.Field("name", q.name);
    json.Field("vhost", cluster.vhosts[q.vhost]);
    json.Field("durable", std::string_view(q.type) != "classic" || q.policy >= 0);
    json.Field("auto_delete", false);
    const std::string_view type = q.type;
    json.Raw("arguments", type == "quorum"   ? R"({"x-queue-type":"quorum"})"
                          : type == "stream" ? R"({"x-queue-type":"stream","x-max-age":"7D"})"
                                             : "{}");
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Key("exchanges");
  json.w().StartArray();
  for (const SyntheticExchange& exchange : cluster.exchanges) {
    json.w().StartObject();
    json.Field("name", exchange.name);
    json.Field("vhost", cluster.vhosts[exchange.vhost]);
    json.Field("type", exchange.type);
    json.Field("durable", true);
    json.Field("auto_delete", false);
    json.Field("internal", false);
    json.Raw("arguments",
             std::string_view(exchange.type) == "x-delayed-message" ? R"({"x-delayed-type":"topic"})" : "{}");
    json.w().EndObject();
  }
  json.w().EndArray();
  json.Key("bindings");
  json.w().StartArray();
  for (const SyntheticQueue& q : cluster.queues) {
    if (q.exchange < 0 || q.name.starts_with("amq.gen-")) continue;
    json.w().StartObject();
    json.Field("source", cluster.exchanges[q.exchange].name);
    json.Field("vhost", cluster.vhosts[q.vhost]);
    json.Field("destination", q.name);
    json.Field("destination_type", "queue");
    json.Field("routing_key", q.routing_key);
    json.Raw("arguments", "{}");
    json.w().EndObject();
  }
  json.w().EndArray();
  json.w().EndObject();
  return json.Take();
}

}  // namespace

std::string QueuesBody(const SyntheticCluster& cluster) {
  Json json;
  json.w().StartArray();
  for (const SyntheticQueue& q : cluster.queues) Queue(json, q, cluster);
  json.w().EndArray();
  return json.Take();
}

SyntheticBodies MakeBodies(const SyntheticCluster& cluster) {
  SyntheticBodies bodies;
  bodies["/api/overview"] = {200, Overview(cluster)};
  bodies["/api/nodes"] = {200, Nodes(cluster)};
  bodies["/api/queues"] = {200, QueuesBody(cluster)};
  bodies["/api/consumers"] = {200, Consumers(cluster)};
  bodies["/api/exchanges"] = {200, Exchanges(cluster)};
  bodies["/api/connections"] = {200, Links(cluster, cluster.connections)};
  bodies["/api/channels"] = {200, Links(cluster, cluster.channels)};
  bodies["/api/vhosts"] = {200, Vhosts(cluster)};
  bodies["/api/vhost-limits"] = {200, VhostLimits(cluster)};
  bodies["/api/policies"] = {200, Policies(cluster)};
  bodies["/api/definitions"] = {200, Definitions(cluster)};
  // Plugins off: the broker has no such route (rabbitmq_federation_management, rabbitmq_shovel_management).
  const std::string not_found = R"({"error":"Object Not Found","reason":"Not Found"})";
  for (const char* path : {"/api/federation-links", "/api/parameters/federation-upstream", "/api/shovels"}) {
    bodies[path] = {404, not_found};
  }
  for (const char* check : {"alarms", "local-alarms", "node-is-quorum-critical", "node-is-mirror-sync-critical",
                            "virtual-hosts", "certificate-expiration/1/months"}) {
    bodies[std::string("/api/health/checks/") + check] = {200, R"({"status":"ok"})"};
  }
  bodies["/api/health/checks/protocol-listener/amqp"] = {200, R"({"status":"ok","protocol":"amqp"})"};
  return bodies;
}

}  // namespace warren::bench
