#include "exporter/rabbit_client.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace warren {
namespace {

// A short printable excerpt of an error body, for the log line.
std::string Excerpt(absl::string_view body) {
  std::string out;
  for (char c : body.substr(0, 160)) out += absl::ascii_isprint(c) ? c : '?';
  return out;
}

absl::Status StatusForHttp(int code, absl::string_view request, absl::string_view body) {
  const std::string what = absl::StrCat(request, ": HTTP ", code, " ", Excerpt(body));
  switch (code) {
    case 401:
    case 403:
      return absl::PermissionDeniedError(what);
    case 404:
      return absl::NotFoundError(what);
    default:
      return absl::InternalError(what);
  }
}

}  // namespace

RabbitClient::RabbitClient(ClientOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::string> RabbitClient::Get(absl::string_view request, absl::Time deadline,
                                              bool body_on_503) const {
  const absl::Duration budget = deadline - absl::Now();
  if (budget <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(absl::StrCat(request, ": no time left"));
  }
  const auto timeout = std::chrono::microseconds(std::max<int64_t>(1000, absl::ToInt64Microseconds(budget)));

  httplib::Client client(options_.url.Origin());
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_basic_auth(options_.user, options_.password);
  client.set_keep_alive(false);
  // Compression would move CPU onto the broker, which is what warren tries to spare.
  client.set_decompress(false);

  const std::string path = absl::StrCat(options_.url.base_path, request);
  std::string body;
  bool too_large = false, too_slow = false;
  httplib::Result result = client.Get(
      path, httplib::Headers{{"Accept", "application/json"}},
      [&](const httplib::Response& response) {
        // Refuse early when the broker announces a body over the cap.
        uint64_t length = 0;
        if (absl::SimpleAtoi(response.get_header_value("Content-Length"), &length) &&
            length > static_cast<uint64_t>(options_.max_body_bytes)) {
          too_large = true;
        }
        return !too_large;
      },
      [&](const char* data, size_t size) {
        // The read timeout is per read; a trickling broker is cut off here, at the deadline.
        if (absl::Now() > deadline) {
          too_slow = true;
          return false;
        }
        if (body.size() + size > static_cast<size_t>(options_.max_body_bytes)) {
          too_large = true;
          return false;
        }
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
      return absl::DeadlineExceededError(what);
    }
    return absl::UnavailableError(what);
  }
  if (result->status == 503 && body_on_503) return body;
  if (result->status != 200) return StatusForHttp(result->status, request, body);
  return body;
}

absl::string_view ErrorReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: return "unreachable";
    case absl::StatusCode::kDeadlineExceeded: return "timeout";
    case absl::StatusCode::kPermissionDenied: return "auth";
    case absl::StatusCode::kNotFound: return "not_found";
    case absl::StatusCode::kResourceExhausted: return "too_large";
    case absl::StatusCode::kDataLoss: return "bad_response";
    case absl::StatusCode::kInternal: return "http_error";
    default: return "other";
  }
}

const std::vector<absl::string_view>& AllErrorReasons() {
  static const std::vector<absl::string_view>* reasons = new std::vector<absl::string_view>{
      "auth", "bad_response", "http_error", "not_found", "other", "timeout", "too_large", "unreachable"};
  return *reasons;
}

}  // namespace warren
