// The flag table is flags.cc, the checks validate.cc.
#include "exporter/config/sources.h"

#include <filesystem>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "exporter/config/flags.h"
#include "exporter/config/probe_modules.h"
#include "exporter/config/values.h"
#include "metrics/endpoints.h"

namespace warren {

absl::Status ApplyConfigFile(const std::vector<FileSetting>& settings, const std::string& path, Config* config) {
  for (const FileSetting& setting : settings) {
    auto fail = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", setting.line, ": ", setting.key, ": ", s.message()));
    };
    if (absl::string_view group = setting.key; absl::ConsumePrefix(&group, "collectors.")) {
      bool on = false;
      if (absl::Status s = SetBool(setting.value, &on); !s.ok()) return fail(s);
      if (absl::Status s = SetCollector(config, group, on); !s.ok()) return fail(s);
      continue;
    }
    std::string value = setting.value;
    // Paths in the file are relative to the file, as in Prometheus's own config files.
    if (absl::EndsWith(setting.key, "_file") && !value.empty() && value[0] != '/') {
      value = (std::filesystem::path(path).parent_path() / value).string();
    }
    if (absl::string_view rest = setting.key; absl::ConsumePrefix(&rest, "modules.")) {
      if (absl::Status s = SetModuleSetting(rest, value, &config->modules); !s.ok()) return fail(s);
      continue;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (setting.key == FileKey(f.name) && absl::string_view(f.name) != "config.file") flag = &f;
    }
    if (flag == nullptr) {
      return fail(absl::InvalidArgumentError(setting.key == "rabbitmq.password"
                                                 ? "not accepted in a file; use rabbitmq.password_file"
                                                 : "unknown key (the keys are the flags of --help)"));
    }
    if (flag->clear) flag->clear(config);  // the file's list replaces the defaults'
    if (absl::Status s = flag->set(config, value); !s.ok()) return fail(s);
  }
  return absl::OkStatus();
}

namespace {

absl::Status ApplyFile(const std::string& path, Config* config) {
  absl::StatusOr<std::vector<FileSetting>> settings = ReadConfigFile(path);
  if (!settings.ok()) return settings.status();
  return ApplyConfigFile(*settings, path, config);
}

absl::Status ApplyEnv(const EnvLookup& env, Config* config) {
  std::optional<std::string> password = env("WARREN_RABBITMQ_PASSWORD");
  if (std::optional<std::string> file = env("WARREN_RABBITMQ_PASSWORD_FILE");
      password && !password->empty() && file && !file->empty()) {
    return absl::InvalidArgumentError("$WARREN_RABBITMQ_PASSWORD and $WARREN_RABBITMQ_PASSWORD_FILE: set only one");
  }
  for (const Flag& flag : Flags()) {
    if (absl::string_view(flag.name) == "config.file") continue;
    const std::string name = EnvName(flag.name);
    if (std::optional<std::string> value = env(name.c_str()); value && !value->empty()) {
      if (flag.clear) flag.clear(config);  // the environment's list replaces the file's
      if (absl::Status s = flag.set(config, *value); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("$", name, ": ", s.message()));
      }
    }
  }
  for (const std::string& group : metrics::AllGroups()) {
    const std::string name = EnvName(absl::StrCat("collector.", group));
    if (std::optional<std::string> value = env(name.c_str()); value && !value->empty()) {
      bool on = false;
      if (absl::Status s = SetBool(*value, &on); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("$", name, ": ", s.message()));
      }
      if (absl::Status s = SetCollector(config, group, on); !s.ok()) return s;
    }
  }
  if (password && !password->empty()) {
    if (absl::Status s = PasswordFromText(*password, &config->rabbitmq_password); !s.ok()) {
      return absl::InvalidArgumentError("$WARREN_RABBITMQ_PASSWORD: empty once its trailing newlines are removed");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> UnknownWarrenVariables(const std::vector<std::string>& names) {
  std::set<std::string> known = {"WARREN_RABBITMQ_PASSWORD"};
  for (const Flag& flag : Flags()) known.insert(EnvName(flag.name));
  for (const std::string& group : metrics::AllGroups()) known.insert(EnvName(absl::StrCat("collector.", group)));
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    if (absl::StartsWith(name, "WARREN_") && !known.contains(name)) unknown.push_back(name);
  }
  return unknown;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const EnvLookup& env) {
  ParsedArgs out;
  // Flags are read first and applied last: defaults < config file < environment < flags.
  struct Given {
    const Flag* flag;
    std::string value;
  };
  std::vector<Given> given;
  std::vector<std::pair<std::string, bool>> collectors;
  std::string config_file = env("WARREN_CONFIG_FILE").value_or("");
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg == "--version") {
      out.version = true;
      continue;
    }
    if (arg == "--healthcheck") {
      out.healthcheck = true;
      continue;
    }
    if (arg == "--config.check") {
      out.check = true;
      continue;
    }
    if (absl::string_view group = arg;
        absl::ConsumePrefix(&group, "--no-collector.") || absl::ConsumePrefix(&group, "--collector.")) {
      if (absl::Status s = KnownCollector(group); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, ": ", s.message()));
      }
      collectors.emplace_back(std::string(group), !absl::StartsWith(arg, "--no-"));
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\"; flags start with --"));
    }
    absl::string_view name = arg, value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": unknown flag (see --help)"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, ": missing value"));
      }
      value = args[++i];
    }
    if (name == "config.file") {
      config_file = std::string(value);
      continue;
    }
    given.push_back({flag, std::string(value)});
  }
  if (out.help || out.version) return out;

  if (!config_file.empty()) {
    if (absl::Status s = ApplyFile(config_file, &out.config); !s.ok()) return s;
  }
  if (absl::Status s = ApplyEnv(env, &out.config); !s.ok()) return s;
  std::set<const Flag*> listed;  // repeatable flags given: their list replaces the environment's
  for (const Given& g : given) {
    if (g.flag->clear && listed.insert(g.flag).second) g.flag->clear(&out.config);
    if (absl::Status s = g.flag->set(&out.config, g.value); !s.ok()) return FlagError(g.flag->name, s);
  }
  for (const auto& [group, on] : collectors) {
    if (absl::Status s = SetCollector(&out.config, group, on); !s.ok()) return s;
  }
  if (absl::Status s = out.config.Validate(); !s.ok()) return s;
  return out;
}

}  // namespace warren
