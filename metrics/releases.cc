#include "metrics/releases.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "util/utf8.h"

namespace warren::metrics {
namespace {

constexpr char kDispatcher[] = "deps/rabbitmq_management/src/rabbit_mgmt_dispatcher.erl";
constexpr char kExternalStats[] = "deps/rabbitmq_management_agent/src/rabbit_mgmt_external_stats.erl";

// clang-format off
constexpr EndpointRange kEndpointRanges[] = {
//  endpoint                                since                 until                  source
  {"deprecated_features_used",              Version{3, 13, 0},    std::nullopt,          kDispatcher},
  {"health_mirror_sync_critical",           std::nullopt,         Version{4, 0, 0},      kDispatcher},
  {"health_metadata_store_initialized",     Version{4, 0, 6},     std::nullopt,          kDispatcher},
  {"health_quorum_without_leaders",         Version{4, 1, 0},     std::nullopt,          kDispatcher},
  {"health_is_in_service",                  Version{4, 1, 1},     std::nullopt,          kDispatcher},
  {"health_below_connection_limit",         Version{4, 1, 1},     std::nullopt,          kDispatcher},
  {"health_ready_to_serve_clients",         Version{4, 1, 1},     std::nullopt,          kDispatcher},
  {"health_reached_target_cluster_size",    Version{4, 2, 4},     std::nullopt,          kDispatcher},
};

// i(sockets_used, _) -> 0 from 4.0.0 ("unused since RabbitMQ 4.0"); i(partitions, _) -> [] from 4.3.0.
constexpr ConstantField kConstantFields[] = {
//  endpoint   path              since               source
  {"nodes",    "sockets_used",   Version{4, 0, 0},   kExternalStats},
  {"nodes",    "sockets_total",  Version{4, 0, 0},   kExternalStats},
  {"nodes",    "partitions",     Version{4, 3, 0},   kExternalStats},
};

// The deprecated features join (deprecated_features.cc) reads these before 3.13; from 3.13 on
// /api/deprecated-features/used answers, and ~33 bytes per queue stay out of the listing.
constexpr ColumnUntil kColumnsUntil[] = {
//  endpoint   column         until                source
  {"queues",   "durable",     Version{3, 13, 0},   kDispatcher},
  {"queues",   "exclusive",   Version{3, 13, 0},   kDispatcher},
};
// clang-format on

std::string StringOf(const rapidjson::Value& value) { return ValidUtf8({value.GetString(), value.GetStringLength()}); }

bool Within(const Version& version, const EndpointRange& range) {
  return (!range.since || version >= *range.since) && (!range.until || version < *range.until);
}

}  // namespace

std::string Version::ToString() const { return absl::StrCat(major, ".", minor, ".", patch); }

std::optional<Version> ParseVersion(absl::string_view text) {
  // The numbers end where a pre-release or build suffix begins.
  const size_t end = text.find_first_not_of("0123456789.");
  if (end != absl::string_view::npos) text = text.substr(0, end);
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  Version version;
  if (!absl::SimpleAtoi(parts[0], &version.major) || !absl::SimpleAtoi(parts[1], &version.minor)) return std::nullopt;
  if (parts.size() == 3 && !absl::SimpleAtoi(parts[2], &version.patch)) return std::nullopt;
  if (version.major < 0 || version.minor < 0 || version.patch < 0) return std::nullopt;
  return version;
}

std::span<const EndpointRange> ReleaseEndpoints() { return kEndpointRanges; }
std::span<const ConstantField> ConstantFields() { return kConstantFields; }
std::span<const ColumnUntil> ColumnsUntil() { return kColumnsUntil; }

bool OnlySomeReleasesOffer(absl::string_view endpoint) {
  for (const EndpointRange& range : kEndpointRanges) {
    if (endpoint == range.endpoint) return true;
  }
  return false;
}

Release::Release(absl::string_view rabbitmq_version) : version_(ParseVersion(rabbitmq_version)) {}

bool Release::Offers(absl::string_view endpoint) const {
  if (!version_) return true;
  for (const EndpointRange& range : kEndpointRanges) {
    if (endpoint == range.endpoint) return Within(*version_, range);
  }
  return true;
}

bool Release::Measures(absl::string_view endpoint, absl::string_view path) const {
  if (!version_) return true;
  for (const ConstantField& field : kConstantFields) {
    if (endpoint == field.endpoint && path == field.path && *version_ >= field.since) return false;
  }
  return true;
}

bool Release::Wants(absl::string_view endpoint, absl::string_view column) const {
  if (!version_) return true;
  for (const ColumnUntil& until : kColumnsUntil) {
    if (endpoint == until.endpoint && column == until.path && *version_ >= until.until) return false;
  }
  return true;
}

bool Release::SkipsSortWithEmptySort() const { return version_ && version_->major == 3 && version_->minor < 13; }

LabelEscaping Release::PluginEscaping() const {
  if (!version_) return LabelEscaping::kNone;
  const bool raw = version_->major < 3 || (version_->major == 3 && version_->minor <= 10);
  return raw ? LabelEscaping::kNone : LabelEscaping::kStandard;
}

std::string NodeVersionOf(const rapidjson::Value& node) {
  if (!node.IsObject()) return "";
  const auto own = node.FindMember("rabbitmq_version");
  if (own != node.MemberEnd() && own->value.IsString()) return StringOf(own->value);
  const auto applications = node.FindMember("applications");
  if (applications == node.MemberEnd() || !applications->value.IsArray()) return "";
  for (const rapidjson::Value& application : applications->value.GetArray()) {
    if (!application.IsObject()) continue;
    const auto name = application.FindMember("name");
    const auto version = application.FindMember("version");
    if (name == application.MemberEnd() || !name->value.IsString() || StringOf(name->value) != "rabbit") continue;
    if (version != application.MemberEnd() && version->value.IsString()) return StringOf(version->value);
    return "";
  }
  return "";
}

ConstantFieldGate::ConstantFieldGate(absl::string_view endpoint, absl::string_view answering_version)
    : answering_version_(answering_version) {
  for (const ConstantField& field : kConstantFields) {
    if (endpoint == field.endpoint) fields_.push_back(&field);
  }
}

bool ConstantFieldGate::Measures(const rapidjson::Value& object, const char* path) const {
  for (const ConstantField* field : fields_) {
    if (absl::string_view(path) != field->path) continue;
    const std::string own = NodeVersionOf(object);
    const std::optional<Version> version = ParseVersion(own.empty() ? answering_version_ : own);
    return !version || *version < field->since;
  }
  return true;
}

}  // namespace warren::metrics
