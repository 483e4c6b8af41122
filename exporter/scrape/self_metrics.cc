#include "exporter/scrape/self_metrics.h"

namespace warren {

prometheus::MetricFamily FamilyOf(const SelfMetric& metric) { return {metric.name, metric.help, metric.type, {}}; }

void AddSample(prometheus::MetricFamily* family, std::vector<prometheus::ClientMetric::Label> labels, double value) {
  prometheus::ClientMetric sample;
  sample.label = std::move(labels);
  if (family->type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  family->metric.push_back(std::move(sample));
}

}  // namespace warren
