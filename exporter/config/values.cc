#include "exporter/config/values.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/read_file.h"

namespace warren {

absl::Status SetDuration(absl::string_view value, absl::Duration* out) {
  if (!absl::ParseDuration(value, out)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", value, "\" (e.g. 10s, 500ms)"));
  }
  return absl::OkStatus();
}

absl::Status SetInt(absl::string_view value, int64_t* out) {
  if (!absl::SimpleAtoi(value, out)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid number \"", value, "\""));
  }
  return absl::OkStatus();
}

absl::Status SetBool(absl::string_view value, bool* out) {
  if (value == "true") {
    *out = true;
  } else if (value == "false") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("want true or false, not \"", value, "\""));
  }
  return absl::OkStatus();
}

absl::Status PasswordFromText(absl::string_view text, std::string* out) {
  // Written with echo or by a secret store, a file or variable often ends in a newline that is not
  // part of the password; both sources are treated the same.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return absl::InvalidArgumentError("empty");
  *out = std::string(text);
  return absl::OkStatus();
}

absl::Status ReadPasswordFile(absl::string_view path, std::string* out) {
  std::string text;
  if (absl::Status s = ReadLimitedFile(std::string(path), kMaxPasswordFileBytes, &text); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read \"", path, "\": ", s.message()));
  }
  if (absl::Status s = PasswordFromText(text, out); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", path, "\" is empty"));
  }
  return absl::OkStatus();
}

}  // namespace warren
