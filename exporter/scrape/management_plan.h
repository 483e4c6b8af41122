// The plan of most endpoints: one GET of the endpoint's request to the management API, or one
// per vhost that a VhostScope keeps, mapped with the endpoint's table.
#ifndef WARREN_EXPORTER_SCRAPE_MANAGEMENT_PLAN_H_
#define WARREN_EXPORTER_SCRAPE_MANAGEMENT_PLAN_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "exporter/broker/rabbit_client.h"
#include "exporter/scrape/fetch_plan.h"
#include "exporter/scrape/vhost_scope.h"
#include "metrics/filter.h"
#include "metrics/mapper.h"

namespace warren {

class ManagementPlan final : public FetchPlan {
 public:
  struct Options {
    const RabbitClient* client = nullptr;  // must outlive the plan
    BodyFormat format = BodyFormat::kAuto;
    const metrics::Filter* filter = nullptr;  // must outlive the plan
    // --filter.max-queues: the objects largest at Endpoint::rank_path kept (endpoints with one).
    size_t max_objects = 0;
    // Shared by the plans of one target; null: one request for all vhosts.
    std::shared_ptr<VhostScope> vhost_scope;
  };

  ManagementPlan(const metrics::Endpoint& endpoint, Options options);

  PlanReports reports() const override;
  FetchResult Fetch(const FetchContext& context) override;

 private:
  // One request, or one per vhost kept by the vhost scope, merged.
  absl::StatusOr<Body> FetchBody(const FetchContext& context, size_t* requests) const;

  const metrics::Mapper mapper_;
  const Options options_;
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_MANAGEMENT_PLAN_H_
