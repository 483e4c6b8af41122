// /api/health/checks/*: 200 {"status":"ok"} or 503 {"status":"failed","reason":...}, one request
// per check, every --scrape.health-interval. /api/aliveness-test is never called: it declares a queue.
// local-alarms and node-is-*-critical speak for the node that answered.
#include "metrics/json.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

template <const char* kCheck>
void CheckUp(const rapidjson::Value& body, SampleSink& sink) {
  const rapidjson::Value* status = Resolve(body, ParsePath("status"));
  if (status == nullptr || !status->IsString()) return;
  // With its length: "ok\u0000failed" is not "ok".
  sink.Add(std::string_view(status->GetString(), status->GetStringLength()) == "ok" ? 1 : 0, {{"check", kCheck}});
}

constexpr char kHelp[] = "1 if the management API's health check passes, 0 if it fails (HTTP 503).";

constexpr Endpoint Check(const char* name, const char* path, std::span<const Derived> derived) {
  return {
      .name = name,
      .group = "health",
      .path = path,
      .shape = Shape::kObject,
      .columns = false,
      .cadence = Cadence::kHealth,
      .body_on_503 = true,
      .derived = derived,
  };
}

constexpr char kAlarms[] = "alarms";
constexpr char kLocalAlarms[] = "local_alarms";
constexpr char kQuorumCritical[] = "node_is_quorum_critical";
constexpr char kMirrorSyncCritical[] = "node_is_mirror_sync_critical";
constexpr char kVirtualHosts[] = "virtual_hosts";
constexpr char kCertificates[] = "certificate_expiration";
constexpr char kAmqpListener[] = "protocol_listener_amqp";

constexpr Derived kAlarmsUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kAlarms>, kHelp}};
constexpr Derived kLocalAlarmsUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kLocalAlarms>, kHelp}};
constexpr Derived kQuorumUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kQuorumCritical>, kHelp}};
constexpr Derived kMirrorUp[] = {{"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check",
                                  &CheckUp<kMirrorSyncCritical>, kHelp}};
constexpr Derived kVhostsUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kVirtualHosts>, kHelp}};
constexpr Derived kCertificatesUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kCertificates>, kHelp}};
constexpr Derived kAmqpUp[] = {
    {"rabbitmq_health_check_up", prometheus::MetricType::Gauge, "status", "check", &CheckUp<kAmqpListener>, kHelp}};

}  // namespace

const Endpoint kHealthAlarms = Check("health_alarms", "/api/health/checks/alarms", kAlarmsUp);
const Endpoint kHealthLocalAlarms = Check("health_local_alarms", "/api/health/checks/local-alarms", kLocalAlarmsUp);
const Endpoint kHealthQuorumCritical =
    Check("health_quorum_critical", "/api/health/checks/node-is-quorum-critical", kQuorumUp);
const Endpoint kHealthMirrorSyncCritical =
    Check("health_mirror_sync_critical", "/api/health/checks/node-is-mirror-sync-critical", kMirrorUp);
const Endpoint kHealthVirtualHosts = Check("health_virtual_hosts", "/api/health/checks/virtual-hosts", kVhostsUp);
// Fails when a listener's certificate expires within a month.
const Endpoint kHealthCertificateExpiration =
    Check("health_certificate_expiration", "/api/health/checks/certificate-expiration/1/months", kCertificatesUp);
const Endpoint kHealthProtocolAmqp =
    Check("health_protocol_amqp", "/api/health/checks/protocol-listener/amqp", kAmqpUp);

}  // namespace warren::metrics
