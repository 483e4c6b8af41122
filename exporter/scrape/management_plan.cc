#include "exporter/scrape/management_plan.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/bert.h"
#include "metrics/json.h"
#include "metrics/releases.h"

namespace warren {

ManagementPlan::ManagementPlan(const metrics::Endpoint& endpoint, Options options)
    : FetchPlan(endpoint), mapper_(endpoint), options_(std::move(options)) {}

PlanReports ManagementPlan::reports() const {
  const metrics::Endpoint& endpoint = this->endpoint();
  return {.filtered = options_.filter != nullptr,
          .capped = options_.max_objects > 0 && endpoint.rank_path != nullptr,
          .requests = options_.vhost_scope != nullptr && metrics::HasVhostPath(endpoint)};
}

absl::StatusOr<Body> ManagementPlan::FetchBody(const FetchContext& context, size_t* requests) const {
  const metrics::Endpoint& endpoint = this->endpoint();
  const RabbitClient& client = *options_.client;
  const absl::string_view version = context.broker.rabbitmq_version;
  std::optional<std::vector<std::string>> vhosts;
  if (options_.vhost_scope != nullptr && metrics::HasVhostPath(endpoint)) {
    absl::StatusOr<std::optional<std::vector<std::string>>> kept = options_.vhost_scope->Kept(context.deadline);
    if (!kept.ok()) return kept.status();
    vhosts = *std::move(kept);
  }
  if (!vhosts) {
    *requests = 1;
    const bool bert =
        options_.format == BodyFormat::kBert || (options_.format == BodyFormat::kAuto && metrics::BertPays(endpoint));
    return client.GetBody(metrics::RequestFor(endpoint, version), context.deadline, endpoint.body_on_503, bert);
  }
  // Per-vhost bodies are merged as JSON text (ConcatArrays), so they are asked for as JSON.
  std::vector<std::string> bodies;
  for (const std::string& vhost : *vhosts) {
    ++*requests;
    absl::StatusOr<std::string> body =
        client.Get(metrics::RequestFor(endpoint, version, vhost), context.deadline, endpoint.body_on_503);
    if (absl::IsNotFound(body.status())) continue;  // the vhost was deleted since it was listed
    if (!body.ok()) return body.status();
    bodies.push_back(*std::move(body));
  }
  absl::StatusOr<std::string> merged = ConcatArrays(bodies, client.max_body_bytes());
  if (!merged.ok()) return merged.status();
  return Body{.data = *std::move(merged), .bert = false};
}

FetchResult ManagementPlan::Fetch(const FetchContext& context) {
  const metrics::Endpoint& endpoint = this->endpoint();
  FetchResult result;
  absl::StatusOr<Body> body = FetchBody(context, &result.requests);
  if (!body.ok()) {
    result.mapped = body.status();
    return result;
  }
  rapidjson::Document doc;
  const absl::Status parsed = body->bert ? metrics::ParseBert(body->data, endpoint.path, &doc)
                                         : metrics::ParseJson(body->data, endpoint.path, &doc);
  if (!parsed.ok()) {
    result.mapped = parsed;
    return result;
  }
  // The document holds its own copy of every string: the body (31 MB at 100,000 queues) goes
  // before the mapper writes the text.
  std::string().swap(body->data);
  if (endpoint.broker_facts) result.facts = metrics::ReadBrokerFacts(doc);
  const metrics::ConstantFieldGate gate(endpoint.name, context.broker.rabbitmq_version);
  const metrics::MapOptions map_options{.filter = options_.filter,
                                        .max_objects = endpoint.rank_path != nullptr ? options_.max_objects : 0,
                                        .rank_path = endpoint.rank_path != nullptr ? endpoint.rank_path : "",
                                        .gate = gate.empty() ? nullptr : &gate};
  result.mapped = mapper_.MapDocument(doc, map_options);
  return result;
}

}  // namespace warren
