// Consumers per queue. disable_stats drops `consumers` from /api/queues, so warren lists consumers
// (only the two columns naming their queue) and counts them; see the README for the measurement.
#include "metrics/consumers.h"

#include "absl/container/flat_hash_map.h"
#include "metrics/mapper.h"
#include "metrics/endpoints.h"

namespace warren::metrics {
namespace {

constexpr Label kConsumerQueueLabels[] = {{"vhost", "queue.vhost"}, {"queue", "queue.name"}};

}  // namespace

const Endpoint kConsumers{
    .name = "consumers",
    .group = "queues",
    .path = "/api/consumers",
    .params = "",  // never disable_stats: /api/consumers answers it with HTTP 400
    .shape = Shape::kArray,
    .columns = true,
    .sortable = true,
    .core = false,
    .opt_in = false,
    .slow = false,
    .body_on_503 = false,
    .labels = {},
    .fields = {},
    .infos = {},
    .states = {},
    .eaches = {},
    .counts = {},
    .derived = {},
    .keys = kConsumerQueueLabels,
};

const char kQueueConsumersName[] = "rabbitmq_queue_consumers";
const char kQueueConsumersHelp[] = "Consumers on the queue.";

prometheus::MetricFamily QueueConsumers(const std::vector<std::vector<std::string>>& queues,
                                        const std::vector<std::vector<std::string>>& consumers) {
  absl::flat_hash_map<std::vector<std::string>, int64_t> counts;
  for (const std::vector<std::string>& queue : consumers) ++counts[queue];

  prometheus::MetricFamily family{kQueueConsumersName, kQueueConsumersHelp,
                                  prometheus::MetricType::Gauge, {}};
  std::vector<std::string> names;
  for (const Label& label : kQueues.keys) names.push_back(label.name);
  family.metric.reserve(queues.size());
  for (const std::vector<std::string>& queue : queues) {
    auto it = counts.find(queue);
    // A queue that no consumer names has none: 0 is a count here, not a missing value.
    const double count = it == counts.end() ? 0.0 : static_cast<double>(it->second);
    family.metric.push_back(MakeSample(names, queue, count, prometheus::MetricType::Gauge));
  }
  return family;
}

}  // namespace warren::metrics
