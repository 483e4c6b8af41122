#include "exporter/scraper.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exporter/log.h"
#include "exporter/process_metrics.h"
#include "exporter/self_metrics.h"
#include "metrics/bert.h"
#include "metrics/json.h"
#include "metrics/endpoints.h"
#include "metrics/queue_depth.h"

#ifndef WARREN_VERSION
#define WARREN_VERSION "unknown"
#endif

namespace warren {

Scraper::Scraper(Options options, const RabbitClient* client, ScraperPool* pool)
    : options_(std::move(options)), client_(client), pool_(pool) {
  absl::MutexLock lock(&mu_);
  std::vector<const metrics::Endpoint*> endpoints = options_.endpoints;
  if (endpoints.empty()) {
    for (const metrics::Endpoint* endpoint : metrics::AllEndpoints()) {
      if (!endpoint->opt_in) endpoints.push_back(endpoint);
    }
  }
  std::vector<const metrics::Join*> joins;  // static tables: the pointers stay valid
  for (const metrics::Join& join : metrics::AllJoins()) joins.push_back(&join);
  if (options_.plugin_depth.On()) {
    // The listing without totals stands in for kQueues, in the joins too.
    auto queues = std::find(endpoints.begin(), endpoints.end(), &metrics::kQueues);
    if (queues != endpoints.end()) {
      *queues = &metrics::kQueueListing;
      endpoints.push_back(&metrics::kQueueDepth);
      for (const metrics::Join& join : metrics::PluginDepthJoins()) joins.push_back(&join);
    }
  }
  auto index_of = [&endpoints](const metrics::Endpoint* endpoint) -> std::optional<size_t> {
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (endpoints[i] == endpoint) return i;
      if (endpoint == &metrics::kQueues && endpoints[i] == &metrics::kQueueListing) return i;
    }
    return std::nullopt;
  };
  for (size_t i = 0; i < endpoints.size(); ++i) {
    states_.emplace_back(*endpoints[i]);
    if (endpoints[i]->core) core_indices_.push_back(i);
  }
  listing_index_ = std::find(endpoints.begin(), endpoints.end(), &metrics::kQueueListing) - endpoints.begin();
  if (options_.filter != nullptr && options_.filter->FiltersVhosts() && options_.max_vhost_requests > 0) {
    vhost_scope_ = std::make_unique<VhostScope>(client_, options_.filter, options_.max_vhost_requests,
                                                options_.min_interval);
  }
  if (core_indices_.empty()) {  // every core endpoint switched off: rabbitmq_up covers the rest
    for (size_t i = 0; i < endpoints.size(); ++i) core_indices_.push_back(i);
  }
  for (const metrics::Join* join : joins) {
    JoinState state{join, {}, nullptr, {}};
    for (const metrics::Endpoint* input : join->inputs) {
      if (std::optional<size_t> index = index_of(input)) state.inputs.push_back(*index);
    }
    if (state.inputs.size() == join->inputs.size()) joins_.push_back(std::move(state));
  }
}

Scraper::~Scraper() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &Scraper::NoneInFlight));
}

bool Scraper::NoFastFetchInFlight() const {
  for (const EndpointState& state : states_) {
    if (state.in_flight && state.mapper.endpoint().cadence == metrics::Cadence::kScrape) return false;
  }
  return true;
}

absl::Duration Scraper::IntervalOf(const metrics::Endpoint& endpoint) const {
  if (&endpoint == &metrics::kQueueListing && !listing_stale_) {
    return std::max(options_.min_interval, options_.plugin_depth.listing_interval);
  }
  switch (endpoint.cadence) {
    case metrics::Cadence::kScrape:
      return options_.min_interval;
    case metrics::Cadence::kHealth:
      return options_.health_interval;
    case metrics::Cadence::kDefinitions:
      return options_.definitions_interval;
  }
  return options_.min_interval;
}

bool Scraper::Ready() const {
  absl::MutexLock lock(&mu_);
  return ready_;
}

bool Scraper::NoneInFlight() const {
  for (const EndpointState& state : states_) {
    if (state.in_flight) return false;
  }
  return true;
}

std::string Scraper::Render(absl::Time deadline) { return RenderPieces(deadline).Joined(); }

metrics::Exposition Scraper::RenderPieces(absl::Time deadline) {
  const absl::Time now = absl::Now();
  // Leave part of the budget for mapping the body and writing the answer.
  const absl::Time fetch_deadline =
      std::min(now + options_.scrape_timeout, now + (deadline - now) * 0.8);

  std::vector<const metrics::FamilyText*> chunks;
  std::vector<std::shared_ptr<const EndpointData>> keep_alive;
  std::vector<std::shared_ptr<const metrics::FamilyText>> joins;
  auto self_text = std::make_shared<std::vector<metrics::FamilyText>>();
  std::vector<std::pair<size_t, JoinInputData>> stale_joins;  // index into joins_, its inputs
  {
    absl::MutexLock lock(&mu_);
    // A scrape that arrives with no time left is answered from the cache: a fetch started now
    // could only fail and be counted as a broker error.
    for (size_t i = 0; i < states_.size() && fetch_deadline > now; ++i) {
      EndpointState& state = states_[i];
      if (state.in_flight || now - state.last_attempt_end < IntervalOf(state.mapper.endpoint())) continue;
      state.in_flight = true;
      state.in_flight_deadline = fetch_deadline;
      pool_->Submit([this, i, version = rabbitmq_version_, fetch_deadline]() mutable {
        Fetch(i, std::move(version), fetch_deadline);
      });
    }
    // Health checks and definitions are never waited for: their last data is served.
    mu_.AwaitWithDeadline(absl::Condition(this, &Scraper::NoFastFetchInFlight), deadline);

    for (const EndpointState& state : states_) {
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

absl::StatusOr<Body> Scraper::FetchBody(const metrics::Endpoint& endpoint, absl::string_view rabbitmq_version,
                                        absl::Time deadline, size_t* requests) {
  std::optional<std::vector<std::string>> vhosts;
  if (vhost_scope_ != nullptr && metrics::HasVhostPath(endpoint)) {
    absl::StatusOr<std::optional<std::vector<std::string>>> kept = vhost_scope_->Kept(deadline);
    if (!kept.ok()) return kept.status();
    vhosts = *std::move(kept);
  }
  if (!vhosts) {
    *requests = 1;
    const bool bert = options_.format == BodyFormat::kBert ||
                      (options_.format == BodyFormat::kAuto && metrics::BertPays(endpoint));
    return client_->GetBody(metrics::RequestFor(endpoint, rabbitmq_version), deadline, endpoint.body_on_503, bert);
  }
  // Per-vhost bodies are merged as JSON text (ConcatArrays), so they are asked for as JSON.
  std::vector<std::string> bodies;
  for (const std::string& vhost : *vhosts) {
    ++*requests;
    absl::StatusOr<std::string> body =
        client_->Get(metrics::RequestFor(endpoint, rabbitmq_version, vhost), deadline, endpoint.body_on_503);
    if (absl::IsNotFound(body.status())) continue;  // the vhost was deleted since it was listed
    if (!body.ok()) return body.status();
    bodies.push_back(*std::move(body));
  }
  absl::StatusOr<std::string> merged = ConcatArrays(bodies, client_->max_body_bytes());
  if (!merged.ok()) return merged.status();
  return Body{.data = *std::move(merged), .bert = false};
}

void Scraper::CheckListing(const absl::StatusOr<metrics::Mapped>& depth, std::vector<std::string> answered) {
  std::shared_ptr<const EndpointData> listing;
  {
    absl::MutexLock lock(&mu_);
    if (listing_index_ < states_.size()) listing = states_[listing_index_].data;
  }
  // Outside the lock: a hash join over every queue.
  const bool matches = depth.ok() && listing != nullptr && metrics::DepthMatchesListing(listing->keys, depth->keys);
  absl::MutexLock lock(&mu_);
  // A node that stops or starts answering changes what the listing says (down queues, members
  // online) even when every queue still reports.
  listing_stale_ = !matches || answered != answered_nodes_;
  answered_nodes_ = std::move(answered);
}

void Scraper::Fetch(size_t index, std::string rabbitmq_version, absl::Time deadline) {
  const absl::Time start = absl::Now();
  const metrics::Mapper* const mapper = [&] {
    absl::MutexLock lock(&mu_);
    return &states_[index].mapper;  // the vector never grows after construction
  }();
  size_t requests = 0;
  absl::Status node_error;  // queue_depth: a node that failed while others answered
  absl::StatusOr<metrics::Mapped> mapped = [&]() -> absl::StatusOr<metrics::Mapped> {
    if (&mapper->endpoint() == &metrics::kQueueDepth) {
      PluginDepthFetch fetch =
          FetchPluginDepths(*client_, options_.plugin_depth, options_.filter, rabbitmq_version, deadline);
      requests = fetch.requests;
      node_error = fetch.node_error;
      CheckListing(fetch.rows, std::move(fetch.answered));
      return std::move(fetch.rows);
    }
    absl::StatusOr<Body> body = FetchBody(mapper->endpoint(), rabbitmq_version, deadline, &requests);
    if (!body.ok()) return body.status();
    const metrics::MapOptions map_options{
        .filter = options_.filter,
        .max_objects = &mapper->endpoint() == &metrics::kQueues ? options_.max_queues : 0,
        .rank_path = "messages"};
    rapidjson::Document doc;
    const absl::Status parsed = body->bert ? metrics::ParseBert(body->data, mapper->endpoint().path, &doc)
                                           : metrics::ParseJson(body->data, mapper->endpoint().path, &doc);
    if (!parsed.ok()) return parsed;
    // The document holds its own copy of every string: the body (31 MB at 100,000 queues) goes
    // before the mapper writes the text.
    std::string().swap(body->data);
    return mapper->MapDocument(doc, map_options);
  }();

  std::shared_ptr<EndpointData> data;
  std::string version;
  metrics::FieldErrors field_errors;
  uint64_t filtered = 0, capped = 0;
  if (mapped.ok()) {
    filtered = mapped->filtered;
    capped = mapped->capped;
    if (&mapper->endpoint() == &metrics::kOverview) version = metrics::RabbitVersionOf(*mapped);
    field_errors = mapped->errors;
    data = std::make_shared<EndpointData>();
    data->keys = std::move(mapped->keys);
    data->text = std::move(mapped->families);
  }
  // Data from the nodes that answered is published; the failure of the others still counts.
  const absl::Status status = mapped.ok() ? node_error : mapped.status();
  const absl::Time end = absl::Now();
  const char* endpoint_name = mapper->endpoint().name;

  {
    absl::MutexLock lock(&mu_);
    EndpointState& state = states_[index];
    const bool changed = !state.attempted || state.last_status.ok() != status.ok() ||
                         ErrorReason(state.last_status) != ErrorReason(status);
    if (changed && status.ok()) {
      // The first success of each endpoint is routine; a recovery is news.
      Log(state.attempted ? LogLevel::kInfo : LogLevel::kDebug, "endpoint ok", {{"endpoint", endpoint_name}});
    } else if (changed) {
      Log(LogLevel::kWarn, "endpoint failed",
          {{"endpoint", endpoint_name}, {"reason", std::string(ErrorReason(status))},
           {"err", std::string(status.message())}});
    }
    state.attempted = true;
    state.last_status = status;
    state.last_duration_seconds = absl::ToDoubleSeconds(end - start);
    state.requests = requests;
    state.field_errors.Add(field_errors);
    if (data != nullptr) state.data = std::move(data);
    if (status.ok()) {
      state.last_success = end;
      state.filtered = filtered;
      state.capped = capped;
      if (!version.empty()) rabbitmq_version_ = version;
      if (!ready_) {
        ready_ = true;
        for (size_t i : core_indices_) ready_ = ready_ && states_[i].last_success != absl::InfinitePast();
        if (ready_) Log(LogLevel::kInfo, "ready", {{"endpoints", absl::StrCat(core_indices_.size())}});
      }
    } else {
      ++state.errors_by_reason[std::string(ErrorReason(status))];
    }
  }
  absl::MutexLock lock(&mu_);
  states_[index].in_flight = false;
  states_[index].last_attempt_end = absl::Now();
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
    const std::weak_ptr<const EndpointData>& from = join.computed_from[i];
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

bool Scraper::Succeeding(const EndpointState& state, absl::Time now) const {
  const bool overdue = state.in_flight && now > state.in_flight_deadline;
  return state.attempted && state.last_status.ok() && !overdue;
}

std::vector<prometheus::MetricFamily> Scraper::SelfMetrics() const {
  prometheus::MetricFamily up = FamilyOf(kUp), success = FamilyOf(kScrapeSuccess),
                           duration = FamilyOf(kScrapeDuration), errors = FamilyOf(kScrapeErrors),
                           last = FamilyOf(kLastSuccess), fields = FamilyOf(kFieldErrors),
                           dropped = FamilyOf(kObjectsDropped), requests = FamilyOf(kScrapeRequests),
                           build = FamilyOf(kBuildInfo);
  const absl::Time now = absl::Now();
  bool core_ok = true;
  for (size_t i : core_indices_) core_ok = core_ok && Succeeding(states_[i], now);
  AddSample(&up, {}, core_ok ? 1 : 0);
  AddSample(&build, {{"version", WARREN_VERSION}}, 1);

  for (const EndpointState& state : states_) {
    const std::string name = state.mapper.endpoint().name;
    AddSample(&success, {{"endpoint", name}}, Succeeding(state, now) ? 1 : 0);
    if (state.attempted) AddSample(&duration, {{"endpoint", name}}, state.last_duration_seconds);
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
    if (options_.filter != nullptr) {
      AddSample(&dropped, {{"endpoint", name}, {"reason", "filter"}}, static_cast<double>(state.filtered));
    }
    if (vhost_scope_ != nullptr && metrics::HasVhostPath(state.mapper.endpoint()) && state.attempted) {
      AddSample(&requests, {{"endpoint", name}}, static_cast<double>(state.requests));
    }
    if (options_.max_queues > 0 && &state.mapper.endpoint() == &metrics::kQueues) {
      AddSample(&dropped, {{"endpoint", name}, {"reason", "cap"}}, static_cast<double>(state.capped));
    }
  }
  std::vector<prometheus::MetricFamily> out;
  for (auto* family : {&up, &success, &duration, &errors, &last, &fields, &dropped, &requests, &build}) {
    if (!family->metric.empty()) out.push_back(std::move(*family));
  }
  return out;
}

}  // namespace warren
