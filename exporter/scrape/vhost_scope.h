// A vhost filter applied on the broker's side. Without it, every scrape asks for every vhost's
// queues (exchanges, consumers, connections, channels) and drops the unwanted ones afterwards; the
// broker's cost grows with what it lists and encodes. When the filter keeps few vhosts, one
// request per kept vhost (/api/queues/<vhost>, ...) costs the broker only their share.
#ifndef WARREN_EXPORTER_SCRAPE_VHOST_SCOPE_H_
#define WARREN_EXPORTER_SCRAPE_VHOST_SCOPE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "exporter/broker/rabbit_client.h"
#include "metrics/filter.h"

namespace warren {

class VhostScope {
 public:
  // `client` and `filter` must outlive this. `max_vhosts`: above this many kept vhosts, one
  // request for all is cheaper than one per vhost. The vhost list is fetched at most once per
  // `max_age`.
  VhostScope(const RabbitClient* client, const metrics::Filter* filter, size_t max_vhosts, absl::Duration max_age);

  // The vhosts to ask for one by one, or nullopt when one request for all is as good (more than
  // max_vhosts kept, or none filtered out). Thread-safe; concurrent callers share one fetch of
  // /api/vhosts?columns=name.
  absl::StatusOr<std::optional<std::vector<std::string>>> Kept(absl::Time deadline);

 private:
  const RabbitClient* const client_;
  const metrics::Filter* const filter_;
  const size_t max_vhosts_;
  const absl::Duration max_age_;

  absl::Mutex mu_;  // held across the fetch: concurrent callers wait for its answer
  absl::Time fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);  // every vhost, as last fetched
};

// The vhost names in the body of /api/vhosts?columns=name. kDataLoss for anything else.
absl::StatusOr<std::vector<std::string>> ParseVhostNames(absl::string_view body);

// The elements of the JSON arrays `bodies` as one array. The bodies are checked to be arrays at
// their ends only (the mapper parses the result anyway): a body that is not an array is kDataLoss,
// like the mapper's answer to malformed JSON; more than `max_bytes` in all is kResourceExhausted,
// like one body over the client's cap.
absl::StatusOr<std::string> ConcatArrays(const std::vector<std::string>& bodies, int64_t max_bytes);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_VHOST_SCOPE_H_
