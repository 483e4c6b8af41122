// --web.listen-address: where warren serves.
#ifndef WARREN_EXPORTER_CONFIG_LISTEN_ADDRESS_H_
#define WARREN_EXPORTER_CONFIG_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace warren {

// "host:port", ":port" or "[v6]:port" -> host ("0.0.0.0" when empty) and port.
absl::Status ParseListenAddress(absl::string_view address, std::string* host, int* port);

}  // namespace warren

#endif  // WARREN_EXPORTER_CONFIG_LISTEN_ADDRESS_H_
