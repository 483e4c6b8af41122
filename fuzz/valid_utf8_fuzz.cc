// ValidUtf8, which every label value passes through: its output is valid UTF-8 (by the
// independent check in exposition_check), valid input comes back unchanged, and repairing twice
// changes nothing more.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/check.h"
#include "fuzz/exposition_check.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using warren::fuzz::Check;
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string out = warren::ValidUtf8(in);
  Check(warren::fuzz::IsUtf8(out), "the output is valid UTF-8");
  if (warren::fuzz::IsUtf8(in)) Check(out == in, "valid input is unchanged");
  Check(warren::ValidUtf8(out) == out, "repairing is idempotent");
  Check(out.size() >= in.size() && out.size() <= 3 * in.size(), "each byte stays or becomes U+FFFD");
  return 0;
}
