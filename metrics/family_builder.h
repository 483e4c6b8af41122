// One family's exposition text, written line by line without a series object per sample: the
// hot path of /api/queues writes about ten lines per queue, and prometheus-cpp's ClientMetric,
// sort and iostream serializer cost most of a scrape (bench/RESULTS.md).
#ifndef WARREN_METRICS_FAMILY_BUILDER_H_
#define WARREN_METRICS_FAMILY_BUILDER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "metrics/exposition.h"
#include "prometheus/metric_type.h"

namespace warren::metrics {

// Appends `value` escaped for a label value: backslash, double quote and newline; everything
// else (UTF-8 included) as is.
void AppendLabelValue(std::string* out, absl::string_view value);

// Appends `value` as prometheus-cpp 1.0 writes it ("%.16g", "Nan", "+Inf", "-Inf"), so the text
// is the same whichever of the two wrote a family; but beyond ±1.797693134862315e308, where 16
// digits round past DBL_MAX and Prometheus would refuse the scrape, with 17 ("%.17g").
void AppendSampleValue(std::string* out, double value);

// Appends `name="value"` (value escaped) to `out`, with a comma if `out` already holds labels:
// text for FamilyBuilder::Labels.
void AppendLabel(std::string* out, absl::string_view name, absl::string_view value);

// Writes the HELP and TYPE lines, then the samples in the order they are written: the caller
// writes them sorted by label values. A sample is Label() for each label, then Value().
class FamilyBuilder {
 public:
  FamilyBuilder(absl::string_view name, absl::string_view help, prometheus::MetricType type);

  FamilyBuilder& Label(absl::string_view name, absl::string_view value);
  // Labels already written by AppendLabels: an object's identity, escaped once for all its series.
  FamilyBuilder& Labels(absl::string_view written);
  void Value(double value);

  const std::string& name() const { return name_; }
  size_t samples() const { return samples_; }
  // Bytes written so far, HELP and TYPE lines included; and room for `bytes` in all, so a large
  // family is not copied each time its text doubles.
  size_t bytes() const { return text_.size(); }
  void Reserve(size_t bytes) { text_.reserve(bytes); }
  // The text so far; the builder is empty afterwards.
  FamilyText Finish() &&;

 private:
  std::string name_;
  std::string text_;
  size_t samples_ = 0;
  bool in_labels_ = false;  // a sample's "name{" is written, its "}" not yet
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_FAMILY_BUILDER_H_
