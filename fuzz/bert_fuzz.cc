// ParseBert on any bytes: it never crashes, fails only with kDataLoss, and what it accepts is a
// document the JSON path would read the same way (written out as JSON and parsed back, it is
// written out identically), then maps like a fetched body.
#include <cstddef>
#include <cstdint>
#include <string>

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
  Check(Write(again) == json, "the JSON round trip is exact");
  static const warren::metrics::Mapper* const mapper = new warren::metrics::Mapper(warren::metrics::kQueues);
  (void)mapper->MapDocument(doc);
  return 0;
}
