// /api/definitions: what a definitions backup would hold, counted per kind, plus a hash that
// changes when the definitions do. Can be large and changes rarely: fetched every --scrape.definitions-interval.
// Needs the administrator tag; a monitoring-only user gets 401 (switch the group off).
#include <cstdint>
#include <vector>

#include "metrics/json.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr const char* kKinds[] = {
    "users",    "vhosts", "permissions", "topic_permissions", "parameters", "global_parameters",
    "policies", "queues", "exchanges",   "bindings"};

void DefinitionObjects(const rapidjson::Value& definitions, SampleSink& sink) {
  for (const char* kind : kKinds) {
    const rapidjson::Value* list = Resolve(definitions, ParsePath(kind));
    if (list != nullptr && list->IsArray()) sink.Add(list->Size(), {{"kind", kind}});
  }
}

// FNV-1a over every key and scalar in document order, with an explicit stack: a hostile body
// may nest a million levels deep.
void DefinitionsHash(const rapidjson::Value& definitions, SampleSink& sink) {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](const void* data, size_t size, char tag) {
    hash = (hash ^ static_cast<unsigned char>(tag)) * 1099511628211ull;
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  };
  std::vector<const rapidjson::Value*> stack = {&definitions};
  while (!stack.empty()) {
    const rapidjson::Value* value = stack.back();
    stack.pop_back();
    if (value->IsObject()) {
      mix(nullptr, 0, '{');
      // Pushed in reverse so members are visited in document order.
      for (auto it = value->MemberEnd(); it != value->MemberBegin();) {
        --it;
        stack.push_back(&it->value);
        stack.push_back(&it->name);
      }
    } else if (value->IsArray()) {
      mix(nullptr, 0, '[');
      for (const auto* it = value->End(); it != value->Begin();) stack.push_back(--it);
    } else if (value->IsString()) {
      mix(value->GetString(), value->GetStringLength(), 's');
    } else if (value->IsNumber()) {
      const double number = value->GetDouble();
      mix(&number, sizeof number, 'n');
    } else if (value->IsBool()) {
      mix(nullptr, 0, value->GetBool() ? 't' : 'f');
    } else {
      mix(nullptr, 0, '0');
    }
  }
  // 52 bits: exactly representable as a sample value.
  sink.Add(static_cast<double>(hash & ((uint64_t{1} << 52) - 1)));
}

// clang-format off
constexpr Derived kDefinitionsDerived[] = {
  {"rabbitmq_definitions_objects", prometheus::MetricType::Gauge, "", "kind", &DefinitionObjects,
   "Objects of each kind a definitions export holds."},
  {"rabbitmq_definitions_hash", prometheus::MetricType::Gauge, "", "", &DefinitionsHash,
   "A hash of the definitions: it changes when users, vhosts, queues, exchanges, bindings, policies or parameters change."},
};
// clang-format on

}  // namespace

const Endpoint kDefinitions{
    .name = "definitions",
    .group = "definitions",
    .path = "/api/definitions",
    .shape = Shape::kObject,
    .columns = false,
    .cadence = Cadence::kDefinitions,
    .bert_pays = true,  // grows with the queues, exchanges and bindings
    .derived = kDefinitionsDerived,
};

}  // namespace warren::metrics
