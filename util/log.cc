#include "util/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "util/utf8.h"

namespace warren {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kLogfmt};

struct Sink {
  absl::Mutex mu;
  std::function<void(absl::string_view)> fn ABSL_GUARDED_BY(mu);
};

Sink& GetSink() {
  static Sink* sink = new Sink;  // never destroyed: threads may log during exit
  return *sink;
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(absl::StrCat("unknown log level \"", name, "\" (want debug, info, warn or error)"));
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

void SetLogLevel(LogLevel level) { g_level.store(level); }

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "logfmt") return LogFormat::kLogfmt;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("unknown log format \"", name, "\" (want logfmt or json)"));
}

absl::string_view LogFormatName(LogFormat format) { return format == LogFormat::kJson ? "json" : "logfmt"; }

void SetLogFormat(LogFormat format) { g_format.store(format); }

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  Sink& s = GetSink();
  absl::MutexLock lock(&s.mu);
  s.fn = std::move(sink);
}

namespace {

// `value` in double quotes with " \ \n \r \t escaped; with `escape_controls`, the other control
// characters as \u00XX too (JSON needs that, logfmt does not).
std::string Quoted(absl::string_view value, bool escape_controls) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (escape_controls && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)) {
          absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string LogfmtValue(absl::string_view value) {
  bool bare = !value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || !absl::ascii_isprint(c)) bare = false;
  }
  return bare ? std::string(value) : Quoted(value, /*escape_controls=*/false);
}

std::string JsonValue(absl::string_view value) { return Quoted(ValidUtf8(value), /*escape_controls=*/true); }

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  if (level < g_level.load()) return;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (g_format.load() == LogFormat::kJson) {
    line = absl::StrCat("{\"ts\":\"", ts, "\",\"level\":\"", LogLevelName(level), "\",\"msg\":", JsonValue(msg));
    for (const LogField& field : fields)
      absl::StrAppend(&line, ",", JsonValue(field.first), ":", JsonValue(field.second));
    line += '}';
  } else {
    line = absl::StrCat("ts=", ts, " level=", LogLevelName(level), " msg=", LogfmtValue(msg));
    for (const LogField& field : fields) {
      absl::StrAppend(&line, " ", field.first, "=", LogfmtValue(field.second));
    }
  }
  Sink& sink = GetSink();
  absl::MutexLock lock(&sink.mu);
  if (sink.fn) {
    sink.fn(line);
  } else {
    line += '\n';
    // A failed write to stderr has nowhere to be reported.
    (void)std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace warren
