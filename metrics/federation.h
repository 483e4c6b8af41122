// Federation: links (/api/federation-links) and configured upstreams
// (/api/parameters/federation-upstream), joined so an upstream without a running link shows.
#ifndef WARREN_METRICS_FEDERATION_H_
#define WARREN_METRICS_FEDERATION_H_

#include <vector>

#include "metrics/mapper.h"
#include "prometheus/metric_family.h"

namespace warren::metrics {

extern const char kUpstreamLinksRunningName[];
extern const char kUpstreamLinksRunningHelp[];

// One sample per configured upstream in `upstreams` (keys vhost, upstream) counting the links of
// `links` (keys vhost, upstream, status) that run for it: 0 means a configured upstream whose
// links are down or gone.
prometheus::MetricFamily UpstreamLinksRunning(const std::vector<LabelValues>& upstreams,
                                              const std::vector<LabelValues>& links);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_FEDERATION_H_
