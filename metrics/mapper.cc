// Over 400 lines on purpose: the per-object hot path (index, labels, every row kind, sorting) reads
// best in one place, and bench/synthetic times it as one stage.
#include "metrics/mapper.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "metrics/family_builder.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

prometheus::MetricType TypeOf(Kind kind) {
  return kind == Kind::kCounter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
}

// The sample value of `value` for `kind`, or nullopt if the JSON type does not fit.
std::optional<double> ValueOf(const rapidjson::Value& value, Kind kind) {
  switch (kind) {
    case Kind::kGauge:
    case Kind::kCounter:
      if (value.IsNumber()) return value.GetDouble();
      return std::nullopt;
    case Kind::kMillis:
      if (value.IsNumber()) return value.GetDouble() / 1000.0;
      return std::nullopt;
    case Kind::kBool:
      if (value.IsBool()) return value.GetBool() ? 1.0 : 0.0;
      return std::nullopt;
    case Kind::kLength:
      if (value.IsArray()) return static_cast<double>(value.Size());
      return std::nullopt;
  }
  return std::nullopt;
}

std::string StringOf(const rapidjson::Value& value) { return ValidUtf8({value.GetString(), value.GetStringLength()}); }

}  // namespace

// Families are laid out in table order: fields, infos, states, eaches, derived, counts.
struct Mapper::State {
  Mapped out;
  std::vector<FamilyBuilder> families;
  size_t infos_at = 0, states_at = 0, eaches_at = 0, derived_at = 0, counts_at = 0;
  std::vector<std::map<LabelValues, double>> counts;  // per Count row
  std::vector<const rapidjson::Value*> found;         // MemberIndex::Index of the current object
  MemberIndex::Order member_order;                    // of the previous object
  const FieldGate* gate = nullptr;                    // MapOptions::gate

  FamilyBuilder& family(size_t at) { return families[at]; }
};

Mapper::Mapper(const Endpoint& endpoint) : endpoint_(endpoint) {
  auto compile = [this](std::span<const Label> labels) {
    std::vector<CompiledLabel> out;
    for (const Label& label : labels) {
      absl::string_view path = label.path;
      const bool optional = absl::ConsumeSuffix(&path, "?");
      JsonPaths paths = ParsePaths(path);
      MemberIndex::Paths indexed = index_.Compile(paths);
      out.push_back({label.name, std::move(paths), std::move(indexed), optional});
    }
    return out;
  };
  auto indexed = [this](const char* path) { return index_.Compile(ParsePaths(path)); };
  labels_ = compile(endpoint.labels);
  for (const Label& label : endpoint.labels) label_names_.emplace_back(label.name);
  for (const Field& field : endpoint.fields) field_paths_.push_back(indexed(field.path));
  for (const Info& info : endpoint.infos) info_labels_.push_back(compile(info.labels));
  for (const StateSet& set : endpoint.states) state_paths_.push_back(indexed(set.path));
  for (const Each& each : endpoint.eaches) each_paths_.push_back(indexed(each.path));
  for (const Count& count : endpoint.counts) count_labels_.push_back(compile(count.labels));
  keys_ = compile(endpoint.keys);
  // The filter's subjects, by label name wherever the table names them.
  const char* subjects[] = {"vhost", "queue", "exchange"};
  for (int i = 0; i < 3; ++i) {
    auto find = [&](const std::vector<CompiledLabel>& labels) {
      for (const CompiledLabel& label : labels) {
        if (subject_paths_[i].empty() && label.name == subjects[i]) subject_paths_[i] = label.paths;
      }
    };
    find(labels_);
    find(keys_);
    for (const auto& labels : count_labels_) find(labels);
  }
}

namespace {

// Descriptive label values: a missing one is "", a non-string one is "" and counted.
LabelValues ReadOptional(const std::vector<const rapidjson::Value*>& found, const auto& labels, FieldErrors* errors) {
  LabelValues values;
  for (const auto& label : labels) {
    const rapidjson::Value* value = Resolve(found, label.indexed);
    if (value != nullptr && value->IsString()) {
      values.push_back(StringOf(*value));
    } else {
      if (value != nullptr) ++errors->wrong_type;
      values.emplace_back();
    }
  }
  return values;
}

// Join keys also take a number (as its shortest text: "2") or an array of strings (joined with
// ","): a policy's ha-params is either.
LabelValues ReadKeys(const std::vector<const rapidjson::Value*>& found, const auto& labels, FieldErrors* errors) {
  LabelValues values;
  for (const auto& label : labels) {
    const rapidjson::Value* value = Resolve(found, label.indexed);
    std::string text;
    if (value == nullptr) {
    } else if (value->IsString()) {
      text = StringOf(*value);
    } else if (value->IsBool()) {
      text = value->GetBool() ? "true" : "false";
    } else if (value->IsInt64()) {  // exact: a queue's depth past a million stays a whole number
      text = absl::StrCat(value->GetInt64());
    } else if (value->IsNumber()) {
      text = absl::StrCat(value->GetDouble());
    } else if (value->IsArray()) {
      for (const rapidjson::Value& item : value->GetArray()) {
        if (!item.IsString()) {
          ++errors->wrong_type;
          continue;
        }
        absl::StrAppend(&text, text.empty() ? "" : ",", StringOf(item));
      }
    } else {
      ++errors->wrong_type;
    }
    values.push_back(std::move(text));
  }
  return values;
}

// The samples a Derived function computes for one object, to be written sorted by their labels.
class CollectingSink : public SampleSink {
 public:
  using Extra = std::vector<std::pair<std::string, std::string>>;

  std::vector<std::pair<Extra, double>>& samples() { return samples_; }

 protected:
  void AddSample(double value, Extra extra) override {
    for (auto& label : extra) label.second = ValidUtf8(label.second);
    samples_.emplace_back(std::move(extra), value);
  }

 private:
  std::vector<std::pair<Extra, double>> samples_;
};

// A label value read from JSON without a copy: the string itself, or its UTF-8 repair.
absl::string_view StringView(const rapidjson::Value& value, std::string* scratch) {
  return ValidUtf8({value.GetString(), value.GetStringLength()}, scratch);
}

}  // namespace

std::optional<LabelValues> Mapper::ReadLabels(const rapidjson::Value& object, FieldErrors* errors) const {
  LabelValues values;
  values.reserve(labels_.size());
  for (const CompiledLabel& label : labels_) {
    const rapidjson::Value* value = Resolve(object, label.paths);
    if (value == nullptr && label.optional) {
      values.emplace_back();
      continue;
    }
    if (value == nullptr) {
      ++errors->missing;
      return std::nullopt;
    }
    if (!value->IsString()) {
      ++errors->wrong_type;
      return std::nullopt;
    }
    values.push_back(StringOf(*value));
  }
  return values;
}

// Objects come in sorted by `values`; the few series one object adds to a family are sorted here,
// so every family comes out sorted by label values without sorting its series.
void Mapper::MapObject(const rapidjson::Value& object, const LabelValues& values, bool series, State* state) const {
  FieldErrors& errors = state->out.errors;
  if (!series) {  // counted only
    std::vector<const rapidjson::Value*>& found = state->found;
    index_.Index(object, &found, &state->member_order);
    for (size_t i = 0; i < count_labels_.size(); ++i) {
      state->counts[i][ReadOptional(found, count_labels_[i], &errors)] += 1;
    }
    return;
  }
  // The object's own labels, escaped once for the ten or so series it has.
  std::string identity;
  for (size_t i = 0; i < label_names_.size(); ++i) AppendLabel(&identity, label_names_[i], values[i]);
  std::vector<const rapidjson::Value*>& found = state->found;
  index_.Index(object, &found, &state->member_order);
  std::string scratch;
  for (size_t i = 0; i < field_paths_.size(); ++i) {
    const Field& field = endpoint_.fields[i];
    if (state->gate != nullptr && !state->gate->Measures(object, field.path)) continue;
    const rapidjson::Value* value = Resolve(found, field_paths_[i]);
    if (value == nullptr) {
      ++errors.missing;
      continue;
    }
    std::optional<double> number = ValueOf(*value, field.kind);
    if (!number) {
      ++errors.wrong_type;
      continue;
    }
    state->family(i).Labels(identity).Value(*number);
  }

  for (size_t i = 0; i < info_labels_.size(); ++i) {
    FamilyBuilder& family = state->family(state->infos_at + i).Labels(identity);
    for (const CompiledLabel& label : info_labels_[i]) {  // descriptive: missing or not a string is ""
      const rapidjson::Value* value = Resolve(found, label.indexed);
      if (value != nullptr && !value->IsString()) ++errors.wrong_type;
      family.Label(label.name, value != nullptr && value->IsString() ? StringView(*value, &scratch) : "");
    }
    family.Value(1.0);
  }

  for (size_t i = 0; i < state_paths_.size(); ++i) {
    const StateSet& set = endpoint_.states[i];
    const rapidjson::Value* value = Resolve(found, state_paths_[i]);
    if (value == nullptr || !value->IsString()) {
      ++(value == nullptr ? errors.missing : errors.wrong_type);
      continue;
    }
    const absl::string_view current = StringView(*value, &scratch);
    absl::InlinedVector<std::pair<absl::string_view, double>, 8> series;  // state label value, 1 or 0
    bool known = false;
    for (const char* candidate : set.known) {
      known = known || current == candidate;
      series.emplace_back(candidate, current == candidate ? 1 : 0);
    }
    if (!known) series.emplace_back(current, 1);
    std::sort(series.begin(), series.end());
    for (const auto& [label_value, one] : series) {
      state->family(state->states_at + i).Labels(identity).Label(set.label, label_value).Value(one);
    }
  }

  for (size_t i = 0; i < each_paths_.size(); ++i) {
    if (state->gate != nullptr && !state->gate->Measures(object, endpoint_.eaches[i].path)) continue;
    const rapidjson::Value* value = Resolve(found, each_paths_[i]);
    if (value == nullptr) {
      ++errors.missing;
      continue;
    }
    const char* const label = endpoint_.eaches[i].label;
    if (value->IsString()) {  // the common case: no list to sort
      state->family(state->eaches_at + i).Labels(identity).Label(label, StringView(*value, &scratch)).Value(1);
      continue;
    }
    std::vector<std::string> items;
    auto add = [&](const rapidjson::Value& item) {
      if (!item.IsString()) {
        ++errors.wrong_type;
        return;
      }
      items.push_back(StringOf(item));
    };
    if (value->IsArray()) {
      for (const rapidjson::Value& item : value->GetArray()) add(item);
    } else {
      add(*value);  // not a string: counted
    }
    std::sort(items.begin(), items.end());
    for (const std::string& item : items) {
      state->family(state->eaches_at + i).Labels(identity).Label(label, item).Value(1);
    }
  }

  for (size_t i = 0; i < endpoint_.derived.size(); ++i) {
    CollectingSink sink;
    endpoint_.derived[i].compute(object, sink);
    std::stable_sort(sink.samples().begin(), sink.samples().end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [extra, number] : sink.samples()) {
      FamilyBuilder& family = state->family(state->derived_at + i).Labels(identity);
      for (const auto& [name, label_value] : extra) family.Label(name, label_value);
      family.Value(number);
    }
  }

  for (size_t i = 0; i < count_labels_.size(); ++i) {
    state->counts[i][ReadOptional(found, count_labels_[i], &errors)] += 1;
  }

  if (!keys_.empty()) state->out.keys.push_back(ReadKeys(found, keys_, &errors));
}

bool Mapper::Passes(const rapidjson::Value& object, const Filter& filter) const {
  for (int i = 0; i < 3; ++i) {
    if (subject_paths_[i].empty()) continue;
    const rapidjson::Value* value = Resolve(object, subject_paths_[i]);
    // A link federates an exchange or a queue: the other name is absent, and nothing to filter on.
    if (value == nullptr || !value->IsString()) continue;
    if (!filter.Keeps(static_cast<Filter::Subject>(i), {value->GetString(), value->GetStringLength()})) return false;
  }
  return true;
}

void Mapper::MapSorted(std::span<const rapidjson::Value* const> objects, State* state) const {
  std::vector<LabelValues> values;
  std::vector<const rapidjson::Value*> kept;
  values.reserve(objects.size());
  kept.reserve(objects.size());
  for (const rapidjson::Value* object : objects) {
    if (std::optional<LabelValues> read = ReadLabels(*object, &state->out.errors)) {
      values.push_back(*std::move(read));
      kept.push_back(object);
    }
  }
  // The order is sorted, not the rows: moving 100,000 vectors of strings costs more than comparing.
  std::vector<uint32_t> order(kept.size());
  std::iota(order.begin(), order.end(), 0);
  auto by_labels = [&values](uint32_t a, uint32_t b) {
    const LabelValues& x = values[a];
    const LabelValues& y = values[b];
    for (size_t i = 0; i < x.size(); ++i) {
      if (const int c = x[i].compare(y[i]); c != 0) return c < 0;
    }
    return false;
  };
  // Stable: objects with equal labels (none from a sane broker) keep the broker's order.
  if (!std::is_sorted(order.begin(), order.end(), by_labels)) std::stable_sort(order.begin(), order.end(), by_labels);

  // Two objects with the same labels would write the same series twice, which Prometheus refuses:
  // names that differ only in invalid UTF-8 are the same once repaired. The first in the broker's
  // order is kept; the others are counted in the rows' counts but have no series of their own.
  std::vector<bool> repeated(order.size(), false);
  for (size_t i = 1; i < order.size() && !label_names_.empty(); ++i) {
    if (values[order[i]] == values[order[i - 1]]) {
      repeated[i] = true;
      ++state->out.errors.duplicate;
    }
  }
  auto map = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) MapObject(*kept[order[i]], values[order[i]], /*series=*/!repeated[i], state);
  };
  // After a sample of the objects, reserve each family's text for all of them, so the text of
  // 100,000 queues is written once instead of copied at every doubling. The objects' label
  // values scale the estimate: the first ones in label order can have longer names than most.
  constexpr size_t kSample = 256;
  if (order.size() <= 2 * kSample) {
    map(0, order.size());
    return;
  }
  map(0, kSample);
  double sampled = 0, all = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    double weight = 40;  // about what a series holds besides its labels: name, value, punctuation
    for (const std::string& value : values[order[i]]) weight += static_cast<double>(value.size());
    if (i < kSample) sampled += weight;
    all += weight;
  }
  // Capped: a hostile list whose first objects are huge must not make it ask for terabytes; past
  // the cap the text grows by doubling as before.
  constexpr double kMaxReserve = 256.0 * 1024 * 1024;
  for (FamilyBuilder& family : state->families) {
    const double estimate = static_cast<double>(family.bytes()) * all / sampled * 1.05;
    family.Reserve(static_cast<size_t>(std::min(estimate, kMaxReserve)));
  }
  map(kSample, order.size());
}

absl::StatusOr<Mapped> Mapper::Map(absl::string_view body, const MapOptions& options) const {
  rapidjson::Document doc;
  if (absl::Status status = ParseJson(body, endpoint_.path, &doc); !status.ok()) return status;
  return MapDocument(doc, options);
}

absl::StatusOr<Mapped> Mapper::MapDocument(const rapidjson::Value& doc, const MapOptions& options) const {
  State state;
  state.gate = options.gate;
  auto& families = state.families;
  const auto gauge = prometheus::MetricType::Gauge;
  for (const Field& field : endpoint_.fields) families.emplace_back(field.name, field.help, TypeOf(field.kind));
  state.infos_at = families.size();
  for (const Info& info : endpoint_.infos) families.emplace_back(info.name, info.help, gauge);
  state.states_at = families.size();
  for (const StateSet& set : endpoint_.states) families.emplace_back(set.name, set.help, gauge);
  state.eaches_at = families.size();
  for (const Each& each : endpoint_.eaches) families.emplace_back(each.name, each.help, gauge);
  state.derived_at = families.size();
  for (const Derived& derived : endpoint_.derived) families.emplace_back(derived.name, derived.help, derived.type);
  state.counts_at = families.size();
  for (const Count& count : endpoint_.counts) families.emplace_back(count.name, count.help, gauge);
  state.counts.resize(endpoint_.counts.size());

  if (endpoint_.shape == Shape::kObject) {
    if (!doc.IsObject()) return absl::DataLossError(absl::StrCat(endpoint_.path, ": expected a JSON object"));
    if (std::optional<LabelValues> values = ReadLabels(doc, &state.out.errors)) {
      MapObject(doc, *values, /*series=*/true, &state);
    }
  } else {
    if (!doc.IsArray()) return absl::DataLossError(absl::StrCat(endpoint_.path, ": expected a JSON array"));
    std::vector<const rapidjson::Value*> kept;
    kept.reserve(doc.Size());
    for (const rapidjson::Value& item : doc.GetArray()) {
      if (!item.IsObject()) {
        ++state.out.errors.wrong_type;
      } else if (options.filter != nullptr && !Passes(item, *options.filter)) {
        ++state.out.filtered;
      } else {
        kept.push_back(&item);
      }
    }
    if (doc.Size() > 0 && state.out.errors.wrong_type == doc.Size()) {
      // Not one object: this is not the broker's list, and an empty list would be a lie.
      return absl::DataLossError(absl::StrCat(endpoint_.path, ": no element of the array is an object"));
    }
    if (options.max_objects > 0 && kept.size() > options.max_objects) {
      // Keep the largest (the deepest queues), in the broker's order.
      const JsonPath rank = ParsePath(options.rank_path);
      auto rank_of = [&rank](const rapidjson::Value* item) {
        const rapidjson::Value* value = Resolve(*item, rank);
        return value != nullptr && value->IsNumber() ? value->GetDouble() : -1.0;
      };
      std::vector<std::pair<double, size_t>> ranked;
      for (size_t i = 0; i < kept.size(); ++i) ranked.emplace_back(-rank_of(kept[i]), i);
      std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(options.max_objects), ranked.end());
      ranked.resize(options.max_objects);
      std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
      state.out.capped = kept.size() - options.max_objects;
      std::vector<const rapidjson::Value*> capped;
      capped.reserve(ranked.size());
      for (const auto& [unused, i] : ranked) capped.push_back(kept[i]);
      kept = std::move(capped);
    }
    MapSorted(kept, &state);
  }

  for (size_t i = 0; i < state.counts.size(); ++i) {
    for (const auto& [key, count] : state.counts[i]) {  // a std::map: sorted by label values
      FamilyBuilder& family = state.family(state.counts_at + i);
      for (size_t j = 0; j < key.size(); ++j) family.Label(count_labels_[i][j].name, key[j]);
      family.Value(count);
    }
  }

  for (FamilyBuilder& family : families) {
    if (family.samples() > 0) state.out.families.push_back(std::move(family).Finish());
  }
  return std::move(state.out);
}

}  // namespace warren::metrics
