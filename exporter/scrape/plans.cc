#include "exporter/scrape/plans.h"

#include <memory>
#include <utility>

#include "exporter/scrape/node_resources_plan.h"
#include "exporter/scrape/node_views_plan.h"
#include "metrics/endpoints.h"
#include "metrics/tables.h"

namespace warren {

ScrapePlans BuildPlans(const ScrapeOptions& options, const RabbitClient* client) {
  std::vector<const metrics::Endpoint*> endpoints = options.endpoints;
  if (endpoints.empty()) {
    for (const metrics::Endpoint* endpoint : metrics::AllEndpoints()) {
      if (!endpoint->opt_in) endpoints.push_back(endpoint);
    }
  }
  std::shared_ptr<VhostScope> vhost_scope;
  if (options.filter != nullptr && options.filter->FiltersVhosts() && options.max_vhost_requests > 0) {
    vhost_scope =
        std::make_shared<VhostScope>(client, options.filter, options.max_vhost_requests, options.min_interval);
  }
  const ManagementPlan::Options management{.client = client,
                                           .format = options.format,
                                           .filter = options.filter,
                                           .max_objects = options.max_queues,
                                           .vhost_scope = vhost_scope};

  ScrapePlans all;
  for (const metrics::Join& join : metrics::AllJoins()) all.joins.push_back(&join);
  PluginDepthPlans depth;  // its listing stands in for the queues, its depth fetch comes last
  for (const metrics::Endpoint* endpoint : endpoints) {
    if (endpoint == &metrics::kQueues && options.plugin_depth.On()) {
      depth = MakePluginDepthPlans(options.plugin_depth, management);
      all.plans.push_back(std::move(depth.listing));
    } else {
      all.plans.push_back(std::make_unique<ManagementPlan>(*endpoint, management));
    }
    // Right after the nodes, whose rows say which nodes lack their figures and which nodes to ask
    // for their views.
    if (endpoint == &metrics::kNodes) {
      all.plans.push_back(std::make_unique<NodeResourcesPlan>(options.node_resources, client));
      all.plans.push_back(std::make_unique<NodeViewsPlan>(client, options.health_interval));
    }
  }
  if (depth.depth != nullptr) all.plans.push_back(std::move(depth.depth));
  all.joins.insert(all.joins.end(), depth.joins.begin(), depth.joins.end());
  return all;
}

}  // namespace warren
