// A fixed number of threads running submitted tasks in order. Submit is thread-safe.
// The destructor runs the tasks already queued (they are bounded by their own deadlines),
// then joins every thread: no detached threads.
#ifndef WARREN_EXPORTER_SCRAPE_SCRAPER_POOL_H_
#define WARREN_EXPORTER_SCRAPE_SCRAPER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace warren {

class ScraperPool {
 public:
  explicit ScraperPool(int threads);
  ~ScraperPool();
  ScraperPool(const ScraperPool&) = delete;
  ScraperPool& operator=(const ScraperPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // constant after construction
};

}  // namespace warren

#endif  // WARREN_EXPORTER_SCRAPE_SCRAPER_POOL_H_
