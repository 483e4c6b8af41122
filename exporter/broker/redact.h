// What a broker or a proxy answered in an error, made safe to log: a target or proxy that echoes
// the request puts `Authorization: Basic <base64>` in its body, and the log must never carry it.
#ifndef WARREN_EXPORTER_BROKER_REDACT_H_
#define WARREN_EXPORTER_BROKER_REDACT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace warren {

inline constexpr absl::string_view kRedacted = "[redacted]";

// `text` with every occurrence of a non-empty `secrets` entry replaced by kRedacted, and also
// what looks like a credential whatever its value: the rest of a line after "authorization" and
// ':' or '=' (a header, a JSON or form field), the token after "Basic " or "Bearer ", and the
// userinfo of a URL ("://user:pass@"). Case-insensitive where the words are.
std::string Redact(absl::string_view text, const std::vector<std::string>& secrets);

// The first `max_chars` characters of Redact(body), non-printable ones as '?'. Only the first
// 64 KiB of the body are read, less the longest secret's length, so no secret is cut in two
// where the reading stops.
std::string SafeExcerpt(absl::string_view body, const std::vector<std::string>& secrets, size_t max_chars = 160);

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_REDACT_H_
