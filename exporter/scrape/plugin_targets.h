// Reaching each node's rabbitmq_prometheus plugin: where it is (an explicit URL, the template,
// or its listener in /api/overview), asking every node at once, and asking one without
// credentials. Shared by queue depth (plugin_depth.h) and node resources (node_resources_plan.h).
#ifndef WARREN_EXPORTER_SCRAPE_PLUGIN_TARGETS_H_
#define WARREN_EXPORTER_SCRAPE_PLUGIN_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/broker/client_options.h"
#include "exporter/broker/rabbit_client.h"
#include "metrics/broker_facts.h"

namespace warren {

struct PluginOptions {
  std::vector<std::pair<std::string, std::string>> urls = {};  // node name -> base URL
  std::string url_template = {};  // for the other running nodes; "{host}": the name after '@'
  // For the running nodes neither names: the plugin's listener in /api/overview's listeners.
  bool discover = false;
  TlsOptions tls = {};  // for https:// URLs
  // Queue depth only: how often queues are listed while the plugins report exactly the listed
  // queues from the nodes that answered last time; anything else lists them at the next scrape.
  // Never more often than the scraper's min_interval.
  absl::Duration listing_interval = absl::ZeroDuration();
  // A node whose plugin did not answer (or has none) is asked again after this long.
  absl::Duration retry_interval = absl::Minutes(1);

  bool On() const { return discover || !urls.empty() || !url_template.empty(); }
};

// A running node and its plugin's base URL, or why it has none ("not_listed", "no_host", ...).
struct PluginTarget {
  std::string node = {}, url = {};
  std::string reason = "ok";  // why there is no URL
};

// Finds the plugin of each running node: its explicit URL, else the template's, else (discovery)
// its listener in /api/overview's listeners, asked again once per retry interval or when a
// running node is not in them. One caller at a time.
class PluginLocator {
 public:
  PluginLocator(PluginOptions options, const RabbitClient* management)
      : options_(std::move(options)), management_(management) {}

  // A target for each of `running`, in order; fails only if the listeners were needed and could
  // not be read. `requests` counts the HTTP requests made.
  absl::StatusOr<std::vector<PluginTarget>> Locate(const std::vector<std::string>& running, absl::Time deadline,
                                                   size_t* requests);

 private:
  absl::Status RefreshListeners(const std::vector<std::string>& running, absl::Time deadline, size_t* requests);

  const PluginOptions options_;
  const RabbitClient* const management_;
  std::vector<metrics::Listener> listeners_;
  absl::Time listeners_at_ = absl::InfinitePast();
};

// Runs ask(0) ... ask(count - 1), up to 16 at a time (this thread is one of them), so a cluster
// costs the wall time of its slowest node, not the sum. A thread that cannot be created leaves its
// share to the others.
void AskEach(size_t count, const std::function<void(size_t)>& ask);

// GET `request` from the plugin at `url`, without credentials: the plugin asks for none, and
// they are not the plugin's to see. `tls` applies to an https:// URL.
absl::StatusOr<std::string> GetFromPlugin(const std::string& url, absl::string_view request, const TlsOptions& tls,
                                          int64_t max_body_bytes, absl::Time deadline);

// OK if what answered for `node` is that node (`identity`: the plugin's rabbitmq_identity_info, the
// management API's overview `node`); else an error saying `who` ("the plugin") is another node.
absl::Status CheckAnsweringNode(absl::string_view who, absl::string_view node, absl::string_view identity);
// CheckAnsweringNode for a node's plugin.
inline absl::Status CheckPluginNode(absl::string_view node, absl::string_view identity) {
  return CheckAnsweringNode("the plugin", node, identity);
}
// Why a node (its plugin or its management listener) is not used, from what asking it gave: "ok",
// "wrong_node" (CheckAnsweringNode), or an ErrorReason.
std::string NodeReason(const absl::Status& status);

// The facts of the overview `request` (an /api/overview with columns=) from `client`.
absl::StatusOr<metrics::BrokerFacts> GetBrokerFacts(const RabbitClient& client, absl::string_view request,
                                                    absl::Time deadline);

// The URL as it may be logged: parsed URLs carry no credentials.
std::string SafeUrl(const std::string& url);

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_PLUGIN_TARGETS_H_
