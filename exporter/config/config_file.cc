#include "exporter/config/config_file.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "exporter/config/yaml_document.h"
#include "util/read_file.h"

namespace warren {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;  // a config file, not a data file

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

}  // namespace

absl::StatusOr<std::vector<FileSetting>> ReadConfigFile(const std::string& path) {
  std::string text;
  if (absl::Status s = ReadLimitedFile(path, kMaxFileBytes, &text); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read: ", s.message()));
  }
  return ParseConfigFile(text, path);
}

absl::StatusOr<std::vector<FileSetting>> ParseConfigFile(absl::string_view text, const std::string& path) {
  if (text.size() > kMaxFileBytes) return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 1 MiB"));

  YAML::Node root;
  try {
    root = LoadOneYamlDocument(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ": ", e.msg));
  }
  std::vector<FileSetting> settings;
  if (root.IsNull()) return settings;
  if (!root.IsMap())
    return absl::InvalidArgumentError(absl::StrCat(path, ":", LineOf(root), ": want a mapping of sections"));
  std::set<std::string> seen;  // yaml-cpp keeps duplicate keys; a second value would silently win
  for (const auto& section : root) {
    const YAML::Node& name = section.first;
    const YAML::Node& body = section.second;
    if (!name.IsScalar())
      return absl::InvalidArgumentError(absl::StrCat(path, ":", LineOf(name), ": want a section name"));
    if (body.IsNull()) continue;  // an empty section
    if (!body.IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", LineOf(body), ": ", name.Scalar(), ": want a mapping of keys to values"));
    }
    const bool nested = name.Scalar() == "modules";
    for (const auto& entry : body) {
      const std::string key = absl::StrCat(name.Scalar(), ".", entry.first.IsScalar() ? entry.first.Scalar() : "?");
      if (!entry.first.IsScalar()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", LineOf(entry.first), ": ", key, ": want a name"));
      }
      if (!seen.insert(key).second) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", LineOf(entry.first), ": ", key, ": given twice"));
      }
      if (!nested) {
        if (!entry.second.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", LineOf(entry.first), ": ", key, ": want a single value"));
        }
        settings.push_back({key, entry.second.Scalar(), LineOf(entry.first)});
        continue;
      }
      if (!entry.second.IsMap()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ":", LineOf(entry.first), ": ", key, ": want a mapping of keys to values"));
      }
      for (const auto& item : entry.second) {
        const std::string item_key = absl::StrCat(key, ".", item.first.IsScalar() ? item.first.Scalar() : "?");
        if (!item.first.IsScalar() || !seen.insert(item_key).second) {
          return absl::InvalidArgumentError(absl::StrCat(path, ":", LineOf(item.first), ": ", item_key,
                                                         item.first.IsScalar() ? ": given twice" : ": want a name"));
        }
        if (item.second.IsScalar()) {
          settings.push_back({item_key, item.second.Scalar(), LineOf(item.first)});
        } else if (item.second.IsSequence()) {
          for (const auto& value : item.second) {
            if (!value.IsScalar()) {
              return absl::InvalidArgumentError(
                  absl::StrCat(path, ":", LineOf(value), ": ", item_key, ": want a list of values"));
            }
            settings.push_back({item_key, value.Scalar(), LineOf(value)});
          }
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", LineOf(item.first), ": ", item_key, ": want a value or a list"));
        }
      }
    }
  }
  return settings;
}

}  // namespace warren
