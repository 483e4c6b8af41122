// An independent reader of the Prometheus text format (0.0.4) for the fuzz targets: whatever warren
// serializes must parse line by line, with label values and help text escaped, and must say
// each family's series in label order, and the assembled text must hold exactly what the family
// chunks held. Written from the format's description, not from the writer, so the two cannot
// share a mistake.
#ifndef WARREN_FUZZ_EXPOSITION_CHECK_H_
#define WARREN_FUZZ_EXPOSITION_CHECK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "metrics/exposition.h"

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

// OK if `parsed` holds exactly the samples, help and type of `given` in any order (families of
// one name count as one, as Assemble merges them).
absl::Status SameSamples(const std::vector<ParsedFamily>& parsed, const std::vector<ParsedFamily>& given);

// Aborts unless each chunk parses on its own as one family of the chunk's name with at least one
// sample and its series sorted by labels (the first label), and their Assemble (as the scraper serves them) drops
// none as a duplicate, parses, and holds exactly the chunks' samples.
void CheckServedText(const std::vector<const metrics::FamilyText*>& chunks);
// The same for the families of one mapping.
void CheckServedText(const std::vector<metrics::FamilyText>& families);

// True if `text` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsUtf8(absl::string_view text);

}  // namespace warren::fuzz

#endif  // WARREN_FUZZ_EXPOSITION_CHECK_H_
