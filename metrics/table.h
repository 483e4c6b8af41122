// Declarative description of a Management API endpoint and the metrics mapped from it.
// Tables are constexpr data in one file per API area; nothing here allocates or locks.
#ifndef WARREN_METRICS_TABLE_H_
#define WARREN_METRICS_TABLE_H_

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/metric_type.h"
#include "rapidjson/document.h"

namespace warren::metrics {

// How a JSON value becomes a sample. A value of the wrong JSON type emits no sample.
enum class Kind {
  kGauge,    // number
  kCounter,  // number, monotonically increasing; the metric name ends in _total
  kBool,     // true/false -> 1/0
  kLength,   // array -> its number of elements
  kMillis,   // number of milliseconds -> gauge in seconds
};

// A label taken from a JSON string. `path` is dotted ("queue.name") and may list alternatives
// ("leader|node": the first present wins). An object without one of its endpoint's labels is
// skipped, unless the path ends in '?' ("exchange?": a link has an exchange or a queue); the
// labels of Info, Count and join keys are descriptive, so missing ones are always "".
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

// An enumerated string as one series per known value (1 for the current one, 0 for the others),
// labelled `label`. A value outside `known` gets a series of its own, so new states stay visible.
struct StateSet {
  const char* path;
  const char* name;
  const char* label;
  std::span<const char* const> known;
  const char* help;
};

// One series with value 1 per string of the array (or the single string) at `path`, labelled
// `label`: who a node is partitioned from, which node leads a queue.
struct Each {
  const char* path;
  const char* name;
  const char* label;
  const char* help;
};

// The number of objects per combination of `labels` (only these labels, not the endpoint's):
// connections per vhost, node and state.
struct Count {
  const char* name;
  std::span<const Label> labels;
  const char* help;
};

// Receives the samples a Derived function computes for one object.
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  // `extra` labels come after the endpoint's own.
  void Add(double value, std::vector<std::pair<std::string, std::string>> extra = {}) {
    AddSample(value, std::move(extra));
  }

 protected:
  // Virtual without a default argument: a default there would come from the static type.
  virtual void AddSample(double value, std::vector<std::pair<std::string, std::string>> extra) = 0;
};

// A metric no row kind can express, computed by a named function in the table's file.
struct Derived {
  const char* name;
  prometheus::MetricType type;
  const char* reads;         // comma-separated JSON paths the function reads: requested and documented
  const char* extra_labels;  // comma-separated labels the function adds, for the reference
  void (*compute)(const rapidjson::Value& object, SampleSink& sink);
  const char* help;
};

enum class Shape { kArray, kObject };

// How often an endpoint is fetched.
enum class Cadence {
  kScrape,       // when a scrape finds its data older than --scrape.min-interval; waited for
  kHealth,       // every --scrape.health-interval (health checks); never waited for
  kDefinitions,  // every --scrape.definitions-interval (large, changes rarely); never waited for
};

// One management API endpoint and what warren makes of it. Every member but name, group and path
// has a default, so a table's literal names only what it sets.
struct Endpoint {
  const char* name = nullptr;   // short name used in self-metrics: endpoint="queues"
  const char* group = nullptr;  // what --no-collector.<group> switches off
  const char* path = nullptr;   // "/api/queues"
  const char* params = "";      // fixed query parameters, without columns (derived from the table)
  Shape shape = Shape::kArray;
  bool columns = true;    // ask only for the paths the table reads (`columns=`)
  bool sortable = false;  // list endpoint where an empty `sort=` skips the broker's sorting
  bool core = false;      // part of rabbitmq_up
  bool opt_in = false;    // off unless --collector.<group>: the broker's expensive statistics path
  Cadence cadence = Cadence::kScrape;
  bool body_on_503 = false;  // HTTP 503 carries a body to map (health checks that fail), not an error
  // The same list for one vhost ("{vhost}": the percent-encoded name), e.g. "/api/queues/{vhost}":
  // where a vhost filter saves the broker work. nullptr: the endpoint has none.
  const char* vhost_path = nullptr;
  // Asking for BERT (Accept: application/bert) saves the broker CPU here: the lists that grow with
  // the number of objects (README, "BERT"). --rabbitmq.format=auto reads it.
  bool bert_pays = false;
  // --filter.max-queues keeps the objects with the largest number here; nullptr: never capped.
  const char* rank_path = nullptr;
  // The body is the broker's description of itself: BrokerFacts are read from it.
  bool broker_facts = false;
  std::span<const Label> labels = {};  // identify one object of an array endpoint
  std::span<const Field> fields = {};
  std::span<const Info> infos = {};
  std::span<const StateSet> states = {};
  std::span<const Each> eaches = {};
  std::span<const Count> counts = {};
  std::span<const Derived> derived = {};
  // Values kept per object for joins with other endpoints (strings, numbers, booleans as
  // "true"/"false", or arrays of strings, as text; "" where absent).
  std::span<const Label> keys = {};
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_TABLE_H_
