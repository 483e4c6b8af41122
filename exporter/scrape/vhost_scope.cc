#include "exporter/scrape/vhost_scope.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "metrics/json.h"

namespace warren {

VhostScope::VhostScope(const RabbitClient* client, const metrics::Filter* filter, size_t max_vhosts,
                       absl::Duration max_age)
    : client_(client), filter_(filter), max_vhosts_(max_vhosts), max_age_(max_age) {}

absl::StatusOr<std::optional<std::vector<std::string>>> VhostScope::Kept(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (absl::Now() - fetched_ >= max_age_) {
    absl::StatusOr<std::string> body = client_->Get("/api/vhosts?columns=name", deadline);
    if (!body.ok()) return body.status();
    absl::StatusOr<std::vector<std::string>> names = ParseVhostNames(*body);
    if (!names.ok()) return names.status();
    names_ = *std::move(names);
    fetched_ = absl::Now();
  }
  std::vector<std::string> kept;
  for (const std::string& name : names_) {
    if (filter_->Keeps(metrics::Filter::Subject::kVhost, name)) kept.push_back(name);
  }
  if (kept.size() > max_vhosts_ || kept.size() == names_.size()) return std::nullopt;
  return kept;
}

absl::StatusOr<std::vector<std::string>> ParseVhostNames(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status parsed = metrics::ParseJson(body, "/api/vhosts", &doc); !parsed.ok()) return parsed;
  if (!doc.IsArray()) return absl::DataLossError("/api/vhosts: not a JSON array");
  std::vector<std::string> names;
  for (const rapidjson::Value& vhost : doc.GetArray()) {
    const rapidjson::Value* name = vhost.IsObject() ? metrics::Resolve(vhost, metrics::JsonPath{"name"}) : nullptr;
    if (name == nullptr || !name->IsString()) return absl::DataLossError("/api/vhosts: a vhost without a name");
    names.emplace_back(name->GetString(), name->GetStringLength());
  }
  return names;
}

absl::StatusOr<std::string> ConcatArrays(const std::vector<std::string>& bodies, int64_t max_bytes) {
  std::string out = "[";
  for (const std::string& body : bodies) {
    const absl::string_view array = absl::StripAsciiWhitespace(body);
    if (array.size() < 2 || array.front() != '[' || array.back() != ']') {
      return absl::DataLossError("a per-vhost answer is not a JSON array");
    }
    const absl::string_view elements = absl::StripAsciiWhitespace(array.substr(1, array.size() - 2));
    if (elements.empty()) continue;
    if (static_cast<int64_t>(out.size() + elements.size()) + 2 > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat("the per-vhost answers together exceed ", max_bytes, " bytes"));
    }
    if (out.size() > 1) out.push_back(',');
    absl::StrAppend(&out, elements);
  }
  out.push_back(']');
  return out;
}

}  // namespace warren
