#include "interrupt.hpp"

#include <atomic>
#include <chrono>

#include "cvcore/error.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

std::atomic<InterruptCheck> g_interrupt_check{nullptr};

}  // namespace

void set_interrupt_check(InterruptCheck check) { g_interrupt_check.store(check); }

InterruptCheck interrupt_check() { return g_interrupt_check.load(std::memory_order_relaxed); }

namespace detail {

void poll_interrupt() {
  const InterruptCheck check = interrupt_check();
  if (!check) return;
  thread_local std::chrono::steady_clock::time_point last;
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::milliseconds(kInterruptPeriodMs)) return;
  last = now;
  if (check()) throw Interrupted("interrupted");
}

}  // namespace detail
}  // namespace cvcore
