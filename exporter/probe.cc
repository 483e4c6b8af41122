#include "exporter/probe.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/broker_url.h"
#include "exporter/log.h"
#include "re2/re2.h"

namespace warren {

Prober::Prober(const std::vector<ProbeModule>& modules, Scraper::Options scraper_options, ScraperPool* pool,
               int max_targets, absl::Duration idle_timeout)
    : scraper_options_(std::move(scraper_options)), pool_(pool), max_targets_(max_targets), idle_timeout_(idle_timeout) {
  for (const ProbeModule& config : modules) {
    Module module{config, {}};
    for (const std::string& pattern : config.targets) {
      module.patterns.push_back(std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet));
    }
    modules_.push_back(std::move(module));
  }
}

Prober::~Prober() = default;

const Prober::Module* Prober::FindModule(const std::string& name) const {
  for (const Module& module : modules_) {
    if (module.config.name == name) return &module;
  }
  return nullptr;
}

int Prober::targets() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(targets_.size());
}

Prober::Answer Prober::Probe(const std::string& target, const std::string& module_name, absl::Time deadline) {
  const std::string name = module_name.empty() ? "default" : module_name;
  const Module* module = FindModule(name);
  if (module == nullptr) return {400, absl::StrCat("unknown module \"", name, "\" (modules come from --config.file)\n")};
  if (target.empty()) return {400, "missing target: /probe?target=<management API URL>&module=<name>\n"};
  absl::StatusOr<BrokerUrl> url = ParseBrokerUrl(target);
  if (!url.ok()) return {400, absl::StrCat("bad target: ", url.status().message(), "\n")};
  bool allowed = false;
  for (const auto& pattern : module->patterns) allowed = allowed || re2::RE2::FullMatch(target, *pattern);
  if (!allowed) return {400, absl::StrCat("target not allowed by module \"", name, "\": it matches none of its targets patterns\n")};

  const absl::Time now = absl::Now();
  std::shared_ptr<Target> entry;
  std::vector<std::shared_ptr<Target>> dropped;  // destroyed outside the lock: they wait for fetches
  {
    absl::MutexLock lock(&mu_);
    for (auto it = targets_.begin(); it != targets_.end();) {
      if (now - it->second->last_used > idle_timeout_) {
        dropped.push_back(std::move(it->second));
        it = targets_.erase(it);
      } else {
        ++it;
      }
    }
    const auto key = std::make_pair(name, target);
    if (auto it = targets_.find(key); it != targets_.end()) {
      entry = it->second;
    } else {
      if (static_cast<int>(targets_.size()) >= max_targets_) {
        return {503, absl::StrCat("too many targets: --probe.max-targets is ", max_targets_, "\n")};
      }
      ClientOptions options{.url = *url,
                            .user = module->config.user,
                            .password = module->config.password,
                            .max_body_bytes = int64_t{256} << 20,
                            .tls = module->config.tls};
      absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(options);
      if (!client.ok()) return {400, absl::StrCat("module \"", name, "\": ", client.status().message(), "\n")};
      entry = std::make_shared<Target>();
      entry->client = *std::move(client);
      entry->scraper = std::make_unique<Scraper>(scraper_options_, entry->client.get(), pool_);
      targets_[key] = entry;
      Log(LogLevel::kInfo, "probe target added", {{"module", name}, {"target", url->ToString()}});
    }
    entry->last_used = now;
  }
  return {200, entry->scraper->Render(deadline)};
}

}  // namespace warren
