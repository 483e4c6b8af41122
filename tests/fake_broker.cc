#include "tests/fake_broker.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace warren::testing {

FakeBroker::FakeBroker() {
  server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server_.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    FakeResponse canned{.status = 404, .body = "{\"error\":\"Object Not Found\",\"reason\":\"Not Found\"}"};
    {
      absl::MutexLock lock(&mu_);
      ++requests_[request.path];
      std::string query;
      for (const auto& [key, value] : request.params) absl::StrAppend(&query, query.empty() ? "" : "&", key, "=", value);
      last_query_[request.path] = query;
      last_authorization_ = request.get_header_value("Authorization");
      if (auto it = responses_.find(request.path); it != responses_.end()) canned = it->second;
    }
    absl::SleepFor(canned.delay);
    response.status = canned.status;
    if (!canned.trickle) {
      response.set_content(canned.body, "application/json");
      return;
    }
    auto body = std::make_shared<std::string>(canned.body);
    response.set_content_provider(
        body->size(), "application/json",
        [body](size_t offset, size_t, httplib::DataSink& sink) {
          absl::SleepFor(absl::Milliseconds(200));
          sink.write(body->data() + offset, std::min<size_t>(4, body->size() - offset));
          return true;
        });
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so a broker destroyed at once would hang.
  while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
}

FakeBroker::~FakeBroker() {
  server_.stop();
  thread_.join();
}

void FakeBroker::Set(const std::string& path, FakeResponse response) {
  absl::MutexLock lock(&mu_);
  responses_[path] = std::move(response);
}

void FakeBroker::SetHealthy(int queues) {
  Set("/api/overview",
      {.body = R"({"cluster_name":"fake","node":"rabbit@fake","rabbitmq_version":"3.10.8","erlang_version":"25.2.3",)"
               R"("object_totals":{"connections":1,"channels":1,"consumers":1,"exchanges":7,"queues":3},)"
               R"("queue_totals":{"messages":5,"messages_ready":3,"messages_unacknowledged":2}})"});
  Set("/api/nodes",
      {.body = R"([{"name":"rabbit@fake","running":true,"type":"disc","mem_used":100,"mem_limit":1000,)"
               R"("mem_alarm":false,"disk_free":5000,"disk_free_limit":50,"disk_free_alarm":false,"partitions":[]}])"});
  std::string body = "[";
  for (int i = 0; i < queues; ++i) {
    absl::StrAppend(&body, i ? "," : "", R"({"vhost":"/","name":"q)", i,
                    R"(","messages":5,"messages_ready":3,"messages_unacknowledged":2})");
  }
  body += "]";
  Set("/api/queues", {.body = body});
  Set("/api/consumers", {.body = R"([{"queue":{"vhost":"/","name":"q0"}}])"});
}

int FakeBroker::Requests(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return requests_[path];
}

std::string FakeBroker::LastQuery(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return last_query_[path];
}

std::string FakeBroker::LastAuthorization() {
  absl::MutexLock lock(&mu_);
  return last_authorization_;
}

}  // namespace warren::testing
