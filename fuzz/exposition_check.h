// An independent reader of the Prometheus text format (0.0.4) for the fuzz targets: whatever warren
// serializes must parse line by line, with label values and help text escaped, and must say
// exactly what the metric families held. Written from the format's description, not from the
// serializer, so the two cannot share a mistake.
#ifndef WARREN_FUZZ_EXPOSITION_CHECK_H_
#define WARREN_FUZZ_EXPOSITION_CHECK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "prometheus/metric_family.h"

namespace warren::fuzz {

struct ParsedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped, in written order
  double value = 0;
};

struct ParsedFamily {
  std::string name, help, type;  // help unescaped
  std::vector<ParsedSample> samples;
};

// Strict: every family opens with `# HELP name text` and `# TYPE name gauge|counter|untyped`, once
// per name; its samples follow it and carry its name; no other comments, no empty lines, no
// timestamps; metric and label names valid, no label twice in a sample; label values and help
// text escaped (\\, \" in values, \n) and valid UTF-8; values are floats, +Inf, -Inf or NaN.
// Errors name the line.
absl::StatusOr<std::vector<ParsedFamily>> ParseExposition(absl::string_view text);

// OK if `parsed` holds exactly the samples, help and type of `families` in any order (families of
// one name count as one, as Assemble merges them). Values compare to 15 significant digits: the
// serializer writes 16.
absl::Status SameSamples(const std::vector<ParsedFamily>& parsed,
                         const std::vector<const prometheus::MetricFamily*>& families);

// Serializes `families` as the scraper does (SerializeFamilies, then Assemble into one text) and
// aborts unless no family was dropped as a duplicate and the text parses and holds exactly their
// samples.
void CheckServedText(const std::vector<prometheus::MetricFamily>& families);

// True if `text` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsUtf8(absl::string_view text);

}  // namespace warren::fuzz

#endif  // WARREN_FUZZ_EXPOSITION_CHECK_H_
