// The pure half of /probe: which module a request names and whether its target may be scraped
// with that module's credentials. No I/O, no state but the compiled patterns, so the fuzz target
// checks exactly what Prober answers 400 with.
#ifndef WARREN_EXPORTER_SCRAPE_PROBE_TARGET_H_
#define WARREN_EXPORTER_SCRAPE_PROBE_TARGET_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "exporter/broker/broker_url.h"
#include "exporter/config/config.h"

namespace re2 {
class RE2;
}

namespace warren {

class ProbeTargets {
 public:
  // Patterns are compiled once; one that does not compile matches nothing (the config file
  // refuses such patterns before they get here).
  explicit ProbeTargets(const std::vector<ProbeModule>& modules);
  ~ProbeTargets();
  ProbeTargets(const ProbeTargets&) = delete;
  ProbeTargets& operator=(const ProbeTargets&) = delete;

  struct Allowed {
    const ProbeModule* module = nullptr;  // points into this object
    BrokerUrl url;
  };

  // `module` "" means "default". InvalidArgument with the reason for the 400 answer: unknown
  // module, missing target, bad target URL, or a target none of the module's patterns matches
  // entirely.
  absl::StatusOr<Allowed> Check(absl::string_view target, absl::string_view module) const;

 private:
  struct Module {
    ProbeModule config;
    std::vector<std::unique_ptr<re2::RE2>> patterns;
  };
  std::vector<Module> modules_;
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PROBE_TARGET_H_
