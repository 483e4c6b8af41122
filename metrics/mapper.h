// Maps one Management API response body to metric families, following an Endpoint table.
// Pure: no I/O, no threads. A Mapper is immutable after construction and safe to share.
#ifndef WARREN_METRICS_MAPPER_H_
#define WARREN_METRICS_MAPPER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "metrics/json.h"
#include "metrics/table.h"
#include "prometheus/metric_family.h"

namespace warren::metrics {

// Fields that produced no sample. Counted, never replaced by a made-up value.
struct FieldErrors {
  uint64_t missing = 0;     // absent key (normal for a queue whose node is down)
  uint64_t wrong_type = 0;  // present but not the JSON type the table expects

  void Add(const FieldErrors& other) {
    missing += other.missing;
    wrong_type += other.wrong_type;
  }
};

struct Mapped {
  std::vector<prometheus::MetricFamily> families;  // only families with at least one sample
  // Label values of every object that was mapped, in the order of Endpoint::labels
  // (array endpoints only). Other mappings join on these, e.g. consumers per queue.
  std::vector<std::vector<std::string>> objects;
  FieldErrors errors;
};

class Mapper {
 public:
  explicit Mapper(const Endpoint& endpoint);

  // Fails (kDataLoss) only if the body is not JSON or its top level has the wrong shape;
  // anything wrong inside one object costs that object's samples, not the endpoint.
  absl::StatusOr<Mapped> Map(absl::string_view body) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct CompiledLabel {
    std::string name;
    JsonPath path;
  };
  struct CompiledField {
    const Field* field;
    JsonPath path;
  };
  struct CompiledInfo {
    const Info* info;
    std::vector<CompiledLabel> labels;
  };

  // Reads the label values of `object`; false (and an error counted) if one is unusable.
  bool ReadLabels(const rapidjson::Value& object, const std::vector<CompiledLabel>& labels,
                  std::vector<std::string>* values, FieldErrors* errors) const;
  void MapObject(const rapidjson::Value& object, Mapped* out) const;

  const Endpoint& endpoint_;
  std::vector<CompiledLabel> labels_;
  std::vector<std::string> label_names_;
  std::vector<CompiledField> fields_;
  std::vector<CompiledInfo> infos_;
};

// Builds one sample. Exposed for the named functions that tables cannot express.
prometheus::ClientMetric MakeSample(const std::vector<std::string>& label_names,
                                    const std::vector<std::string>& label_values, double value,
                                    prometheus::MetricType type);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_MAPPER_H_
