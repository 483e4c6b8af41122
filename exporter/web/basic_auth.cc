#include "exporter/web/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace warren {
namespace {

constexpr size_t kMaxCachedLogins = 1024;

}  // namespace

bool LooksLikeBcrypt(absl::string_view hash) {
  if (hash.size() != 60) return false;
  if (!absl::StartsWith(hash, "$2a$") && !absl::StartsWith(hash, "$2b$") && !absl::StartsWith(hash, "$2y$"))
    return false;
  if (!absl::ascii_isdigit(hash[4]) || !absl::ascii_isdigit(hash[5]) || hash[6] != '$') return false;
  const int cost = BcryptCost(hash);
  if (cost < 4 || cost > 31) return false;
  for (char c : hash.substr(7)) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '/') return false;
  }
  return true;
}

bool CryptMatches(absl::string_view password, const std::string& hash) {
  if (password.find('\0') != absl::string_view::npos || password.size() >= CRYPT_MAX_PASSPHRASE_SIZE) return false;
  std::string phrase(password);
  auto data = std::make_unique<crypt_data>();  // value-initialised: zeroed, as crypt_r wants
  const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  const bool ok = out != nullptr && out[0] != '*' && std::strlen(out) == hash.size() &&
                  CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  OPENSSL_cleanse(phrase.data(), phrase.size());
  return ok;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof(key)) != 1) {
    // No CSPRNG: the key only keeps plain password hashes out of memory; fall back to the address.
    std::memset(key, 0, sizeof(key));
    const uintptr_t self = reinterpret_cast<uintptr_t>(this);
    std::memcpy(key, &self, sizeof(self));
  }
  hmac_key_.assign(reinterpret_cast<const char*>(key), sizeof(key));
  OPENSSL_cleanse(key, sizeof(key));

  std::string decoy_password = absl::BytesToHexString(absl::string_view(hmac_key_).substr(0, 8));
  auto data = std::make_unique<crypt_data>();
  for (const auto& [user, hash] : users_) {
    if (!LooksLikeBcrypt(hash)) continue;
    const int cost = BcryptCost(hash);
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (decoys_.contains(cost) || crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
      continue;
    }
    const char* out = crypt_rn(decoy_password.c_str(), setting, data.get(), sizeof(crypt_data));
    // Without a decoy of its own, a cost borrows the user's hash: the same work, never a match
    // that counts (its result is ignored).
    decoys_[cost] = out != nullptr && out[0] != '*' ? std::string(out) : hash;
  }
  OPENSSL_cleanse(decoy_password.data(), decoy_password.size());
}

std::string BasicAuth::CacheKey(absl::string_view user, absl::string_view password) const {
  const auto it = users_.find(std::string(user));
  std::string msg = absl::StrCat(user.size(), ":", user, it->second, password);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
           reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), digest, &len) == nullptr) {
    return "";  // never matches a stored key: no caching
  }
  std::string key(reinterpret_cast<const char*>(digest), len);
  OPENSSL_cleanse(msg.data(), msg.size());
  return key;
}

BasicCredentials::~BasicCredentials() {
  OPENSSL_cleanse(user.data(), user.size());
  OPENSSL_cleanse(password.data(), password.size());
}

BasicAuth::Result BasicAuth::ParseHeader(absl::string_view authorization, BasicCredentials* out) {
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.empty()) return Result::kMissing;
  const size_t space = authorization.find(' ');
  if (space == absl::string_view::npos || !absl::EqualsIgnoreCase(authorization.substr(0, space), "basic")) {
    return Result::kMalformed;
  }
  std::string decoded;
  Result result = Result::kMalformed;
  if (absl::Base64Unescape(absl::StripAsciiWhitespace(authorization.substr(space + 1)), &decoded)) {
    if (const size_t colon = decoded.find(':'); colon != std::string::npos) {
      out->user = decoded.substr(0, colon);
      out->password = decoded.substr(colon + 1);
      result = Result::kOk;
    }
  }
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return result;
}

BasicAuth::Result BasicAuth::Check(absl::string_view authorization, std::string* user_out) {
  BasicCredentials credentials;
  if (Result parsed = ParseHeader(authorization, &credentials); parsed != Result::kOk) return parsed;
  const std::string& user = credentials.user;
  const absl::string_view password = credentials.password;
  const auto it = users_.find(user);

  const bool known = it != users_.end();
  const std::string key = known ? CacheKey(user, password) : "";
  bool cached = false;
  if (known) {
    absl::MutexLock lock(&mu_);
    cached = !key.empty() && ok_.contains(key);
  }
  bool match = cached;
  if (!cached) {
    const int own_cost = known && LooksLikeBcrypt(it->second) ? BcryptCost(it->second) : -1;
    absl::MutexLock lock(&crypt_mu_);
    if (known) {
      match = CryptMatches(password, it->second);
      if (own_cost >= 0) ++hashes_by_cost_[own_cost];
    }
    for (const auto& [cost, decoy] : decoys_) {
      if (cost == own_cost) continue;
      CryptMatches(password, decoy);
      ++hashes_by_cost_[cost];
    }
  }
  if (!known) return Result::kUnknownUser;
  if (match && !cached && !key.empty()) {
    absl::MutexLock lock(&mu_);
    if (ok_.size() >= kMaxCachedLogins) ok_.clear();
    ok_.insert(key);
  }
  if (user_out != nullptr) *user_out = user;
  return match ? Result::kOk : Result::kWrongPassword;
}

absl::string_view BasicAuth::ResultName(Result result) {
  switch (result) {
    case Result::kOk:
      return "ok";
    case Result::kMissing:
      return "missing";
    case Result::kMalformed:
      return "malformed";
    case Result::kUnknownUser:
      return "unknown_user";
    case Result::kWrongPassword:
      return "wrong_password";
  }
  return "unknown";
}

std::map<int, int> BasicAuth::hashes_by_cost() const {
  absl::MutexLock lock(&crypt_mu_);
  return hashes_by_cost_;
}

int BasicAuth::cached() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(ok_.size());
}

}  // namespace warren
