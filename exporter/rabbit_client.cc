#include "exporter/rabbit_client.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/errno_text.h"

namespace warren {
namespace {

template <auto free_fn>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    free_fn(p);
  }
};
void FreeCertStack(STACK_OF(X509) * chain) { sk_X509_pop_free(chain, X509_free); }

}  // namespace

struct LoadedTls {
  std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>> store;  // the CA file or the system store
  std::unique_ptr<X509, OpenSslFree<X509_free>> cert;                // null without a client certificate
  std::unique_ptr<STACK_OF(X509), OpenSslFree<FreeCertStack>> chain;  // intermediates after it
  std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>> key;
  std::string verify_name;  // what the broker's certificate must name
  bool verify_ip = false;   // verify_name is an IP address
  std::string sni;          // the server name to send instead of the URL host, if any
  bool insecure = false;
};

namespace {

// The OpenSSL errors of this thread, oldest first, and clears them.
std::string OpenSslErrors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    // httplib's shutdown of a connection whose handshake failed adds nothing.
    if (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_SHUTDOWN_WHILE_IN_INIT) continue;
    std::string text;
    if (const char* reason = ERR_reason_error_string(code)) {
      text = reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof buffer);
      text = buffer;
    }
    absl::StrAppend(&out, out.empty() ? "" : "; ", text);
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The whole file, or InvalidArgument naming `what` and the file.
absl::StatusOr<std::string> ReadFile(absl::string_view what, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", ErrnoText(errno)));
  }
  std::string out;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  (void)std::fclose(file);  // opened for reading: nothing buffered to lose
  if (failed) return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", ErrnoText(error)));
  return out;
}

using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;

// Every PEM certificate of a file (at least one), in order.
absl::StatusOr<std::vector<std::unique_ptr<X509, OpenSslFree<X509_free>>>> ReadCertificates(
    absl::string_view what, const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(what, path);
  if (!pem.ok()) return pem.status();
  Bio bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  std::vector<std::unique_ptr<X509, OpenSslFree<X509_free>>> out;
  ERR_clear_error();
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  // The loop ends at the end of the file ("no start line") or at a block it cannot read.
  const unsigned long last = ERR_peek_last_error();
  if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": unreadable PEM after ", out.size(),
                                                   " certificate(s): ", OpenSslErrors()));
  }
  ERR_clear_error();
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": no PEM certificate in it"));
  return out;
}

// Never asks for a passphrase (OpenSSL's default would prompt on the terminal).
int NoPassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<std::shared_ptr<const LoadedTls>> LoadTls(const ClientOptions& options) {
  const TlsOptions& tls = options.tls;
  if (options.url.scheme != "https") {
    if (!tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty() || !tls.server_name.empty() ||
        tls.insecure_skip_verify) {
      return absl::InvalidArgumentError("TLS options need an https:// broker URL");
    }
    return nullptr;
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(tls.cert_file.empty()
                                          ? "TLS client key given without its certificate: set both or neither"
                                          : "TLS client certificate given without its key: set both or neither");
  }
  for (char c : tls.server_name) {
    if (!absl::ascii_isgraph(c)) return absl::InvalidArgumentError("TLS server name must not contain spaces");
  }
  auto out = std::make_shared<LoadedTls>();
  out->insecure = tls.insecure_skip_verify;
  out->verify_name = tls.server_name.empty() ? options.url.host : tls.server_name;
  out->verify_ip = IsIpAddress(out->verify_name);
  // SNI carries DNS names only (RFC 6066); httplib sends the URL host unless we replace it.
  if (!tls.server_name.empty() && !out->verify_ip) out->sni = tls.server_name;

  // The CA file is loaded (and so checked) even when verification is off.
  out->store.reset(X509_STORE_new());
  if (out->store == nullptr) return absl::InternalError(absl::StrCat("X509_STORE_new: ", OpenSslErrors()));
  if (tls.ca_file.empty()) {
    if (X509_STORE_set_default_paths(out->store.get()) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("TLS: cannot use the system CA store: ", OpenSslErrors()));
    }
  } else {
    auto cas = ReadCertificates("TLS CA file", tls.ca_file);
    if (!cas.ok()) return cas.status();
    for (const auto& ca : *cas) {
      if (X509_STORE_add_cert(out->store.get(), ca.get()) != 1) {
        return absl::InvalidArgumentError(absl::StrCat("TLS CA file ", tls.ca_file, ": ", OpenSslErrors()));
      }
    }
  }

  if (!tls.cert_file.empty()) {
    auto certs = ReadCertificates("TLS client certificate file", tls.cert_file);
    if (!certs.ok()) return certs.status();
    out->cert = std::move(certs->front());
    out->chain.reset(sk_X509_new_null());
    for (size_t i = 1; i < certs->size(); ++i) {
      X509* cert = (*certs)[i].release();  // the chain owns it once pushed
      if (sk_X509_push(out->chain.get(), cert) <= 0) {
        X509_free(cert);
        return absl::InternalError("sk_X509_push failed");
      }
    }
    absl::StatusOr<std::string> pem = ReadFile("TLS client key file", tls.key_file);
    if (!pem.ok()) return pem.status();
    Bio bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
    ERR_clear_error();
    out->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    if (out->key == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("TLS client key file ", tls.key_file,
                                                     ": no unencrypted PEM private key in it (", OpenSslErrors(), ")"));
    }
    if (X509_check_private_key(out->cert.get(), out->key.get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat("TLS client key file ", tls.key_file,
                                                     " does not hold the key of the certificate in ", tls.cert_file));
    }
  }
  return out;
}

// One handshake's view for the verify callback: set as ex_data of the request's SSL_CTX.
struct Handshake {
  const LoadedTls* tls = nullptr;
  std::string failure;                 // why the broker's certificate was refused, if it was
  bool certificate_requested = false;  // the broker asked for a client certificate
  std::string alert;                   // the first fatal alert the broker sent
};

int HandshakeIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

Handshake* HandshakeOf(const SSL* ssl) {
  return ssl == nullptr ? nullptr : static_cast<Handshake*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), HandshakeIndex()));
}

// OpenSSL verifies the chain and the name (X509_VERIFY_PARAM) during the handshake; this only
// remembers the first reason it gave, for the error message.
int RememberVerifyFailure(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return ok;
  Handshake* handshake =
      HandshakeOf(static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx())));
  if (handshake == nullptr || !handshake->failure.empty()) return ok;
  const int error = X509_STORE_CTX_get_error(store);
  handshake->failure = absl::StrCat("broker certificate refused: ", X509_verify_cert_error_string(error));
  if (error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    absl::StrAppend(&handshake->failure, " (it does not name ", handshake->tls->verify_name, ")");
  }
  if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
    absl::StrAppend(&handshake->failure, "; certificate ", subject);
  }
  return ok;
}

// Notes what the broker says in the handshake that matters when it ends the connection: under
// TLS 1.3 a broker refuses a client certificate (or its absence) after the client's side of the
// handshake is done, and the alert saying so may never be read.
void WatchMessages(int write_p, int, int content_type, const void* buf, size_t len, SSL*, void* arg) {
  if (write_p != 0 || arg == nullptr) return;
  auto* handshake = static_cast<Handshake*>(arg);
  const auto* bytes = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_HANDSHAKE && len > 0 && bytes[0] == SSL3_MT_CERTIFICATE_REQUEST) {
    handshake->certificate_requested = true;
  }
  if (content_type == SSL3_RT_ALERT && len >= 2 && bytes[0] == SSL3_AL_FATAL && handshake->alert.empty()) {
    handshake->alert = SSL_alert_desc_string_long(bytes[1]);
  }
}

// Sends the configured server name as SNI in place of the URL host httplib sets before the
// handshake: the ClientHello is written after SSL_CB_HANDSHAKE_START.
void ReplaceSni(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
  const Handshake* handshake = HandshakeOf(ssl);
  if (handshake != nullptr && !handshake->tls->sni.empty()) {
    SSL_set_tlsext_host_name(const_cast<SSL*>(ssl), handshake->tls->sni.c_str());
  }
}

// Puts the loaded material into this request's SSL_CTX. httplib's own check is off: it runs
// after the handshake and only against the URL host; OpenSSL's, set here, runs during it.
absl::Status ConfigureTls(httplib::Client& client, Handshake* handshake) {
  const LoadedTls& tls = *handshake->tls;
  SSL_CTX* ctx = client.ssl_context();
  if (ctx == nullptr) return absl::InternalError(absl::StrCat("no TLS context: ", OpenSslErrors()));
  client.enable_server_certificate_verification(false);
  SSL_CTX_set_ex_data(ctx, HandshakeIndex(), handshake);
  SSL_CTX_set_msg_callback(ctx, WatchMessages);
  SSL_CTX_set_msg_callback_arg(ctx, handshake);
  if (tls.cert != nullptr) {
    if (SSL_CTX_use_certificate(ctx, tls.cert.get()) != 1 ||
        (sk_X509_num(tls.chain.get()) > 0 && SSL_CTX_set1_chain(ctx, tls.chain.get()) != 1) ||
        SSL_CTX_use_PrivateKey(ctx, tls.key.get()) != 1) {
      return absl::InternalError(absl::StrCat("cannot use the client certificate: ", OpenSslErrors()));
    }
  }
  if (!tls.sni.empty()) SSL_CTX_set_info_callback(ctx, ReplaceSni);
  if (tls.insecure) return absl::OkStatus();
  SSL_CTX_set1_cert_store(ctx, tls.store.get());
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int set = tls.verify_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, tls.verify_name.c_str())
                                : X509_VERIFY_PARAM_set1_host(param, tls.verify_name.data(), tls.verify_name.size());
  if (set != 1) return absl::InternalError(absl::StrCat("cannot verify the name ", tls.verify_name));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, RememberVerifyFailure);
  return absl::OkStatus();
}

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

bool InsecureTls(const ClientOptions& options) {
  return options.url.scheme == "https" && options.tls.insecure_skip_verify;
}

absl::StatusOr<std::unique_ptr<RabbitClient>> RabbitClient::Create(ClientOptions options) {
  auto client = std::make_unique<RabbitClient>(std::move(options));
  if (!client->tls_status_.ok()) return client->tls_status_;
  return client;
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
    case BodyFormat::kAuto: return "auto";
    case BodyFormat::kBert: return "bert";
    case BodyFormat::kJson: return "json";
  }
  return "auto";
}

absl::StatusOr<std::string> RabbitClient::Get(absl::string_view request, absl::Time deadline,
                                              bool body_on_503) const {
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
        if (body.size() + size > body.capacity()) body.reserve(std::min(std::max(body.capacity() * 2, body.size() + size), cap));
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
          !got_headers && (ssl_error || !handshake.alert.empty() ||
                           ((error == httplib::Error::Write || error == httplib::Error::Read) &&
                            handshake.certificate_requested));
      if (handshake_failed || refused) {
        std::string detail = handshake.failure;
        if (detail.empty() && (handshake_failed || ssl_error)) detail = OpenSslErrors();
        if (detail.empty() && !handshake.alert.empty()) detail = absl::StrCat("the broker sent alert ", handshake.alert);
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
    return StatusForHttp(result->status, request, body);
  }
  const std::string type = absl::AsciiStrToLower(result->get_header_value("Content-Type"));
  return Body{.data = std::move(body), .bert = absl::StartsWith(type, "application/bert")};
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
    case absl::StatusCode::kFailedPrecondition: return "tls";
    default: return "other";
  }
}

const std::vector<absl::string_view>& AllErrorReasons() {
  static const std::vector<absl::string_view>* reasons = new std::vector<absl::string_view>{
      "auth", "bad_response", "http_error", "not_found", "other", "timeout", "tls", "too_large", "unreachable"};
  return *reasons;
}

}  // namespace warren
