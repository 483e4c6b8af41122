// The X-Prometheus-Scrape-Timeout-Seconds header (ScrapeDeadline): the deadline is never before
// the request arrived, never later than --scrape.timeout allows, and never later than Prometheus
// waits. Input: the header value.
#include <cstddef>
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "exporter/web/server.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

void CheckOne(absl::string_view header) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  double asked = 0;
  const bool parses = absl::SimpleAtod(header, &asked);
  for (absl::Duration configured : {absl::Seconds(10), absl::Milliseconds(1), absl::Hours(100)}) {
    const absl::Time deadline = ScrapeDeadline(now, configured, header);
    Check(deadline >= now, "no deadline in the past");
    Check(deadline <= now + configured, "never longer than --scrape.timeout");
    if (parses && asked > 0 && asked < 1e6) Check(deadline <= now + absl::Seconds(asked), "never longer than asked");
    if (!parses || !(asked > 0)) Check(deadline == now + configured, "a header without a positive number is ignored");
  }
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::CheckOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
