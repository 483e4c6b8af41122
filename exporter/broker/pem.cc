#include "exporter/broker/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "absl/strings/str_cat.h"

namespace warren {
namespace {

using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;

Bio MemBio(absl::string_view pem) { return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

int NoPassphrase(char*, int, int, void*) { return -1; }

// True when the error queue holds only "no more PEM blocks": the normal end of a text.
bool AtPemEnd() {
  const unsigned long last = ERR_peek_last_error();
  return last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
}

}  // namespace

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

PemCertificates ReadPemCertificates(absl::string_view pem) {
  PemCertificates out;
  Bio bio = MemBio(pem);
  if (bio == nullptr) {
    out.error = "out of memory";
    return out;
  }
  ERR_clear_error();
  if (X509* first = PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassphrase, nullptr)) {
    out.certs.emplace_back(first);
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) out.certs.emplace_back(cert);
  }
  // The reading ends at the end of the text ("no start line") or at a block it cannot read.
  if (!AtPemEnd()) out.error = OpenSslErrors();
  ERR_clear_error();
  return out;
}

PrivateKeyPtr ReadPemPrivateKey(absl::string_view pem, std::string* error) {
  Bio bio = MemBio(pem);
  if (bio == nullptr) {
    *error = "out of memory";
    return nullptr;
  }
  ERR_clear_error();
  PrivateKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) *error = OpenSslErrors();
  ERR_clear_error();
  return key;
}

}  // namespace warren
