// Polices every table: names, kinds, units, help text, labels, and the requests derived from them.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "exporter/scrape/self_metrics.h"
#include "gtest/gtest.h"
#include "metrics/consumers.h"
#include "metrics/deprecated_features.h"
#include "metrics/endpoints.h"
#include "metrics/queue_depth.h"
#include "metrics/releases.h"
#include "prometheus/check_names.h"

namespace warren::metrics {
namespace {

void CheckHelp(const std::string& name, const std::string& help) {
  EXPECT_FALSE(help.empty()) << name;
  EXPECT_TRUE(absl::EndsWith(help, ".")) << name << ": help must be one sentence ending in a period";
  EXPECT_EQ(help.find_first_of("\\\n"), std::string::npos) << name << ": prometheus-cpp writes HELP unescaped";
}

void CheckUnits(const std::string& name) {
  for (const char* bad : {"_milliseconds", "_ms", "_microseconds", "_kb", "_mb", "_kilobytes", "_megabytes", "_minutes",
                          "_hours", "_percent"}) {
    EXPECT_FALSE(absl::StrContains(name, bad)) << name << ": use base units";
  }
}

TEST(Tables, EveryFieldIsWellNamed) {
  for (const Endpoint* endpoint : AllEndpoints()) {
    for (const Field& field : endpoint->fields) {
      const std::string name = field.name;
      EXPECT_TRUE(prometheus::CheckMetricName(name)) << name;
      EXPECT_TRUE(absl::StartsWith(name, "rabbitmq_")) << name;
      EXPECT_EQ(absl::EndsWith(name, "_total"), field.kind == Kind::kCounter) << name << ": _total iff counter";
      EXPECT_FALSE(absl::EndsWith(name, "_info")) << name << ": _info is for labels-only series";
      if (field.kind == Kind::kMillis) {
        EXPECT_TRUE(absl::EndsWith(name, "_seconds")) << name;
      }
      if (field.kind == Kind::kBool || field.kind == Kind::kLength) {
        EXPECT_FALSE(absl::EndsWith(name, "_bytes") || absl::EndsWith(name, "_seconds")) << name;
      }
      CheckUnits(name);
      CheckHelp(name, field.help);
      EXPECT_NE(std::string(field.path), "") << name;
    }
  }
}

TEST(Tables, InfoMetricsAndLabelsAreWellNamed) {
  for (const Endpoint* endpoint : AllEndpoints()) {
    std::set<std::string> labels;
    for (const Label& label : endpoint->labels) {
      EXPECT_TRUE(prometheus::CheckLabelName(label.name)) << endpoint->name << " " << label.name;
      EXPECT_TRUE(labels.insert(label.name).second) << endpoint->name << ": duplicate label " << label.name;
    }
    for (const Info& info : endpoint->infos) {
      EXPECT_TRUE(prometheus::CheckMetricName(info.name)) << info.name;
      EXPECT_TRUE(absl::EndsWith(info.name, "_info")) << info.name;
      CheckHelp(info.name, info.help);
      std::set<std::string> info_labels = labels;
      for (const Label& label : info.labels) {
        EXPECT_TRUE(prometheus::CheckLabelName(label.name)) << info.name << " " << label.name;
        EXPECT_TRUE(info_labels.insert(label.name).second) << info.name << ": duplicate label " << label.name;
      }
    }
  }
}

TEST(Tables, NoMetricNameIsUsedTwice) {
  std::set<std::string> names;
  auto add = [&names](const std::string& name) { EXPECT_TRUE(names.insert(name).second) << "duplicate " << name; };
  for (const Endpoint* endpoint : AllEndpoints()) {
    for (const Field& field : endpoint->fields) add(field.name);
    for (const Info& info : endpoint->infos) add(info.name);
  }
  for (const Join& join : AllJoins()) {
    // The one join that stands in for an endpoint on the releases that do not offer it, and says
    // nothing on the others: never both in one exposition.
    if (join.name == std::string(kDerivedFeaturesName)) {
      EXPECT_TRUE(OnlySomeReleasesOffer(kDeprecatedFeaturesUsed.name));
      EXPECT_EQ(kDeprecatedFeaturesUsed.infos.size(), 1u);
      EXPECT_STREQ(kDeprecatedFeaturesUsed.infos[0].name, join.name);
      continue;
    }
    add(join.name);
  }
  for (const SelfMetric* metric : kAllSelfMetrics) add(metric->name);
  for (const SelfMetric& metric : kProcessMetrics) add(metric.name);
  EXPECT_GT(names.size(), 30u);
}

TEST(Tables, SelfMetricsAreWellNamed) {
  for (const SelfMetric* metric : kAllSelfMetrics) {
    const std::string name = metric->name;
    EXPECT_TRUE(prometheus::CheckMetricName(name)) << name;
    EXPECT_TRUE(absl::StartsWith(name, "warren_") || name == "rabbitmq_up") << name;
    EXPECT_EQ(absl::EndsWith(name, "_total"), metric->type == prometheus::MetricType::Counter) << name;
    CheckUnits(name);
    CheckHelp(name, metric->help);
  }
}

TEST(Tables, JoinedEndpointsKeyOnTheSameLabels) {
  auto names = [](const Endpoint& endpoint) {
    std::vector<std::string> out;
    for (const Label& key : endpoint.keys) out.emplace_back(key.name);
    return out;
  };
  // The join functions read keys by position: these are the positions they assume.
  using Names = std::vector<std::string>;
  EXPECT_EQ(names(kQueues), (Names{"vhost", "queue", "type", "policy", "node", "durable", "exclusive"}));
  EXPECT_EQ(names(kQueueListing), names(kQueues));  // stands in for kQueues in every join
  EXPECT_EQ(names(kConsumers), (Names{"vhost", "queue"}));
  EXPECT_EQ(names(kFederationUpstreams), (Names{"vhost", "upstream"}));
  EXPECT_EQ(names(kFederationLinks), (Names{"vhost", "upstream", "status"}));
  EXPECT_EQ(names(kPolicies), (Names{"vhost", "policy", "ha_mode", "ha_params"}));
  EXPECT_EQ(names(kNodes), (Names{"node", "running", "mem_limit", "type"}));
  EXPECT_EQ(names(kOverview), (Names{"rabbitmq_version"}));
}

TEST(Requests, ColumnsComeFromTheTable) {
  EXPECT_EQ(RequestFor(kQueues, "3.10.8"),
            "/api/queues?disable_stats=true&enable_queue_totals=true"
            "&columns=vhost,name,messages,messages_ready,messages_unacknowledged,slave_nodes,"
            "synchronised_slave_nodes,type,policy,state,leader,node,members,online,durable,exclusive&sort=");
  EXPECT_EQ(RequestFor(kQueueListing, "3.10.8"),
            "/api/queues?disable_stats=true"
            "&columns=vhost,name,slave_nodes,synchronised_slave_nodes,type,policy,state,leader,node,members,online,"
            "durable,exclusive&sort=");
  // From 3.13 the broker lists the deprecated features it sees: no durable, exclusive per queue.
  EXPECT_EQ(RequestFor(kQueues, "3.13.7"),
            "/api/queues?disable_stats=true&enable_queue_totals=true"
            "&columns=vhost,name,messages,messages_ready,messages_unacknowledged,slave_nodes,"
            "synchronised_slave_nodes,type,policy,state,leader,node,members,online");
  EXPECT_NE(RequestFor(kQueueListing, "3.12.14").find(",durable,exclusive&sort="), std::string::npos);
  EXPECT_EQ(RequestFor(kQueueListing, "4.3.6").find("durable"), std::string::npos);
  EXPECT_EQ(RequestFor(kConsumers, "3.10.8"), "/api/consumers?columns=queue.vhost,queue.name&sort=");
  // Every path the tables read is requested, and nothing else.
  for (const Endpoint* endpoint : AllEndpoints()) {
    const std::string request = RequestFor(*endpoint, "");
    if (!endpoint->columns) {
      EXPECT_EQ(request.find("columns="), std::string::npos) << request;
      continue;
    }
    for (const Field& field : endpoint->fields) {
      EXPECT_TRUE(absl::StrContains(request, field.path)) << request << " lacks " << field.path;
    }
    EXPECT_EQ(request.find("sort"), std::string::npos) << request;
  }
}

TEST(Requests, SortParameterOnlyWhereTheBrokerSkipsSorting) {
  struct Case {
    const char* version;
    bool sort;
  } cases[] = {{"3.10.8", true}, {"3.12.14", true}, {"3.8.0", true},    {"3.13.0", false}, {"3.13.7", false},
               {"4.0.5", false}, {"", false},       {"garbage", false}, {"3", false}};
  for (const Case& c : cases) {
    EXPECT_EQ(absl::StrContains(RequestFor(kQueues, c.version), "sort="), c.sort) << c.version;
    EXPECT_FALSE(absl::StrContains(RequestFor(kNodes, c.version), "sort=")) << c.version;
  }
}

TEST(Requests, OneVhostPathsKeepTheQueryAndEncodeTheName) {
  const std::string all = RequestFor(kQueues, "3.10.8");
  const std::string one = RequestFor(kQueues, "3.10.8", "/");
  EXPECT_EQ(one, absl::StrCat("/api/queues/%2F", all.substr(all.find('?')))) << one;
  EXPECT_TRUE(absl::StartsWith(RequestFor(kConnections, "", "a b\"\n\xc3\xa9"),
                               "/api/vhosts/a%20b%22%0A%C3%A9/connections?columns="));
  EXPECT_TRUE(absl::StartsWith(RequestFor(kChannels, "", "prod-1.eu_x~"), "/api/vhosts/prod-1.eu_x~/channels?"));
  EXPECT_TRUE(absl::StartsWith(RequestFor(kExchanges, "", "../api"), "/api/exchanges/..%2Fapi?disable_stats=true"));
  for (const Endpoint* endpoint : {&kQueues, &kConsumers, &kExchanges, &kConnections, &kChannels}) {
    EXPECT_TRUE(HasVhostPath(*endpoint)) << endpoint->name;
  }
  for (const Endpoint* endpoint : {&kOverview, &kNodes, &kVhosts, &kPolicies, &kDefinitions}) {
    EXPECT_FALSE(HasVhostPath(*endpoint)) << endpoint->name;
  }
}

}  // namespace
}  // namespace warren::metrics

namespace warren::metrics {
namespace {

// The request with its columns= list sorted: the order of the columns changes nothing the mapping
// reads (fields are found by name).
std::string WithSortedColumns(const std::string& request) {
  const size_t at = request.find("columns=");
  if (at == std::string::npos) return request;
  const size_t begin = at + std::string("columns=").size();
  const size_t end = std::min(request.find('&', begin), request.size());
  std::vector<std::string> columns = absl::StrSplit(request.substr(begin, end - begin), ',');
  std::sort(columns.begin(), columns.end());
  return absl::StrCat(request.substr(0, begin), absl::StrJoin(columns, ","), request.substr(end));
}

// scripts/record-fixtures records what warren asks for (without `sort=`, which only changes the
// order; the columns in any order), so the golden tests see the bodies production sees.
TEST(Requests, FixturesAreRecordedWithWarrensOwnRequests) {
  std::ifstream file(WARREN_SOURCE_DIR "/tests/fixtures/requests.txt");
  ASSERT_TRUE(file) << "tests/fixtures/requests.txt";
  std::string line;
  int checked = 0;
  std::set<std::string> covered;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string stem, request;
    fields >> stem >> request;
    const std::string name = stem.substr(0, stem.find("--"));
    for (const Endpoint* endpoint : AllEndpoints()) {
      if (name != endpoint->name) continue;
      EXPECT_EQ(WithSortedColumns(request), WithSortedColumns(RequestFor(*endpoint, ""))) << stem;
      ++checked;
      covered.insert(endpoint->name);
    }
  }
  // The recordings come from 3.10.8: a check that release does not route has none here.
  const Release recorded("3.10.8");
  for (const Endpoint* endpoint : AllEndpoints()) {
    if (!recorded.Offers(endpoint->name)) continue;
    EXPECT_TRUE(covered.count(endpoint->name)) << endpoint->name << " has no recorded fixture";
  }
  EXPECT_GE(checked, static_cast<int>(covered.size()));
}

}  // namespace
}  // namespace warren::metrics
