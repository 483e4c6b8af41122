#include "util/errno_text.h"

#include <cstring>

namespace warren {

std::string ErrnoText(int err) {
  char buffer[256];
  // GNU strerror_r (g++ defines _GNU_SOURCE): returns the message, in `buffer` or a static string.
  return strerror_r(err, buffer, sizeof buffer);
}

}  // namespace warren
