// A child process of a benchmark program: the synthetic broker, warren, or a fresh measuring
// process. Stopped (SIGTERM, then SIGKILL) when destroyed, so nothing outlives the benchmark.
#ifndef WARREN_BENCH_SYNTHETIC_SUBPROCESS_H_
#define WARREN_BENCH_SYNTHETIC_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace warren::bench {

class Subprocess {
 public:
  // Runs argv[0] (a path) with `argv`. Its stdout is a pipe read with ReadLine/ReadToEnd; its
  // stderr goes to `stderr_path`, or stays this process's when "". The environment is this
  // process's without WARREN_* variables, so a user's settings cannot change what is measured.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(const std::vector<std::string>& argv,
                                                           const std::string& stderr_path = "");
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // False once the process has exited (it is reaped then).
  bool Running();

  // The next line of stdout without its '\n'. Fails at end of output or at `deadline`.
  absl::StatusOr<std::string> ReadLine(absl::Time deadline);
  // The rest of stdout, then waits for the exit: fails unless the process exits with status 0.
  absl::StatusOr<std::string> ReadToEndAndWait(absl::Time deadline);
  // SIGTERM, up to `grace` to exit, then SIGKILL. OK if it exited with status 0 (or already had).
  absl::Status Stop(absl::Duration grace = absl::Seconds(10));

 private:
  Subprocess(pid_t pid, int stdout_fd, std::string name) : pid_(pid), stdout_fd_(stdout_fd), name_(std::move(name)) {}
  // Reads what is available into buffer_; false at end of output. Waits until `deadline`.
  absl::StatusOr<bool> Fill(absl::Time deadline);
  absl::Status Reap(int wait_status);

  const pid_t pid_;
  int stdout_fd_;
  const std::string name_;
  std::string buffer_;
  bool reaped_ = false;
};

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_SUBPROCESS_H_
