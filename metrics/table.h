// Declarative description of a Management API endpoint and the metrics mapped from it.
// Tables are constexpr data in one file per API area; nothing here allocates or locks.
#ifndef WARREN_METRICS_TABLE_H_
#define WARREN_METRICS_TABLE_H_

#include <span>

namespace warren::metrics {

// How a JSON value becomes a sample. A value of the wrong JSON type emits no sample.
enum class Kind {
  kGauge,    // number
  kCounter,  // number, monotonically increasing; the metric name ends in _total
  kBool,     // true/false -> 1/0
  kLength,   // array -> its number of elements
  kMillis,   // number of milliseconds -> gauge in seconds
};

// A label taken from a JSON string field. `path` may be dotted ("queue.name").
struct Label {
  const char* name;
  const char* path;
};

// One metric: JSON path, full metric name, kind, help (one sentence, plain text).
struct Field {
  const char* path;
  const char* name;
  Kind kind;
  const char* help;
};

// A labels-only series with value 1 (`_info`); its labels come after the endpoint's own.
struct Info {
  const char* name;
  std::span<const Label> labels;
  const char* help;
};

enum class Shape { kArray, kObject };

struct Endpoint {
  const char* name;    // short name used in self-metrics: endpoint="queues"
  const char* path;    // "/api/queues"
  const char* params;  // fixed query parameters, without columns (derived from the table)
  Shape shape;
  bool sortable;  // list endpoint where an empty `sort=` skips the broker's sorting
  std::span<const Label> labels;  // identify one object of an array endpoint
  std::span<const Field> fields;
  std::span<const Info> infos;
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_TABLE_H_
