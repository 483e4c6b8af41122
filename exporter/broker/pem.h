// PEM certificates and keys with OpenSSL, for TLS in both directions: the CAs and client
// certificate warren shows a broker (rabbit_client.cc) and the certificate of its own server
// (web/web_tls.cc). Parsing only: reading the files is util/read_file.h's.
#ifndef WARREN_EXPORTER_BROKER_PEM_H_
#define WARREN_EXPORTER_BROKER_PEM_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace warren {

// The most a certificate, key or CA file may hold, in either direction: such files are small, and
// a bigger one is not one.
inline constexpr size_t kMaxPemBytes = 1 << 20;

// unique_ptr deleter calling OpenSSL's own free function.
template <auto free_fn>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    free_fn(p);
  }
};
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using PrivateKeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;

// The OpenSSL errors of this thread, oldest first, joined by "; ", and clears them. OpenSSL's
// messages carry no key material.
std::string OpenSslErrors();

// The certificates of a PEM text, in order, as SSL_CTX_use_certificate_chain_file reads them (the
// first may be a TRUSTED CERTIFICATE), up to the first block that is not one.
struct PemCertificates {
  std::vector<X509Ptr> certs;
  std::string error;  // "" when the text was read to its end; else why the next block failed
};
PemCertificates ReadPemCertificates(absl::string_view pem);

// The unencrypted private key of a PEM text, or null with OpenSSL's reason in `*error`. Never asks
// for a pass phrase (OpenSSL's default would prompt on the terminal).
PrivateKeyPtr ReadPemPrivateKey(absl::string_view pem, std::string* error);

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_PEM_H_
