// Which fetch plan each endpoint gets for one broker target: what a Scraper is told to run.
// The one place where endpoints and the ways of fetching them meet; the scraper names none.
#ifndef WARREN_EXPORTER_SCRAPE_PLANS_H_
#define WARREN_EXPORTER_SCRAPE_PLANS_H_

#include <cstddef>
#include <vector>

#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/plugin_depth.h"
#include "metrics/filter.h"
#include "metrics/table.h"

namespace warren {

// How often a scraper fetches and how long it waits.
struct ScrapeTiming {
  absl::Duration scrape_timeout = absl::Seconds(10);
  absl::Duration min_interval = absl::Seconds(5);          // Cadence::kScrape
  absl::Duration health_interval = absl::Minutes(1);       // Cadence::kHealth
  absl::Duration definitions_interval = absl::Minutes(5);  // Cadence::kDefinitions
  // How often an endpoint the broker does not offer (see Scraper) is asked again.
  absl::Duration not_offered_interval = absl::Minutes(10);
};

// One target's settings: its timing and what to fetch, from the configuration.
struct ScrapeOptions {
  absl::Duration scrape_timeout = absl::Seconds(10);
  absl::Duration min_interval = absl::Seconds(5);
  absl::Duration health_interval = absl::Minutes(1);
  absl::Duration definitions_interval = absl::Minutes(5);
  absl::Duration not_offered_interval = absl::Minutes(10);  // ScrapeTiming::not_offered_interval
  // The endpoints to fetch; empty means every endpoint that is not opt-in.
  std::vector<const metrics::Endpoint*> endpoints;
  const metrics::Filter* filter = nullptr;  // vhost/queue/exchange patterns; must outlive the plans
  size_t max_queues = 0;                    // the deepest queues kept (Endpoint::rank_path); 0: all
  // With a vhost filter that keeps at most this many vhosts, the endpoints with a vhost path are
  // asked for one vhost at a time (see VhostScope); 0: never.
  size_t max_vhost_requests = 0;
  BodyFormat format = BodyFormat::kAuto;  // --rabbitmq.format
  // Queue depth from each node's rabbitmq_prometheus plugin instead of enable_queue_totals
  // (plugin_depth.h); on when it names URLs or a template or discovers, and the queues collector is on.
  PluginOptions plugin_depth = {};
  // Where /api/nodes lacks a node's resources (the management statistics off), its plugin, found
  // with these (listing_interval unused; none set: the plugin is off and the figures are absent).
  PluginOptions node_resources = {};

  ScrapeTiming timing() const {
    return {scrape_timeout, min_interval, health_interval, definitions_interval, not_offered_interval};
  }
};

// The plans of `options`' endpoints against `client` (which must outlive them), and every join
// that may apply; the scraper keeps those whose inputs are all fetched.
ScrapePlans BuildPlans(const ScrapeOptions& options, const RabbitClient* client);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLANS_H_
