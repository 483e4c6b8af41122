#include "exporter/broker/rabbit_client.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/broker/client_tls.h"
#include "exporter/broker/pem.h"
#include "exporter/broker/redact.h"
#include "util/errno_text.h"

namespace warren {
namespace {

// The error for a non-200 answer, with a short excerpt of its body for the log: redacted, since a
// target or proxy may echo the request's Authorization header or the password itself.
absl::Status StatusForHttp(int code, absl::string_view request, absl::string_view body, const ClientOptions& options) {
  const std::vector<std::string> secrets = {options.password,
                                            absl::Base64Escape(absl::StrCat(options.user, ":", options.password))};
  const std::string what = absl::StrCat(request, ": HTTP ", code, " ", SafeExcerpt(body, secrets));
  switch (code) {
    case 401:
    case 403:
      return absl::PermissionDeniedError(what);
    case 404:
      return absl::NotFoundError(what);
    case 406:  // RabbitMQ 4.x for a path no enabled plugin serves (3.x: 404)
      return absl::UnimplementedError(what);
    default:
      // The statistics off (management_agent.disable_metrics_collector), the endpoints that read
      // them answer 400 with this reason (3.10.8, checked).
      if (code == 400 && absl::StrContains(body, "Stats in management UI are disabled")) {
        return absl::UnimplementedError(what);
      }
      return absl::InternalError(what);
  }
}

}  // namespace

bool InsecureTls(const ClientOptions& options) {
  return options.url.scheme == "https" && options.tls.insecure_skip_verify;
}

absl::StatusOr<std::unique_ptr<RabbitClient>> RabbitClient::Create(ClientOptions options) {
  auto client = std::make_unique<RabbitClient>(std::move(options));
  if (!client->tls_status_.ok()) return client->tls_status_;
  return client;
}

absl::StatusOr<std::unique_ptr<RabbitClient>> RabbitClient::At(BrokerUrl url) const {
  ClientOptions options = options_;
  options.url = std::move(url);
  return Create(std::move(options));
}

RabbitClient::RabbitClient(ClientOptions options) : options_(std::move(options)) {
  absl::StatusOr<std::shared_ptr<const LoadedTls>> tls = LoadTls(options_);
  if (tls.ok()) {
    tls_ = *std::move(tls);
  } else {
    tls_status_ = tls.status();
  }
}

absl::StatusOr<BodyFormat> ParseBodyFormat(absl::string_view text) {
  if (text == "auto") return BodyFormat::kAuto;
  if (text == "bert") return BodyFormat::kBert;
  if (text == "json") return BodyFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not auto, bert or json"));
}

absl::string_view BodyFormatName(BodyFormat format) {
  switch (format) {
    case BodyFormat::kAuto:
      return "auto";
    case BodyFormat::kBert:
      return "bert";
    case BodyFormat::kJson:
      return "json";
  }
  return "auto";
}

absl::StatusOr<std::string> RabbitClient::Get(absl::string_view request, absl::Time deadline, bool body_on_503) const {
  absl::StatusOr<Body> body = GetBody(request, deadline, body_on_503, false);
  if (!body.ok()) return body.status();
  if (body->bert) return absl::DataLossError(absl::StrCat(request, ": BERT answer to a request for JSON"));
  return std::move(body->data);
}

absl::StatusOr<std::string> RabbitClient::GetText(absl::string_view request, absl::Time deadline) const {
  absl::StatusOr<Body> body = GetAccepting(request, deadline, false, "text/plain");
  if (!body.ok()) return body.status();
  return std::move(body->data);
}

absl::StatusOr<Body> RabbitClient::GetBody(absl::string_view request, absl::Time deadline, bool body_on_503,
                                           bool bert) const {
  // Endpoints without BERT (federation links, shovels, vhost limits) pick the JSON they offer.
  return GetAccepting(request, deadline, body_on_503,
                      bert ? "application/bert, application/json;q=0.5" : "application/json");
}

absl::StatusOr<Body> RabbitClient::GetAccepting(absl::string_view request, absl::Time deadline, bool body_on_503,
                                                const char* accept) const {
  const absl::Duration budget = deadline - absl::Now();
  if (budget <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(absl::StrCat(request, ": no time left"));
  }
  if (!tls_status_.ok()) return absl::FailedPreconditionError(absl::StrCat(request, ": ", tls_status_.message()));
  const auto timeout = std::chrono::microseconds(std::max<int64_t>(1000, absl::ToInt64Microseconds(budget)));

  Handshake handshake;  // outlives the client, whose SSL_CTX points to it
  handshake.tls = tls_.get();
  httplib::Client client(options_.url.Origin());
  if (tls_ != nullptr) {
    if (absl::Status status = ConfigureTls(client, &handshake); !status.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(request, ": ", status.message()));
    }
    ERR_clear_error();  // what is left after the request is this request's
  }
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_basic_auth(options_.user, options_.password);
  client.set_keep_alive(false);
  // Compression would move CPU onto the broker, which is what warren tries to spare.
  client.set_decompress(false);

  const std::string path = absl::StrCat(options_.url.base_path, request);
  std::string body;
  bool too_large = false, too_slow = false, got_headers = false;
  httplib::Result result = client.Get(
      path, httplib::Headers{{"Accept", accept}},
      [&](const httplib::Response& response) {
        got_headers = true;
        // Refuse early when the broker announces a body over the cap.
        uint64_t length = 0;
        if (absl::SimpleAtoi(response.get_header_value("Content-Length"), &length)) {
          too_large = length > static_cast<uint64_t>(options_.max_body_bytes);
          if (!too_large) body.reserve(length);  // one allocation of the right size
        }
        return !too_large;
      },
      [&](const char* data, size_t size) {
        // The read timeout is per read; a trickling broker is cut off here, at the deadline.
        if (absl::Now() > deadline) {
          too_slow = true;
          return false;
        }
        const size_t cap = static_cast<size_t>(options_.max_body_bytes);
        if (body.size() + size > cap) {
          too_large = true;
          return false;
        }
        // Grow by doubling, but never past the cap: a body of unknown length costs at most the cap.
        if (body.size() + size > body.capacity())
          body.reserve(std::min(std::max(body.capacity() * 2, body.size() + size), cap));
        body.append(data, size);
        return true;
      });

  if (too_large) {
    return absl::ResourceExhaustedError(
        absl::StrCat(request, ": response larger than ", options_.max_body_bytes, " bytes"));
  }
  if (too_slow) return absl::DeadlineExceededError(absl::StrCat(request, ": deadline passed while reading"));
  if (!result) {
    const httplib::Error error = result.error();
    const std::string what = absl::StrCat(request, ": ", httplib::to_string(error));
    // httplib's poll() rounds the timeout down to whole milliseconds, so a read that timed out
    // can end a moment before the deadline.
    if (error == httplib::Error::ConnectionTimeout || absl::Now() + absl::Milliseconds(5) >= deadline) {
      if (tls_ != nullptr) ERR_clear_error();
      return absl::DeadlineExceededError(what);
    }
    if (tls_ != nullptr) {
      // A refused broker certificate fails the handshake. A broker that wants a client
      // certificate and gets none, or one it does not trust, sends an alert: under TLS 1.3 after
      // the client's side of the handshake is done, so it surfaces as a failed write or read, and
      // if the broker closed first the alert is never read. Once the response has begun, a
      // failure is the connection's, not TLS's (an unexpected EOF is a broker going away).
      const unsigned long last = ERR_peek_last_error();
      const bool handshake_failed = error == httplib::Error::SSLConnection ||
                                    error == httplib::Error::SSLLoadingCerts ||
                                    error == httplib::Error::SSLServerVerification;
      const bool ssl_error =
          ERR_GET_LIB(last) == ERR_LIB_SSL && ERR_GET_REASON(last) != SSL_R_UNEXPECTED_EOF_WHILE_READING;
      const bool refused =
          !got_headers &&
          (ssl_error || !handshake.alert.empty() ||
           ((error == httplib::Error::Write || error == httplib::Error::Read) && handshake.certificate_requested));
      if (handshake_failed || refused) {
        std::string detail = handshake.failure;
        if (detail.empty() && (handshake_failed || ssl_error)) detail = OpenSslErrors();
        if (detail.empty() && !handshake.alert.empty())
          detail = absl::StrCat("the broker sent alert ", handshake.alert);
        if (detail.empty()) {
          detail = absl::StrCat("the broker asked for a client certificate and closed the connection: ",
                                tls_->cert != nullptr ? "it refused ours" : "none is configured");
        }
        ERR_clear_error();
        return absl::FailedPreconditionError(
            absl::StrCat(request, ": TLS with ", options_.url.Origin(), " failed: ", detail));
      }
      ERR_clear_error();
    }
    return absl::UnavailableError(what);
  }
  if (result->status != 200 && !(result->status == 503 && body_on_503)) {
    return StatusForHttp(result->status, request, body, options_);
  }
  const std::string type = absl::AsciiStrToLower(result->get_header_value("Content-Type"));
  return Body{.data = std::move(body), .bert = absl::StartsWith(type, "application/bert")};
}

absl::string_view ErrorReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return "unreachable";
    case absl::StatusCode::kDeadlineExceeded:
      return "timeout";
    case absl::StatusCode::kPermissionDenied:
      return "auth";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kResourceExhausted:
      return "too_large";
    case absl::StatusCode::kDataLoss:
      return "bad_response";
    case absl::StatusCode::kInternal:
      return "http_error";
    case absl::StatusCode::kFailedPrecondition:
      return "tls";
    case absl::StatusCode::kUnimplemented:
      return "not_offered";
    default:
      return "other";
  }
}

const std::vector<absl::string_view>& AllErrorReasons() {
  static const std::vector<absl::string_view>* reasons = new std::vector<absl::string_view>{
      "auth", "bad_response", "http_error", "not_found", "other", "timeout", "tls", "too_large", "unreachable"};
  return *reasons;
}

}  // namespace warren
