// ProgressBar: progress of long CLI work on stderr. On a terminal it redraws one line
// "[#####-----] 120/872 inputs 35.1/s" at most 10 times a second; when stderr is a file or pipe it prints a
// plain line at every 10% instead, so logs stay readable.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace onyx::cli {

class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string unit)
      : enabled_(enabled), tty_(isatty(fileno(stderr)) != 0), unit_(std::move(unit)), start_(Clock::now()) {}

  void update(size_t done, size_t total) {
    if (!enabled_ || total == 0) return;
    const auto now = Clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    if (tty_) {
      if (done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      const int width = 30;
      const int filled = static_cast<int>(width * done / total);
      std::fprintf(stderr, "\r[%s%s] %zu/%zu %s %.1f/s", std::string(filled, '#').c_str(),
                   std::string(width - filled, '-').c_str(), done, total, unit_.c_str(), rate);
      if (done == total) std::fprintf(stderr, "\n");
    } else {
      const size_t decile = done * 10 / total;
      if (decile == last_decile_ && done != total) return;
      last_decile_ = decile;
      std::fprintf(stderr, "%zu/%zu %s (%.0f%%) %.1f/s\n", done, total, unit_.c_str(), 100.0 * done / total, rate);
    }
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool tty_;
  std::string unit_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  size_t last_decile_ = static_cast<size_t>(-1);
};

}  // namespace onyx::cli
