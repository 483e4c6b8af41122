#include "exporter/config/probe_modules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "exporter/config/values.h"
#include "re2/re2.h"

namespace warren {
namespace {

// One key of a /probe module: the keys of the rabbitmq section but url, and targets.
absl::Status SetModuleKey(ProbeModule* module, absl::string_view key, const std::string& value) {
  if (key == "user") {
    module->user = value;
  } else if (key == "password_file") {
    return ReadPasswordFile(value, &module->password);
  } else if (key == "targets") {
    RE2 pattern(value, RE2::Quiet);
    if (!pattern.ok()) return absl::InvalidArgumentError(absl::StrCat("bad pattern: ", pattern.error()));
    module->targets.push_back(value);
  } else if (key == "tls_ca_file") {
    module->tls.ca_file = value;
  } else if (key == "tls_cert_file") {
    module->tls.cert_file = value;
  } else if (key == "tls_key_file") {
    module->tls.key_file = value;
  } else if (key == "tls_server_name") {
    module->tls.server_name = value;
  } else if (key == "tls_insecure_skip_verify") {
    return SetBool(value, &module->tls.insecure_skip_verify);
  } else {
    return absl::InvalidArgumentError(key == "password" ? "not accepted in a file; use password_file"
                                                        : "unknown key (user, password_file, targets, tls_*)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetModuleSetting(absl::string_view key, const std::string& value, std::vector<ProbeModule>* modules) {
  const size_t dot = key.find('.');
  const std::string name(key.substr(0, dot));
  if (name.empty() ||
      !std::all_of(name.begin(), name.end(), [](char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-'; })) {
    return absl::InvalidArgumentError("a module name is letters, digits, _ and -");
  }
  auto it = std::find_if(modules->begin(), modules->end(), [&name](const ProbeModule& m) { return m.name == name; });
  if (it == modules->end()) {
    ProbeModule module;
    module.name = name;
    it = modules->insert(modules->end(), std::move(module));
  }
  return SetModuleKey(&*it, dot == absl::string_view::npos ? absl::string_view() : key.substr(dot + 1), value);
}

}  // namespace warren
