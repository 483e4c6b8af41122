// Small helpers shared by the tests.
#ifndef WARREN_TESTS_TEST_UTIL_H_
#define WARREN_TESTS_TEST_UTIL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace warren::testing {

// The value of the sample whose series is exactly `series` (e.g. `rabbitmq_up` or
// `rabbitmq_queue_messages{vhost="/",queue="q"}`) in exposition `text`, if present.
std::optional<double> SampleValue(absl::string_view text, absl::string_view series);

struct ParsedSample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, unescaped value
  double value = 0;
};
// The sample lines of exposition `text` (one family's), label values unescaped. For tests of
// text that is known to be well-formed: nothing is validated.
std::vector<ParsedSample> ParseSamples(absl::string_view text);

// Number of sample lines (not comments) of family `name` in `text`.
int CountSamples(absl::string_view text, absl::string_view name);

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, absl::string_view contents);

// Appends `text` to $WARREN_TEST_ARTIFACTS/<kind>-<pid>.txt when that variable is set (scripts/test
// sets it): what warren produced in a test (log lines, expositions, error bodies), kept for the
// suite-wide secrets check (tests/secrets_check.py). Thread-safe. `kind`: log, metrics or error.
void Keep(absl::string_view kind, absl::string_view text);

// A TCP connection to 127.0.0.1:`port` (its receive buffer set when `receive_buffer` > 0), or -1.
int Connect(int port, int receive_buffer = 0);

// A unified diff of two texts (via diff -u), for failure messages.
std::string Diff(absl::string_view expected, absl::string_view actual);

}  // namespace warren::testing

#endif  // WARREN_TESTS_TEST_UTIL_H_
