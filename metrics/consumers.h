// Joins /api/queues with /api/consumers into rabbitmq_queue_consumers. Pure.
#ifndef WARREN_METRICS_CONSUMERS_H_
#define WARREN_METRICS_CONSUMERS_H_

#include "metrics/join.h"

namespace warren::metrics {

extern const char kQueueConsumersName[];
extern const char kQueueConsumersHelp[];

// inputs: the keys of kQueues and kConsumers. One sample per queue counting the consumers that
// name it. Both key on vhost, then queue.
FamilyBuilder QueueConsumers(JoinInputs inputs);

}  // namespace warren::metrics

#endif  // WARREN_METRICS_CONSUMERS_H_
