// Reads warren's YAML config file into flat settings: `section: {key: scalar}` becomes
// ("section.key", value, line). Which keys exist is decided by the caller (config.cc), so the file
// accepts exactly the flags, under the same names. One section nests deeper: `modules: {NAME:
// {key: scalar or [scalars]}}` becomes ("modules.NAME.key", value, line), once per list item.
#ifndef WARREN_EXPORTER_CONFIG_CONFIG_FILE_H_
#define WARREN_EXPORTER_CONFIG_CONFIG_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace warren {

struct FileSetting {
  std::string key;    // "scrape.timeout", "collectors.queue_stats"
  std::string value;  // the scalar as written
  int line = 0;       // 1-based
};

// Errors name the file and line: "warren.yml:7: scrape: want a mapping of keys to values".
// An empty file or `{}` has no settings.
absl::StatusOr<std::vector<FileSetting>> ReadConfigFile(const std::string& path);

// The same from text already read; `path` only names the file in errors.
absl::StatusOr<std::vector<FileSetting>> ParseConfigFile(absl::string_view text, const std::string& path);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_CONFIG_FILE_H_
