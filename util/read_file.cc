#include "util/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "util/errno_text.h"

namespace warren {

absl::Status ReadLimitedFile(const std::string& path, size_t limit, std::string* out) {
  out->clear();
  // O_NONBLOCK: a FIFO put there by mistake must not hang startup; fstat refuses it below.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    return err == ENOENT ? absl::NotFoundError(ErrnoText(err)) : absl::PermissionDeniedError(ErrnoText(err));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError("not a regular file");
  }
  char buf[16384];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return absl::DataLossError(ErrnoText(err));
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > limit) {
      close(fd);
      return absl::InvalidArgumentError(absl::StrCat("larger than ", limit, " bytes"));
    }
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace warren
