// warren's HTTP/1.1 server: GET and HEAD for a handful of routes, over plain TCP or TLS.
//
// Written for warren instead of cpp-httplib's server (Debian 12's 0.11.4), which gives every
// connection a thread from the moment it is accepted and has no bound on a request's headers: 100,000
// headers kept 200 MB, eight POSTs that never sent their body kept every thread (and /healthz) for
// 10 s, and a slow sender held a thread as long as it liked. Here one poller thread reads every
// connection's request head, bounded in bytes and time, and only a complete head reaches one of
// the worker threads, which run the handler and write the answer.
#ifndef WARREN_EXPORTER_WEB_HTTP_SERVER_H_
#define WARREN_EXPORTER_WEB_HTTP_SERVER_H_

#include <openssl/ssl.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/web/http_request.h"
#include "metrics/exposition.h"

namespace warren {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers = {};  // besides Content-Type/-Length, Connection
  std::shared_ptr<const metrics::Exposition> body = {};           // written piece by piece, never copied; null: empty

  // Sets the body to `text`, moved in.
  void SetText(std::string text, std::string type = "text/plain; charset=utf-8");
};

struct HttpServerOptions {
  int threads = 8;  // workers: requests answered at once
  // From a connection's first byte (and its TLS handshake) to the end of a request head: a sender
  // slower than this is cut off, whatever it sends.
  absl::Duration head_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(5);    // between requests on a kept-alive connection
  absl::Duration write_timeout = absl::Seconds(10);  // without progress while writing an answer
  int max_requests_per_connection = 100;
  int max_connections = 1024;  // open at once; more are closed as soon as they are accepted
  std::vector<std::pair<std::string, std::string>> default_headers = {};  // on every answer
  SSL_CTX* tls = nullptr;  // HTTPS with this context (not owned; must outlive the server)
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse*)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host`:`port` (0: any free port) with the system's largest backlog; the port bound.
  absl::StatusOr<int> Listen(const std::string& host, int port);
  // Starts the poller and the workers; Listen first.
  void Start();
  // Stops accepting, closes waiting connections, lets answers being written finish (each bounded
  // by the write timeout) and joins every thread.
  void Stop();

  int open_connections() const { return open_.load(); }

 private:
  struct Connection;
  using ConnectionPtr = std::unique_ptr<Connection>;

  void PollLoop();
  void WorkLoop();
  void Accept(std::vector<ConnectionPtr>* waiting);
  // Reads what `c` has for us (finishing its TLS handshake first); false once it is to be closed.
  bool ReadAvailable(Connection* c);
  // Answers every complete request in `c`'s buffer; false once the connection is to be closed.
  bool Serve(Connection* c);
  bool Write(Connection* c, absl::string_view data);
  bool WaitFor(Connection* c, short events, absl::Duration timeout);
  void Close(ConnectionPtr c);
  void Wake();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: workers hand connections back to the poller, Stop wakes it
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};
  std::thread poller_;
  std::vector<std::thread> workers_;

  mutable absl::Mutex mu_;
  std::deque<ConnectionPtr> ready_ ABSL_GUARDED_BY(mu_);      // a complete head: for a worker
  std::vector<ConnectionPtr> returned_ ABSL_GUARDED_BY(mu_);  // kept alive: back to the poller
};

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_HTTP_SERVER_H_
