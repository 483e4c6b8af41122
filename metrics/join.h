// A metric computed from the join keys of several endpoints, e.g. consumers per queue. Area
// headers declare their join functions with this alone; endpoints.cc lists the joins.
#ifndef WARREN_METRICS_JOIN_H_
#define WARREN_METRICS_JOIN_H_

#include <span>
#include <vector>

#include "metrics/family_builder.h"
#include "metrics/mapper.h"
#include "metrics/table.h"

namespace warren::metrics {

// The Mapped::keys of each input of a join, in the order of Join::inputs.
using JoinInputs = std::span<const std::vector<LabelValues>* const>;

// Computed only while every input has data. The scraper finds each input by Endpoint::name, so a
// stand-in fetched under an endpoint's name (the queues listing without totals) feeds its joins.
struct Join {
  std::span<const Endpoint* const> inputs;
  const char* name;
  const char* labels;  // for the reference
  const char* help;
  FamilyBuilder (*compute)(JoinInputs inputs);  // a family without samples is not served
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_JOIN_H_
