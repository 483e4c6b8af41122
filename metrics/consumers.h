// Joins /api/queues with /api/consumers into rabbitmq_queue_consumers. Pure.
#ifndef WARREN_METRICS_CONSUMERS_H_
#define WARREN_METRICS_CONSUMERS_H_

#include "metrics/mapper.h"
#include "prometheus/metric_family.h"

namespace warren::metrics {

extern const char kQueueConsumersName[];
extern const char kQueueConsumersHelp[];

// One sample per queue in `queues` (Mapped::keys of kQueues) counting the entries of
// `consumers` (Mapped::keys of kConsumers) that name it. Both key on vhost, then queue.
prometheus::MetricFamily QueueConsumers(const std::vector<std::vector<std::string>>& queues,
                                        const std::vector<std::vector<std::string>>& consumers);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_CONSUMERS_H_
