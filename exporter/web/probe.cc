#include "exporter/web/probe.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "util/log.h"

namespace warren {

Prober::Prober(const std::vector<ProbeModule>& modules, Scraper::Options scraper_options, ScraperPool* pool,
               int max_targets, absl::Duration idle_timeout, int64_t max_body_bytes)
    : allowlist_(modules),
      scraper_options_(std::move(scraper_options)),
      pool_(pool),
      max_targets_(max_targets),
      idle_timeout_(idle_timeout),
      max_body_bytes_(max_body_bytes) {}

Prober::~Prober() = default;

int Prober::targets() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(targets_.size());
}

Prober::Answer Prober::Probe(const std::string& target, const std::string& module_name, absl::Time deadline) {
  absl::StatusOr<ProbeTargets::Allowed> allowed = allowlist_.Check(target, module_name);
  if (!allowed.ok()) return {400, absl::StrCat(allowed.status().message(), "\n")};
  const ProbeModule& module = *allowed->module;
  const BrokerUrl& url = allowed->url;
  const std::string& name = module.name;

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
      ClientOptions options{.url = url,
                            .user = module.user,
                            .password = module.password,
                            .max_body_bytes = max_body_bytes_,
                            .tls = module.tls};
      absl::StatusOr<std::unique_ptr<RabbitClient>> client = RabbitClient::Create(options);
      if (!client.ok()) return {400, absl::StrCat("module \"", name, "\": ", client.status().message(), "\n")};
      entry = std::make_shared<Target>();
      entry->client = *std::move(client);
      entry->scraper = std::make_unique<Scraper>(scraper_options_, entry->client.get(), pool_);
      targets_[key] = entry;
      Log(LogLevel::kInfo, "probe target added", {{"module", name}, {"target", url.ToString()}});
    }
    entry->last_used = now;
  }
  return {200, entry->scraper->Render(deadline)};
}

}  // namespace warren
