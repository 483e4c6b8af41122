#include "util/errno_text.h"

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace warren {
namespace {

TEST(ErrnoText, NamesKnownAndUnknownValues) {
  EXPECT_EQ(ErrnoText(ENOENT), "No such file or directory");
  EXPECT_EQ(ErrnoText(EACCES), "Permission denied");
  EXPECT_EQ(ErrnoText(12345), "Unknown error 12345");
}

// strerror may format unknown values into one buffer for all threads; ErrnoText must not.
TEST(ErrnoText, ThreadsGetTheirOwnText) {
  std::vector<std::thread> threads;
  std::vector<std::string> texts(8);
  threads.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    threads.emplace_back([i, &texts] {
      for (int k = 0; k < 1000; ++k) texts[i] = ErrnoText(static_cast<int>(20000 + i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], "Unknown error " + std::to_string(20000 + i));
}

}  // namespace
}  // namespace warren
