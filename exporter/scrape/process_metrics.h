// The exporter's own process_* metrics (CPU, memory, fds, start time) read from /proc.
#ifndef WARREN_EXPORTER_SCRAPE_PROCESS_METRICS_H_
#define WARREN_EXPORTER_SCRAPE_PROCESS_METRICS_H_

#include <vector>

#include "prometheus/metric_family.h"

namespace warren {

// Families with the standard client-library names; a value that cannot be read is left out.
std::vector<prometheus::MetricFamily> ProcessMetrics();

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PROCESS_METRICS_H_
