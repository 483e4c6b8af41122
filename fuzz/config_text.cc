#include "fuzz/config_text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "metrics/endpoints.h"

namespace warren::fuzz {
namespace {

std::string DescribeTls(const TlsOptions& tls) {
  return absl::StrCat("ca=\"", absl::CEscape(tls.ca_file), "\" cert=\"", absl::CEscape(tls.cert_file), "\" key=\"",
                      absl::CEscape(tls.key_file), "\" name=\"", absl::CEscape(tls.server_name),
                      "\" insecure=", tls.insecure_skip_verify);
}

void EmitTls(YAML::Emitter& out, const TlsOptions& tls) {
  out << YAML::Key << "tls_ca_file" << YAML::Value << YAML::DoubleQuoted << tls.ca_file;
  out << YAML::Key << "tls_cert_file" << YAML::Value << YAML::DoubleQuoted << tls.cert_file;
  out << YAML::Key << "tls_key_file" << YAML::Value << YAML::DoubleQuoted << tls.key_file;
  out << YAML::Key << "tls_server_name" << YAML::Value << YAML::DoubleQuoted << tls.server_name;
  out << YAML::Key << "tls_insecure_skip_verify" << YAML::Value << (tls.insecure_skip_verify ? "true" : "false");
}

// --rabbitmq.plugin-url's comma-separated form.
std::string PluginUrlList(const Config& c) {
  std::vector<std::string> urls;
  for (const PluginUrl& url : c.plugin_urls) urls.push_back(absl::StrCat(url.node, "=", url.url));
  return absl::StrJoin(urls, ",");
}

void Emit(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}

}  // namespace

std::string Describe(const Config& c) {
  std::vector<std::string> collectors = c.disabled_collectors;
  std::sort(collectors.begin(), collectors.end());
  std::string out = absl::StrCat(
      "url=\"", absl::CEscape(c.rabbitmq_url), "\"\nuser=\"", absl::CEscape(c.rabbitmq_user), "\"\npassword=\"",
      absl::CEscape(c.rabbitmq_password), "\"\ntls: ", DescribeTls(c.rabbitmq_tls), "\nlisten=\"",
      absl::CEscape(c.listen_address), "\"\npath=\"", absl::CEscape(c.telemetry_path), "\"\nweb_config=\"",
      absl::CEscape(c.web_config_file), "\"\nprobe_max_targets=", c.probe_max_targets, "\nfilter=\"",
      absl::CEscape(absl::StrJoin({c.filter.vhosts, c.filter.vhosts_exclude, c.filter.queues, c.filter.queues_exclude,
                                   c.filter.exchanges, c.filter.exchanges_exclude},
                                  "\" \"")),
      "\"\nmax_queues=", c.max_queues, "\ntimeout=", absl::FormatDuration(c.scrape_timeout),
      "\nmin_interval=", absl::FormatDuration(c.min_interval),
      "\nhealth_interval=", absl::FormatDuration(c.health_interval),
      "\ndefinitions_interval=", absl::FormatDuration(c.definitions_interval), "\nworkers=", c.scrape_workers,
      "\nweb_threads=", c.web_threads, "\nmax_body_bytes=", c.max_body_bytes, "\nlog=", LogLevelName(c.log_level), " ",
      LogFormatName(c.log_format), "\ndisabled=", absl::StrJoin(collectors, ","), "\n");
  absl::StrAppend(&out, "plugin_urls=\"", absl::CEscape(PluginUrlList(c)), "\"\nplugin_url_template=\"",
                  absl::CEscape(c.plugin_url_template),
                  "\"\nqueue_listing_interval=", absl::FormatDuration(c.queue_listing_interval), "\n");
  for (const ProbeModule& m : c.modules) {
    absl::StrAppend(&out, "module \"", absl::CEscape(m.name), "\" user=\"", absl::CEscape(m.user), "\" password=\"",
                    absl::CEscape(m.password), "\" ", DescribeTls(m.tls), " targets=\"",
                    absl::CEscape(absl::StrJoin(m.targets, "\" \"")), "\"\n");
  }
  return out;
}

std::string ToConfigFile(const Config& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "rabbitmq" << YAML::Value << YAML::BeginMap;
  Emit(out, "url", c.rabbitmq_url);
  Emit(out, "user", c.rabbitmq_user);
  EmitTls(out, c.rabbitmq_tls);
  Emit(out, "plugin_url", PluginUrlList(c));
  Emit(out, "plugin_url_template", c.plugin_url_template);
  out << YAML::EndMap;
  out << YAML::Key << "web" << YAML::Value << YAML::BeginMap;
  Emit(out, "listen_address", c.listen_address);
  Emit(out, "telemetry_path", c.telemetry_path);
  Emit(out, "config_file", c.web_config_file);
  out << YAML::EndMap;
  out << YAML::Key << "scrape" << YAML::Value << YAML::BeginMap;
  Emit(out, "timeout", absl::FormatDuration(c.scrape_timeout));
  Emit(out, "min_interval", absl::FormatDuration(c.min_interval));
  Emit(out, "health_interval", absl::FormatDuration(c.health_interval));
  Emit(out, "definitions_interval", absl::FormatDuration(c.definitions_interval));
  Emit(out, "queue_listing_interval", absl::FormatDuration(c.queue_listing_interval));
  Emit(out, "workers", absl::StrCat(c.scrape_workers));
  Emit(out, "max_body_bytes", absl::StrCat(c.max_body_bytes));
  out << YAML::EndMap;
  out << YAML::Key << "filter" << YAML::Value << YAML::BeginMap;
  Emit(out, "vhosts", c.filter.vhosts);
  Emit(out, "vhosts_exclude", c.filter.vhosts_exclude);
  Emit(out, "queues", c.filter.queues);
  Emit(out, "queues_exclude", c.filter.queues_exclude);
  Emit(out, "exchanges", c.filter.exchanges);
  Emit(out, "exchanges_exclude", c.filter.exchanges_exclude);
  Emit(out, "max_queues", absl::StrCat(c.max_queues));
  out << YAML::EndMap;
  out << YAML::Key << "probe" << YAML::Value << YAML::BeginMap;
  Emit(out, "max_targets", absl::StrCat(c.probe_max_targets));
  out << YAML::EndMap;
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
  Emit(out, "level", std::string(LogLevelName(c.log_level)));
  Emit(out, "format", std::string(LogFormatName(c.log_format)));
  out << YAML::EndMap;
  out << YAML::Key << "collectors" << YAML::Value << YAML::BeginMap;
  for (const std::string& group : metrics::AllGroups()) {
    const bool off =
        std::find(c.disabled_collectors.begin(), c.disabled_collectors.end(), group) != c.disabled_collectors.end();
    out << YAML::Key << group << YAML::Value << (off ? "false" : "true");
  }
  out << YAML::EndMap;
  if (!c.modules.empty()) {
    out << YAML::Key << "modules" << YAML::Value << YAML::BeginMap;
    for (const ProbeModule& m : c.modules) {
      out << YAML::Key << YAML::DoubleQuoted << m.name << YAML::Value << YAML::BeginMap;
      Emit(out, "user", m.user);
      EmitTls(out, m.tls);
      out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq;
      for (const std::string& target : m.targets) out << YAML::DoubleQuoted << target;
      out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace warren::fuzz
