#include "bench/synthetic/cluster.h"

#include <algorithm>
#include <span>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "bench/synthetic/rng.h"

namespace warren::bench {
namespace {

constexpr const char* kDomains[] = {"orders",   "payments", "billing", "inventory", "shipping", "notifications",
                                    "accounts", "search",   "audit",   "catalog",   "pricing",  "loyalty"};
constexpr const char* kEvents[] = {"created", "updated", "cancelled", "captured", "refunded", "shipped",  "delivered",
                                   "failed",  "expired", "indexed",   "synced",   "reserved", "released", "invoiced",
                                   "settled", "opened",  "closed",    "archived", "exported", "approved"};
constexpr const char* kServices[] = {"checkout-api", "ledger",     "mailer",        "pdf-renderer",
                                     "fraud-scorer", "stock-sync", "label-printer", "webhook-relay"};
constexpr const char* kClasses[] = {"Orders", "Payments", "Billing", "Inventory", "Shipping", "Accounts"};
// Names people really give queues beyond ASCII: the exposition must carry them unchanged.
constexpr const char* kUtf8Names[] = {"bestellungen.prüfung", "注文.処理", "заказы.обработка", "🐇.hop", "café.crème"};
// ... and the ones that test escaping: quotes and backslashes survive into label values.
constexpr const char* kHostileNames[] = {"legacy \"quoted\" queue", "C:\\spool\\inbox", "mixed \"q\\ü"};
constexpr const char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// vhost index -> share of the queues, in percent.
constexpr int kVhostShare[] = {40, 20, 15, 15, 10};

int PickVhost(Rng& rng) {
  int roll = static_cast<int>(rng.Below(100));
  for (int i = 0; i < 5; ++i) {
    if (roll < kVhostShare[i]) return i;
    roll -= kVhostShare[i];
  }
  return 0;
}

std::string Pick(Rng& rng, std::span<const char* const> items) { return items[rng.Below(items.size())]; }

// A name in one of the styles found on production brokers; `i` keeps it unique.
std::string QueueName(Rng& rng, size_t i) {
  const double style = rng.Unit();
  if (style < 0.40) return absl::StrCat(Pick(rng, kDomains), ".", Pick(rng, kEvents), ".", i);
  if (style < 0.55) {
    return absl::StrCat(Pick(rng, kServices), rng.Chance(0.8) ? ".prod" : ".staging", ".worker-", i);
  }
  if (style < 0.63) {  // celery's per-worker event queues: celeryev.<uuid>
    std::string uuid;
    for (int k = 0; k < 32; ++k) {
      if (k == 8 || k == 12 || k == 16 || k == 20) uuid += '-';
      uuid += "0123456789abcdef"[rng.Below(16)];
    }
    return absl::StrCat("celeryev.", uuid);
  }
  if (style < 0.73) {  // server-named (exclusive, auto-delete) queues
    std::string name = "amq.gen-";
    for (int k = 0; k < 22; ++k) name += kBase64Url[rng.Below(64)];
    return name;
  }
  if (style < 0.85) {
    return absl::StrCat(Pick(rng, kDomains), ".", Pick(rng, kEvents), rng.Chance(0.5) ? ".dlq." : ".retry.30s.", i);
  }
  if (style < 0.975) {  // MassTransit / NServiceBus style
    return absl::StrCat("Acme.", Pick(rng, kClasses), ".Handlers:", Pick(rng, kEvents), "Consumer_", i);
  }
  if (style < 0.995) return absl::StrCat(Pick(rng, kUtf8Names), ".", i);
  return absl::StrCat(Pick(rng, kHostileNames), " ", i);
}

// Mostly empty, some shallow, a few deep: what a 10,000-queue broker shows at any moment.
int64_t Depth(Rng& rng) {
  const double roll = rng.Unit();
  if (roll < 0.62) return 0;
  if (roll < 0.87) return rng.LogUniform(1, 100);
  if (roll < 0.98) return rng.LogUniform(100, 10000);
  return rng.LogUniform(10000, 2000000);
}

}  // namespace

SyntheticCluster MakeCluster(size_t queues, uint64_t seed) {
  Rng rng(seed);
  SyntheticCluster cluster;
  cluster.cluster_name = "rmq-prod-eu";
  // The names the RabbitMQ cluster operator gives the pods of a 3-node cluster.
  for (int i = 0; i < 3; ++i)
    cluster.nodes.push_back(absl::StrCat("rabbit@rmq-prod-eu-server-", i, ".rmq-prod-eu-nodes.messaging"));
  cluster.vhosts = {"/", "orders", "billing-prod", "analytics", "mandant-süd"};
  // Classic mirroring in "/" and "orders" (3.10 still has it), plain policies elsewhere; the
  // ha_columns are what the broker answers to warren's columns=definition.ha-mode,... (a policy
  // without those keys gives an empty list, as recorded in tests/fixtures/policies.json).
  cluster.policies = {
      {0, "ha-two", "^ha\\.", R"({"ha-mode":"exactly","ha-params":2,"ha-sync-mode":"automatic"})",
       R"({"ha-mode":"exactly","ha-params":2})"},
      {1, "ha-all", "^mirrored\\.", R"({"ha-mode":"all"})", R"({"ha-mode":"all"})"},
      {0, "qq-delivery-limit", "^qq\\.", R"({"delivery-limit":20})", "[]"},
      {2, "dlx", ".*", R"({"dead-letter-exchange":"billing.dlx"})", "[]"},
      {3, "ttl-1d", "^analytics\\.", R"({"message-ttl":86400000})", "[]"},
  };
  constexpr int kHaTwo = 0, kHaAll = 1, kDeliveryLimit = 2, kDlx = 3, kTtl = 4;

  // Applications' exchanges: one per 50 queues, at least a few per vhost.
  const size_t exchange_count = std::max<size_t>(10, queues / 50);
  constexpr const char* kExchangeTypes[] = {"topic",  "topic",  "topic",   "direct",
                                            "direct", "fanout", "headers", "x-delayed-message"};
  for (size_t i = 0; i < exchange_count; ++i) {
    SyntheticExchange exchange;
    exchange.vhost = static_cast<int>(i % cluster.vhosts.size());
    exchange.type = kExchangeTypes[rng.Below(std::size(kExchangeTypes))];
    exchange.name = absl::StrCat(Pick(rng, kDomains), ".", exchange.type, ".", i);
    cluster.exchanges.push_back(std::move(exchange));
  }

  cluster.queues.reserve(queues);
  const int nodes = static_cast<int>(cluster.nodes.size());
  for (size_t i = 0; i < queues; ++i) {
    SyntheticQueue q;
    q.vhost = PickVhost(rng);
    q.node = static_cast<int>(rng.Below(nodes));
    const double kind = rng.Unit();
    std::string prefix;
    if (kind < 0.24) {
      q.type = "quorum";
      for (int n = 0; n < nodes; ++n) q.members.push_back((q.node + n) % nodes);
      q.online = q.members;
      if (rng.Chance(0.03)) q.online.erase(q.online.begin() + 1 + static_cast<std::ptrdiff_t>(rng.Below(nodes - 1)));
      if (q.vhost == 0 && rng.Chance(0.3)) {
        q.policy = kDeliveryLimit;
        prefix = "qq.";
      }
    } else if (kind < 0.28) {
      q.type = "stream";
    } else if ((q.vhost == 0 || q.vhost == 1) && rng.Chance(0.2)) {  // mirrored classic
      q.policy = q.vhost == 0 ? kHaTwo : kHaAll;
      prefix = q.vhost == 0 ? "ha." : "mirrored.";
      for (int n = 1; n < (q.policy == kHaTwo ? 2 : nodes); ++n) q.mirrors.push_back((q.node + n) % nodes);
      q.synchronised = q.mirrors;
      if (rng.Chance(0.05)) q.synchronised.clear();  // a mirror still syncing
    }
    if (q.policy < 0 && q.vhost == 2) q.policy = kDlx;
    if (q.policy < 0 && q.vhost == 3 && rng.Chance(0.5)) {
      q.policy = kTtl;
      prefix = "analytics.";
    }
    q.name = prefix + QueueName(rng, i);

    const double state = rng.Unit();
    const bool classic = std::string_view(q.type) == "classic";
    if (state < 0.004) {
      q.state = "flow";
    } else if (state < 0.005 && classic) {
      q.state = "down";  // its node is away: the broker reports no depth for it
    } else if (state < 0.025 && classic) {
      q.state = "idle";
    }
    if (std::string_view(q.type) != "stream") {
      const int64_t depth = Depth(rng);
      const double consumers = rng.Unit();
      q.consumers = consumers < 0.45 ? 1 : consumers < 0.53 ? 2 + static_cast<int>(rng.Below(4)) : 0;
      q.unacked = q.consumers > 0 ? std::min<int64_t>(depth, static_cast<int64_t>(rng.Below(q.consumers * 50 + 1))) : 0;
      q.ready = depth - q.unacked;
    } else {
      q.consumers = rng.Chance(0.5) ? 1 : 0;
    }
    if (rng.Chance(0.8)) {
      q.exchange = static_cast<int>(rng.Below(cluster.exchanges.size()));
      q.routing_key = absl::StrCat(Pick(rng, kDomains), ".", Pick(rng, kEvents), rng.Chance(0.3) ? ".#" : "");
    }
    cluster.queues.push_back(std::move(q));
  }

  // Connections and channels grow with the queues, far slower.
  const size_t connection_count = 20 + queues / 100;
  for (size_t i = 0; i < connection_count; ++i) {
    SyntheticLink link{PickVhost(rng), static_cast<int>(rng.Below(nodes)), "running"};
    const double roll = rng.Unit();
    if (roll < 0.03)
      link.state = nullptr;
    else if (roll < 0.035)
      link.state = "flow";
    else if (roll < 0.037)
      link.state = "blocked";
    cluster.connections.push_back(link);
    for (int c = 0, n = 1 + static_cast<int>(rng.Below(3)); c < n; ++c) {
      cluster.channels.push_back({link.vhost, link.node, link.state == nullptr ? "running" : link.state});
    }
  }
  return cluster;
}

}  // namespace warren::bench
