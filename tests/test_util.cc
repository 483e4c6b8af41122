#include "tests/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace warren::testing {

void Keep(absl::string_view kind, absl::string_view text) {
  static const char* const dir = std::getenv("WARREN_TEST_ARTIFACTS");
  if (dir == nullptr || *dir == '\0') return;
  static absl::Mutex mu(absl::kConstInit);
  absl::MutexLock lock(&mu);
  std::ofstream out(absl::StrCat(dir, "/", kind, "-", getpid(), ".txt"), std::ios::app);
  out << text << "\n";
}

std::optional<double> SampleValue(absl::string_view text, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return std::nullopt;
}

std::vector<ParsedSample> ParseSamples(absl::string_view text) {
  std::vector<ParsedSample> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    ParsedSample sample;
    size_t at = line.find_first_of("{ ");
    if (at != absl::string_view::npos && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const size_t equals = line.find('=', at);
        if (equals == absl::string_view::npos) break;
        std::string name(line.substr(at, equals - at)), value;
        for (at = equals + 2; at < line.size() && line[at] != '"'; ++at) {
          if (line[at] == '\\' && at + 1 < line.size()) {
            ++at;
            value.push_back(line[at] == 'n' ? '\n' : line[at]);
          } else {
            value.push_back(line[at]);
          }
        }
        sample.labels.emplace_back(std::move(name), std::move(value));
        at += line[at + 1] == ',' ? 2 : 1;  // past the quote and a comma
      }
    }
    at = line.find(' ', at);
    if (at != absl::string_view::npos && !absl::SimpleAtod(line.substr(at + 1), &sample.value)) sample.value = -1;
    samples.push_back(std::move(sample));
  }
  return samples;
}

int CountSamples(absl::string_view text, absl::string_view name) {
  int count = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::ConsumePrefix(&line, name) && (absl::StartsWith(line, "{") || absl::StartsWith(line, " "))) {
      ++count;
    }
  }
  return count;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

void WriteFileOrDie(const std::string& path, absl::string_view contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot write " + path);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

std::string Diff(absl::string_view expected, absl::string_view actual) {
  char dir_template[] = "/tmp/warren-diff-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return "(mkdtemp failed)";
  const std::string a = absl::StrCat(dir, "/expected"), b = absl::StrCat(dir, "/actual");
  WriteFileOrDie(a, expected);
  WriteFileOrDie(b, actual);
  std::string out;
  if (FILE* pipe = popen(absl::StrCat("diff -u ", a, " ", b, " | head -200").c_str(), "r")) {
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  std::error_code ignored;  // a leftover temporary directory fails nothing
  std::filesystem::remove_all(dir, ignored);
  return out;
}

int Connect(int port, int receive_buffer) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace warren::testing
