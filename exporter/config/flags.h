// The flag table: every setting's name, placeholder and help, how it is set from text and how
// its default is shown. The environment (WARREN_<FLAG>) and the config file (section.key) name
// their settings after it; collectors are switched by group.
#ifndef WARREN_EXPORTER_CONFIG_FLAGS_H_
#define WARREN_EXPORTER_CONFIG_FLAGS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "exporter/config/config.h"

namespace warren {

struct Flag {
  const char* name;
  const char* placeholder;
  const char* help;
  std::function<absl::Status(Config*, absl::string_view)> set;
  std::function<std::string(const Config&)> show;  // default shown in --help; "" for none
  // Only for a repeatable flag (a list): empties the list. Each source (file, environment, flags)
  // replaces the list of the sources below it; within one source every value adds to it.
  std::function<void(Config*)> clear = nullptr;
};

// The text of --help: every flag with its default, the collector groups, the environment.
std::string HelpText();

// Every flag, in --help order.
const std::vector<Flag>& Flags();
// The flag called `name` (without "--"), or nullptr.
const Flag* FindFlag(absl::string_view name);
// "--name: message".
absl::Status FlagError(absl::string_view name, const absl::Status& status);
// "scrape.max-body-bytes" -> "WARREN_SCRAPE_MAX_BODY_BYTES".
std::string EnvName(absl::string_view name);
// "scrape.max-body-bytes" -> "scrape.max_body_bytes": the section, then the rest with _.
std::string FileKey(absl::string_view name);

// A collector group (Endpoint::group), or an error listing the known ones.
absl::Status KnownCollector(absl::string_view group);
// Switches a group on or off in config->disabled_collectors.
absl::Status SetCollector(Config* config, absl::string_view group, bool on);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_FLAGS_H_
