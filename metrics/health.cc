// /api/health/checks/*: 200 {"status":"ok"} or 503 {"status":"failed","reason":...}, one request
// per check, every --scrape.health-interval. /api/aliveness-test is never called: it declares a queue.
// local-alarms, node-is-*-critical, is-in-service and the connection checks speak for the node
// that answered. Which release routes which check: releases.cc.
#include "absl/strings/string_view.h"
#include "metrics/json.h"
#include "metrics/tables.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

// A reason longer than this is cut: it becomes a label value (quorum checks list no queues in it,
// but nothing bounds what a broker writes).
constexpr size_t kMaxReasonBytes = 200;

absl::string_view StatusOf(const rapidjson::Value& body) {
  const rapidjson::Value* status = Resolve(body, ParsePath("status"));
  if (status == nullptr || !status->IsString()) return {};
  // With its length: "ok\u0000failed" is not "ok".
  return {status->GetString(), status->GetStringLength()};
}

template <const char* kCheck>
void CheckUp(const rapidjson::Value& body, SampleSink& sink) {
  const absl::string_view status = StatusOf(body);
  if (status.data() == nullptr) return;
  sink.Add(status == "ok" ? 1 : 0, {{"check", kCheck}});
}

template <const char* kCheck>
void CheckFailure(const rapidjson::Value& body, SampleSink& sink) {
  const absl::string_view status = StatusOf(body);
  if (status.data() == nullptr || status == "ok") return;
  const rapidjson::Value* reason = Resolve(body, ParsePath("reason"));
  absl::string_view text;
  if (reason != nullptr && reason->IsString()) text = {reason->GetString(), reason->GetStringLength()};
  sink.Add(1, {{"check", kCheck}, {"reason", ValidUtf8(text.substr(0, kMaxReasonBytes))}});
}

constexpr char kUpHelp[] = "1 if the management API's health check passes, 0 if it fails (HTTP 503).";
constexpr char kFailureHelp[] =
    "1 while the health check fails, with the broker's reason (its first 200 bytes); absent while it passes.";

template <const char* kCheck>
constexpr Derived kCheckSeries[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kCheck>, kUpHelp},
    {"rabbitmq_health_check_failure_info", prometheus::MetricType::Gauge, "status,reason", "check, reason",
     &CheckFailure<kCheck>, kFailureHelp},
};

template <const char* kCheck>
constexpr Endpoint Check(const char* name, const char* path) {
  return {
      .name = name,
      .group = "health",
      .path = path,
      .shape = Shape::kObject,
      .columns = false,
      .cadence = Cadence::kHealth,
      .body_on_503 = true,
      .derived = kCheckSeries<kCheck>,
  };
}

// The `check` label: the check's path in the API, as words.
constexpr char kAlarms[] = "alarms";
constexpr char kLocalAlarms[] = "local_alarms";
constexpr char kQuorumCritical[] = "node_is_quorum_critical";
constexpr char kMirrorSyncCritical[] = "node_is_mirror_sync_critical";
constexpr char kVirtualHosts[] = "virtual_hosts";
constexpr char kCertificates[] = "certificate_expiration";
constexpr char kAmqpListener[] = "protocol_listener_amqp";
constexpr char kMetadataStore[] = "metadata_store_initialized";
constexpr char kQuorumLeaders[] = "quorum_queues_without_elected_leaders";
constexpr char kInService[] = "is_in_service";
constexpr char kConnectionLimit[] = "below_node_connection_limit";
constexpr char kReadyToServe[] = "ready_to_serve_clients";
constexpr char kTargetClusterSize[] = "reached_target_cluster_size";

}  // namespace

const Endpoint kHealthAlarms = Check<kAlarms>("health_alarms", "/api/health/checks/alarms");
const Endpoint kHealthLocalAlarms = Check<kLocalAlarms>("health_local_alarms", "/api/health/checks/local-alarms");
const Endpoint kHealthQuorumCritical =
    Check<kQuorumCritical>("health_quorum_critical", "/api/health/checks/node-is-quorum-critical");
const Endpoint kHealthMirrorSyncCritical =
    Check<kMirrorSyncCritical>("health_mirror_sync_critical", "/api/health/checks/node-is-mirror-sync-critical");
const Endpoint kHealthVirtualHosts = Check<kVirtualHosts>("health_virtual_hosts", "/api/health/checks/virtual-hosts");
// Fails when a listener's certificate expires within a month.
const Endpoint kHealthCertificateExpiration =
    Check<kCertificates>("health_certificate_expiration", "/api/health/checks/certificate-expiration/1/months");
const Endpoint kHealthProtocolAmqp =
    Check<kAmqpListener>("health_protocol_amqp", "/api/health/checks/protocol-listener/amqp");
// The node's metadata store (Khepri or Mnesia) has finished starting.
const Endpoint kHealthMetadataStore =
    Check<kMetadataStore>("health_metadata_store_initialized", "/api/health/checks/metadata-store/initialized");
// Cluster-wide: fails while any quorum queue of any vhost has no elected leader.
const Endpoint kHealthQuorumLeaders = Check<kQuorumLeaders>(
    "health_quorum_without_leaders", "/api/health/checks/quorum-queues-without-elected-leaders/all-vhosts/");
// Fails while the node is not running or is being drained (maintenance mode): rabbit:is_serving/0.
const Endpoint kHealthInService = Check<kInService>("health_is_in_service", "/api/health/checks/is-in-service");
const Endpoint kHealthConnectionLimit =
    Check<kConnectionLimit>("health_below_connection_limit", "/api/health/checks/below-node-connection-limit");
// In service, below its connection limit, and an AMQP listener up: the node takes clients.
const Endpoint kHealthReadyToServe =
    Check<kReadyToServe>("health_ready_to_serve_clients", "/api/health/checks/ready-to-serve-clients");
// Fails while fewer nodes run than the cluster's configured target size (cluster_formation.target_cluster_size_hint).
const Endpoint kHealthTargetClusterSize =
    Check<kTargetClusterSize>("health_reached_target_cluster_size", "/api/health/checks/reached-target-cluster-size");

}  // namespace warren::metrics
