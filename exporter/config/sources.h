// Where a Config comes from: the command line, the environment and the config file, applied in
// rising precedence (defaults < file < environment < flags), then validated.
#ifndef WARREN_EXPORTER_CONFIG_SOURCES_H_
#define WARREN_EXPORTER_CONFIG_SOURCES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "exporter/config/config.h"
#include "exporter/config/config_file.h"

namespace warren {

struct ParsedArgs {
  Config config;
  bool help = false;
  bool version = false;
  bool healthcheck = false;  // ask the running warren's /healthz and exit (container HEALTHCHECK)
  bool check = false;        // --config.check: validate the configuration and exit
};

// Reads an environment variable; injected so tests never touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// Parses `--name=value`, `--name value`, `--[no-]collector.<group>`, `--help`, `--version`,
// `--healthcheck` and `--config.check` (args excludes argv[0]), and builds the Config from, in
// rising precedence: defaults, the YAML file of --config.file (or $WARREN_CONFIG_FILE), the
// environment (WARREN_<FLAG>, e.g. WARREN_SCRAPE_TIMEOUT; WARREN_COLLECTOR_<GROUP>=true|false;
// WARREN_RABBITMQ_PASSWORD), then the flags. Then Validate(). Errors name the flag, variable or
// file and line.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const EnvLookup& env);

// The names in `names` (environment variable names) that start with WARREN_ but name no setting:
// a typo'd variable would otherwise be ignored silently. warren warns about each at start, and
// --config.check refuses them.
std::vector<std::string> UnknownWarrenVariables(const std::vector<std::string>& names);

// Applies the settings of a config file (ParseConfigFile) to `config` as --config.file does:
// relative *_file paths resolve against the directory of `path`. Errors name the file, line and key.
absl::Status ApplyConfigFile(const std::vector<FileSetting>& settings, const std::string& path, Config* config);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_SOURCES_H_
