// What Linux and glibc say about a process's memory and CPU time, for the benchmark reports.
#ifndef WARREN_BENCH_SYNTHETIC_PROC_STATS_H_
#define WARREN_BENCH_SYNTHETIC_PROC_STATS_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace warren::bench {

// A "kB" line of /proc/<pid>/status in bytes: "VmHWM" (peak resident set), "VmRSS". pid 0: self.
absl::StatusOr<int64_t> StatusBytes(pid_t pid, absl::string_view field);

// User plus system CPU time of the process so far (utime + stime of /proc/<pid>/stat).
absl::StatusOr<double> CpuSeconds(pid_t pid);

// Bytes the process's heap has handed out and not had back (glibc mallinfo2), over all arenas.
int64_t HeapInUseBytes();

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_PROC_STATS_H_
