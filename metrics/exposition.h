// Prometheus text output: each family's text is written once when data arrives (by the mapper and
// the joins, family_builder.h, or here for warren's own prometheus-cpp families), then assembled
// per request in name order.
#ifndef WARREN_METRICS_EXPOSITION_H_
#define WARREN_METRICS_EXPOSITION_H_

#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace warren::metrics {

struct FamilyText {
  std::string name;
  std::string text;  // "# HELP ...\n# TYPE ...\nsamples..."
};

// Serializes each family on its own, with its series sorted by labels: for warren's own few
// families (self and process metrics). prometheus-cpp's serializer escapes label values but
// neither sorts nor merges.
std::vector<FamilyText> SerializeFamilies(std::vector<prometheus::MetricFamily> families);

// Concatenates `chunks` in family-name order. Chunks of one name from several endpoints (each
// health check's rabbitmq_health_check_up) merge under one HELP and TYPE; a name seen again with
// other HELP or TYPE keeps its first chunk and is appended to `duplicates`.
std::string Assemble(std::vector<const FamilyText*> chunks, std::vector<std::string>* duplicates);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_EXPOSITION_H_
