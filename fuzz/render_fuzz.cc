// Several endpoints' bodies mapped together, the joins between them computed (AllJoins) and the
// whole exposition assembled, as one scrape renders /metrics. Input: a digit of options (bit 0:
// the filters on; bits 1-2: the queue cap, as --filter.max-queues), then records separated by
// "\n@", each a byte choosing the endpoint ('a' + its index in AllEndpoints, wrapping) and its
// body. A later record of the same endpoint replaces an earlier one, as a newer fetch does.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzz/check.h"
#include "fuzz/exposition_check.h"
#include "fuzz/test_filter.h"
#include "metrics/consumers.h"
#include "metrics/endpoints.h"
#include "metrics/federation.h"
#include "metrics/mapper.h"
#include "metrics/policies.h"

namespace warren::fuzz {
namespace {

using metrics::Endpoint;

// The sum over distinct series: a queue listed twice gets its count twice, once per series.
double SumOfSeries(const ParsedFamily& family) {
  std::map<std::vector<std::pair<std::string, std::string>>, double> series;
  for (const ParsedSample& sample : family.samples) series[sample.labels] = sample.value;
  double sum = 0;
  for (const auto& [labels, value] : series) sum += value;
  return sum;
}

// What each join must say about its inputs, whatever they hold.
void CheckJoin(const metrics::Join& join, metrics::JoinInputs inputs, const metrics::FamilyText& text) {
  Check(text.name == join.name, "a join computes the family it names");
  absl::StatusOr<std::vector<ParsedFamily>> parsed = ParseExposition(text.text);
  CheckOk(parsed.status(), "a join's text parses");
  Check(parsed->size() == 1, "a join writes one family");
  const ParsedFamily& family = (*parsed)[0];
  if (family.name == metrics::kQueueConsumersName) {
    Check(family.samples.size() == inputs[0]->size(), "one consumer count per queue");
    Check(SumOfSeries(family) <= static_cast<double>(inputs[1]->size()), "no more consumers counted than listed");
  } else if (family.name == metrics::kUpstreamLinksRunningName) {
    Check(family.samples.size() == inputs[0]->size(), "one running-links count per upstream");
    Check(SumOfSeries(family) <= static_cast<double>(inputs[1]->size()), "no more running links than listed");
  } else if (family.name == metrics::kMirrorsExpectedName) {
    Check(family.samples.size() <= inputs[0]->size(), "at most one expectation per queue");
    for (const ParsedSample& sample : family.samples) {
      Check(sample.value >= 0 && sample.value < static_cast<double>(inputs[2]->size() + 1),
            "mirrors expected: between 0 and the nodes listed");
    }
  }
}

void Render(const uint8_t* data, size_t size) {
  if (size < 1) return;
  const int options = (data[0] - '0') & 7;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto endpoints = metrics::AllEndpoints();

  std::map<const Endpoint*, metrics::Mapped> fetched;
  for (absl::string_view record : absl::StrSplit(input, "\n@")) {
    if (record.empty()) continue;
    const Endpoint* endpoint = endpoints[static_cast<uint8_t>(record[0] - 'a') % endpoints.size()];
    const metrics::MapOptions map_options{
        .filter = (options & 1) != 0 ? &TestFilter() : nullptr,
        .max_objects = endpoint == &metrics::kQueues ? static_cast<size_t>(options >> 1) : 0,
        .rank_path = "messages"};
    absl::StatusOr<metrics::Mapped> mapped = metrics::Mapper(*endpoint).Map(record.substr(1), map_options);
    if (mapped.ok()) {
      fetched[endpoint] = *std::move(mapped);
    } else {
      Check(mapped.status().code() == absl::StatusCode::kDataLoss, "a body fails only as kDataLoss");
    }
  }

  std::vector<metrics::FamilyText> joined;
  joined.reserve(metrics::AllJoins().size());  // chunks point into it
  for (const metrics::Join& join : metrics::AllJoins()) {
    std::vector<const std::vector<metrics::LabelValues>*> keys;
    for (const Endpoint* input : join.inputs) {
      if (auto it = fetched.find(input); it != fetched.end()) keys.push_back(&it->second.keys);
    }
    if (keys.size() != join.inputs.size()) continue;  // computed only while every input has data
    metrics::FamilyBuilder family = join.compute(keys);
    const size_t samples = family.samples();
    joined.push_back(std::move(family).Finish());
    CheckJoin(join, keys, joined.back());
    if (samples == 0) joined.pop_back();  // the scraper serves no family without samples
  }
  std::vector<const metrics::FamilyText*> chunks;
  for (const auto& [endpoint, mapped] : fetched) {
    for (const metrics::FamilyText& family : mapped.families) chunks.push_back(&family);
  }
  for (const metrics::FamilyText& family : joined) chunks.push_back(&family);
  CheckServedText(chunks);
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::Render(data, size);
  return 0;
}
