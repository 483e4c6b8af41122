#include "bench/synthetic/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "util/errno_text.h"

extern char** environ;

namespace warren::bench {

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(const std::vector<std::string>& argv,
                                                              const std::string& stderr_path) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to start");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe2: ", ErrnoText(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** var = environ; *var != nullptr; ++var) {
    if (!absl::StartsWith(*var, "WARREN_")) env.push_back(*var);
  }
  env.push_back(nullptr);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", ErrnoText(error)));
  }
  return std::unique_ptr<Subprocess>(new Subprocess(pid, pipe_fds[0], argv[0]));
}

Subprocess::~Subprocess() {
  (void)Stop();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

absl::StatusOr<bool> Subprocess::Fill(absl::Time deadline) {
  while (true) {
    const int64_t wait_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::min<int64_t>(wait_ms, 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::InternalError(absl::StrCat("poll: ", ErrnoText(errno)));
    if (ready == 0) {
      if (absl::Now() >= deadline) return absl::DeadlineExceededError(absl::StrCat(name_, ": no output in time"));
      continue;
    }
    char chunk[65536];
    const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::InternalError(absl::StrCat("read: ", ErrnoText(errno)));
    if (n == 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

absl::StatusOr<std::string> Subprocess::ReadLine(absl::Time deadline) {
  while (buffer_.find('\n') == std::string::npos) {
    absl::StatusOr<bool> more = Fill(deadline);
    if (!more.ok()) return more.status();
    if (!*more) return absl::UnavailableError(absl::StrCat(name_, " ended its output before a full line"));
  }
  const size_t end = buffer_.find('\n');
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

absl::StatusOr<std::string> Subprocess::ReadToEndAndWait(absl::Time deadline) {
  while (true) {
    absl::StatusOr<bool> more = Fill(deadline);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  int wait_status = 0;
  while (waitpid(pid_, &wait_status, 0) < 0) {
    if (errno != EINTR) return absl::InternalError(absl::StrCat("waitpid: ", ErrnoText(errno)));
  }
  if (absl::Status status = Reap(wait_status); !status.ok()) return status;
  return std::move(buffer_);
}

absl::Status Subprocess::Reap(int wait_status) {
  reaped_ = true;
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return absl::OkStatus();
  if (WIFEXITED(wait_status))
    return absl::InternalError(absl::StrCat(name_, " exited with status ", WEXITSTATUS(wait_status)));
  return absl::InternalError(absl::StrCat(name_, " ended by signal ", WTERMSIG(wait_status)));
}

bool Subprocess::Running() {
  if (reaped_) return false;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) != pid_) return true;
  (void)Reap(wait_status);
  return false;
}

absl::Status Subprocess::Stop(absl::Duration grace) {
  if (reaped_) return absl::OkStatus();
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) return Reap(wait_status);
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + grace;
  while (absl::Now() < give_up) {
    if (waitpid(pid_, &wait_status, WNOHANG) == pid_) return Reap(wait_status);
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &wait_status, 0);
  reaped_ = true;
  return absl::DeadlineExceededError(
      absl::StrCat(name_, " ignored SIGTERM for ", absl::FormatDuration(grace), ": killed"));
}

}  // namespace warren::bench
