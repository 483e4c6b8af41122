// Shared by the live test binaries: warren in-process against a real RabbitMQ started by a ctest
// fixture with scripts/rabbit, administrative calls to the broker, AMQP clients (amqp-tools), and
// polling helpers with deadlines (the management API lags ~5 s behind the broker).
#ifndef WARREN_TESTS_LIVE_LIVE_HARNESS_H_
#define WARREN_TESTS_LIVE_LIVE_HARNESS_H_

#include <httplib.h>
#include <sys/types.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/config/config.h"
#include "exporter/scrape/scraper.h"
#include "exporter/scrape/scraper_pool.h"
#include "exporter/web/server.h"

namespace warren::live {

// The value of an environment variable set by ctest; a gtest failure (not a skip) if it is unset.
std::string RequiredEnv(const char* name);
// A comma-separated RequiredEnv; a failure if it has fewer than `min_items` items.
std::vector<std::string> RequiredEnvList(const char* name, size_t min_items);

// Percent-encodes a path segment (queue and vhost names).
std::string Escape(absl::string_view in);
// A JSON string literal.
std::string JsonString(absl::string_view in);

// `name{k1="v1",k2="v2"}` with label values escaped as in the exposition format; `name` alone
// without labels. Labels must be given in the order warren writes them (see README.md).
std::string Series(absl::string_view name,
                   std::initializer_list<std::pair<absl::string_view, absl::string_view>> labels = {});

// Administrative calls to the management API of one node as guest, to set up each scenario.
class Admin {
 public:
  explicit Admin(const std::string& url);
  void Put(const std::string& path, const std::string& body);
  void Post(const std::string& path, const std::string& body);
  void Delete(const std::string& path);
  void Publish(const std::string& queue, int count, bool persistent = false);
  // The body of a 200 answer, else "".
  std::string Get(const std::string& path);

 private:
  httplib::Client http_;
};

// A process in its own process group, killed (the whole group) by the destructor.
class Spawned {
 public:
  explicit Spawned(const std::vector<std::string>& argv);
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  bool ok() const { return pid_ > 0; }

 private:
  pid_t pid_ = 0;
};

// An amqp-consume process holding `prefetch` messages unacked: its command never finishes.
class UnackingConsumer : public Spawned {
 public:
  UnackingConsumer(const std::string& amqp_url, const std::string& queue, int prefetch);
};

// One AMQP connection publishing a message to `queue` every 200 ms until destroyed
// (a shell loop piped into amqp-publish -l).
class Publisher : public Spawned {
 public:
  Publisher(const std::string& amqp_url, const std::string& queue);
};

// Runs `$WARREN_LIVE_RABBIT ARGS` (scripts/rabbit, with the RL_* settings ctest gives the test)
// through the shell; returns its exit code and logs how long it took.
int Rabbit(const std::string& args);
// The same, returning its stdout without the trailing newline ("" on failure).
std::string RabbitOutput(const std::string& args);
// Cuts node i (1-based) off from `others` (node names) for good: another Erlang cookie for them,
// then disconnected, so neither side can reconnect (a partition that lasts). Reconnect undoes it.
// Both return scripts/rabbit's exit code.
int CutOff(int i, const std::vector<std::string>& others);
int Reconnect(int i, const std::vector<std::string>& others);
// Node i's own figure at `path` (dotted, e.g. "processes.limit") in `rabbitmqctl status
// --formatter json`, or -1.
double StatusFigure(int i, const std::string& path);

// Captures warren's log lines (the process-wide log sink) while it exists.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string Logs();

 private:
  absl::Mutex mu_;
  std::string logs_ ABSL_GUARDED_BY(mu_);
};

// warren in this process: RabbitClient + Scraper + MetricsServer on 127.0.0.1:0, scraped over HTTP
// like Prometheus would.
class InProcessWarren {
 public:
  struct Options {
    std::string mgmt_url;
    std::string user = "guest";
    std::string password = "guest";
    absl::Duration scrape_timeout = absl::Seconds(10);
    absl::Duration min_interval = absl::Seconds(1);
    absl::Duration health_interval = absl::Minutes(1);
    absl::Duration definitions_interval = absl::Minutes(5);
    TlsOptions tls = {};  // for an https:// mgmt_url
    metrics::FilterPatterns filter = {};
    size_t max_vhost_requests = 0;
    BodyFormat format = BodyFormat::kAuto;  // --rabbitmq.format
    PluginOptions plugin_depth = {};        // --rabbitmq.plugin*: queue depth and node resources
  };

  // Check started() (a gtest failure is recorded if the server does not start).
  explicit InProcessWarren(const Options& options);
  ~InProcessWarren();
  InProcessWarren(const InProcessWarren&) = delete;
  InProcessWarren& operator=(const InProcessWarren&) = delete;
  bool started() const { return started_; }

  // GET /metrics; "" (and a gtest failure) unless it answers 200.
  std::string Scrape();
  // Scrapes until `ok` holds or `timeout` passes, every 500 ms; returns the last exposition.
  std::string ScrapeUntil(const std::function<bool(const std::string&)>& ok, absl::Duration timeout);

 private:
  Config config_;
  ScraperPool pool_{4};
  std::unique_ptr<RabbitClient> client_;
  std::unique_ptr<metrics::Filter> filter_;
  std::unique_ptr<Scraper> scraper_;
  std::unique_ptr<MetricsServer> server_;
  bool started_ = false;
};

// One expectation on a series of an exposition.
struct Want {
  std::string series;
  std::function<bool(std::optional<double>)> holds;
  std::string expected;  // for failure messages, e.g. "== 1", ">= 1", "absent"
};
Want Eq(std::string series, double value);  // present with exactly this value
Want Ge(std::string series, double value);  // present and >= value
Want Absent(std::string series);            // no such sample
Want AbsentOrZero(std::string series);      // no such sample, or 0

// True if every want holds in `text`.
bool AllHold(const std::string& text, const std::vector<Want>& wants);

// Scrapes `warren` until every want holds or `timeout` passes. Records one gtest failure per want
// that does not hold in the last exposition (with its value there), and prints how long it
// waited. Returns the last exposition.
std::string AwaitAll(InProcessWarren& warren, const std::vector<Want>& wants, absl::Duration timeout,
                     absl::string_view what);

// The lines of `text` that start with `prefix`, for failure messages.
std::string Lines(absl::string_view text, absl::string_view prefix);

}  // namespace warren::live

#endif  // WARREN_TESTS_LIVE_LIVE_HARNESS_H_
