// The message of an errno value, for error statuses. POSIX lets std::strerror return a buffer shared
// by every thread (glibc's manual marks it MT-Unsafe), and warren reads files on server and scraper
// threads (certificate reloads, /probe clients): strerror_r writes into the caller's buffer.
#ifndef WARREN_UTIL_ERRNO_TEXT_H_
#define WARREN_UTIL_ERRNO_TEXT_H_

#include <string>

namespace warren {

// "No such file or directory" for ENOENT; "Unknown error 12345" for a value the C library does
// not know. Thread-safe.
std::string ErrnoText(int err);

}  // namespace warren

#endif  // WARREN_UTIL_ERRNO_TEXT_H_
