#include "bench/synthetic/stage_measure.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/synthetic/proc_stats.h"
#include "metrics/endpoints.h"
#include "metrics/exposition.h"
#include "metrics/json.h"
#include "metrics/mapper.h"
#include "rapidjson/document.h"

namespace warren::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ThreadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Wall and CPU time of this thread over one stage, possibly in several pieces. CPU time is what
// warren spends; wall time also holds what other processes of a shared machine take.
class StageTimer {
 public:
  StageTimer() { Resume(); }
  void Resume() {
    wall_start_ = Clock::now();
    cpu_start_ = ThreadCpuMs();
  }
  void Pause() {
    wall_ms_ += std::chrono::duration<double, std::milli>(Clock::now() - wall_start_).count();
    cpu_ms_ += ThreadCpuMs() - cpu_start_;
  }
  // Pauses and records "<stage>_ms" and "<stage>_cpu_ms".
  void Record(const std::string& stage, Measurements* out) {
    Pause();
    (*out)[stage + "_ms"].push_back(wall_ms_);
    (*out)[stage + "_cpu_ms"].push_back(cpu_ms_);
  }

 private:
  Clock::time_point wall_start_;
  double cpu_start_ = 0, wall_ms_ = 0, cpu_ms_ = 0;
};

// warren sends `sort=` once it has seen a 3.x version before 3.13: the synthetic broker is 3.10.8.
constexpr char kVersion[] = "3.10.8";
constexpr absl::Duration kRequestTimeout = absl::Minutes(10);

// A join the endpoint feeds, with the Mapped::keys of its other inputs fetched once: warren
// keeps those from their own fetches.
struct JoinPlan {
  const metrics::Join* join;
  size_t own_index;  // where the measured endpoint's keys go in Join::inputs
  std::vector<const std::vector<metrics::LabelValues>*> inputs;
};

absl::StatusOr<std::vector<JoinPlan>> PlanJoins(const RabbitClient& client, const metrics::Endpoint& endpoint,
                                                std::deque<std::vector<metrics::LabelValues>>* storage) {
  std::vector<JoinPlan> plans;
  for (const metrics::Join& join : metrics::AllJoins()) {
    if (std::find(join.inputs.begin(), join.inputs.end(), &endpoint) == join.inputs.end()) continue;
    JoinPlan plan{&join, join.inputs.size(), {}};
    for (size_t i = 0; i < join.inputs.size(); ++i) {
      if (join.inputs[i] == &endpoint) {
        plan.own_index = i;
        plan.inputs.push_back(nullptr);
        continue;
      }
      const metrics::Endpoint& input = *join.inputs[i];
      absl::StatusOr<std::string> body =
          client.Get(metrics::RequestFor(input, kVersion), absl::Now() + kRequestTimeout);
      if (!body.ok()) return body.status();
      absl::StatusOr<metrics::Mapped> mapped = metrics::Mapper(input).Map(*body);
      if (!mapped.ok()) return mapped.status();
      storage->push_back(std::move(mapped->keys));
      plan.inputs.push_back(&storage->back());
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace

absl::StatusOr<Measurements> MeasureStages(const RabbitClient& client, const metrics::Endpoint& endpoint, int reps) {
  const std::string request = metrics::RequestFor(endpoint, kVersion);
  const metrics::Mapper mapper(endpoint);
  std::deque<std::vector<metrics::LabelValues>> join_keys;
  absl::StatusOr<std::vector<JoinPlan>> joins = PlanJoins(client, endpoint, &join_keys);
  if (!joins.ok()) return joins.status();

  Measurements out;
  auto record = [&out](const char* name, double value) { out[name].push_back(value); };
  if (absl::StatusOr<int64_t> rss = StatusBytes(0, "VmRSS"); rss.ok())
    record("rss_start_bytes", static_cast<double>(*rss));
  // The text of the previous fetch: warren serves it until the new one replaces it.
  std::shared_ptr<const std::vector<metrics::FamilyText>> previous;
  for (int rep = 0; rep < reps; ++rep) {
    const bool first = rep == 0;
    const int64_t heap_base = HeapInUseBytes();
    auto heap = [&](const char* name) {
      if (first) record(name, static_cast<double>(HeapInUseBytes() - heap_base));
    };

    StageTimer receive;
    absl::StatusOr<std::string> body = client.Get(request, absl::Now() + kRequestTimeout, endpoint.body_on_503);
    if (!body.ok()) return body.status();
    receive.Record("receive", &out);
    heap("heap_after_receive_bytes");
    if (first) record("body_bytes", static_cast<double>(body->size()));

    StageTimer parse;
    auto doc = std::make_unique<rapidjson::Document>();
    if (absl::Status status = metrics::ParseJson(*body, endpoint.path, doc.get()); !status.ok()) return status;
    parse.Record("parse", &out);
    heap("heap_after_parse_bytes");
    if (first) record("objects", doc->IsArray() ? doc->Size() : 1);

    StageTimer map;
    body = std::string();  // as Scraper::Fetch: the document holds copies of the strings
    absl::StatusOr<metrics::Mapped> mapped =
        mapper.MapDocument(*doc, {.filter = nullptr, .max_objects = 0, .rank_path = "messages"});
    if (!mapped.ok()) return mapped.status();
    map.Pause();
    heap("heap_after_map_bytes");  // the document and the families' text both alive
    map.Resume();
    doc.reset();
    map.Record("map", &out);
    if (first) {
      double samples = 0;
      for (const auto& family : mapped->families) {
        for (absl::string_view line : absl::StrSplit(family.text, '\n', absl::SkipEmpty())) {
          samples += line[0] == '#' ? 0 : 1;
        }
      }
      record("samples", samples);
      record("field_errors_missing", static_cast<double>(mapped->errors.missing));
      record("field_errors_wrong_type", static_cast<double>(mapped->errors.wrong_type));
    }

    StageTimer join;
    std::vector<metrics::FamilyText> join_text;
    for (JoinPlan& plan : *joins) {
      plan.inputs[plan.own_index] = &mapped->keys;
      metrics::FamilyBuilder family = plan.join->compute(plan.inputs);
      if (family.samples() > 0) join_text.push_back(std::move(family).Finish());
    }
    join.Record("join", &out);

    StageTimer serialize;
    // The mapper wrote the text: what is left is handing it over, as Scraper::Fetch does.
    auto text = std::make_shared<const std::vector<metrics::FamilyText>>(std::move(mapped->families));
    serialize.Record("serialize", &out);
    heap("heap_after_serialize_bytes");  // keys, join text and the new text

    StageTimer assemble;
    std::vector<const metrics::FamilyText*> chunks;
    for (const metrics::FamilyText& chunk : *text) chunks.push_back(&chunk);
    for (const metrics::FamilyText& chunk : join_text) chunks.push_back(&chunk);
    std::vector<std::string> duplicates;
    const metrics::Exposition exposition = metrics::AssemblePieces(std::move(chunks), &duplicates);
    assemble.Record("assemble", &out);
    heap("heap_after_assemble_bytes");
    if (first) record("exposition_bytes", static_cast<double>(exposition.size()));
    previous = std::move(text);
  }
  if (absl::StatusOr<int64_t> peak = StatusBytes(0, "VmHWM"); peak.ok())
    record("rss_peak_bytes", static_cast<double>(*peak));

  // The floor, after the peak is taken: RapidJSON's default (recursive) parse of the same bytes.
  absl::StatusOr<std::string> body = client.Get(request, absl::Now() + kRequestTimeout, endpoint.body_on_503);
  if (!body.ok()) return body.status();
  for (int rep = 0; rep < reps; ++rep) {
    StageTimer floor;
    rapidjson::Document doc;
    doc.Parse(body->data(), body->size());
    floor.Record("floor", &out);
    if (doc.HasParseError()) return absl::DataLossError(absl::StrCat(endpoint.path, ": RapidJSON refused the body"));
  }
  return out;
}

std::string ToLines(const Measurements& measurements) {
  std::string out;
  for (const auto& [name, values] : measurements) {
    absl::StrAppend(&out, name);
    for (double value : values) absl::StrAppend(&out, absl::StrFormat(" %.15g", value));
    absl::StrAppend(&out, "\n");
  }
  return out;
}

absl::StatusOr<Measurements> FromLines(const std::string& lines) {
  Measurements out;
  for (absl::string_view line : absl::StrSplit(lines, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    std::vector<double>& values = out[std::string(words[0])];
    for (size_t i = 1; i < words.size(); ++i) {
      double value = 0;
      if (!absl::SimpleAtod(words[i], &value)) return absl::DataLossError(absl::StrCat("bad measurement line: ", line));
      values.push_back(value);
    }
  }
  return out;
}

}  // namespace warren::bench
