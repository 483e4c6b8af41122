// What each RabbitMQ release offers an exporter, in one place: which endpoints it serves, which
// of its fields measure something, which query parameters and plugin formats it takes. Each row
// names the release that changed it and the source file that says so (read at that tag of
// rabbitmq-server; ../shared/rabbitmq/versions.md); releases.cc holds the tables, release_test.cc a
// case per release.
#ifndef WARREN_METRICS_RELEASES_H_
#define WARREN_METRICS_RELEASES_H_

#include <compare>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/mapper.h"
#include "metrics/plugin_text.h"
#include "rapidjson/document.h"

namespace warren::metrics {

struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;

  auto operator<=>(const Version&) const = default;
  std::string ToString() const;
};

// "3.10.8" -> 3.10.8; "4.1" -> 4.1.0; "4.1.0-rc.1" or "4.2.4+3.gabc" -> the numbers before the
// suffix. nullopt for anything without a major and a minor number.
std::optional<Version> ParseVersion(absl::string_view text);

// An endpoint that only some releases route. Outside [since, until) the broker answers 404 (3.x)
// or 406 (4.x); warren does not ask.
struct EndpointRange {
  const char* endpoint = "";                    // Endpoint::name
  std::optional<Version> since = std::nullopt;  // first release that routes it; nullopt: every release warren knows
  std::optional<Version> until = std::nullopt;  // first release that no longer does
  const char* source = "";                      // where the change is read (for the README)
};

// A field the broker still sends from `since` on but no longer measures (a constant 0 or []):
// exported it would be made-up data.
struct ConstantField {
  const char* endpoint = "";  // Endpoint::name
  const char* path = "";      // the table's JSON path
  Version since = {};
  const char* source = "";
};

// A column warren asks for only before `until`: from that release the broker says itself what
// warren derives from it, and the bytes would be the broker's work for nothing.
struct ColumnUntil {
  const char* endpoint = "";  // Endpoint::name
  const char* path = "";      // the column, as in columns=
  Version until = {};
  const char* source = "";
};

std::span<const EndpointRange> ReleaseEndpoints();
// True if some releases route the endpoint and some do not (it has an EndpointRange): warren asks
// for it only once it knows the release.
bool OnlySomeReleasesOffer(absl::string_view endpoint);
std::span<const ConstantField> ConstantFields();
std::span<const ColumnUntil> ColumnsUntil();

// The decisions for one release. Built from the version in /api/overview; an unknown version
// ("" before the first overview, or unparsable) offers every endpoint and measures every field:
// the broker's answer then decides (404/406 is "not offered", not a failure).
class Release {
 public:
  explicit Release(absl::string_view rabbitmq_version);

  bool known() const { return version_.has_value(); }
  const std::optional<Version>& version() const { return version_; }

  // False if this release does not route the endpoint (EndpointRange); true for the rest.
  bool Offers(absl::string_view endpoint) const;
  // False if this release sends the endpoint's field at `path` as a constant (ConstantField).
  bool Measures(absl::string_view endpoint, absl::string_view path) const;
  // False if warren has no use for the endpoint's column on this release (ColumnUntil); an
  // unknown release asks for every column.
  bool Wants(absl::string_view endpoint, absl::string_view column) const;
  // An empty `sort=` skips the broker's sorting only before 3.13: 3.13.0 answers it with HTTP
  // 500, 3.13.1 and later sort anyway (rabbit_mgmt_util.erl). Unknown: no parameter.
  bool SkipsSortWithEmptySort() const;
  // The plugin's label escaping: 3.10.8 writes label values unescaped (checked live); an unknown
  // version is taken for that too, 3.11 and later for the standard escapes (not checked live). A
  // wrong guess loses the depth of queues with a quote or backslash in their name (missing,
  // counted), never attaches it to another queue.
  LabelEscaping PluginEscaping() const;

 private:
  std::optional<Version> version_;
};

// The release of the node an /api/nodes object describes: its own `rabbitmq_version` (4.2.4+),
// else the version of its `rabbit` application (every release, with the statistics on); "" if
// neither is there. In a rolling upgrade nodes differ from the node that answered.
std::string NodeVersionOf(const rapidjson::Value& node);

// MapOptions::gate for one endpoint: refuses the fields ConstantFields lists for it on the release
// of the node each object describes (NodeVersionOf), else on the release of the node that
// answered (the overview's version).
class ConstantFieldGate : public FieldGate {
 public:
  ConstantFieldGate(absl::string_view endpoint, absl::string_view answering_version);

  // The endpoint has no constant field on any release: mapping needs no gate.
  bool empty() const { return fields_.empty(); }
  bool Measures(const rapidjson::Value& object, const char* path) const override;

 private:
  std::vector<const ConstantField*> fields_;
  std::string answering_version_;
};

}  // namespace warren::metrics

#endif  // WARREN_METRICS_RELEASES_H_
