#include "exporter/web/web_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "exporter/broker/pem.h"
#include "util/log.h"
#include "util/read_file.h"

namespace warren {

struct TlsMaterial {
  X509* cert = nullptr;
  STACK_OF(X509) * chain = nullptr;  // intermediates after the leaf in cert_file
  EVP_PKEY* key = nullptr;
  X509_STORE* ca_store = nullptr;  // client CAs; null without client_ca_file
  STACK_OF(X509_NAME) * ca_names = nullptr;

  TlsMaterial() = default;
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;
  ~TlsMaterial() {
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_STORE_free(ca_store);
    sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
  }
};

namespace {

// The PEM text of a file/inline pair, e.g. ("cert_file", "cert"); errors name the key and path.
absl::Status Pem(const std::string& file, const std::string& inline_pem, absl::string_view file_key,
                 absl::string_view inline_key, std::string* out, std::string* what) {
  if (!file.empty()) {
    *what = absl::StrCat("tls_server_config.", file_key, " ", file);
    if (absl::Status s = ReadLimitedFile(file, kMaxPemBytes, out); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(*what, ": cannot read: ", s.message()));
    }
  } else {
    *what = absl::StrCat("tls_server_config.", inline_key);
    *out = inline_pem;
  }
  if (out->size() > kMaxPemBytes) return absl::InvalidArgumentError(absl::StrCat(*what, ": larger than 1 MiB"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const TlsMaterial>> LoadTlsMaterial(const TlsServerConfig& tls) {
  ERR_clear_error();
  auto m = std::make_shared<TlsMaterial>();
  std::string pem, what;

  if (absl::Status s = Pem(tls.cert_file, tls.cert_pem, "cert_file", "cert", &pem, &what); !s.ok()) return s;
  {
    PemCertificates read = ReadPemCertificates(pem);
    if (read.certs.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": no PEM certificate (", read.error.empty() ? "none in it" : read.error, ")"));
    }
    if (!read.error.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": bad certificate after the first (", read.error, ")"));
    }
    m->cert = read.certs.front().release();
    m->chain = sk_X509_new_null();
    if (m->chain == nullptr) return absl::ResourceExhaustedError("out of memory");
    for (size_t i = 1; i < read.certs.size(); ++i) sk_X509_push(m->chain, read.certs[i].release());
  }

  if (absl::Status s = Pem(tls.key_file, tls.key_pem, "key_file", "key", &pem, &what); !s.ok()) return s;
  {
    std::string error;
    m->key = ReadPemPrivateKey(pem, &error).release();
    OPENSSL_cleanse(pem.data(), pem.size());
    if (m->key == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": no PEM private key, or an encrypted one (not supported) (", error, ")"));
    }
    if (X509_check_private_key(m->cert, m->key) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat(what, ": the key does not match the certificate"));
    }
  }

  if (!tls.client_ca_file.empty() || !tls.client_ca_pem.empty()) {
    if (absl::Status s = Pem(tls.client_ca_file, tls.client_ca_pem, "client_ca_file", "client_ca", &pem, &what);
        !s.ok()) {
      return s;
    }
    PemCertificates read = ReadPemCertificates(pem);
    if (!read.error.empty())
      return absl::InvalidArgumentError(absl::StrCat(what, ": bad certificate (", read.error, ")"));
    if (read.certs.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": no PEM certificate"));
    m->ca_store = X509_STORE_new();
    m->ca_names = sk_X509_NAME_new_null();
    if (m->ca_store == nullptr || m->ca_names == nullptr) return absl::ResourceExhaustedError("out of memory");
    for (const X509Ptr& ca : read.certs) {
      X509_STORE_add_cert(m->ca_store, ca.get());  // takes its own reference
      if (X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca.get()))) sk_X509_NAME_push(m->ca_names, name);
    }
  }
  ERR_clear_error();
  return std::shared_ptr<const TlsMaterial>(std::move(m));
}

TlsContext::TlsContext(TlsServerConfig tls) : tls_(std::move(tls)) {}
TlsContext::~TlsContext() = default;

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsServerConfig& tls) {
  std::unique_ptr<TlsContext> ctx(new TlsContext(tls));
  // The signature before the load: a change during the load is seen at the next check.
  std::vector<std::string> signature = ctx->Signature();
  absl::StatusOr<std::shared_ptr<const TlsMaterial>> m = LoadTlsMaterial(tls);
  if (!m.ok()) return m.status();
  absl::MutexLock lock(&ctx->mu_);
  ctx->current_ = *std::move(m);
  ctx->signature_ = std::move(signature);
  ctx->last_check_ = absl::Now();
  return ctx;
}

std::vector<std::string> TlsContext::Signature() const {
  std::vector<std::string> out;
  for (const std::string* path : {&tls_.cert_file, &tls_.key_file, &tls_.client_ca_file}) {
    if (path->empty()) continue;
    struct stat st {};
    // stat follows symlinks: Kubernetes swaps a ..data symlink when it updates a secret.
    if (stat(path->c_str(), &st) != 0) {
      out.push_back(absl::StrCat("error ", errno));
      continue;
    }
    out.push_back(absl::StrCat(st.st_dev, " ", st.st_ino, " ", st.st_size, " ", st.st_mtim.tv_sec, ".",
                               st.st_mtim.tv_nsec, " ", st.st_ctim.tv_sec, ".", st.st_ctim.tv_nsec));
  }
  return out;
}

std::shared_ptr<const TlsMaterial> TlsContext::Current() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (now - last_check_ < tls_.reload_check_interval) return current_;
  last_check_ = now;
  std::vector<std::string> signature = Signature();
  if (signature == signature_) return current_;
  signature_ = std::move(signature);  // a failed reload is logged once, retried on the next change
  absl::StatusOr<std::shared_ptr<const TlsMaterial>> m = LoadTlsMaterial(tls_);
  if (!m.ok()) {
    Log(LogLevel::kWarn, "TLS certificate reload failed; serving the previous certificate",
        {{"error", std::string(m.status().message())}});
    return current_;
  }
  current_ = *std::move(m);
  ++reloads_;
  Log(LogLevel::kInfo, "TLS certificate reloaded",
      {{"cert_file", tls_.cert_file.empty() ? "(inline)" : tls_.cert_file}});
  return current_;
}

int TlsContext::reloads() const {
  absl::MutexLock lock(&mu_);
  return reloads_;
}

bool TlsContext::Configure(SSL_CTX* ctx) {
  uint64_t options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
  if (tls_.prefer_server_cipher_suites) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, options);
  if (SSL_CTX_set_min_proto_version(ctx, tls_.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, tls_.max_version) != 1) {
    return false;
  }
  if (!tls_.cipher_suites.empty() &&
      SSL_CTX_set_cipher_list(ctx, absl::StrJoin(tls_.cipher_suites, ":").c_str()) != 1) {
    return false;
  }
  if (!tls_.curve_groups.empty() && SSL_CTX_set1_groups_list(ctx, absl::StrJoin(tls_.curve_groups, ":").c_str()) != 1) {
    return false;
  }
  static const unsigned char kSessionContext[] = "warren";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);

  int mode = SSL_VERIFY_NONE;
  switch (tls_.client_auth) {
    case ClientAuth::kNoClientCert:
      break;
    case ClientAuth::kRequestClientCert:
    case ClientAuth::kVerifyClientCertIfGiven:
      mode = SSL_VERIFY_PEER;
      break;
    case ClientAuth::kRequireAnyClientCert:
    case ClientAuth::kRequireAndVerifyClientCert:
      mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
  }
  SSL_CTX_set_verify(ctx, mode, nullptr);
  if (mode != SSL_VERIFY_NONE) SSL_CTX_set_cert_verify_callback(ctx, &TlsContext::VerifyClientCert, this);
  SSL_CTX_set_client_hello_cb(ctx, &TlsContext::OnClientHello, this);

  // The context also holds the material of the moment; every handshake replaces it with Current().
  std::shared_ptr<const TlsMaterial> m = Current();
  const bool ok = SSL_CTX_use_cert_and_key(ctx, m->cert, m->key, m->chain, 1) == 1;
  ERR_clear_error();
  return ok;
}

int TlsContext::OnClientHello(SSL* ssl, int* alert, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  std::shared_ptr<const TlsMaterial> m = self->Current();
  if (SSL_use_cert_and_key(ssl, m->cert, m->key, m->chain, 1) != 1) {
    ERR_clear_error();
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  if (m->ca_store != nullptr) {
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(m->ca_names);
    if (SSL_set1_verify_cert_store(ssl, m->ca_store) != 1 || names == nullptr) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      ERR_clear_error();
      *alert = SSL_AD_INTERNAL_ERROR;
      return SSL_CLIENT_HELLO_ERROR;
    }
    SSL_set_client_CA_list(ssl, names);  // takes ownership
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

int TlsContext::VerifyClientCert(X509_STORE_CTX* store, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  const ClientAuth auth = self->tls_.client_auth;
  if (auth == ClientAuth::kVerifyClientCertIfGiven || auth == ClientAuth::kRequireAndVerifyClientCert) {
    if (X509_verify_cert(store) <= 0) return 0;
  }
  // RequestClientCert and RequireAnyClientCert take any certificate, as Go does.
  if (!self->tls_.client_allowed_sans.empty()) {
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    if (leaf == nullptr || !CertHasAllowedSan(leaf, self->tls_.client_allowed_sans)) {
      X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  }
  return 1;
}

bool CertHasAllowedSan(X509* cert, const std::vector<std::string>& allowed) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
      case GEN_EMAIL:
      case GEN_URI: {
        const ASN1_IA5STRING* s = name->d.ia5;
        const std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                static_cast<size_t>(ASN1_STRING_length(s)));
        for (const std::string& a : allowed) found = found || a == value;
        break;
      }
      case GEN_IPADD: {
        const unsigned char* ip = ASN1_STRING_get0_data(name->d.ip);
        const int len = ASN1_STRING_length(name->d.ip);
        for (const std::string& a : allowed) {
          unsigned char want[16];
          if (len == 4 && inet_pton(AF_INET, a.c_str(), want) == 1) found = found || std::memcmp(ip, want, 4) == 0;
          if (len == 16 && inet_pton(AF_INET6, a.c_str(), want) == 1) found = found || std::memcmp(ip, want, 16) == 0;
        }
        break;
      }
      default:
        break;
    }
  }
  GENERAL_NAMES_free(names);
  return found;
}

}  // namespace warren
