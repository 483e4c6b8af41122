// How to reach one broker: its URL, credentials, body cap and TLS settings. Plain data, shared by
// the client (rabbit_client.h) and its TLS set-up (client_tls.h).
#ifndef WARREN_EXPORTER_BROKER_CLIENT_OPTIONS_H_
#define WARREN_EXPORTER_BROKER_CLIENT_OPTIONS_H_

#include <cstdint>
#include <string>

#include "exporter/broker/broker_url.h"

namespace warren {

// TLS to the broker, used when the URL is https:// (and refused with an http:// one). The files
// are PEM and read once, when the client is made: replaced certificates take a restart. The
// process must ignore SIGPIPE (main.cc does): OpenSSL writes to sockets without MSG_NOSIGNAL.
// Every member has a default, so designated initializers may name only some.
struct TlsOptions {
  // CA certificates the broker's certificate must chain to; "" = the system store
  // (/etc/ssl/certs: package ca-certificates).
  std::string ca_file = {};
  // Client certificate (optionally followed by its intermediates) and its unencrypted private
  // key, for a broker with management.ssl.verify = verify_peer. Both or neither.
  std::string cert_file = {};
  std::string key_file = {};
  // The name the broker's certificate must carry (DNS name or IP address), also sent as SNI;
  // "" = the URL's host.
  std::string server_name = {};
  // Accept any certificate under any name: no protection against an impostor. Whoever sets it
  // should say so in the log at every start (see InsecureTls).
  bool insecure_skip_verify = false;
};

struct ClientOptions {
  BrokerUrl url;
  std::string user;
  std::string password;
  int64_t max_body_bytes = int64_t{256} << 20;
  TlsOptions tls = {};  // used with an https:// url
};

}  // namespace warren

#endif  // WARREN_EXPORTER_BROKER_CLIENT_OPTIONS_H_
