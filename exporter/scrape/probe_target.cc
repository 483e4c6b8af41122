#include "exporter/scrape/probe_target.h"

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

namespace warren {

ProbeTargets::ProbeTargets(const std::vector<ProbeModule>& modules) {
  for (const ProbeModule& config : modules) {
    Module module{config, {}};
    for (const std::string& pattern : config.targets) {
      module.patterns.push_back(std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet));
    }
    modules_.push_back(std::move(module));
  }
}

ProbeTargets::~ProbeTargets() = default;

absl::StatusOr<ProbeTargets::Allowed> ProbeTargets::Check(absl::string_view target,
                                                          absl::string_view module_name) const {
  const absl::string_view name = module_name.empty() ? "default" : module_name;
  const Module* module = nullptr;
  for (const Module& candidate : modules_) {
    if (candidate.config.name == name) {
      module = &candidate;
      break;
    }
  }
  if (module == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown module \"", name, "\" (modules come from --config.file)"));
  }
  if (target.empty())
    return absl::InvalidArgumentError("missing target: /probe?target=<management API URL>&module=<name>");
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(target);
  if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat("bad target: ", url.status().message()));
  bool allowed = false;
  for (const auto& pattern : module->patterns)
    allowed = allowed || re2::RE2::FullMatch(re2::StringPiece(target.data(), target.size()), *pattern);
  if (!allowed) {
    return absl::InvalidArgumentError(
        absl::StrCat("target not allowed by module \"", name, "\": it matches none of its targets patterns"));
  }
  return Allowed{&module->config, *std::move(url)};
}

}  // namespace warren
