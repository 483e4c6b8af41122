// Over 400 lines on purpose: one connection's whole life (accept, TLS handshake, head read under its
// bounds, answer, keep-alive, close) between one poller and the workers reads best in one place.
#include "exporter/web/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "util/errno_text.h"

namespace warren {

struct HttpServer::Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  bool handshaken = false;
  short want = POLLIN;  // what the TLS handshake waits for
  std::string buffer;   // read, not yet answered
  absl::Time deadline;  // of the current wait: the head's or the idle one
  bool idle = true;     // between requests, nothing of the next one read yet
  int served = 0;
  std::string remote_addr;
};

namespace {

constexpr size_t kReadChunk = 16 << 10;

absl::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string RemoteAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof(host), nullptr, 0, NI_NUMERICHOST) != 0) {
    return "";
  }
  return host;
}

// A short answer written before closing, without waiting: the client may not be reading.
void WriteAndForget(int fd, SSL* ssl, int status) {
  const std::string text =
      absl::StrCat("HTTP/1.1 ", status, " ", Reason(status),
                   "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ", Reason(status).size() + 1,
                   "\r\nConnection: close\r\n\r\n", Reason(status), "\n");
  if (ssl != nullptr) {
    SSL_write(ssl, text.data(), static_cast<int>(text.size()));
  } else {
    send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
}

}  // namespace

void HttpResponse::SetText(std::string text, std::string type) {
  content_type = std::move(type);
  auto owner = std::make_shared<const std::string>(std::move(text));
  auto exposition = std::make_shared<metrics::Exposition>();
  exposition->Append(*owner);
  exposition->owners.push_back(std::move(owner));
  body = std::move(exposition);
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() {
  Stop();
  if (listen_fd_ >= 0) close(listen_fd_);
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

absl::StatusOr<int> HttpServer::Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    error = ErrnoText(errno);
    close(fd);
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return absl::UnavailableError(error);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void HttpServer::Start() {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  poller_ = std::thread([this] { PollLoop(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) workers_.emplace_back([this] { WorkLoop(); });
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  Wake();
  if (poller_.joinable()) poller_.join();
  {
    absl::MutexLock lock(&mu_);  // wakes workers waiting on the queue
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  absl::MutexLock lock(&mu_);
  while (!ready_.empty()) {
    ConnectionPtr c = std::move(ready_.front());
    ready_.pop_front();
    Close(std::move(c));
  }
  for (ConnectionPtr& c : returned_) Close(std::move(c));
  returned_.clear();
}

bool HttpServer::HasWork() const { return !ready_.empty() || stopping_.load(); }

void HttpServer::Wake() {
  if (wake_[1] >= 0) {
    const char byte = 0;
    (void)!write(wake_[1], &byte, 1);
  }
}

void HttpServer::Close(ConnectionPtr c) {
  if (c == nullptr) return;
  if (c->ssl != nullptr) {
    if (c->handshaken) SSL_shutdown(c->ssl);  // close_notify, without waiting for the peer's
    SSL_free(c->ssl);
    ERR_clear_error();
  }
  if (c->fd >= 0) close(c->fd);
  open_.fetch_sub(1);
}

void HttpServer::Accept(std::vector<ConnectionPtr>* waiting) {
  while (true) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors or memory: the listening socket stays readable, and polling it again at
      // once would spin. Waiting a little lets connections close meanwhile.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        absl::SleepFor(absl::Milliseconds(50));
      }
      return;  // EAGAIN: none left; anything else: tried again at the next poll
    }
    if (open_.load() >= options_.max_connections) {
      close(fd);
      continue;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->remote_addr = RemoteAddress(fd);
    // The handshake counts as the head: a client that never finishes it is cut off alike.
    c->deadline = absl::Now() + options_.head_timeout;
    c->idle = false;
    open_.fetch_add(1);
    if (options_.tls != nullptr) {
      c->ssl = SSL_new(options_.tls);
      if (c->ssl == nullptr || SSL_set_fd(c->ssl, fd) != 1) {
        Close(std::move(c));
        continue;
      }
      SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
      SSL_set_accept_state(c->ssl);
    }
    waiting->push_back(std::move(c));
  }
}

bool HttpServer::ReadAvailable(Connection* c) {
  if (c->ssl != nullptr && !c->handshaken) {
    const int rc = SSL_do_handshake(c->ssl);
    if (rc != 1) {
      const int error = SSL_get_error(c->ssl, rc);
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_READ) c->want = POLLIN;
      if (error == SSL_ERROR_WANT_WRITE) c->want = POLLOUT;
      return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
    }
    c->handshaken = true;
    c->want = POLLIN;
  }
  char chunk[kReadChunk];
  while (c->buffer.size() <= kMaxRequestHeadBytes) {
    ssize_t n = 0;
    if (c->ssl != nullptr) {
      const int rc = SSL_read(c->ssl, chunk, sizeof(chunk));
      if (rc <= 0) {
        const int error = SSL_get_error(c->ssl, rc);
        ERR_clear_error();
        return error == SSL_ERROR_WANT_READ;  // else closed or broken
      }
      n = rc;
    } else {
      n = recv(c->fd, chunk, sizeof(chunk), 0);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      if (n == 0) return false;
    }
    if (c->idle) {  // the next request begins: its head has head_timeout from now
      c->idle = false;
      c->deadline = absl::Now() + options_.head_timeout;
    }
    c->buffer.append(chunk, static_cast<size_t>(n));
    if (RequestHeadLength(c->buffer) > 0) return true;
  }
  return true;  // over the limit: the poller answers 431
}

void HttpServer::PollLoop() {
  std::vector<ConnectionPtr> waiting;
  std::vector<pollfd> fds;
  while (!stopping_.load()) {
    {
      absl::MutexLock lock(&mu_);
      for (ConnectionPtr& c : returned_) waiting.push_back(std::move(c));
      returned_.clear();
    }
    fds.clear();
    fds.push_back({.fd = wake_[0], .events = POLLIN, .revents = 0});
    fds.push_back({.fd = listen_fd_, .events = POLLIN, .revents = 0});
    absl::Time next = absl::Now() + absl::Seconds(1);
    for (const ConnectionPtr& c : waiting) {
      fds.push_back({.fd = c->fd, .events = c->want, .revents = 0});
      next = std::min(next, c->deadline);
      // Bytes OpenSSL decrypted but we did not take (we stop at a complete head) wake no poll.
      if (c->handshaken && SSL_pending(c->ssl) > 0) next = absl::InfinitePast();
    }
    const int64_t wait_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(next - absl::Now()) + 1);
    if (poll(fds.data(), fds.size(), static_cast<int>(wait_ms)) < 0 && errno != EINTR) {
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (read(wake_[0], drain, sizeof(drain)) > 0) {
      }
    }
    const absl::Time now = absl::Now();
    std::vector<ConnectionPtr> still;
    for (size_t i = 0; i < waiting.size(); ++i) {
      ConnectionPtr& c = waiting[i];
      const bool pending = c->handshaken && SSL_pending(c->ssl) > 0;
      bool keep = true;
      if (fds[i + 2].revents != 0 || pending) keep = ReadAvailable(c.get());
      if (!keep) {
        Close(std::move(c));
      } else if (RequestHeadLength(c->buffer) > 0) {
        absl::MutexLock lock(&mu_);
        ready_.push_back(std::move(c));
      } else if (c->buffer.size() > kMaxRequestHeadBytes) {
        WriteAndForget(c->fd, c->handshaken ? c->ssl : nullptr, 431);
        Close(std::move(c));
      } else if (now >= c->deadline) {
        if (!c->idle && (c->ssl == nullptr || c->handshaken)) WriteAndForget(c->fd, c->ssl, 408);
        Close(std::move(c));
      } else {
        still.push_back(std::move(c));
      }
    }
    waiting = std::move(still);
    if (fds[1].revents != 0) Accept(&waiting);
  }
  for (ConnectionPtr& c : waiting) Close(std::move(c));
}

void HttpServer::WorkLoop() {
  while (true) {
    ConnectionPtr c;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &HttpServer::HasWork));
      if (ready_.empty()) return;  // stopping
      c = std::move(ready_.front());
      ready_.pop_front();
    }
    if (!Serve(c.get()) || stopping_.load()) {
      Close(std::move(c));
      continue;
    }
    c->idle = c->buffer.empty();
    c->deadline = absl::Now() + (c->idle ? options_.idle_timeout : options_.head_timeout);
    {
      absl::MutexLock lock(&mu_);
      returned_.push_back(std::move(c));
    }
    Wake();
  }
}

bool HttpServer::Serve(Connection* c) {
  while (true) {
    const size_t length = RequestHeadLength(c->buffer);
    if (length == 0) return true;  // wait for more in the poller
    absl::StatusOr<HttpRequest> request = ParseRequestHead(absl::string_view(c->buffer).substr(0, length));
    c->buffer.erase(0, length);
    HttpResponse response;
    bool keep_alive = false;
    bool head_only = false;
    if (!request.ok()) {
      switch (request.status().code()) {
        case absl::StatusCode::kOutOfRange:
          response.status = 431;
          break;
        case absl::StatusCode::kFailedPrecondition:
          response.status = 414;
          break;
        case absl::StatusCode::kUnimplemented:
          response.status = 505;
          break;
        default:
          response.status = 400;
      }
      response.SetText(absl::StrCat(Reason(response.status), ": ", request.status().message(), "\n"));
    } else if (request->method != "GET" && request->method != "HEAD") {
      // Answered at once, the body never read: the connection closes after the answer.
      response.status = 405;
      response.headers.emplace_back("Allow", "GET, HEAD");
      response.SetText("Method Not Allowed: warren answers GET and HEAD\n");
    } else if (request->HasBody()) {
      response.status = 400;
      response.SetText("Bad Request: a GET has no body\n");
    } else {
      request->remote_addr = c->remote_addr;
      head_only = request->method == "HEAD";
      handler_(*request, &response);
      keep_alive = request->KeepAlive() && ++c->served < options_.max_requests_per_connection && !stopping_.load();
    }
    const size_t size = response.body == nullptr ? 0 : response.body->size();
    std::string head = absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                                    "\r\nContent-Type: ", response.content_type, "\r\nContent-Length: ", size, "\r\n");
    for (const auto& [name, value] : options_.default_headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
    for (const auto& [name, value] : response.headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
    absl::StrAppend(&head, keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    if (!Write(c, head)) return false;
    if (!head_only && response.body != nullptr) {
      for (absl::string_view piece : response.body->pieces) {
        if (!Write(c, piece)) return false;
      }
    }
    if (!keep_alive) return false;
  }
}

bool HttpServer::WaitFor(Connection* c, short events, absl::Duration timeout) {
  pollfd fd{.fd = c->fd, .events = events, .revents = 0};
  const int rc = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  return rc > 0 && (fd.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0;
}

// Writes all of `data`; each wait for the socket to take more is bounded by the write timeout.
bool HttpServer::Write(Connection* c, absl::string_view data) {
  while (!data.empty()) {
    if (c->ssl != nullptr) {
      const int chunk = static_cast<int>(std::min<size_t>(data.size(), 1 << 20));
      const int rc = SSL_write(c->ssl, data.data(), chunk);
      if (rc > 0) {
        data.remove_prefix(static_cast<size_t>(rc));
        continue;
      }
      const int error = SSL_get_error(c->ssl, rc);
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_WRITE) {
        if (!WaitFor(c, POLLOUT, options_.write_timeout)) return false;
      } else if (error == SSL_ERROR_WANT_READ) {
        if (!WaitFor(c, POLLIN, options_.write_timeout)) return false;
      } else {
        return false;
      }
      continue;
    }
    const ssize_t n = send(c->fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(c, POLLOUT, options_.write_timeout)) return false;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace warren
