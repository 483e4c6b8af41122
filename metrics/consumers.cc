// Consumers per queue. disable_stats drops `consumers` from /api/queues, so warren lists consumers
// (only the two columns naming their queue) and counts them; see the README for the measurement.
#include "metrics/consumers.h"

#include "absl/container/flat_hash_map.h"
#include "metrics/join_rows.h"
#include "metrics/mapper.h"
#include "metrics/tables.h"

namespace warren::metrics {
namespace {

constexpr Label kConsumerQueueLabels[] = {{"vhost", "queue.vhost"}, {"queue", "queue.name"}};

}  // namespace

const Endpoint kConsumers{
    .name = "consumers",
    .group = "queues",
    .path = "/api/consumers",
    .params = "",  // never disable_stats: /api/consumers answers it with HTTP 400
    .sortable = true,
    .vhost_path = "/api/consumers/{vhost}",
    .bert_pays = true,
    .keys = kConsumerQueueLabels,
};

const char kQueueConsumersName[] = "rabbitmq_queue_consumers";
const char kQueueConsumersHelp[] = "Consumers on the queue.";

FamilyBuilder QueueConsumers(JoinInputs inputs) {
  const std::vector<LabelValues>& queues = *inputs[0];
  const std::vector<LabelValues>& consumers = *inputs[1];
  absl::flat_hash_map<LabelValues, int64_t> counts;  // (vhost, queue) -> consumers
  for (const LabelValues& consumer : consumers) {
    if (consumer.size() == 2) ++counts[consumer];
  }

  std::vector<JoinRow> rows;
  rows.reserve(queues.size());
  LabelValues key(2);
  for (const LabelValues& queue : queues) {
    if (queue.size() < 2) continue;
    key[0] = queue[0];
    key[1] = queue[1];
    auto it = counts.find(key);
    // A queue that no consumer names has none: 0 is a count here, not a missing value.
    const double count = it == counts.end() ? 0.0 : static_cast<double>(it->second);
    rows.push_back({queue[0], queue[1], count});
  }
  return JoinFamily(kQueueConsumersName, kQueueConsumersHelp, "vhost", "queue", std::move(rows));
}

}  // namespace warren::metrics
