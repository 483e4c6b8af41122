// UTF-8 repair for text from outside (broker JSON, queue names) before it reaches exposition text
// or a log line. Neutral: used by metrics/ and by the log alike.
#ifndef WARREN_UTIL_UTF8_H_
#define WARREN_UTIL_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace warren {

// Returns `in` unchanged if it is valid UTF-8, else a copy with each invalid byte replaced by
// U+FFFD, so a label value can never make the exposition unparsable.
std::string ValidUtf8(absl::string_view in);
// The same without a copy in the common case: `in` itself if it is valid, else the repaired text
// in `*scratch`.
absl::string_view ValidUtf8(absl::string_view in, std::string* scratch);

// True if `in` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(absl::string_view in);

}  // namespace warren

#endif  // WARREN_UTIL_UTF8_H_
