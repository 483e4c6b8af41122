// --web.listen-address (ParseListenAddress): what is accepted is a port in range and a host, and
// writing them back as [HOST]:PORT reads back the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/config/listen_address.h"
#include "fuzz/check.h"

namespace warren::fuzz {
namespace {

void ParseOne(absl::string_view text) {
  std::string host;
  int port = -1;
  if (!ParseListenAddress(text, &host, &port).ok()) return;
  Check(port >= 0 && port <= 65535, "a port number");
  Check(!host.empty(), "a host (0.0.0.0 when none is given)");
  const std::string written =
      absl::StrContains(host, ':') ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
  std::string host_again;
  int port_again = -1;
  CheckOk(ParseListenAddress(written, &host_again, &port_again), "the address written back parses");
  Check(host_again == host && port_again == port, "the address written back is the same");
}

}  // namespace
}  // namespace warren::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warren::fuzz::ParseOne({reinterpret_cast<const char*>(data), size});
  return 0;
}
