// A small deterministic random source (splitmix64) for the synthetic broker. The same seed gives
// the same bodies with every compiler: the standard leaves std:: distributions' output open.
#ifndef WARREN_BENCH_SYNTHETIC_RNG_H_
#define WARREN_BENCH_SYNTHETIC_RNG_H_

#include <cmath>
#include <cstdint>

namespace warren::bench {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); the modulo bias is irrelevant for the small n used here.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  bool Chance(double p) { return Unit() < p; }
  // Spread evenly over orders of magnitude in [lo, hi], like queue depths are.
  int64_t LogUniform(int64_t lo, int64_t hi) {
    const double x = std::exp(std::log(static_cast<double>(lo)) +
                              Unit() * (std::log(static_cast<double>(hi)) - std::log(static_cast<double>(lo))));
    return static_cast<int64_t>(x);
  }

 private:
  uint64_t state_;
};

}  // namespace warren::bench

#endif  // WARREN_BENCH_SYNTHETIC_RNG_H_
