// Basic auth for warren's own endpoints (basic_auth_users of the web config): an Authorization
// header checked against bcrypt hashes with the system's crypt(3) (libxcrypt), successful checks
// cached so a scrape every 15 s costs one bcrypt.
#ifndef WARREN_EXPORTER_WEB_BASIC_AUTH_H_
#define WARREN_EXPORTER_WEB_BASIC_AUTH_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace warren {

// The highest bcrypt cost accepted in the web config: ~5 s per uncached check at 70 ms for cost 10.
inline constexpr int kMaxBcryptCost = 16;
// The cost of a hash that LooksLikeBcrypt.
inline int BcryptCost(absl::string_view hash) { return (hash[4] - '0') * 10 + (hash[5] - '0'); }

// True when `hash` has the shape of a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters
// of salt and digest).
bool LooksLikeBcrypt(absl::string_view hash);

// crypt(3) of `password` with the setting `hash`, compared in constant time. False for anything
// crypt cannot handle (a NUL in the password, a hash libxcrypt refuses). Slow: bcrypt's cost.
bool CryptMatches(absl::string_view password, const std::string& hash);

// The parts of an Authorization header value. Both are wiped from memory on destruction.
struct BasicCredentials {
  std::string user;
  std::string password;
  BasicCredentials() = default;
  BasicCredentials(const BasicCredentials&) = delete;
  BasicCredentials& operator=(const BasicCredentials&) = delete;
  ~BasicCredentials();
};

class BasicAuth {
 public:
  enum class Result { kOk, kMissing, kMalformed, kUnknownUser, kWrongPassword };

  // Splits an Authorization header value ("Basic base64(user:password)", the scheme in any case)
  // into `out`: kOk, kMissing (empty) or kMalformed. Pure: no user is looked up.
  static Result ParseHeader(absl::string_view authorization, BasicCredentials* out);

  explicit BasicAuth(std::map<std::string, std::string> users);

  // Checks an Authorization header value ("Basic base64(user:password)"). `user` receives the
  // user name when it is one of the configured users (never an unknown name: people type
  // passwords into user fields).
  Result Check(absl::string_view authorization, std::string* user = nullptr);

  static absl::string_view ResultName(Result result);

  // Successful checks remembered (tests).
  int cached() const;
  // How many bcrypt hashes each cost has had computed by Check (tests: the work, not the time).
  std::map<int, int> hashes_by_cost() const;

 private:
  std::string CacheKey(absl::string_view user, absl::string_view password) const;

  const std::map<std::string, std::string> users_;
  // One bcrypt hash of a random password per cost the users' hashes have. Every uncached check
  // computes one hash at each of these costs (the user's own in place of its cost's decoy), so an
  // unknown user and a wrong password take as long whatever the users' costs: timing names no user.
  std::map<int, std::string> decoys_;
  std::string hmac_key_;          // random per process: the cache holds no plain hash of a password
  mutable absl::Mutex crypt_mu_;  // one bcrypt at a time: a flood of wrong passwords uses one core
  std::map<int, int> hashes_by_cost_ ABSL_GUARDED_BY(crypt_mu_);
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> ok_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warren

#endif  // WARREN_EXPORTER_WEB_BASIC_AUTH_H_
