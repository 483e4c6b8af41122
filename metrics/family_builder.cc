#include "metrics/family_builder.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace warren::metrics {
namespace {

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Summary:
      return "summary";
    case prometheus::MetricType::Histogram:
      return "histogram";
    case prometheus::MetricType::Untyped:
      return "untyped";
  }
  return "untyped";
}

// HELP text escapes only backslash and newline.
void AppendHelp(std::string* out, absl::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

void AppendLabelValue(std::string* out, absl::string_view value) {
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out->append(value.data() + start, i - start);
    out->push_back('\\');
    out->push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out->append(value.data() + start, value.size() - start);
}

namespace {

// The largest double that 16 significant digits write as a number no larger than DBL_MAX.
constexpr double kLargest16Digits = 1.797693134862315e308;

}  // namespace

void AppendSampleValue(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("Nan");
  } else if (std::isinf(value)) {
    out->append(value < 0 ? "-Inf" : "+Inf");
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15 && !(value == 0 && std::signbit(value))) {
    // Most samples are counts and byte sizes: whole numbers, which "%.16g" writes as integers
    // below 1e16 (and -0 as "-0"). Integer formatting is several times faster.
    char buffer[24];
    const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value));
    if (result.ec == std::errc()) out->append(buffer, result.ptr);
  } else {
    char buffer[32];  // "%.17g" needs at most 24: sign, 17 digits, point, "e-308"
    std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 16);
    // 16 digits round the largest doubles up past DBL_MAX, which Prometheus refuses as out of
    // range (the whole scrape with it); 17 always read back as the same double.
    if (result.ec == std::errc() && std::fabs(value) > kLargest16Digits) {
      result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 17);
    }
    if (result.ec == std::errc()) out->append(buffer, result.ptr);
  }
}

FamilyBuilder::FamilyBuilder(absl::string_view name, absl::string_view help, prometheus::MetricType type)
    : name_(name) {
  if (!help.empty()) {
    text_.append("# HELP ").append(name_).push_back(' ');
    AppendHelp(&text_, help);
    text_.push_back('\n');
  }
  text_.append("# TYPE ").append(name_).push_back(' ');
  text_.append(TypeName(type)).push_back('\n');
}

void AppendLabel(std::string* out, absl::string_view name, absl::string_view value) {
  if (!out->empty()) out->push_back(',');
  out->append(name.data(), name.size()).append("=\"");
  AppendLabelValue(out, value);
  out->push_back('"');
}

FamilyBuilder& FamilyBuilder::Labels(absl::string_view written) {
  if (written.empty()) return *this;
  if (in_labels_) {
    text_.push_back(',');
  } else {
    text_.append(name_).push_back('{');
    in_labels_ = true;
  }
  text_.append(written.data(), written.size());
  return *this;
}

FamilyBuilder& FamilyBuilder::Label(absl::string_view name, absl::string_view value) {
  if (in_labels_) {
    text_.push_back(',');
  } else {
    text_.append(name_).push_back('{');
    in_labels_ = true;
  }
  text_.append(name.data(), name.size()).append("=\"");
  AppendLabelValue(&text_, value);
  text_.push_back('"');
  return *this;
}

void FamilyBuilder::Value(double value) {
  if (in_labels_) {
    text_.push_back('}');
    in_labels_ = false;
  } else {
    text_.append(name_);
  }
  text_.push_back(' ');
  AppendSampleValue(&text_, value);
  text_.push_back('\n');
  ++samples_;
}

FamilyText FamilyBuilder::Finish() && {
  samples_ = 0;
  // The text is kept until the next fetch replaces it, beside that fetch's: drop a large growth
  // slack (up to half of it after doubling) for one copy now, but not the few percent a Reserve()
  // overshot by, which would cost a copy of the whole text to save little.
  if (text_.capacity() - text_.size() > text_.size() / 4) text_.shrink_to_fit();
  return {std::move(name_), std::move(text_)};
}

}  // namespace warren::metrics
