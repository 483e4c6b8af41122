// A Config as text, for the configuration fuzz targets: every field in one string (to compare two
// configs), and a config file that sets every field a file can set (to read it back).
#ifndef WARREN_FUZZ_CONFIG_TEXT_H_
#define WARREN_FUZZ_CONFIG_TEXT_H_

#include <string>

#include "exporter/config/config.h"

namespace warren::fuzz {

// One line per field, secrets included (this is test code); collectors sorted.
std::string Describe(const Config& config);

// YAML in the format of --config.file holding every value of `config` but the passwords, with
// every string double-quoted.
std::string ToConfigFile(const Config& config);

}  // namespace warren::fuzz

#endif  // WARREN_FUZZ_CONFIG_TEXT_H_
