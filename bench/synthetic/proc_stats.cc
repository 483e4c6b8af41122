#include "bench/synthetic/proc_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace warren::bench {
namespace {

absl::StatusOr<std::string> ReadProc(pid_t pid, absl::string_view file) {
  const std::string path = pid == 0 ? absl::StrCat("/proc/self/", file) : absl::StrCat("/proc/", pid, "/", file);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<int64_t> StatusBytes(pid_t pid, absl::string_view field) {
  absl::StatusOr<std::string> status = ReadProc(pid, "status");
  if (!status.ok()) return status.status();
  for (absl::string_view line : absl::StrSplit(*status, '\n')) {
    if (!absl::ConsumePrefix(&line, field) || !absl::ConsumePrefix(&line, ":")) continue;
    line = absl::StripAsciiWhitespace(line);
    int64_t kb = 0;
    if (absl::ConsumeSuffix(&line, " kB") && absl::SimpleAtoi(line, &kb)) return kb * 1024;
  }
  return absl::NotFoundError(absl::StrCat("no ", field, " in /proc/", pid, "/status"));
}

absl::StatusOr<double> CpuSeconds(pid_t pid) {
  absl::StatusOr<std::string> stat = ReadProc(pid, "stat");
  if (!stat.ok()) return stat.status();
  // The command name (field 2) may hold spaces and ')': the fields after the last ')' start at 3.
  const size_t end = stat->rfind(')');
  if (end == std::string::npos) return absl::DataLossError("unreadable /proc/<pid>/stat");
  std::vector<absl::string_view> fields = absl::StrSplit(absl::string_view(*stat).substr(end + 2), ' ');
  int64_t utime = 0, stime = 0;  // fields 14 and 15, in clock ticks
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::DataLossError("unreadable /proc/<pid>/stat");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t HeapInUseBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

}  // namespace warren::bench
