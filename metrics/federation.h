// Federation: links (/api/federation-links) and configured upstreams
// (/api/parameters/federation-upstream), joined so an upstream without a running link shows.
#ifndef WARREN_METRICS_FEDERATION_H_
#define WARREN_METRICS_FEDERATION_H_

#include <vector>

#include "metrics/join.h"

namespace warren::metrics {

extern const char kUpstreamLinksRunningName[];
extern const char kUpstreamLinksRunningHelp[];

// inputs: the keys of kFederationUpstreams (vhost, upstream) and kFederationLinks (vhost,
// upstream, status). One sample per configured upstream counting its running links: 0 means a
// configured upstream whose links are down or gone.
FamilyBuilder UpstreamLinksRunning(JoinInputs inputs);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_FEDERATION_H_
