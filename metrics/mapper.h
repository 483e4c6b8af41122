// Maps one Management API response body to exposition text per family, following an Endpoint
// table.
// Pure: no I/O, no threads. A Mapper is immutable after construction and safe to share.
#ifndef WARREN_METRICS_MAPPER_H_
#define WARREN_METRICS_MAPPER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "metrics/exposition.h"
#include "metrics/filter.h"
#include "metrics/json.h"
#include "metrics/table.h"

namespace warren::metrics {

// Fields that produced no sample. Counted, never replaced by a made-up value.
struct FieldErrors {
  uint64_t missing = 0;     // absent key (normal for a queue whose node is down)
  uint64_t wrong_type = 0;  // present but not the JSON type the table expects
  uint64_t duplicate = 0;   // an object whose labels an earlier one has (after UTF-8 repair): no series

  void Add(const FieldErrors& other) {
    missing += other.missing;
    wrong_type += other.wrong_type;
    duplicate += other.duplicate;
  }
};

using LabelValues = std::vector<std::string>;

struct Mapped {
  // Only families with at least one sample, each with its series sorted by label values.
  std::vector<FamilyText> families;
  std::vector<LabelValues> keys;  // Endpoint::keys of every mapped object, for joins
  FieldErrors errors;
  uint64_t filtered = 0;  // objects left out by MapOptions::filter
  uint64_t capped = 0;    // objects left out by MapOptions::max_objects
};

// Decides, per object, whether a field's value measures something. Some releases still send a
// field they no longer measure (a constant 0), and in a cluster mid-upgrade that depends on the
// node an object describes (releases.h: ConstantFieldGate).
class FieldGate {
 public:
  virtual ~FieldGate() = default;
  // `path` is the table's JSON path of a Field or an Each.
  virtual bool Measures(const rapidjson::Value& object, const char* path) const = 0;
};

struct MapOptions {
  const Filter* filter = nullptr;  // objects whose vhost, queue or exchange it refuses are left out
  // At most this many objects (0: no cap), the largest by `rank_path` (a number; missing ranks last).
  size_t max_objects = 0;
  const char* rank_path = "messages";
  // Fields it refuses for an object give no sample and count as no error; nullptr: all measure.
  const FieldGate* gate = nullptr;
};

class Mapper {
 public:
  explicit Mapper(const Endpoint& endpoint);

  // Fails (kDataLoss) only if the body is not JSON or its top level has the wrong shape;
  // anything wrong inside one object costs that object's samples, not the endpoint.
  absl::StatusOr<Mapped> Map(absl::string_view body, const MapOptions& options = {}) const;
  // Map() after ParseJson: the same mapping of an already parsed body, so a benchmark can time
  // parsing and mapping apart (bench/synthetic/stages.cc).
  absl::StatusOr<Mapped> MapDocument(const rapidjson::Value& doc, const MapOptions& options = {}) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct CompiledLabel {
    std::string name;
    JsonPaths paths;             // for a lookup on its own
    MemberIndex::Paths indexed;  // for MapObject, which indexes the object first
    bool optional = false;       // path ended in '?'
  };
  struct State;  // per-Map() working state, in mapper.cc

  // The values of the endpoint's labels, or nullopt (counted) if a required one is unusable.
  std::optional<LabelValues> ReadLabels(const rapidjson::Value& object, FieldErrors* errors) const;
  // `series`: false for an object whose labels an earlier one had, which only counts.
  void MapObject(const rapidjson::Value& object, const LabelValues& values, bool series, State* state) const;
  // Maps `objects` in the order of their label values.
  void MapSorted(std::span<const rapidjson::Value* const> objects, State* state) const;
  bool Passes(const rapidjson::Value& object, const Filter& filter) const;

  const Endpoint& endpoint_;
  std::vector<CompiledLabel> labels_;
  std::vector<std::string> label_names_;
  MemberIndex index_;  // the first keys of every path MapObject reads
  std::vector<MemberIndex::Paths> field_paths_;
  std::vector<std::vector<CompiledLabel>> info_labels_;
  std::vector<MemberIndex::Paths> state_paths_;
  std::vector<MemberIndex::Paths> each_paths_;
  std::vector<std::vector<CompiledLabel>> count_labels_;
  std::vector<CompiledLabel> keys_;
  // Where the vhost, queue and exchange names are, for MapOptions::filter (empty: not there).
  JsonPaths subject_paths_[3];
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_MAPPER_H_
