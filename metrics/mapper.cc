#include "metrics/mapper.h"

#include <optional>

#include "absl/strings/str_cat.h"

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

Mapper::Mapper(const Endpoint& endpoint) : endpoint_(endpoint) {
  for (const Label& label : endpoint.labels) {
    labels_.push_back({label.name, ParsePath(label.path)});
    label_names_.push_back(label.name);
  }
  for (const Field& field : endpoint.fields) fields_.push_back({&field, ParsePath(field.path)});
  for (const Info& info : endpoint.infos) {
    CompiledInfo compiled{&info, {}};
    for (const Label& label : info.labels) {
      compiled.labels.push_back({label.name, ParsePath(label.path)});
    }
    infos_.push_back(std::move(compiled));
  }
}

bool Mapper::ReadLabels(const rapidjson::Value& object, const std::vector<CompiledLabel>& labels,
                        std::vector<std::string>* values, FieldErrors* errors) const {
  for (const CompiledLabel& label : labels) {
    const rapidjson::Value* value = Resolve(object, label.path);
    if (value == nullptr || value->IsNull()) {
      ++errors->missing;
      return false;
    }
    if (!value->IsString()) {
      ++errors->wrong_type;
      return false;
    }
    values->push_back(ValidUtf8({value->GetString(), value->GetStringLength()}));
  }
  return true;
}

void Mapper::MapObject(const rapidjson::Value& object, Mapped* out) const {
  std::vector<std::string> values;
  if (!ReadLabels(object, labels_, &values, &out->errors)) return;

  for (size_t i = 0; i < fields_.size(); ++i) {
    const CompiledField& field = fields_[i];
    const rapidjson::Value* value = Resolve(object, field.path);
    if (value == nullptr || value->IsNull()) {
      ++out->errors.missing;
      continue;
    }
    std::optional<double> number = ValueOf(*value, field.field->kind);
    if (!number) {
      ++out->errors.wrong_type;
      continue;
    }
    out->families[i].metric.push_back(
        MakeSample(label_names_, values, *number, TypeOf(field.field->kind)));
  }

  for (size_t i = 0; i < infos_.size(); ++i) {
    std::vector<std::string> info_values = values;
    if (!ReadLabels(object, infos_[i].labels, &info_values, &out->errors)) continue;
    std::vector<std::string> info_names = label_names_;
    for (const CompiledLabel& label : infos_[i].labels) info_names.push_back(label.name);
    out->families[fields_.size() + i].metric.push_back(
        MakeSample(info_names, info_values, 1.0, prometheus::MetricType::Gauge));
  }

  if (endpoint_.shape == Shape::kArray) out->objects.push_back(std::move(values));
}

absl::StatusOr<Mapped> Mapper::Map(absl::string_view body) const {
  rapidjson::Document doc;
  if (absl::Status status = ParseJson(body, endpoint_.path, &doc); !status.ok()) return status;

  Mapped out;
  for (const CompiledField& field : fields_) {
    out.families.push_back(
        {field.field->name, field.field->help, TypeOf(field.field->kind), {}});
  }
  for (const CompiledInfo& info : infos_) {
    out.families.push_back({info.info->name, info.info->help, prometheus::MetricType::Gauge, {}});
  }

  if (endpoint_.shape == Shape::kObject) {
    if (!doc.IsObject()) {
      return absl::DataLossError(absl::StrCat(endpoint_.path, ": expected a JSON object"));
    }
    MapObject(doc, &out);
  } else {
    if (!doc.IsArray()) {
      return absl::DataLossError(absl::StrCat(endpoint_.path, ": expected a JSON array"));
    }
    for (const rapidjson::Value& item : doc.GetArray()) {
      if (!item.IsObject()) {
        ++out.errors.wrong_type;
        continue;
      }
      MapObject(item, &out);
    }
  }

  std::erase_if(out.families, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
  return out;
}

}  // namespace warren::metrics
