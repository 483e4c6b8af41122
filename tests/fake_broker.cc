#include "tests/fake_broker.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace warren::testing {
namespace {

// A valid JSON array of queues, exactly `generated_bytes` long (at least 30): "[", whole 64 KiB
// pieces of queue objects, then one last object padded with spaces, "]". Written piece by piece so
// that hundreds of megabytes never sit in the fake broker's memory.
void ServeGenerated(const FakeResponse& canned, httplib::Response& response) {
  static const std::string kPiece = [] {
    std::string piece;
    for (int i = 0; piece.size() < 64 * 1024 - 100; ++i) {
      absl::StrAppend(&piece, R"({"vhost":"/","name":"generated-)", i, R"(","messages":1},)");
    }
    return piece;
  }();
  constexpr absl::string_view kLast = R"({"vhost":"/","name":"last"})";
  const int64_t size = std::max<int64_t>(canned.generated_bytes, 30);
  const int64_t pieces = (size - 2 - static_cast<int64_t>(kLast.size())) / static_cast<int64_t>(kPiece.size());
  const int64_t pieces_end = 1 + pieces * static_cast<int64_t>(kPiece.size());
  auto produce = [size, pieces_end, kLast](size_t offset, httplib::DataSink& sink) {
    const int64_t at = static_cast<int64_t>(offset);
    if (at == 0) {
      sink.write("[", 1);
    } else if (at < pieces_end) {
      sink.write(kPiece.data(), kPiece.size());
    } else {
      std::string last(kLast);
      last.resize(size - pieces_end - 1, ' ');
      last.push_back(']');
      sink.write(last.data(), last.size());
    }
    return true;
  };
  if (canned.chunked) {
    response.set_chunked_content_provider("application/json", [produce, size](size_t offset, httplib::DataSink& sink) {
      if (static_cast<int64_t>(offset) >= size) {
        sink.done();
        return true;
      }
      return produce(offset, sink);
    });
  } else {
    response.set_content_provider(size, "application/json", [produce](size_t offset, size_t, httplib::DataSink& sink) {
      return produce(offset, sink);
    });
  }
}

}  // namespace

FakeBroker::FakeBroker() {
  server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server_.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    FakeResponse canned{.status = 404, .body = "{\"error\":\"Object Not Found\",\"reason\":\"Not Found\"}"};
    {
      absl::MutexLock lock(&mu_);
      ++requests_[request.path];
      std::string query;
      for (const auto& [key, value] : request.params)
        absl::StrAppend(&query, query.empty() ? "" : "&", key, "=", value);
      last_query_[request.path] = query;
      last_authorization_ = request.get_header_value("Authorization");
      last_accept_[request.path] = request.get_header_value("Accept");
      if (auto it = responses_.find(request.path); it != responses_.end()) canned = it->second;
    }
    if (!Pause(canned.delay)) return;
    response.status = canned.status;
    if (canned.generated_bytes > 0) {
      ServeGenerated(canned, response);
      return;
    }
    const bool slow = canned.trickle || canned.byte_interval > absl::ZeroDuration();
    if (!slow && canned.reset_after < 0) {
      response.set_content(canned.body, canned.content_type);
      return;
    }
    auto body = std::make_shared<std::string>(canned.body);
    response.set_content_provider(body->size(), "application/json",
                                  [this, body, canned](size_t offset, size_t, httplib::DataSink& sink) {
                                    if (canned.reset_after >= 0 && offset >= static_cast<size_t>(canned.reset_after))
                                      return false;
                                    size_t n = body->size() - offset;
                                    if (canned.byte_interval > absl::ZeroDuration()) {
                                      if (!Pause(canned.byte_interval)) return false;
                                      n = 1;
                                    } else if (canned.trickle) {
                                      if (!Pause(absl::Milliseconds(200))) return false;
                                      n = std::min<size_t>(n, 4);
                                    }
                                    if (canned.reset_after >= 0) n = std::min<size_t>(n, canned.reset_after - offset);
                                    sink.write(body->data() + offset, n);
                                    return true;
                                  });
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so a broker destroyed at once would hang.
  while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
}

FakeBroker::~FakeBroker() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  server_.stop();
  thread_.join();
}

bool FakeBroker::Pause(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return true;
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  return !stopping_;
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

std::string FakeBroker::LastAccept(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return last_accept_[path];
}

std::string FakeBroker::LastAuthorization() {
  absl::MutexLock lock(&mu_);
  return last_authorization_;
}

}  // namespace warren::testing
