// What the fuzz targets share: a failed check aborts, so libFuzzer reports it with the input.
#ifndef WARREN_FUZZ_CHECK_H_
#define WARREN_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace warren::fuzz {

// Aborts, naming the check and the file and line of the target, unless `ok`.
inline void Check(bool ok, absl::string_view what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  if (ok) return;
  std::fprintf(stderr, "%s:%d: check failed: %.*s\n", file, line, static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void CheckOk(const absl::Status& status, absl::string_view what, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE()) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s:%d: check failed: %.*s: %s\n", file, line, static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

}  // namespace warren::fuzz

#endif  // WARREN_FUZZ_CHECK_H_
