// Structured logging, one line per event, in logfmt (ts=… level=… msg="…" key=value) or JSON
// ({"ts":…,"level":…,"msg":…,"key":"value"}), to stderr or a test sink.
// Thread-safe. Callers log state changes, not every scrape, and never pass secrets.
#ifndef WARREN_UTIL_LOG_H_
#define WARREN_UTIL_LOG_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace warren {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
absl::string_view LogLevelName(LogLevel level);

void SetLogLevel(LogLevel level);

enum class LogFormat { kLogfmt, kJson };

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);
absl::string_view LogFormatName(LogFormat format);

void SetLogFormat(LogFormat format);

// Replaces stderr as the destination of every line (without its newline); nullptr restores it.
void SetLogSink(std::function<void(absl::string_view line)> sink);

using LogField = std::pair<absl::string_view, std::string>;
void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});

// One logfmt value: bare if it is a simple token, else quoted with \" \\ \n escaped.
std::string LogfmtValue(absl::string_view value);

// One JSON string literal; control characters escaped, invalid UTF-8 replaced by U+FFFD.
std::string JsonValue(absl::string_view value);

}  // namespace warren

#endif  // WARREN_UTIL_LOG_H_
