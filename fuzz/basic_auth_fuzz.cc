// The Authorization header of a request to warren (BasicAuth::ParseHeader, then BasicAuth::Check
// against one user). What parses has a user without ':', and encoding it again parses the same;
// nothing gets in but the right user and password. Input: the header value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/web/basic_auth.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

// bcrypt of "s3cret" at cost 4, the cheapest, so uncached checks stay fast.
constexpr char kHash[] = "$2b$04$S1pGmT.7/bq2/0HX89EKJerR9jy0l5AnDsTApcuLZzcMIIJ2jaXsy";

BasicAuth& Auth() {
  static BasicAuth* auth = new BasicAuth({{"prometheus", kHash}});
  return *auth;
}

void CheckOne(absl::string_view header) {
  BasicCredentials credentials;
  const BasicAuth::Result parsed = BasicAuth::ParseHeader(header, &credentials);
  const BasicAuth::Result checked = Auth().Check(header);
  if (parsed != BasicAuth::Result::kOk) {
    Check(checked == parsed, "Check refuses what does not parse, for the same reason");
    return;
  }
  Check(!absl::StrContains(credentials.user, ':'), "the user ends at the first ':'");
  BasicCredentials again;
  Check(
      BasicAuth::ParseHeader(absl::StrCat("Basic ", absl::Base64Escape(credentials.user + ":" + credentials.password)),
                             &again) == BasicAuth::Result::kOk,
      "encoded again, the credentials parse");
  Check(again.user == credentials.user && again.password == credentials.password, "and are the same");
  const bool right = credentials.user == "prometheus" && credentials.password == "s3cret";
  Check((checked == BasicAuth::Result::kOk) == right, "only the right user and password get in");
  if (!right) {
    Check(checked ==
              (credentials.user == "prometheus" ? BasicAuth::Result::kWrongPassword : BasicAuth::Result::kUnknownUser),
          "a refusal says why");
  }
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::CheckOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
