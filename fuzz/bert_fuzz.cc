// ParseBert on any bytes: it never crashes, fails only with kDataLoss, and what it accepts is a
// document the JSON path would read the same way (written out as JSON and parsed back, it is the
// same document, doubles to within rapidjson's default parsing precision), then maps like a
// fetched body.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/check.h"
#include "metrics/bert.h"
#include "metrics/endpoints.h"
#include "metrics/json.h"
#include "metrics/mapper.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace {

std::string Write(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  warren::fuzz::Check(value.Accept(writer), "a decoded document can be written as JSON");
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Equal, doubles to a relative 1e-12 (rapidjson parses without kParseFullPrecisionFlag).
bool Same(const rapidjson::Value& first, const rapidjson::Value& second) {
  std::vector<std::pair<const rapidjson::Value*, const rapidjson::Value*>> todo = {{&first, &second}};
  while (!todo.empty()) {
    const auto [a, b] = todo.back();
    todo.pop_back();
    if (a->IsDouble() || b->IsDouble()) {
      if (!a->IsNumber() || !b->IsNumber()) return false;
      const double x = a->GetDouble(), y = b->GetDouble();
      if (x != y && std::fabs(x - y) > 1e-12 * std::fmax(std::fabs(x), std::fabs(y))) return false;
    } else if (a->IsArray() && b->IsArray()) {
      if (a->Size() != b->Size()) return false;
      for (rapidjson::SizeType i = 0; i < a->Size(); ++i) todo.emplace_back(&(*a)[i], &(*b)[i]);
    } else if (a->IsObject() && b->IsObject()) {
      if (a->MemberCount() != b->MemberCount()) return false;
      for (auto i = a->MemberBegin(), j = b->MemberBegin(); i != a->MemberEnd(); ++i, ++j) {
        if (i->name != j->name) return false;
        todo.emplace_back(&i->value, &j->value);
      }
    } else if (*a != *b) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using warren::fuzz::Check;
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  const absl::Status status = warren::metrics::ParseBert(body, "fuzz", &doc);
  if (!status.ok()) {
    Check(status.code() == absl::StatusCode::kDataLoss, "errors are kDataLoss");
    return 0;
  }
  const std::string json = Write(doc);
  rapidjson::Document again;
  warren::fuzz::CheckOk(warren::metrics::ParseJson(json, "fuzz", &again), "the JSON written parses");
  Check(Same(doc, again), "the JSON round trip gives the same document");
  static const warren::metrics::Mapper* const mapper = new warren::metrics::Mapper(warren::metrics::kQueues);
  (void)mapper->MapDocument(doc);
  return 0;
}
