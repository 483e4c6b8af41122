// Flags and WARREN_* variables into a Config (ParseArgs). Input: one argument or variable per
// line; a line NAME=value with NAME starting WARREN_ is a variable, any other an argument.
// Whatever parses is valid; and flags given only as --name=value must give the same Config as the
// same values given as variables. Settings that read files (--config.file, password files) are
// refused: a fuzz target reads no files.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "exporter/broker/broker_url.h"
#include "exporter/config/config.h"
#include "exporter/config/sources.h"
#include "fuzz/check.h"
#include "fuzz/config_text.h"

namespace warren::fuzz {
namespace {

EnvLookup Env(const std::map<std::string, std::string>& vars) {
  return [&vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// "scrape.max-body-bytes" -> "WARREN_SCRAPE_MAX_BODY_BYTES", as the README documents.
std::string EnvName(absl::string_view flag) {
  std::string out = "WARREN_";
  for (char c : flag) out += (c == '.' || c == '-') ? '_' : absl::ascii_toupper(c);
  return out;
}

int ParseLines(absl::string_view input) {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    if (absl::StartsWith(line, "WARREN_") && absl::StrContains(line, '=')) {
      std::pair<std::string, std::string> var = absl::StrSplit(line, absl::MaxSplits('=', 1));
      env[var.first] = var.second;
    } else {
      args.emplace_back(line);
    }
  }

  for (absl::string_view arg : args) {
    if (absl::StartsWith(arg, "--config.file") || absl::StartsWith(arg, "--rabbitmq.password-file")) return -1;
  }
  if (env.contains("WARREN_CONFIG_FILE") || env.contains("WARREN_RABBITMQ_PASSWORD_FILE")) return -1;

  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, Env(env));
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInvalidArgument, "errors are InvalidArgument");
    return 0;
  }
  if (parsed->help || parsed->version) return 0;  // returned before the config is built
  const Config& config = parsed->config;
  CheckOk(config.Validate(), "a parsed config is valid");
  CheckOk(ParseBrokerUrl(config.rabbitmq_url).status(), "a parsed config has a usable broker URL");

  // The same settings as variables: only --name=value with a non-empty value (an empty variable
  // counts as unset), each name once, no collector switches.
  if (!env.empty()) return 0;
  std::map<std::string, std::string> as_env;
  for (absl::string_view arg : args) {
    if (!absl::ConsumePrefix(&arg, "--") || absl::StrContains(arg, "collector.")) return 0;
    const size_t eq = arg.find('=');
    if (eq == absl::string_view::npos || eq + 1 == arg.size()) return 0;
    if (!as_env.emplace(EnvName(arg.substr(0, eq)), std::string(arg.substr(eq + 1))).second) return 0;
  }
  absl::StatusOr<ParsedArgs> from_env = ParseArgs({}, Env(as_env));
  CheckOk(from_env.status(), "flags that parse also parse as variables");
  Check(Describe(from_env->config) == Describe(config), "flags and variables give the same config");
  return 0;
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warren::fuzz::ParseLines({reinterpret_cast<const char*>(data), size});
}
