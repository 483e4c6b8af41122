#include "exporter/broker/redact.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace warren {
namespace {

TEST(Redact, KnownSecretsAndCredentialShapes) {
  const std::vector<std::string> secrets = {"hunter2", "bW9uOmh1bnRlcjI="};
  struct Case {
    std::string in, want;
  } cases[] = {
      {"plain error", "plain error"},
      {"pw hunter2 and hunter2!", "pw [redacted] and [redacted]!"},
      {"Authorization: Basic abc\r\nnext", "Authorization: [redacted]\r\nnext"},
      {"AUTHORIZATION:Bearer x.y.z", "AUTHORIZATION:[redacted]"},
      {R"({"authorization":"Basic Zm9vOmJhcg=="})", R"({"authorization":[redacted])"},
      {"authorization=Digest abc&x=1", "authorization=[redacted]"},
      {"the authorization failed", "the authorization failed"},
      {"token: Bearer eyJhbGciOi.J9-_ end", "token: Bearer [redacted] end"},
      {"basic Zm9vOmJhcg== tail", "basic [redacted] tail"},
      {"see http://user:pass@host:80/x and https://host/y", "see http://[redacted]@host:80/x and https://host/y"},
      {"ftp://@host", "ftp://@host"},
      {"hunter2hunter2", "[redacted][redacted]"},
      {"Basic bW9uOmh1bnRlcjI=", "Basic [redacted]"},
  };
  for (const Case& c : cases) EXPECT_EQ(Redact(c.in, secrets), c.want) << c.in;
}

TEST(Redact, EmptySecretsAreIgnored) { EXPECT_EQ(Redact("abc", {"", ""}), "abc"); }

TEST(SafeExcerpt, ShortPrintableAndNeverHalfASecret) {
  EXPECT_EQ(SafeExcerpt("a\nb\x01", {}), "a?b?");
  EXPECT_EQ(SafeExcerpt(std::string(500, 'x'), {}).size(), 160u);
  // A secret that spans the place where the reading stops: no part of it is in the excerpt.
  const std::string secret(40, 's');
  const std::string body = std::string((64 << 10) - 10, 'x') + secret;
  const std::string excerpt = SafeExcerpt(body, {secret}, 1 << 20);
  EXPECT_EQ(excerpt.find('s'), std::string::npos) << excerpt.substr(excerpt.size() - 80);
  EXPECT_GT(excerpt.size(), 60000u);
}

}  // namespace
}  // namespace warren
