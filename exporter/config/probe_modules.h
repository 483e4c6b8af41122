// The modules: section of the config file: named credentials and TLS settings for /probe, and
// the targets each may be used for.
#ifndef WARREN_EXPORTER_CONFIG_PROBE_MODULES_H_
#define WARREN_EXPORTER_CONFIG_PROBE_MODULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "exporter/config/config.h"

namespace warren {

// One `modules.<name>.<key>` setting (`key` is what follows "modules."), the module made when it
// is first named: the keys of the rabbitmq section but url, and targets (RE2 patterns).
absl::Status SetModuleSetting(absl::string_view key, const std::string& value, std::vector<ProbeModule>* modules);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_PROBE_MODULES_H_
