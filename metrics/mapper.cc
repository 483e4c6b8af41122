#include "metrics/mapper.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

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

std::string StringOf(const rapidjson::Value& value) {
  return ValidUtf8({value.GetString(), value.GetStringLength()});
}

}  // namespace

prometheus::ClientMetric MakeSample(const std::vector<std::string>& label_names,
                                    const std::vector<std::string>& label_values, double value,
                                    prometheus::MetricType type) {
  prometheus::ClientMetric sample;
  sample.label.reserve(label_names.size());
  for (size_t i = 0; i < label_names.size(); ++i) {
    sample.label.push_back({label_names[i], label_values[i]});
  }
  if (type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  return sample;
}

// Families are laid out in table order: fields, infos, states, eaches, derived, counts.
struct Mapper::State {
  Mapped out;
  size_t infos_at = 0, states_at = 0, eaches_at = 0, derived_at = 0, counts_at = 0;
  std::vector<std::map<LabelValues, double>> counts;  // per Count row

  prometheus::MetricFamily& family(size_t at) { return out.families[at]; }
};

Mapper::Mapper(const Endpoint& endpoint) : endpoint_(endpoint) {
  auto compile = [](std::span<const Label> labels) {
    std::vector<CompiledLabel> out;
    for (const Label& label : labels) {
      absl::string_view path = label.path;
      const bool optional = absl::ConsumeSuffix(&path, "?");
      out.push_back({label.name, ParsePaths(path), optional});
    }
    return out;
  };
  labels_ = compile(endpoint.labels);
  for (const Label& label : endpoint.labels) label_names_.emplace_back(label.name);
  for (const Field& field : endpoint.fields) field_paths_.push_back(ParsePaths(field.path));
  for (const Info& info : endpoint.infos) info_labels_.push_back(compile(info.labels));
  for (const StateSet& set : endpoint.states) state_paths_.push_back(ParsePaths(set.path));
  for (const Each& each : endpoint.eaches) each_paths_.push_back(ParsePaths(each.path));
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
LabelValues ReadOptional(const rapidjson::Value& object, const auto& labels, FieldErrors* errors) {
  LabelValues values;
  for (const auto& label : labels) {
    const rapidjson::Value* value = Resolve(object, label.paths);
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
LabelValues ReadKeys(const rapidjson::Value& object, const auto& labels, FieldErrors* errors) {
  LabelValues values;
  for (const auto& label : labels) {
    const rapidjson::Value* value = Resolve(object, label.paths);
    std::string text;
    if (value == nullptr) {
    } else if (value->IsString()) {
      text = StringOf(*value);
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

class VectorSink : public SampleSink {
 public:
  VectorSink(const std::vector<std::string>& names, const LabelValues& values, prometheus::MetricFamily* family)
      : names_(names), values_(values), family_(family) {}

 protected:
  void AddSample(double value, std::vector<std::pair<std::string, std::string>> extra) override {
    std::vector<std::string> names = names_;
    LabelValues values = values_;
    for (auto& [name, label_value] : extra) {
      names.push_back(name);
      values.push_back(ValidUtf8(label_value));
    }
    family_->metric.push_back(MakeSample(names, values, value, family_->type));
  }

 private:
  const std::vector<std::string>& names_;
  const LabelValues& values_;
  prometheus::MetricFamily* family_;
};

}  // namespace

void Mapper::MapObject(const rapidjson::Value& object, State* state) const {
  FieldErrors& errors = state->out.errors;
  LabelValues values;
  for (const CompiledLabel& label : labels_) {
    const rapidjson::Value* value = Resolve(object, label.paths);
    if (value == nullptr && label.optional) {
      values.emplace_back();
      continue;
    }
    if (value == nullptr) {
      ++errors.missing;
      return;
    }
    if (!value->IsString()) {
      ++errors.wrong_type;
      return;
    }
    values.push_back(StringOf(*value));
  }

  for (size_t i = 0; i < field_paths_.size(); ++i) {
    const Field& field = endpoint_.fields[i];
    const rapidjson::Value* value = Resolve(object, field_paths_[i]);
    if (value == nullptr) {
      ++errors.missing;
      continue;
    }
    std::optional<double> number = ValueOf(*value, field.kind);
    if (!number) {
      ++errors.wrong_type;
      continue;
    }
    state->family(i).metric.push_back(MakeSample(label_names_, values, *number, TypeOf(field.kind)));
  }

  for (size_t i = 0; i < info_labels_.size(); ++i) {
    LabelValues info_values = values;
    std::vector<std::string> info_names = label_names_;
    for (std::string& value : ReadOptional(object, info_labels_[i], &errors)) info_values.push_back(std::move(value));
    for (const CompiledLabel& label : info_labels_[i]) info_names.push_back(label.name);
    state->family(state->infos_at + i)
        .metric.push_back(MakeSample(info_names, info_values, 1.0, prometheus::MetricType::Gauge));
  }

  for (size_t i = 0; i < state_paths_.size(); ++i) {
    const StateSet& set = endpoint_.states[i];
    const rapidjson::Value* value = Resolve(object, state_paths_[i]);
    if (value == nullptr || !value->IsString()) {
      ++(value == nullptr ? errors.missing : errors.wrong_type);
      continue;
    }
    const std::string current = StringOf(*value);
    std::vector<std::string> names = label_names_;
    names.emplace_back(set.label);
    LabelValues state_values = values;
    state_values.emplace_back();
    bool known = false;
    for (const char* candidate : set.known) {
      state_values.back() = candidate;
      known = known || current == candidate;
      state->family(state->states_at + i)
          .metric.push_back(MakeSample(names, state_values, current == candidate ? 1 : 0,
                                       prometheus::MetricType::Gauge));
    }
    if (!known) {
      state_values.back() = current;
      state->family(state->states_at + i)
          .metric.push_back(MakeSample(names, state_values, 1, prometheus::MetricType::Gauge));
    }
  }

  for (size_t i = 0; i < each_paths_.size(); ++i) {
    const rapidjson::Value* value = Resolve(object, each_paths_[i]);
    if (value == nullptr) {
      ++errors.missing;
      continue;
    }
    std::vector<std::string> names = label_names_;
    names.emplace_back(endpoint_.eaches[i].label);
    auto add = [&](const rapidjson::Value& item) {
      if (!item.IsString()) {
        ++errors.wrong_type;
        return;
      }
      LabelValues each_values = values;
      each_values.push_back(StringOf(item));
      state->family(state->eaches_at + i)
          .metric.push_back(MakeSample(names, each_values, 1, prometheus::MetricType::Gauge));
    };
    if (value->IsArray()) {
      for (const rapidjson::Value& item : value->GetArray()) add(item);
    } else {
      add(*value);
    }
  }

  for (size_t i = 0; i < endpoint_.derived.size(); ++i) {
    VectorSink sink(label_names_, values, &state->family(state->derived_at + i));
    endpoint_.derived[i].compute(object, sink);
  }

  for (size_t i = 0; i < count_labels_.size(); ++i) {
    state->counts[i][ReadOptional(object, count_labels_[i], &errors)] += 1;
  }

  if (!keys_.empty()) state->out.keys.push_back(ReadKeys(object, keys_, &errors));
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

absl::StatusOr<Mapped> Mapper::Map(absl::string_view body, const MapOptions& options) const {
  rapidjson::Document doc;
  if (absl::Status status = ParseJson(body, endpoint_.path, &doc); !status.ok()) return status;
  return MapDocument(doc, options);
}

absl::StatusOr<Mapped> Mapper::MapDocument(const rapidjson::Value& doc, const MapOptions& options) const {
  State state;
  auto& families = state.out.families;
  for (const Field& field : endpoint_.fields) families.push_back({field.name, field.help, TypeOf(field.kind), {}});
  state.infos_at = families.size();
  for (const Info& info : endpoint_.infos) families.push_back({info.name, info.help, prometheus::MetricType::Gauge, {}});
  state.states_at = families.size();
  for (const StateSet& set : endpoint_.states) families.push_back({set.name, set.help, prometheus::MetricType::Gauge, {}});
  state.eaches_at = families.size();
  for (const Each& each : endpoint_.eaches) families.push_back({each.name, each.help, prometheus::MetricType::Gauge, {}});
  state.derived_at = families.size();
  for (const Derived& derived : endpoint_.derived) families.push_back({derived.name, derived.help, derived.type, {}});
  state.counts_at = families.size();
  for (const Count& count : endpoint_.counts) families.push_back({count.name, count.help, prometheus::MetricType::Gauge, {}});
  state.counts.resize(endpoint_.counts.size());

  if (endpoint_.shape == Shape::kObject) {
    if (!doc.IsObject()) return absl::DataLossError(absl::StrCat(endpoint_.path, ": expected a JSON object"));
    MapObject(doc, &state);
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
    for (const rapidjson::Value* item : kept) MapObject(*item, &state);
  }

  for (size_t i = 0; i < state.counts.size(); ++i) {
    std::vector<std::string> names;
    for (const CompiledLabel& label : count_labels_[i]) names.push_back(label.name);
    for (const auto& [key, count] : state.counts[i]) {
      state.family(state.counts_at + i).metric.push_back(MakeSample(names, key, count, prometheus::MetricType::Gauge));
    }
  }

  std::erase_if(families, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
  return std::move(state.out);
}

}  // namespace warren::metrics
