// The YAML of --config.file: parsed into settings (ParseConfigFile), applied to a Config
// (ApplyConfigFile) and validated, as ParseArgs does. A config that comes out valid is written
// back as a file holding every field and read again: it must come back the same. No file is
// read: the file's directory does not exist, and an absolute password_file is refused. Only a
// file of valid UTF-8 is written back (YAML has no way to write other bytes).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/config/config.h"
#include "exporter/config/config_file.h"
#include "exporter/config/sources.h"
#include "fuzz/check.h"
#include "fuzz/config_text.h"
#include "fuzz/exposition_check.h"

namespace warren::fuzz {
namespace {

constexpr char kPath[] = "/nonexistent-warren-fuzz/warren.yml";

int ReadConfig(absl::string_view text) {
  absl::StatusOr<std::vector<FileSetting>> settings = ParseConfigFile(text, kPath);
  if (!settings.ok()) {
    Check(settings.status().code() == absl::StatusCode::kInvalidArgument, "errors are InvalidArgument");
    Check(absl::StartsWith(settings.status().message(), absl::StrCat(kPath, ":")), "errors name the file");
    return 0;
  }
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const FileSetting& setting : *settings) {
    Check(setting.line >= 1 && setting.line <= lines, "a setting's line is in the file");
    Check(absl::StrContains(setting.key, '.'), "a setting's key is section.key");
    // The only setting read as a file when applied; a relative one lands in kPath's missing directory.
    if (absl::EndsWith(setting.key, "password_file") && absl::StartsWith(setting.value, "/")) return -1;
  }

  Config config;
  if (absl::Status applied = ApplyConfigFile(*settings, kPath, &config); !applied.ok()) {
    Check(absl::StartsWith(applied.message(), absl::StrCat(kPath, ":")), "errors name the file");
    return 0;
  }
  // YAML is Unicode: yaml-cpp reads other bytes through, but no YAML can write them back.
  if (!config.Validate().ok() || !IsUtf8(text)) return 0;

  const std::string written = ToConfigFile(config);
  absl::StatusOr<std::vector<FileSetting>> reread = ParseConfigFile(written, kPath);
  CheckOk(reread.status(), absl::StrCat("a written config file parses:\n", written));
  Config again;
  CheckOk(ApplyConfigFile(*reread, kPath, &again), absl::StrCat("a written config file applies:\n", written));
  CheckOk(again.Validate(), "a written config is valid");
  Check(Describe(again) == Describe(config),
        absl::StrCat("a config read back is the config written:\n", Describe(config), "---\n", Describe(again)));
  return 0;
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warren::fuzz::ReadConfig({reinterpret_cast<const char*>(data), size});
}
