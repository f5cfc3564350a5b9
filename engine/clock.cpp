#include "clock.hpp"

namespace stagematch {

Instant SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

TestClock::TestClock(Instant start) : base_(start), set_at_(std::chrono::steady_clock::now()) {}

Instant TestClock::now() const {
  std::lock_guard lock(mutex_);
  if (frozen_) return base_;
  auto ran = std::chrono::steady_clock::now() - set_at_;
  return base_ + std::chrono::floor<std::chrono::seconds>(ran);
}

std::expected<void, std::string> TestClock::set(Instant to) {
  Instant current = now();
  std::lock_guard lock(mutex_);
  if (to < current)
    return std::unexpected("de klok kan niet terug in de tijd: het is al " +
                           format_local_nl(current));
  base_ = to;
  set_at_ = std::chrono::steady_clock::now();
  return {};
}

void TestClock::freeze(bool frozen) {
  Instant current = now();
  std::lock_guard lock(mutex_);
  base_ = current;
  set_at_ = std::chrono::steady_clock::now();
  frozen_ = frozen;
}

}  // namespace stagematch
