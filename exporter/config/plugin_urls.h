// --rabbitmq.plugin-url and --rabbitmq.plugin-url-template: node names and plugin URLs checked
// before anything is asked of them. Errors never repeat a URL (it could hold a password).
#ifndef WARREN_EXPORTER_CONFIG_PLUGIN_URLS_H_
#define WARREN_EXPORTER_CONFIG_PLUGIN_URLS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "exporter/config/config.h"

namespace warren {

// One --rabbitmq.plugin-url entry, against the entries before it (a node given twice).
absl::Status CheckPluginUrlEntry(const PluginUrl& entry, absl::Span<const PluginUrl> before);
// "NODE=URL" or "NODE=URL,NODE=URL,...", each checked and appended; "" adds none.
absl::Status AddPluginUrls(absl::string_view value, std::vector<PluginUrl>* urls);
// {host} once, as or in the host; with it replaced, a plugin URL.
absl::Status CheckPluginUrlTemplate(absl::string_view url_template);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_PLUGIN_URLS_H_
