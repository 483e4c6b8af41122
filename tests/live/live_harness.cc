#include "tests/live/live_harness.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>  // environ

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "exporter/broker/broker_url.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/test_util.h"
#include "util/log.h"

namespace warren::live {

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: run the live tests through ctest -L live or scripts/test";
    return "";
  }
  return value;
}

std::vector<std::string> RequiredEnvList(const char* name, size_t min_items) {
  const std::string value = RequiredEnv(name);
  std::vector<std::string> items = absl::StrSplit(value, ',', absl::SkipEmpty());
  if (items.size() < min_items) {
    ADD_FAILURE() << name << " has " << items.size() << " items, want at least " << min_items << ": '" << value << "'";
    items.resize(min_items);
  }
  return items;
}

std::string Escape(absl::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

std::string JsonString(absl::string_view in) {
  std::string out = "\"";
  for (char c : in) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Series(absl::string_view name,
                   std::initializer_list<std::pair<absl::string_view, absl::string_view>> labels) {
  std::string out(name);
  if (labels.size() == 0) return out;
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    absl::StrAppend(&out, key, "=\"");
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// ---------------------------------------------------------------- Admin

Admin::Admin(const std::string& url) : http_(url) {
  http_.set_basic_auth("guest", "guest");
  http_.set_read_timeout(std::chrono::seconds(30));
}

void Admin::Put(const std::string& path, const std::string& body) {
  auto res = http_.Put(path, body, "application/json");
  ASSERT_TRUE(res) << path;
  ASSERT_TRUE(res->status == 201 || res->status == 204) << path << " " << res->status << " " << res->body;
}

void Admin::Post(const std::string& path, const std::string& body) {
  auto res = http_.Post(path, body, "application/json");
  ASSERT_TRUE(res) << path;
  ASSERT_TRUE(res->status >= 200 && res->status < 300) << path << " " << res->status << " " << res->body;
}

void Admin::Delete(const std::string& path) { http_.Delete(path); }

void Admin::Publish(const std::string& queue, int count, bool persistent) {
  for (int i = 0; i < count; ++i) {
    auto res = http_.Post("/api/exchanges/%2F/amq.default/publish",
                          absl::StrCat(R"({"properties":{"delivery_mode":)", persistent ? 2 : 1, R"(},"routing_key":)",
                                       JsonString(queue), R"(,"payload":"m","payload_encoding":"string"})"),
                          "application/json");
    ASSERT_TRUE(res && res->status == 200 && absl::StrContains(res->body, "true")) << queue;
  }
}

std::string Admin::Get(const std::string& path) {
  auto res = http_.Get(path);
  return res && res->status == 200 ? res->body : "";
}

// ---------------------------------------------------------------- processes

Spawned::Spawned(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // own group: its children die with it
  posix_spawnattr_setpgroup(&attr, 0);
  const int rc = posix_spawnp(&pid_, args[0], nullptr, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  EXPECT_EQ(rc, 0) << argv[0] << " could not be started";
  if (rc != 0) pid_ = 0;
}

Spawned::~Spawned() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

UnackingConsumer::UnackingConsumer(const std::string& amqp_url, const std::string& queue, int prefetch)
    : Spawned({"amqp-consume", "-u", amqp_url, "-q", queue, "-p", std::to_string(prefetch), "sleep", "100000"}) {
  EXPECT_TRUE(ok()) << "amqp-consume (Debian amqp-tools) must be installed";
}

Publisher::Publisher(const std::string& amqp_url, const std::string& queue)
    : Spawned(
          {"sh", "-c", "while :; do echo m; sleep 0.2; done | amqp-publish -u \"$0\" -l -r \"$1\"", amqp_url, queue}) {}

namespace {

std::string RabbitCommand(const std::string& args) {
  const char* rabbit = std::getenv("WARREN_LIVE_RABBIT");
  if (rabbit == nullptr || *rabbit == '\0') {
    ADD_FAILURE() << "WARREN_LIVE_RABBIT is not set: run the live tests through ctest -L live or scripts/test";
    return "false";
  }
  return absl::StrCat("'", rabbit, "' ", args);
}

}  // namespace

int Rabbit(const std::string& args) {
  const absl::Time start = absl::Now();
  const int status = std::system(RabbitCommand(args).c_str());
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  std::cerr << absl::StreamFormat("[  RABBIT  ] %s: exit %d after %.1f s\n", args, rc,
                                  absl::ToDoubleSeconds(absl::Now() - start));
  return rc;
}

namespace {

// `others` as an Erlang list of atoms, inside a shell-quoted eval: list_to_atom("name").
std::string AtomList(const std::vector<std::string>& others) {
  std::vector<std::string> atoms;
  atoms.reserve(others.size());
  for (const std::string& node : others) atoms.push_back(absl::StrCat("list_to_atom(\"", node, "\")"));
  return absl::StrCat("[", absl::StrJoin(atoms, ", "), "]");
}

}  // namespace

int CutOff(int i, const std::vector<std::string>& others) {
  return Rabbit(absl::StrCat("ctl ", i,
                             " eval '[begin erlang:set_cookie(N, warren_cut_off), erlang:disconnect_node(N) ",
                             "end || N <- ", AtomList(others), "].'"));
}

int Reconnect(int i, const std::vector<std::string>& others) {
  return Rabbit(absl::StrCat("ctl ", i, " eval 'C = erlang:get_cookie(), [begin erlang:set_cookie(N, C), ",
                             "net_kernel:connect_node(N) end || N <- ", AtomList(others), "].'"));
}

double StatusFigure(int i, const std::string& path) {
  rapidjson::Document doc;
  doc.Parse(RabbitOutput(absl::StrCat("ctl ", i, " status --formatter json")).c_str());
  const rapidjson::Value* value = &doc;
  for (absl::string_view key : absl::StrSplit(path, '.')) {
    if (!value->IsObject()) return -1;
    auto it = value->FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
    if (it == value->MemberEnd()) return -1;
    value = &it->value;
  }
  return value->IsNumber() ? value->GetDouble() : -1;
}

std::string RabbitOutput(const std::string& args) {
  std::string out;
  FILE* pipe = popen(RabbitCommand(args).c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  return std::string(absl::StripTrailingAsciiWhitespace(out));
}

// ---------------------------------------------------------------- warren

LogCapture::LogCapture() {
  SetLogSink([this](absl::string_view line) {
    testing::Keep("log", line);
    absl::MutexLock lock(&mu_);
    logs_ += std::string(line) + "\n";
  });
}

LogCapture::~LogCapture() { SetLogSink(nullptr); }

std::string LogCapture::Logs() {
  absl::MutexLock lock(&mu_);
  return logs_;
}

InProcessWarren::InProcessWarren(const Options& options) {
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(options.mgmt_url);
  if (!url.ok()) {
    ADD_FAILURE() << "bad management URL '" << options.mgmt_url << "': " << url.status();
    return;
  }
  config_.listen_address = "127.0.0.1:0";
  config_.scrape_timeout = options.scrape_timeout;
  absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(
      ClientOptions{.url = *url, .user = options.user, .password = options.password, .tls = options.tls});
  if (!client.ok()) {
    ADD_FAILURE() << "bad client options: " << client.status();
    return;
  }
  client_ = *std::move(client);
  absl::StatusOr<std::unique_ptr<metrics::Filter>> filter = metrics::Filter::Create(options.filter);
  if (!filter.ok()) {
    ADD_FAILURE() << "bad filter: " << filter.status();
    return;
  }
  filter_ = *std::move(filter);
  scraper_ = std::make_unique<Scraper>(Scraper::Options{.scrape_timeout = options.scrape_timeout,
                                                        .min_interval = options.min_interval,
                                                        .health_interval = options.health_interval,
                                                        .definitions_interval = options.definitions_interval,
                                                        .endpoints = {},
                                                        .filter = filter_->Empty() ? nullptr : filter_.get(),
                                                        .max_queues = 0,
                                                        .max_vhost_requests = options.max_vhost_requests,
                                                        .format = options.format,
                                                        .plugin_depth = options.plugin_depth,
                                                        .node_resources = options.plugin_depth},
                                       client_.get(), &pool_);
  server_ = std::make_unique<MetricsServer>(ServerOptionsOf(config_), scraper_.get());
  const absl::Status status = server_->Start();
  EXPECT_TRUE(status.ok()) << status;
  started_ = status.ok();
}

InProcessWarren::~InProcessWarren() {
  server_.reset();
  scraper_.reset();
}

std::string InProcessWarren::Scrape() {
  if (!started_) {
    ADD_FAILURE() << "warren did not start";
    return "";
  }
  httplib::Client http("127.0.0.1", server_->port());
  http.set_read_timeout(std::chrono::seconds(30));
  auto res = http.Get("/metrics");
  EXPECT_TRUE(res && res->status == 200);
  if (res) testing::Keep(res->status == 200 ? "metrics" : "error", res->body);
  return res && res->status == 200 ? res->body : "";
}

std::string InProcessWarren::ScrapeUntil(const std::function<bool(const std::string&)>& ok, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  std::string text;
  while (true) {
    text = Scrape();
    if (ok(text) || absl::Now() > give_up || !started_) return text;
    absl::SleepFor(absl::Milliseconds(500));
  }
}

// ---------------------------------------------------------------- expectations

Want Eq(std::string series, double value) {
  return {std::move(series), [value](std::optional<double> v) { return v.has_value() && *v == value; },
          absl::StrCat("== ", value)};
}

Want Ge(std::string series, double value) {
  return {std::move(series), [value](std::optional<double> v) { return v.has_value() && *v >= value; },
          absl::StrCat(">= ", value)};
}

Want Absent(std::string series) {
  return {std::move(series), [](std::optional<double> v) { return !v.has_value(); }, "absent"};
}

Want AbsentOrZero(std::string series) {
  return {std::move(series), [](std::optional<double> v) { return !v.has_value() || *v == 0; }, "absent or 0"};
}

bool AllHold(const std::string& text, const std::vector<Want>& wants) {
  for (const Want& want : wants) {
    if (!want.holds(testing::SampleValue(text, want.series))) return false;
  }
  return true;
}

std::string AwaitAll(InProcessWarren& warren, const std::vector<Want>& wants, absl::Duration timeout,
                     absl::string_view what) {
  const absl::Time start = absl::Now();
  std::string text = warren.ScrapeUntil([&](const std::string& t) { return AllHold(t, wants); }, timeout);
  const double waited = absl::ToDoubleSeconds(absl::Now() - start);
  bool all = true;
  for (const Want& want : wants) {
    const std::optional<double> value = testing::SampleValue(text, want.series);
    if (!want.holds(value)) {
      all = false;
      ADD_FAILURE() << what << ": after " << waited << " s, " << want.series << " is "
                    << (value.has_value() ? absl::StrCat(*value) : "absent") << ", want " << want.expected;
    }
  }
  std::cerr << absl::StreamFormat("[  AWAIT   ] %s: %s after %.1f s\n", what, all ? "seen" : "NOT SEEN", waited);
  return text;
}

std::string Lines(absl::string_view text, absl::string_view prefix) {
  std::vector<absl::string_view> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) out.push_back(line);
  }
  return absl::StrJoin(out, "\n");
}

}  // namespace warren::live
