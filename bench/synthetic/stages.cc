// warren_bench_stages: warren's own time per stage of its largest fetches (receive, parse, map,
// join, serialize, assemble: see stage_measure.h) and its peak RSS, against the synthetic broker,
// for several queue counts. Each count gets a fresh broker and each endpoint a fresh measuring
// process (this program again, with --measure_url), so peaks never mix. Prints a markdown report
// on stdout, progress on stderr. Numbers only: nothing here judges a timing.
//
//   warren_bench_stages [--queues=10000,100000] [--reps=5] [--endpoints=queues,definitions]
//                       [--seed=1] [--broker=PATH]
#include <malloc.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/synthetic/stage_measure.h"
#include "bench/synthetic/subprocess.h"
#include "bench/synthetic/summary.h"
#include "exporter/broker/broker_url.h"
#include "exporter/broker/rabbit_client.h"
#include "metrics/endpoints.h"

ABSL_FLAG(std::vector<std::string>, queues, std::vector<std::string>({"10000", "100000"}),
          "queue counts, one run each");
ABSL_FLAG(int, reps, 5, "repetitions per queue count and endpoint");
ABSL_FLAG(std::vector<std::string>, endpoints, std::vector<std::string>({"queues", "definitions"}),
          "warren endpoints to measure (Endpoint::name)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the synthetic cluster");
ABSL_FLAG(std::string, broker, "", "warren_synthetic_broker binary (default: the one next to this program)");
ABSL_FLAG(std::string, measure_url, "",
          "internal: measure the first of --endpoints against this broker URL in this process and print "
          "the measurements");

namespace warren::bench {
namespace {

struct Run {
  uint64_t queues;
  std::string endpoint;
  Measurements m;
};

int Fail(const absl::Status& status) {
  std::cerr << "warren_bench_stages: " << status.message() << "\n";
  return 1;
}

// The measuring child: one endpoint, all repetitions, in this process.
int MeasureHere(const std::string& url, const std::string& endpoint_name, int reps) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the child has started no other thread yet.
  mallopt(M_ARENA_MAX, 2);  // as warren's main() does
  const metrics::Endpoint* endpoint = metrics::EndpointNamed(endpoint_name);
  if (endpoint == nullptr) return Fail(absl::InvalidArgumentError(absl::StrCat("no endpoint named ", endpoint_name)));
  absl::StatusOr<BrokerUrl> parsed = ParseBrokerUrl(url);
  if (!parsed.ok()) return Fail(parsed.status());
  // The body cap is lifted: the definitions of a million queues exceed warren's default 256 MiB.
  const RabbitClient client(ClientOptions{
      .url = *parsed, .user = "guest", .password = "guest", .max_body_bytes = int64_t{8} << 30, .tls = {}});
  absl::StatusOr<Measurements> measured = MeasureStages(client, *endpoint, reps);
  if (!measured.ok()) return Fail(measured.status());
  std::cout << ToLines(*measured);
  return 0;
}

Summary Of(const Measurements& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? Summary{} : Summarize(it->second);
}

double First(const Measurements& m, const std::string& name) { return Of(m, name).median; }

std::string Mb(double bytes) { return absl::StrFormat("%.1f", bytes / (1 << 20)); }

constexpr const char* kStages[] = {"receive", "parse", "map", "join", "serialize", "assemble"};

// One row per run of `name`: the stages' medians of `suffix` ("_cpu_ms" or "_ms"), their sum, the floor.
void TimeTable(const std::vector<Run>& runs, const std::string& name, const std::string& suffix) {
  std::cout << "| queues | body MB | receive | parse | map | join | serialize | assemble | warren total | floor |\n"
            << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Run& run : runs) {
    if (run.endpoint != name) continue;
    double total = 0;
    std::cout << "| " << run.queues << " | " << Mb(First(run.m, "body_bytes"));
    for (const char* stage : kStages) {
      const Summary s = Of(run.m, absl::StrCat(stage, suffix));
      total += s.median;
      std::cout << " | " << Format(s);
    }
    std::cout << " | " << absl::StrFormat("%.1f", total) << " | " << Format(Of(run.m, "floor" + suffix)) << " |\n";
  }
}

void RatioTable(const std::vector<Run>& runs, const std::string& name) {
  std::cout << "| queues | receive | parse | map | join | serialize | assemble | warren total |\n"
            << "|---|---|---|---|---|---|---|---|\n";
  for (const Run& run : runs) {
    if (run.endpoint != name) continue;
    const double floor = First(run.m, "floor_cpu_ms");
    double total = 0;
    std::cout << "| " << run.queues;
    for (const char* stage : kStages) {
      const double median = First(run.m, absl::StrCat(stage, "_cpu_ms"));
      total += median;
      std::cout << " | " << absl::StrFormat("%.2f", median / floor);
    }
    std::cout << " | " << absl::StrFormat("%.2f", total / floor) << " |\n";
  }
}

void MemoryTable(const std::vector<Run>& runs, const std::string& name) {
  std::cout << "| queues | samples | exposition MB | RSS at start MB | peak RSS MB | (peak − start) B/queue "
               "| live heap B/queue after: receive | parse | map | serialize | assemble |\n"
            << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Run& run : runs) {
    if (run.endpoint != name) continue;
    const double n = static_cast<double>(run.queues);
    const double start = First(run.m, "rss_start_bytes"), peak = First(run.m, "rss_peak_bytes");
    std::cout << "| " << run.queues << " | " << absl::StrFormat("%.0f", First(run.m, "samples")) << " | "
              << Mb(First(run.m, "exposition_bytes")) << " | " << Mb(start) << " | " << Mb(peak) << " | "
              << absl::StrFormat("%.0f", (peak - start) / n);
    for (const char* stage : {"receive", "parse", "map", "serialize", "assemble"}) {
      std::cout << " | " << absl::StrFormat("%.0f", First(run.m, absl::StrCat("heap_after_", stage, "_bytes")) / n);
    }
    std::cout << " |\n";
  }
}

void Report(const std::vector<Run>& runs, const std::vector<std::string>& endpoints, int reps) {
  for (const std::string& name : endpoints) {
    const metrics::Endpoint* endpoint = metrics::EndpointNamed(name);
    std::cout << "\n### `" << endpoint->path << "`: warren's CPU time per stage\n\n"
              << "Milliseconds of CPU time of the measuring thread, median (min–max) of " << reps
              << " repetitions; warren total: the sum of the stage medians; floor: RapidJSON's `Document::Parse` "
                 "of the same bytes. Receive is warren's side only (RabbitClient::Get).\n\n";
    TimeTable(runs, name, "_cpu_ms");
    std::cout << "\nThe same medians ÷ the floor's median:\n\n";
    RatioTable(runs, name);
    std::cout << "\nWall milliseconds of the same stages (receive includes the broker and the loopback transfer; "
                 "all include what other processes took from a shared machine):\n\n";
    TimeTable(runs, name, "_ms");
    std::cout << "\nMemory of the measuring process: RSS from /proc/self/status (VmRSS before the first "
                 "repetition, VmHWM after the last); live heap (glibc mallinfo2) after each stage of the first "
                 "repetition, above what was live before it: after map the document and the families' text are alive "
                 "at once (the body was freed after parsing, as Scraper::Fetch does).\n\n";
    MemoryTable(runs, name);
    for (const Run& run : runs) {
      if (run.endpoint != name) continue;
      const double missing = First(run.m, "field_errors_missing"), wrong = First(run.m, "field_errors_wrong_type");
      if (missing + wrong > 0) {
        std::cout << "\nField errors warren counts at " << run.queues << " queues (fields a queue kind does not have): "
                  << "missing " << missing << ", wrong type " << wrong << ".\n";
        break;
      }
    }
  }
}

int Orchestrate() {
  const int reps = absl::GetFlag(FLAGS_reps);
  const std::vector<std::string> endpoints = absl::GetFlag(FLAGS_endpoints);
  if (reps < 1) return Fail(absl::InvalidArgumentError("--reps must be at least 1"));
  for (const std::string& name : endpoints) {
    if (metrics::EndpointNamed(name) == nullptr)
      return Fail(absl::InvalidArgumentError(absl::StrCat("no endpoint named ", name)));
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string broker = absl::GetFlag(FLAGS_broker);
  if (broker.empty()) broker = (std::filesystem::path(self).parent_path() / "warren_synthetic_broker").string();

  std::vector<Run> runs;
  for (const std::string& size : absl::GetFlag(FLAGS_queues)) {
    uint64_t queues = 0;
    if (!absl::SimpleAtoi(size, &queues) || queues == 0) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--queues: not a positive count: ", size)));
    }
    std::cerr << "[stages] " << queues << " queues: generating the synthetic broker's bodies\n";
    absl::StatusOr<std::unique_ptr<Subprocess>> server = Subprocess::Start(
        {broker, absl::StrCat("--queues=", queues), absl::StrCat("--seed=", absl::GetFlag(FLAGS_seed)), "--port=0"});
    if (!server.ok()) return Fail(server.status());
    absl::StatusOr<std::string> port = (*server)->ReadLine(absl::Now() + absl::Minutes(30));
    if (!port.ok()) return Fail(port.status());
    for (const std::string& endpoint : endpoints) {
      std::cerr << "[stages] " << queues << " queues: " << endpoint << ", " << reps << " repetitions\n";
      absl::StatusOr<std::unique_ptr<Subprocess>> child =
          Subprocess::Start({self, absl::StrCat("--measure_url=http://127.0.0.1:", *port),
                             absl::StrCat("--endpoints=", endpoint), absl::StrCat("--reps=", reps)});
      if (!child.ok()) return Fail(child.status());
      absl::StatusOr<std::string> lines = (*child)->ReadToEndAndWait(absl::Now() + absl::Hours(3));
      if (!lines.ok()) return Fail(lines.status());
      absl::StatusOr<Measurements> measured = FromLines(*lines);
      if (!measured.ok()) return Fail(measured.status());
      runs.push_back({queues, endpoint, *std::move(measured)});
    }
    if (absl::Status stopped = (*server)->Stop(); !stopped.ok()) return Fail(stopped);
  }
  Report(runs, endpoints, reps);
  return 0;
}

}  // namespace
}  // namespace warren::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("warren's time and memory per stage against a synthetic broker");
  absl::ParseCommandLine(argc, argv);
  const std::string url = absl::GetFlag(FLAGS_measure_url);
  if (!url.empty()) {
    const std::vector<std::string> endpoints = absl::GetFlag(FLAGS_endpoints);
    return warren::bench::MeasureHere(url, endpoints.empty() ? "" : endpoints[0], absl::GetFlag(FLAGS_reps));
  }
  return warren::bench::Orchestrate();
}
