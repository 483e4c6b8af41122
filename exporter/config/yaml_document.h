// One YAML document from a config file's text. yaml-cpp 0.7 reads text it cannot place (a stray
// ',' or ']' at the top level) as an empty document: YAML::Load returns that and ignores the rest
// of the file, and YAML::LoadAll returns such documents without end, until memory runs out.
#ifndef WARREN_EXPORTER_CONFIG_YAML_DOCUMENT_H_
#define WARREN_EXPORTER_CONFIG_YAML_DOCUMENT_H_

#include <yaml-cpp/yaml.h>

#include <string>

namespace warren {

// The one document of `text` (a null node for none). Throws what YAML::Load throws, and
// YAML::ParserException at the start of a second document when there is one.
YAML::Node LoadOneYamlDocument(const std::string& text);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_YAML_DOCUMENT_H_
