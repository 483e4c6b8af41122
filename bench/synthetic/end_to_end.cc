// warren_bench_end_to_end: the real warren binary against the synthetic broker. For each queue
// count: a fresh broker and a fresh warren (--scrape.min-interval=0s, so every scrape fetches),
// one warm-up scrape, a wait until warren is idle (the health checks and definitions it starts
// in the background), then R scrapes of /metrics as Prometheus asks (gzip accepted): wall time,
// bytes of text, warren's CPU (utime+stime from /proc/<pid>/stat) per scrape, and its peak RSS
// (VmHWM). Prints a markdown report.
// Fails if warren's answer is wrong (rabbitmq_up not 1, queues missing): never on a timing.
//
//   warren_bench_end_to_end [--queues=10000,100000] [--reps=5] [--seed=1] [--warren=PATH] [--broker=PATH]
#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/synthetic/proc_stats.h"
#include "bench/synthetic/subprocess.h"
#include "bench/synthetic/summary.h"

ABSL_FLAG(std::vector<std::string>, queues, std::vector<std::string>({"10000", "100000"}),
          "queue counts, one run each");
ABSL_FLAG(int, reps, 5, "measured scrapes per queue count, after one warm-up scrape");
ABSL_FLAG(uint64_t, seed, 1, "seed of the synthetic cluster");
ABSL_FLAG(std::string, warren, "", "warren binary (default: ../exporter/warren from this program's directory)");
ABSL_FLAG(std::string, broker, "", "warren_synthetic_broker binary (default: the one next to this program)");

namespace warren::bench {
namespace {

struct Run {
  uint64_t queues = 0;
  std::vector<double> wall_s, cpu_s, bytes;
  double peak_rss = 0, end_rss = 0;
  std::string queues_fetch_s;        // warren_scrape_duration_seconds{endpoint="queues"} of the last scrape
  std::vector<std::string> failing;  // endpoints with warren_scrape_success 0
};

int Fail(const absl::Status& status) {
  std::cerr << "warren_bench_end_to_end: " << status.message() << "\n";
  return 1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The port from warren's "listening" log line (logfmt: address=127.0.0.1:PORT).
absl::StatusOr<int> WaitForPort(const std::string& log_path, Subprocess& warren) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    for (absl::string_view line : absl::StrSplit(ReadFile(log_path), '\n')) {
      const size_t at = line.find("127.0.0.1:");
      int port = 0;
      if (absl::StrContains(line, "listening") && at != absl::string_view::npos &&
          absl::SimpleAtoi(line.substr(at + 10, line.find_first_not_of("0123456789", at + 10) - at - 10), &port)) {
        return port;
      }
    }
    if (!warren.Running()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::UnavailableError(absl::StrCat("warren did not start listening; its log:\n", ReadFile(log_path)));
}

// Waits until warren has used no CPU for a while: the fetches a scrape started in the background
// (health checks, definitions) are done.
absl::Status WaitUntilIdle(pid_t pid) {
  const absl::Time give_up = absl::Now() + absl::Minutes(30);
  absl::StatusOr<double> before = CpuSeconds(pid);
  while (before.ok() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(500));
    absl::StatusOr<double> after = CpuSeconds(pid);
    if (!after.ok()) return after.status();
    if (*after - *before < 0.02) return absl::OkStatus();
    before = after;
  }
  return before.ok() ? absl::DeadlineExceededError("warren stayed busy for 30 minutes") : before.status();
}

// The value of the sample line starting with `prefix` ("rabbitmq_up "), or "".
std::string SampleValue(const std::string& text, const std::string& prefix) {
  const size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  const size_t start = at + 1 + prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

absl::Status Check(const std::string& metrics, Run* run) {
  if (SampleValue(metrics, "rabbitmq_up ") != "1") return absl::InternalError("warren says rabbitmq_up is not 1");
  size_t infos = 0;
  for (size_t at = metrics.find("\nrabbitmq_queue_info{"); at != std::string::npos;
       at = metrics.find("\nrabbitmq_queue_info{", at + 1)) {
    ++infos;
  }
  if (infos != run->queues) {
    return absl::InternalError(absl::StrCat("warren exported ", infos, " queues of ", run->queues));
  }
  run->queues_fetch_s = SampleValue(metrics, "warren_scrape_duration_seconds{endpoint=\"queues\"} ");
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (absl::ConsumePrefix(&line, "warren_scrape_success{endpoint=\"") && absl::EndsWith(line, "\"} 0")) {
      run->failing.emplace_back(line.substr(0, line.find('"')));
    }
  }
  return absl::OkStatus();
}

absl::Status Measure(const std::string& warren_path, const std::string& broker_path, int reps, Run* run) {
  absl::StatusOr<std::unique_ptr<Subprocess>> broker =
      Subprocess::Start({broker_path, absl::StrCat("--queues=", run->queues),
                         absl::StrCat("--seed=", absl::GetFlag(FLAGS_seed)), "--port=0"});
  if (!broker.ok()) return broker.status();
  absl::StatusOr<std::string> broker_port = (*broker)->ReadLine(absl::Now() + absl::Minutes(30));
  if (!broker_port.ok()) return broker_port.status();

  char dir_template[] = "/tmp/warren-bench-e2e.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return absl::InternalError("mkdtemp failed");
  const std::string dir = dir_template;
  const std::string log_path = dir + "/warren.log";
  // Health checks and definitions are fetched at the warm-up only: the measured scrapes are the
  // per-scrape path. The timeout and the body cap leave room for a million queues (their
  // /api/queues is larger than the default cap of 256 MiB).
  absl::StatusOr<std::unique_ptr<Subprocess>> warren = Subprocess::Start(
      {warren_path, absl::StrCat("--rabbitmq.url=http://127.0.0.1:", *broker_port), "--web.listen-address=127.0.0.1:0",
       "--scrape.min-interval=0s", "--scrape.timeout=30m", "--scrape.health-interval=24h",
       "--scrape.definitions-interval=24h", "--scrape.max-body-bytes=4294967296"},
      log_path);
  if (!warren.ok()) return warren.status();
  const pid_t pid = (*warren)->pid();
  absl::Status status = [&]() -> absl::Status {
    absl::StatusOr<int> port = WaitForPort(log_path, **warren);
    if (!port.ok()) return port.status();
    httplib::Client client("127.0.0.1", *port);
    client.set_read_timeout(std::chrono::minutes(30));
    auto scrape = [&]() -> absl::StatusOr<std::string> {
      // What Prometheus 2.x sends: it accepts gzip, so an exporter that compresses pays for it here.
      httplib::Result result =
          client.Get("/metrics", {{"Accept-Encoding", "gzip"}, {"Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1"}});
      if (!result) return absl::UnavailableError(absl::StrCat("GET /metrics: ", httplib::to_string(result.error())));
      if (result->status != 200) return absl::InternalError(absl::StrCat("GET /metrics: HTTP ", result->status));
      return std::move(result->body);
    };
    if (absl::StatusOr<std::string> warm_up = scrape(); !warm_up.ok()) return warm_up.status();
    if (absl::Status idle = WaitUntilIdle(pid); !idle.ok()) return idle;
    std::string last;
    for (int rep = 0; rep < reps; ++rep) {
      absl::StatusOr<double> cpu_before = CpuSeconds(pid);
      const absl::Time start = absl::Now();
      absl::StatusOr<std::string> metrics = scrape();
      const absl::Duration wall = absl::Now() - start;
      absl::StatusOr<double> cpu_after = CpuSeconds(pid);
      if (!metrics.ok()) return metrics.status();
      if (!cpu_before.ok() || !cpu_after.ok()) return absl::InternalError("cannot read warren's CPU time");
      run->wall_s.push_back(absl::ToDoubleSeconds(wall));
      run->cpu_s.push_back(*cpu_after - *cpu_before);
      run->bytes.push_back(static_cast<double>(metrics->size()));
      last = *std::move(metrics);
    }
    absl::StatusOr<int64_t> peak = StatusBytes(pid, "VmHWM"), rss = StatusBytes(pid, "VmRSS");
    if (!peak.ok() || !rss.ok()) return absl::InternalError("cannot read warren's memory");
    run->peak_rss = static_cast<double>(*peak);
    run->end_rss = static_cast<double>(*rss);
    return Check(last, run);
  }();
  absl::Status stopped = (*warren)->Stop();
  if (!status.ok())
    status = absl::InternalError(absl::StrCat(status.message(), "\nwarren's log:\n", ReadFile(log_path)));
  std::filesystem::remove_all(dir);
  if (!status.ok()) return status;
  if (!stopped.ok()) return stopped;
  return (*broker)->Stop();
}

std::string QueuesFetch(const Run& run) {
  double seconds = 0;
  return absl::SimpleAtod(run.queues_fetch_s, &seconds) ? absl::StrFormat("%.3f", seconds) : "-";
}

void Report(const std::vector<Run>& runs, int reps) {
  std::cout << "\n### warren end to end\n\n"
            << "One warm-up scrape, a wait until warren is idle, then " << reps
            << " scrapes of `/metrics`; median (min–max). CPU: warren's utime+stime over each scrape (clock "
               "ticks of 0.01 s). RSS: VmHWM and VmRSS of warren after the last scrape. Queues fetch: warren's own "
               "`warren_scrape_duration_seconds{endpoint=\"queues\"}` of the last scrape.\n\n"
            << "| queues | wall s per scrape | warren CPU s per scrape | /metrics MB | peak RSS MB | RSS at end MB "
               "| peak RSS B/queue | queues fetch s |\n"
            << "|---|---|---|---|---|---|---|---|\n";
  for (const Run& run : runs) {
    std::cout << "| " << run.queues << " | " << Format(Summarize(run.wall_s), 3) << " | "
              << Format(Summarize(run.cpu_s), 2) << " | "
              << absl::StrFormat("%.1f", Summarize(run.bytes).median / (1 << 20)) << " | "
              << absl::StrFormat("%.1f", run.peak_rss / (1 << 20)) << " | "
              << absl::StrFormat("%.1f", run.end_rss / (1 << 20)) << " | "
              << absl::StrFormat("%.0f", run.peak_rss / static_cast<double>(run.queues)) << " | " << QueuesFetch(run)
              << " |\n";
  }
  if (!runs.empty()) {
    std::cout << "\nEndpoints with `warren_scrape_success 0` (the synthetic broker has the federation and shovel "
                 "plugins off):";
    for (const std::string& name : runs.back().failing) std::cout << " " << name;
    std::cout << "\n";
  }
}

int Main() {
  const int reps = absl::GetFlag(FLAGS_reps);
  if (reps < 1) return Fail(absl::InvalidArgumentError("--reps must be at least 1"));
  const std::filesystem::path here = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  std::string warren = absl::GetFlag(FLAGS_warren), broker = absl::GetFlag(FLAGS_broker);
  if (warren.empty()) warren = (here.parent_path() / "exporter" / "warren").string();
  if (broker.empty()) broker = (here / "warren_synthetic_broker").string();
  std::vector<Run> runs;
  for (const std::string& size : absl::GetFlag(FLAGS_queues)) {
    Run run;
    if (!absl::SimpleAtoi(size, &run.queues) || run.queues == 0) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--queues: not a positive count: ", size)));
    }
    std::cerr << "[end-to-end] " << run.queues << " queues: " << reps << " scrapes of " << warren << "\n";
    if (absl::Status status = Measure(warren, broker, reps, &run); !status.ok()) return Fail(status);
    runs.push_back(std::move(run));
  }
  Report(runs, reps);
  return 0;
}

}  // namespace
}  // namespace warren::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("the warren binary's cost per scrape against a synthetic broker");
  absl::ParseCommandLine(argc, argv);
  return warren::bench::Main();
}
