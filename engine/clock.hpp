// Where "now" comes from. The server uses the real clock; tests, and a server started with
// --test-clock, use a clock that can be set and then runs on from there.
#pragma once

#include <chrono>
#include <expected>
#include <mutex>
#include <string>

#include "local_time.hpp"

namespace stagematch {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

// Starts at a given instant and runs on with real time from there. Only forward jumps are
// allowed, so scheduled work never sees time go backwards.
class TestClock final : public Clock {
 public:
  explicit TestClock(Instant start);
  Instant now() const override;
  // Jumps to `to`; refused (with a Dutch reason) when `to` lies before now.
  std::expected<void, std::string> set(Instant to);
  // Stops or restarts the running of time (tests that need exact boundaries freeze it).
  void freeze(bool frozen);

 private:
  mutable std::mutex mutex_;
  Instant base_;
  std::chrono::steady_clock::time_point set_at_;
  bool frozen_ = false;
};

}  // namespace stagematch
