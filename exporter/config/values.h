// Setting values as text: the parsers shared by flags, environment, config file and /probe modules.
// Errors name the value, never the setting (the caller does).
#ifndef WARREN_EXPORTER_CONFIG_VALUES_H_
#define WARREN_EXPORTER_CONFIG_VALUES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace warren {

absl::Status SetDuration(absl::string_view value, absl::Duration* out);  // "10s", "500ms"
absl::Status SetInt(absl::string_view value, int64_t* out);
absl::Status SetBool(absl::string_view value, bool* out);  // "true" or "false"
// A password as given in a file or a variable: trailing CR and LF removed (what echo and secret
// stores add); what is left must not be empty.
absl::Status PasswordFromText(absl::string_view text, std::string* out);
// The password in the regular file at `path` (at most kMaxPasswordFileBytes), as PasswordFromText.
inline constexpr size_t kMaxPasswordFileBytes = 64 << 10;
absl::Status ReadPasswordFile(absl::string_view path, std::string* out);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_VALUES_H_
