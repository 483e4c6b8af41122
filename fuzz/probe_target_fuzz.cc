// The /probe allowlist (ProbeTargets::Check). Input: the module name on the first line, the target
// on the second, and further lines as the target patterns of module "fuzz". Modules "default" and
// "local" have fixed patterns; a target they accept must be the broker those patterns describe,
// whatever else the URL holds. Any accepted target matches one of its module's patterns entirely
// and parses to the URL returned.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "exporter/broker/broker_url.h"
#include "exporter/scrape/probe_target.h"
#include "fuzz/check.h"
#include "re2/re2.h"

namespace warren::fuzz {
namespace {

ProbeModule Module(std::string name, std::vector<std::string> targets) {
  ProbeModule module;
  module.name = std::move(name);
  module.targets = std::move(targets);
  return module;
}

bool MatchesOne(absl::string_view target, const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    const re2::RE2 re(pattern, re2::RE2::Quiet);
    if (re.ok() && re2::RE2::FullMatch(re2::StringPiece(target.data(), target.size()), re)) return true;
  }
  return false;
}

void CheckOne(absl::string_view input) {
  std::vector<std::string> lines = absl::StrSplit(input, '\n');
  if (lines.size() < 2) return;
  const std::vector<std::string> fuzz_patterns(lines.begin() + 2, lines.end());
  const ProbeTargets targets({Module("default", {R"(https://rabbit-[a-z0-9-]+\.prod\.example:15671)"}),
                              Module("local", {R"(http://127\.0\.0\.1:\d+(/[a-z]+)?)"}),
                              Module("fuzz", fuzz_patterns)});

  absl::StatusOr<ProbeTargets::Allowed> allowed = targets.Check(lines[1], lines[0]);
  if (!allowed.ok()) {
    Check(allowed.status().code() == absl::StatusCode::kInvalidArgument, "a refusal is InvalidArgument");
    return;
  }
  const ProbeModule& module = *allowed->module;
  Check(module.name == (lines[0].empty() ? "default" : lines[0]), "the module asked for");
  Check(MatchesOne(lines[1], module.targets), "the target matches one of the module's patterns entirely");
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(lines[1]);
  CheckOk(url.status(), "an allowed target is a broker URL");
  Check(url->ToString() == allowed->url.ToString(), "the URL returned is the target's");
  if (module.name == "default") {
    Check(allowed->url.scheme == "https" && allowed->url.port == 15671 && allowed->url.base_path.empty() &&
              RE2::FullMatch(allowed->url.host, R"(rabbit-[a-z0-9-]+\.prod\.example)"),
          "module default reaches only its brokers");
  } else if (module.name == "local") {
    Check(allowed->url.scheme == "http" && allowed->url.host == "127.0.0.1", "module local stays on loopback");
  }
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::CheckOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
