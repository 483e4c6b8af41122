#include "exporter/scrape/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace warren {
namespace {

prometheus::MetricFamily Single(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric sample;
  if (type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  return {name, help, type, {sample}};
}

std::string ReadFile(const char* path) {
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Seconds since the epoch at which the machine booted, from /proc/stat's btime.
bool BootTime(double* out) {
  for (absl::string_view line : absl::StrSplit(ReadFile("/proc/stat"), '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) return absl::SimpleAtod(line, out);
  }
  return false;
}

int CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics() {
  std::vector<prometheus::MetricFamily> out;
  const std::string stat = ReadFile("/proc/self/stat");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::vector<absl::string_view> f = absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    // f[0] is field 3 (state): utime=14, stime=15, starttime=22, vsize=23, rss=24.
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0, boot = 0;
    if (f.size() > 21 && absl::SimpleAtod(f[11], &utime) && absl::SimpleAtod(f[12], &stime)) {
      out.push_back(Single("process_cpu_seconds_total", "User and system CPU time spent by warren.",
                           prometheus::MetricType::Counter, (utime + stime) / ticks));
    }
    if (f.size() > 21 && absl::SimpleAtod(f[20], &vsize)) {
      out.push_back(Single("process_virtual_memory_bytes", "Virtual memory size of warren.",
                           prometheus::MetricType::Gauge, vsize));
    }
    if (f.size() > 21 && absl::SimpleAtod(f[21], &rss)) {
      out.push_back(Single("process_resident_memory_bytes", "Resident memory size of warren.",
                           prometheus::MetricType::Gauge, rss * page));
    }
    if (f.size() > 21 && absl::SimpleAtod(f[19], &start) && BootTime(&boot)) {
      out.push_back(Single("process_start_time_seconds", "Start time of warren since the Unix epoch.",
                           prometheus::MetricType::Gauge, boot + start / ticks));
    }
  }
  if (const int fds = CountOpenFds(); fds >= 0) {
    out.push_back(Single("process_open_fds", "File descriptors open in warren.", prometheus::MetricType::Gauge, fds));
  }
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(Single("process_max_fds", "File descriptor limit of warren.", prometheus::MetricType::Gauge,
                         static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace warren
