// Load on warren itself, over real loopback sockets: 1,000 concurrent /metrics clients, clients
// that read the answer 1 byte per second, oversized request headers, and many /probe targets at
// once. Checks that every answer is right, that threads and memory stay bounded, and that the
// broker is asked no more often than the cache allows. Prints [ LOAD ] lines with the numbers
// (docs/reliability.md quotes them). Numbers are reported, not asserted as timings.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "exporter/web/probe.h"
#include "gtest/gtest.h"
#include "tests/fake_broker.h"
#include "tests/in_process_warren.h"
#include "tests/test_util.h"

namespace warren {
namespace {

using testing::Connect;
using testing::FakeBroker;
using testing::SampleValue;

// A field of /proc/self/status, e.g. "Threads" or "VmHWM" (kB).
int64_t ProcStatus(absl::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!absl::StartsWith(line, absl::StrCat(field, ":"))) continue;
    std::vector<std::string> parts = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int64_t value = 0;
    if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &value)) return value;
  }
  return -1;
}

// Sends `request` on `fd` and reads the answer until the server closes, or `deadline`.
std::string Exchange(int fd, const std::string& request, absl::Time deadline) {
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return "";
  std::string answer;
  char buffer[65536];
  while (absl::Now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  return answer;
}

int StatusOf(const std::string& answer) {
  int status = 0;
  if (answer.size() > 12 && absl::StartsWith(answer, "HTTP/1.1 ")) {
    (void)absl::SimpleAtoi(answer.substr(9, 3), &status);
  }
  return status;
}

std::string BodyOf(const std::string& answer) {
  const size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

constexpr char kGetMetrics[] = "GET /metrics HTTP/1.1\r\nHost: warren\r\nConnection: close\r\n\r\n";

class LoadTest : public ::testing::Test {
 protected:
  void Start(const FakeBroker& broker, absl::Duration min_interval) {
    ProbeModule module;
    module.name = "default";
    module.user = "monitor";
    module.password = "load-Pw-3c1";
    module.targets = {R"(http://127\.0\.0\.1:\d+/t\d+)"};
    testing::InProcessWarren::Options options{
        .password = "load-Pw-3c1", .probe_modules = {module}, .max_probe_targets = kMaxTargets};
    options.scraper.min_interval = min_interval;
    ASSERT_TRUE(warren_.Start(broker.url(), options).ok());
  }
  int port() const { return warren_.port(); }

  static constexpr int kMaxTargets = 20;
  testing::InProcessWarren warren_{4};
};

TEST_F(LoadTest, AThousandConcurrentClientsAreAllServedFromOneFetch) {
  FakeBroker broker;
  broker.SetHealthy(100);
  Start(broker, absl::Minutes(1));
  // One scrape first: every thread pool (warren's and the fake broker's) is running, and the data
  // is cached for the minute the test takes.
  ASSERT_EQ(StatusOf(Exchange(Connect(port()), kGetMetrics, absl::Now() + absl::Seconds(120))), 200);
  const int64_t threads_before = ProcStatus("Threads");
  std::ofstream("/proc/self/clear_refs") << "5";  // reset VmHWM
  const int64_t rss_before = ProcStatus("VmHWM");

  constexpr int kClients = 1000;
  std::vector<int> fds;
  std::vector<std::string> answers(kClients);
  const absl::Time start = absl::Now();
  fds.reserve(kClients);
  for (int i = 0; i < kClients; ++i) fds.push_back(Connect(port()));
  // All connected (or queued by the kernel) before anything is read: then every request at once.
  for (int fd : fds) {
    if (fd >= 0) send(fd, kGetMetrics, sizeof kGetMetrics - 1, MSG_NOSIGNAL);
  }
  int64_t max_threads = threads_before;
  std::vector<bool> done(kClients, false);
  int open = kClients;
  char buffer[65536];
  while (open > 0 && absl::Now() - start < absl::Seconds(180)) {  // generous: sanitizer builds
    std::vector<pollfd> polls;
    std::vector<int> which;
    for (int i = 0; i < kClients; ++i) {
      if (done[i] || fds[i] < 0) continue;
      polls.push_back({fds[i], POLLIN, 0});
      which.push_back(i);
    }
    if (polls.empty()) break;
    poll(polls.data(), polls.size(), 100);
    for (size_t k = 0; k < polls.size(); ++k) {
      if (!(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = recv(polls[k].fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        answers[which[k]].append(buffer, static_cast<size_t>(n));
      } else {
        done[which[k]] = true;
        --open;
      }
    }
    max_threads = std::max(max_threads, ProcStatus("Threads"));
  }
  const absl::Duration took = absl::Now() - start;
  int ok = 0;
  std::map<int, int> statuses;  // for the failure message: status (0: none) -> clients
  for (int i = 0; i < kClients; ++i) {
    if (fds[i] >= 0) close(fds[i]);
    ++statuses[fds[i] < 0 ? -1 : StatusOf(answers[i])];
    ok += StatusOf(answers[i]) == 200 && SampleValue(BodyOf(answers[i]), "rabbitmq_up") == 1;
  }
  std::string by_status;
  for (const auto& [status, n] : statuses) absl::StrAppend(&by_status, " ", status, ":", n);
  const int64_t rss_growth_kib = ProcStatus("VmHWM") - rss_before;
  EXPECT_EQ(ok, kClients) << "answers that were 200 with rabbitmq_up 1; by status (-1: no connection):" << by_status;
  EXPECT_EQ(broker.Requests("/api/queues"), 1) << "one fetch served the warm-up and them all";
  EXPECT_LE(max_threads - threads_before, warren_.config().web_threads + 2) << "threads stay bounded";
  testing::Keep("metrics", BodyOf(answers[0]));
  std::cerr << "[ LOAD     ] " << kClients << " concurrent /metrics clients: " << ok << " answered 200 in "
            << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1))) << ", broker asked "
            << broker.Requests("/api/queues") << "x, threads " << threads_before << " -> max " << max_threads
            << ", peak RSS +" << rss_growth_kib / 1024 << " MiB\n";
}

// Slow readers hold a server thread each while warren writes to them (each write waits at most
// the 10 s write timeout). With fewer of them than threads, other scrapes are not held up.
TEST_F(LoadTest, ClientsReadingOneBytePerSecondDoNotHoldUpOthers) {
  FakeBroker broker;
  broker.SetHealthy(20000);  // a few MB of exposition: more than the socket buffers hold
  Start(broker, absl::Minutes(1));
  // Deadlines are generous: sanitizer builds fetch and render 20,000 queues slowly (the first
  // fetch may even miss its scrape's deadline). Nothing here judges time.
  std::string warm;
  for (const absl::Time give_up = absl::Now() + absl::Seconds(120); absl::Now() < give_up;) {
    warm = Exchange(Connect(port()), kGetMetrics, give_up);
    if (testing::CountSamples(BodyOf(warm), "rabbitmq_queue_messages") == 20000) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_EQ(testing::CountSamples(BodyOf(warm), "rabbitmq_queue_messages"), 20000) << "the queues never came";
  const size_t size = BodyOf(warm).size();

  const int slow = warren_.config().web_threads - 2;
  std::vector<int> slow_fds;
  for (int i = 0; i < slow; ++i) {
    const int fd = Connect(port(), /*receive_buffer=*/4096);
    ASSERT_GE(fd, 0);
    send(fd, kGetMetrics, sizeof kGetMetrics - 1, MSG_NOSIGNAL);
    slow_fds.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {  // 1 byte per second from each slow reader
    while (!stop) {
      char byte = 0;
      for (int fd : slow_fds) recv(fd, &byte, 1, MSG_DONTWAIT);
      for (int i = 0; i < 10 && !stop; ++i) absl::SleepFor(absl::Milliseconds(100));
    }
  });
  absl::SleepFor(absl::Seconds(1));
  const absl::Time start = absl::Now();
  int fast_ok = 0;
  for (int i = 0; i < 5; ++i) {
    const std::string answer = Exchange(Connect(port()), kGetMetrics, absl::Now() + absl::Seconds(60));
    fast_ok += StatusOf(answer) == 200 && testing::CountSamples(BodyOf(answer), "rabbitmq_queue_messages") == 20000;
  }
  const absl::Duration took = absl::Now() - start;
  stop = true;
  trickle.join();
  for (int fd : slow_fds) close(fd);
  EXPECT_EQ(fast_ok, 5) << "complete scrapes beside " << slow << " slow readers";
  std::cerr << "[ LOAD     ] " << slow << " clients reading 1 byte/s of a " << size / 1024
            << " KiB exposition: 5 other scrapes took "
            << absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1))) << " in all\n";
}

TEST_F(LoadTest, OversizedRequestHeadersAreRefusedAndTheServerGoesOn) {
  FakeBroker broker;
  broker.SetHealthy(3);
  Start(broker, absl::Minutes(1));
  for (size_t size : {size_t{16} << 10, size_t{1} << 20}) {
    const std::string request =
        absl::StrCat("GET /metrics HTTP/1.1\r\nHost: warren\r\nX-Big: ", std::string(size, 'a'), "\r\n\r\n");
    const int fd = Connect(port());
    ASSERT_GE(fd, 0);
    // The server may close before the whole request is sent: the answer, if any, must not be 200.
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    const std::string answer = Exchange(fd, "", absl::Now() + absl::Seconds(12));
    close(fd);
    EXPECT_NE(StatusOf(answer), 200) << size << " bytes of header";
    std::cerr << "[ LOAD     ] a " << size / 1024 << " KiB request header: answer "
              << (answer.empty() ? std::string("none (connection closed)") : answer.substr(0, answer.find('\r')))
              << "\n";
  }
  const std::string long_uri = absl::StrCat("GET /metrics?", std::string(100000, 'x'), " HTTP/1.1\r\nHost: w\r\n\r\n");
  const int fd = Connect(port());
  send(fd, long_uri.data(), long_uri.size(), MSG_NOSIGNAL);
  EXPECT_NE(StatusOf(Exchange(fd, "", absl::Now() + absl::Seconds(12))), 200) << "100 KB URI";
  close(fd);
  const std::string after = Exchange(Connect(port()), kGetMetrics, absl::Now() + absl::Seconds(10));
  EXPECT_EQ(StatusOf(after), 200) << "still serving";
}

// More /probe targets at once than --probe.max-targets: the first ones are scraped, the rest get a
// 503 instead of new state, and the threads stay bounded.
TEST_F(LoadTest, ManyParallelProbeTargetsAreBounded) {
  FakeBroker broker;
  broker.SetHealthy(3);
  Start(broker, absl::Minutes(1));
  const int64_t threads_before = ProcStatus("Threads");
  std::vector<std::thread> clients;
  std::vector<int> statuses(size_t{2} * kMaxTargets, 0);
  clients.reserve(statuses.size());
  std::atomic<int64_t> max_threads{threads_before};
  for (int t = 0; t < 2 * kMaxTargets; ++t) {
    clients.emplace_back([&, t] {
      // Each target is the fake broker under its own base path: /t<N>/api/... is 404 there, so
      // every target answers with rabbitmq_up 0, but each has its own state.
      const std::string target = absl::StrCat(broker.url(), "/t", t);
      const std::string request = absl::StrCat("GET /probe?target=", target, "&module=default HTTP/1.1\r\nHost: w\r\n",
                                               "Connection: close\r\n\r\n");
      statuses[t] = StatusOf(Exchange(Connect(port()), request, absl::Now() + absl::Seconds(15)));
      int64_t now = ProcStatus("Threads"), seen = max_threads.load();
      while (now > seen && !max_threads.compare_exchange_weak(seen, now)) {
      }
    });
  }
  for (std::thread& t : clients) t.join();
  const int ok = static_cast<int>(std::count(statuses.begin(), statuses.end(), 200));
  const int refused = static_cast<int>(std::count(statuses.begin(), statuses.end(), 503));
  EXPECT_EQ(ok, kMaxTargets);
  EXPECT_EQ(refused, kMaxTargets);
  EXPECT_EQ(warren_.prober().targets(), kMaxTargets);
  std::cerr << "[ LOAD     ] " << 2 * kMaxTargets << " parallel /probe targets, --probe.max-targets " << kMaxTargets
            << ": " << ok << " scraped, " << refused << " answered 503; threads " << threads_before << " -> max "
            << max_threads.load() << " (" << 2 * kMaxTargets << " client threads included)\n";
}

}  // namespace
}  // namespace warren
