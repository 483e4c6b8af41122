// The filter the mapping targets switch on: patterns on vhosts, queues and exchanges, so that
// filtering is exercised wherever a table has those names.
#ifndef WARREN_FUZZ_TEST_FILTER_H_
#define WARREN_FUZZ_TEST_FILTER_H_

#include "metrics/filter.h"

namespace warren::fuzz {

inline const metrics::Filter& TestFilter() {
  static const metrics::Filter* filter = metrics::Filter::Create({.vhosts = "[^x]*",
                                                                  .vhosts_exclude = "",
                                                                  .queues = "",
                                                                  .queues_exclude = "amq\\..*",
                                                                  .exchanges = "",
                                                                  .exchanges_exclude = "amq\\.(direct|topic)"})
                                             ->release();
  return *filter;
}

}  // namespace warren::fuzz

#endif  // WARREN_FUZZ_TEST_FILTER_H_
