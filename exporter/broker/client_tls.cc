#include "exporter/broker/client_tls.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "util/read_file.h"

namespace warren {

void FreeCertStack(STACK_OF(X509) * chain) { sk_X509_pop_free(chain, X509_free); }

namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The whole file (a regular one, at most kMaxPemBytes), or InvalidArgument naming `what` and the file.
absl::StatusOr<std::string> ReadFile(absl::string_view what, const std::string& path) {
  std::string out;
  if (absl::Status s = ReadLimitedFile(path, kMaxPemBytes, &out); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", s.message()));
  }
  return out;
}

// Every PEM certificate of a file (at least one), in order.
absl::StatusOr<std::vector<X509Ptr>> ReadCertificates(absl::string_view what, const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(what, path);
  if (!pem.ok()) return pem.status();
  PemCertificates read = ReadPemCertificates(*pem);
  if (!read.error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": unreadable PEM after ", read.certs.size(), " certificate(s): ", read.error));
  }
  if (read.certs.empty())
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": no PEM certificate in it"));
  return std::move(read.certs);
}

int HandshakeIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

Handshake* HandshakeOf(const SSL* ssl) {
  return ssl == nullptr ? nullptr
                        : static_cast<Handshake*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), HandshakeIndex()));
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

}  // namespace

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
    std::string error;
    out->key = ReadPemPrivateKey(*pem, &error);
    OPENSSL_cleanse(pem->data(), pem->size());
    if (out->key == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS client key file ", tls.key_file, ": no unencrypted PEM private key in it (", error, ")"));
    }
    if (X509_check_private_key(out->cert.get(), out->key.get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat("TLS client key file ", tls.key_file,
                                                     " does not hold the key of the certificate in ", tls.cert_file));
    }
  }
  return out;
}

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

}  // namespace warren
