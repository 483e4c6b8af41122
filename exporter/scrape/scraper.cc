#include "exporter/scrape/scraper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/scrape/process_metrics.h"
#include "exporter/scrape/self_metrics.h"
#include "metrics/releases.h"
#include "util/log.h"

#ifndef WARREN_VERSION
#define WARREN_VERSION "unknown"
#endif

namespace warren {

Scraper::Scraper(const Options& options, const RabbitClient* client, ScraperPool* pool)
    : Scraper(options.timing(), BuildPlans(options, client), pool) {}

Scraper::Scraper(ScrapeTiming timing, ScrapePlans plans, ScraperPool* pool) : timing_(timing), pool_(pool) {
  absl::MutexLock lock(&mu_);
  for (std::unique_ptr<FetchPlan>& plan : plans.plans) {
    if (plan->endpoint().core) core_indices_.push_back(states_.size());
    states_.emplace_back(std::move(plan));
  }
  for (PlanState& state : states_) {
    const char* follows = state.plan->Follows();
    for (size_t i = 0; follows != nullptr && &states_[i] != &state; ++i) {
      if (absl::string_view(states_[i].plan->endpoint().name) == follows) state.follows = static_cast<int>(i);
    }
  }
  if (core_indices_.empty()) {  // every core endpoint switched off: rabbitmq_up covers the rest
    for (size_t i = 0; i < states_.size(); ++i) core_indices_.push_back(i);
  }
  for (const metrics::Join* join : plans.joins) {
    JoinState state{join, {}, nullptr, {}};
    for (const metrics::Endpoint* input : join->inputs) {
      for (size_t i = 0; i < states_.size(); ++i) {
        if (absl::string_view(states_[i].plan->endpoint().name) == input->name) {
          state.inputs.push_back(i);
          break;
        }
      }
    }
    if (state.inputs.size() == join->inputs.size()) joins_.push_back(std::move(state));
  }
}

Scraper::~Scraper() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &Scraper::NoneInFlight));
}

bool Scraper::NoFastFetchInFlight() const {
  for (const PlanState& state : states_) {
    if (state.in_flight && state.plan->endpoint().cadence == metrics::Cadence::kScrape) return false;
  }
  return true;
}

absl::Duration Scraper::IntervalOf(const PlanState& state) const {
  absl::Duration cadence = timing_.min_interval;
  switch (state.plan->endpoint().cadence) {
    case metrics::Cadence::kScrape:
      break;
    case metrics::Cadence::kHealth:
      cadence = timing_.health_interval;
      break;
    case metrics::Cadence::kDefinitions:
      cadence = timing_.definitions_interval;
      break;
  }
  const absl::Duration interval = state.plan->Interval(cadence);
  return state.not_offered ? std::max(interval, timing_.not_offered_interval) : interval;
}

bool Scraper::Ready() const {
  absl::MutexLock lock(&mu_);
  return ready_;
}

metrics::BrokerFacts Scraper::broker_facts() const {
  absl::MutexLock lock(&mu_);
  return facts_;
}

bool Scraper::NoneInFlight() const {
  for (const PlanState& state : states_) {
    if (state.in_flight) return false;
  }
  return true;
}

std::string Scraper::Render(absl::Time deadline) { return RenderPieces(deadline).Joined(); }

metrics::Exposition Scraper::RenderPieces(absl::Time deadline) {
  const absl::Time now = absl::Now();
  // Leave part of the budget for mapping the body and writing the answer.
  const absl::Time fetch_deadline = std::min(now + timing_.scrape_timeout, now + (deadline - now) * 0.8);

  std::vector<const metrics::FamilyText*> chunks;
  std::vector<std::shared_ptr<const PlanData>> keep_alive;
  std::vector<std::shared_ptr<const metrics::FamilyText>> joins;
  auto self_text = std::make_shared<std::vector<metrics::FamilyText>>();
  std::vector<std::pair<size_t, JoinInputData>> stale_joins;  // index into joins_, its inputs
  {
    absl::MutexLock lock(&mu_);
    // A scrape that arrives with no time left is answered from the cache: a fetch started now
    // could only fail and be counted as a broker error.
    const metrics::Release release(facts_.rabbitmq_version);
    for (size_t i = 0; i < states_.size() && fetch_deadline > now; ++i) {
      PlanState& state = states_[i];
      if (state.in_flight) continue;
      // Before the first overview: a check that only some releases route waits for the version
      // (health checks are never waited for), so a 3.10 broker is not asked for 4.x checks.
      if (!release.known() && metrics::OnlySomeReleasesOffer(state.plan->endpoint().name)) continue;
      if (!release.Offers(state.plan->endpoint().name)) {
        // This release routes no such path (releases.cc): not asked, as if it had answered 404.
        if (!state.not_offered) {
          Log(LogLevel::kInfo, "endpoint not offered by this release",
              {{"endpoint", state.plan->endpoint().name}, {"rabbitmq_version", facts_.rabbitmq_version}});
        }
        SetNotOffered(state, /*requests=*/0);
        state.not_offered_by_release = true;
        continue;
      }
      if (state.not_offered_by_release) {  // an upgrade brought it: asked now, not in 10 minutes
        Log(LogLevel::kInfo, "endpoint offered by this release",
            {{"endpoint", state.plan->endpoint().name}, {"rabbitmq_version", facts_.rabbitmq_version}});
        state.not_offered_by_release = false;
        state.not_offered = false;
        state.last_attempt_end = absl::InfinitePast();
      }
      if (now - state.last_attempt_end < IntervalOf(state)) continue;
      state.in_flight = true;
      state.in_flight_deadline = fetch_deadline;
      FetchContext context{.broker = facts_, .deadline = fetch_deadline, .keys_of = [this](absl::string_view endpoint) {
                             return KeysOf(endpoint);
                           }};
      if (state.follows >= 0 && states_[state.follows].in_flight) {
        state.waiting = std::move(context);  // submitted when the one it follows ends
        continue;
      }
      pool_->Submit([this, i, context = std::move(context)] { Fetch(i, context); });
    }
    // Health checks and definitions are never waited for: their last data is served.
    mu_.AwaitWithDeadline(absl::Condition(this, &Scraper::NoFastFetchInFlight), deadline);

    for (const PlanState& state : states_) {
      if (state.data) keep_alive.push_back(state.data);
    }
    for (size_t i = 0; i < joins_.size(); ++i) {
      JoinInputData inputs = InputsOf(joins_[i]);
      if (inputs.empty()) continue;  // computed only while every input has data
      if (ComputedFrom(joins_[i], inputs)) {
        if (joins_[i].text) joins.push_back(joins_[i].text);
      } else {
        stale_joins.emplace_back(i, std::move(inputs));
      }
    }
    *self_text = metrics::SerializeFamilies(SelfMetrics());
  }
  // Outside the lock: fetches finishing meanwhile need it. Two renders at once may both compute
  // a join; either result is right.
  for (auto& [index, inputs] : stale_joins) {
    JoinState& join = joins_[index];
    std::shared_ptr<const metrics::FamilyText> text = ComputeJoin(*join.join, inputs);
    if (text) joins.push_back(text);
    absl::MutexLock lock(&mu_);
    if (InputsOf(join) == inputs) {  // else a newer fetch published: the next render computes it
      join.text = std::move(text);
      join.computed_from.assign(inputs.begin(), inputs.end());
    }
  }
  for (auto& family : metrics::SerializeFamilies(ProcessMetrics())) self_text->push_back(std::move(family));

  for (const auto& data : keep_alive) {
    for (const metrics::FamilyText& chunk : data->text) chunks.push_back(&chunk);
  }
  for (const auto& join : joins) chunks.push_back(join.get());
  for (const metrics::FamilyText& chunk : *self_text) chunks.push_back(&chunk);

  std::vector<std::string> duplicates;
  metrics::Exposition out = metrics::AssemblePieces(std::move(chunks), &duplicates);
  for (const std::string& name : duplicates) {
    Log(LogLevel::kError, "metric family produced twice; kept the first", {{"family", name}});
  }
  out.owners.assign(keep_alive.begin(), keep_alive.end());
  out.owners.insert(out.owners.end(), joins.begin(), joins.end());
  out.owners.push_back(std::move(self_text));
  return out;
}

std::shared_ptr<const std::vector<metrics::LabelValues>> Scraper::KeysOf(absl::string_view endpoint) const {
  absl::MutexLock lock(&mu_);
  for (const PlanState& state : states_) {
    if (absl::string_view(state.plan->endpoint().name) != endpoint || state.data == nullptr) continue;
    return {state.data, &state.data->keys};  // shares ownership of the data
  }
  return nullptr;
}

void Scraper::Fetch(size_t index, const FetchContext& context) {
  const absl::Time start = absl::Now();
  FetchPlan* const plan = [&] {
    absl::MutexLock lock(&mu_);
    return states_[index].plan.get();
  }();
  FetchResult result = plan->Fetch(context);

  std::shared_ptr<PlanData> data;
  metrics::FieldErrors field_errors;
  uint64_t filtered = 0, capped = 0;
  if (result.mapped.ok()) {
    filtered = result.mapped->filtered;
    capped = result.mapped->capped;
    field_errors = result.mapped->errors;
    data = std::make_shared<PlanData>();
    data->keys = std::move(result.mapped->keys);
    data->text = std::move(result.mapped->families);
  }
  // Data from the parts that answered is published; the failure of the others still counts.
  const absl::Status status = result.mapped.ok() ? result.partial_error : result.mapped.status();
  const absl::Time end = absl::Now();
  const char* endpoint_name = plan->endpoint().name;
  // A plugin that is off (404 on 3.x, 406 on 4.x), a check this release lacks, statistics that are
  // off (400): the broker does not serve it, which is no failure. A core endpoint always exists:
  // a 404 there is a wrong URL.
  const bool not_offered =
      !result.mapped.ok() && !plan->endpoint().core &&
      (status.code() == absl::StatusCode::kNotFound || status.code() == absl::StatusCode::kUnimplemented);

  {
    absl::MutexLock lock(&mu_);
    PlanState& state = states_[index];
    if (not_offered != state.not_offered) {
      if (not_offered) {
        Log(LogLevel::kInfo, "endpoint not offered by the broker",
            {{"endpoint", endpoint_name},
             {"err", std::string(status.message())},
             {"retry_in", absl::FormatDuration(timing_.not_offered_interval)}});
      } else {
        Log(LogLevel::kInfo, "endpoint offered by the broker again", {{"endpoint", endpoint_name}});
      }
      state.not_offered = not_offered;
    }
    if (not_offered) {
      SetNotOffered(state, result.requests);
    } else {
      Record(state, status, result, std::move(data), field_errors, filtered, capped, start, end);
    }
  }
  FetchEnded(index);
}

void Scraper::SetNotOffered(PlanState& state, size_t requests) {
  // No success, duration, failure or age to report: there was nothing to fetch.
  state.not_offered = true;
  state.attempted = false;
  state.last_success = absl::InfinitePast();
  state.data = nullptr;
  state.requests = requests;
}

void Scraper::Record(PlanState& state, const absl::Status& status, FetchResult& result, std::shared_ptr<PlanData> data,
                     const metrics::FieldErrors& field_errors, uint64_t filtered, uint64_t capped, absl::Time start,
                     absl::Time end) {
  const char* endpoint_name = state.plan->endpoint().name;
  const bool changed = !state.attempted || state.last_status.ok() != status.ok() ||
                       ErrorReason(state.last_status) != ErrorReason(status);
  if (changed && status.ok()) {
    // The first success of each endpoint is routine; a recovery is news.
    Log(state.attempted ? LogLevel::kInfo : LogLevel::kDebug, "endpoint ok", {{"endpoint", endpoint_name}});
  } else if (changed) {
    Log(LogLevel::kWarn, "endpoint failed",
        {{"endpoint", endpoint_name},
         {"reason", std::string(ErrorReason(status))},
         {"err", std::string(status.message())}});
  }
  state.attempted = true;
  state.last_status = status;
  state.last_duration_seconds = absl::ToDoubleSeconds(end - start);
  state.requests = result.requests;
  state.field_errors.Add(field_errors);
  if (data != nullptr) state.data = std::move(data);
  if (result.stand_down) state.data = nullptr;
  if (status.ok()) {
    state.last_success = end;
    state.filtered = filtered;
    state.capped = capped;
    if (result.facts.has_value()) facts_ = *std::move(result.facts);
    if (!ready_) {
      ready_ = true;
      for (size_t i : core_indices_) ready_ = ready_ && states_[i].last_success != absl::InfinitePast();
      if (ready_) Log(LogLevel::kInfo, "ready", {{"endpoints", absl::StrCat(core_indices_.size())}});
    }
  } else {
    ++state.errors_by_reason[std::string(ErrorReason(status))];
  }
}

void Scraper::FetchEnded(size_t index) {
  absl::MutexLock lock(&mu_);
  states_[index].in_flight = false;
  states_[index].last_attempt_end = absl::Now();
  for (size_t i = 0; i < states_.size(); ++i) {
    PlanState& follower = states_[i];
    if (follower.follows != static_cast<int>(index) || !follower.waiting.has_value()) continue;
    pool_->Submit([this, i, context = *std::move(follower.waiting)] { Fetch(i, context); });
    follower.waiting.reset();
  }
}

Scraper::JoinInputData Scraper::InputsOf(const JoinState& join) const {
  JoinInputData inputs;
  inputs.reserve(join.inputs.size());
  for (size_t input : join.inputs) {
    if (states_[input].data == nullptr) return {};
    inputs.push_back(states_[input].data);
  }
  return inputs;
}

bool Scraper::ComputedFrom(const JoinState& join, const JoinInputData& inputs) {
  if (join.computed_from.size() != inputs.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::weak_ptr<const PlanData>& from = join.computed_from[i];
    if (from.owner_before(inputs[i]) || inputs[i].owner_before(from)) return false;
  }
  return true;
}

std::shared_ptr<const metrics::FamilyText> Scraper::ComputeJoin(const metrics::Join& join,
                                                                const JoinInputData& inputs) {
  std::vector<const std::vector<metrics::LabelValues>*> keys;
  keys.reserve(inputs.size());
  for (const auto& input : inputs) keys.push_back(&input->keys);
  metrics::FamilyBuilder family = join.compute(keys);
  if (family.samples() == 0) return nullptr;  // no family without samples
  return std::make_shared<metrics::FamilyText>(std::move(family).Finish());
}

bool Scraper::Overdue(const PlanState& state, absl::Time now) {
  return state.in_flight && now > state.in_flight_deadline;
}

bool Scraper::Succeeding(const PlanState& state, absl::Time now) const {
  return state.attempted && state.last_status.ok() && !Overdue(state, now);
}

std::vector<prometheus::MetricFamily> Scraper::SelfMetrics() const {
  prometheus::MetricFamily up = FamilyOf(kUp), success = FamilyOf(kScrapeSuccess), duration = FamilyOf(kScrapeDuration),
                           errors = FamilyOf(kScrapeErrors), last = FamilyOf(kLastSuccess),
                           fields = FamilyOf(kFieldErrors), dropped = FamilyOf(kObjectsDropped),
                           requests = FamilyOf(kScrapeRequests), build = FamilyOf(kBuildInfo),
                           not_offered = FamilyOf(kEndpointNotOffered);
  const absl::Time now = absl::Now();
  bool core_ok = true;
  for (size_t i : core_indices_) core_ok = core_ok && Succeeding(states_[i], now);
  AddSample(&up, {}, core_ok ? 1 : 0);
  AddSample(&build, {{"version", WARREN_VERSION}}, 1);

  for (const PlanState& state : states_) {
    const std::string name = state.plan->endpoint().name;
    const PlanReports reports = state.plan->reports();
    // Before its first fetch ends an endpoint has no success to report, and a 0 would be a failure
    // the broker never had (health checks and definitions are not waited for at start). A first
    // fetch that overran its deadline is a failure.
    if (state.attempted || Overdue(state, now)) {
      AddSample(&success, {{"endpoint", name}}, Succeeding(state, now) ? 1 : 0);
    }
    if (state.attempted) AddSample(&duration, {{"endpoint", name}}, state.last_duration_seconds);
    if (state.not_offered) AddSample(&not_offered, {{"endpoint", name}}, 1);
    if (state.last_success != absl::InfinitePast()) {
      AddSample(&last, {{"endpoint", name}}, absl::ToDoubleSeconds(state.last_success - absl::UnixEpoch()));
    }
    for (absl::string_view reason : AllErrorReasons()) {
      auto it = state.errors_by_reason.find(std::string(reason));
      AddSample(&errors, {{"endpoint", name}, {"reason", std::string(reason)}},
                it == state.errors_by_reason.end() ? 0 : static_cast<double>(it->second));
    }
    AddSample(&fields, {{"endpoint", name}, {"reason", "missing"}}, static_cast<double>(state.field_errors.missing));
    AddSample(&fields, {{"endpoint", name}, {"reason", "wrong_type"}},
              static_cast<double>(state.field_errors.wrong_type));
    AddSample(&fields, {{"endpoint", name}, {"reason", "duplicate"}},
              static_cast<double>(state.field_errors.duplicate));
    if (reports.filtered) {
      AddSample(&dropped, {{"endpoint", name}, {"reason", "filter"}}, static_cast<double>(state.filtered));
    }
    if (reports.requests && state.attempted) {
      AddSample(&requests, {{"endpoint", name}}, static_cast<double>(state.requests));
    }
    if (reports.capped) {
      AddSample(&dropped, {{"endpoint", name}, {"reason", "cap"}}, static_cast<double>(state.capped));
    }
  }
  std::vector<prometheus::MetricFamily> out;
  for (auto* family : {&up, &success, &duration, &errors, &last, &fields, &dropped, &requests, &not_offered, &build}) {
    if (!family->metric.empty()) out.push_back(std::move(*family));
  }
  for (const PlanState& state : states_) {
    for (prometheus::MetricFamily& family : state.plan->SelfMetrics()) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
  }
  return out;
}

}  // namespace warren
