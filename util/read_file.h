// Reading a file named by the operator (certificates, keys, config, passwords) without trusting it:
// bounded in size, and never a FIFO, device or directory (a FIFO would hang, /dev/zero never end).
#ifndef WARREN_UTIL_READ_FILE_H_
#define WARREN_UTIL_READ_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"

namespace warren {

// Reads a regular file of at most `limit` bytes into `out`. kNotFound or kPermissionDenied
// (errno's text) when it cannot be opened, kInvalidArgument for another kind of file or one
// over the limit, kDataLoss when a read fails.
absl::Status ReadLimitedFile(const std::string& path, size_t limit, std::string* out);

}  // namespace warren

#endif  // WARREN_UTIL_READ_FILE_H_
