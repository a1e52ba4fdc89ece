// The parallel loop of the CPU backend: every multi-threaded piece of work in cvcore is a
// parallel_for over independent units. Each unit computes the same values whichever thread runs it
// (no per-thread partial results), so results never depend on the thread count or the scheduling.
// Units are handed out as threads become free, so that a core slowed by other work (a busy
// neighbour, a shared VM) does not hold the others back at the loop's end. The calling thread
// computes too; a loop of one unit, or on one thread, runs on the caller alone.
//
// An exception thrown by a unit (or by a thread's init) stops the loop: units not yet started are
// skipped, and the first exception is rethrown on the calling thread, with its type, once every
// thread has left the loop.
//
// Used by the ISA-independent drivers only: kernels (cpu/simd/) compute on the calling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>

#include "cpu/ranges.hpp"

namespace cvcore::cpu {

// How units are handed out: `guided` gives large runs of consecutive units first (about the
// remaining units over the threads), then smaller ones; `dynamic` one unit at a time (units of very
// uneven cost).
enum class Schedule { guided, dynamic };

// The first exception of a loop.
class LoopError {
 public:
  // Records std::current_exception() when it is the first; call from a catch block.
  void capture() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!first_) first_ = std::current_exception();
    stopped_.store(true, std::memory_order_relaxed);
  }
  // True once a unit has failed: the remaining units are skipped.
  bool stopped() const noexcept { return stopped_.load(std::memory_order_relaxed); }
  // Rethrows the first exception, if any.
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::exception_ptr first_;
};

// Runs body(state, i) for i in [0, n) on up to `threads` threads, where `state` is what init()
// returned on the thread running the unit (its scratch buffers, say): init runs once per thread that
// takes part, before its first unit.
template <typename Init, typename Body>
void parallel_for(int64_t n, int threads, Init init, Body body, Schedule schedule = Schedule::guided) {
  if (n <= 0) return;
  if (threads <= 1 || n == 1) {
    auto state = init();
    for (int64_t i = 0; i < n; ++i) body(state, i);
    return;
  }
  LoopError error;
#pragma omp parallel num_threads(threads)
  {
    std::optional<decltype(init())> state;
    try {
      state.emplace(init());
    } catch (...) {
      error.capture();
    }
    const auto unit = [&](int64_t i) {
      if (!state || error.stopped()) return;
      try {
        body(*state, i);
      } catch (...) {
        error.capture();
      }
    };
    if (schedule == Schedule::dynamic) {
#pragma omp for schedule(dynamic, 1) nowait
      for (int64_t i = 0; i < n; ++i) unit(i);
    } else {
#pragma omp for schedule(guided) nowait
      for (int64_t i = 0; i < n; ++i) unit(i);
    }
  }
  error.rethrow();
}

// Runs body(i) for i in [0, n) on up to `threads` threads.
template <typename Body>
void parallel_for(int64_t n, int threads, Body body, Schedule schedule = Schedule::guided) {
  parallel_for(
      n, threads, [] { return 0; }, [&](int, int64_t i) { body(i); }, schedule);
}

// Elementwise work: a flat array cut into fixed-size chunks, the chunks handed out over the
// threads, so each element is computed by the same code whatever the thread count.

// Elements per chunk: large enough to amortise the scheduling, small enough to balance threads.
constexpr int64_t kElementwiseChunk = int64_t(1) << 14;

// Runs body(begin, end) over consecutive chunks of [0, n) on `threads` threads.
template <typename Body>
void parallel_chunks(int64_t n, int threads, Body body) {
  parallel_for(ceil_div(n, kElementwiseChunk), threads,
               [&](int64_t k) { body(k * kElementwiseChunk, min64(n, (k + 1) * kElementwiseChunk)); });
}

// For a flat C-contiguous array of shape (outer, channels, inner) and n = outer * channels * inner
// elements: runs body(begin, end, c) over pieces [begin, end) that lie in one plane of channel c.
template <typename Body>
void parallel_channel_segments(int64_t n, int64_t channels, int64_t inner, int threads, Body body) {
  parallel_chunks(n, threads, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t plane = i / inner;
      const int64_t stop = min64(end, (plane + 1) * inner);
      body(i, stop, plane % channels);
      i = stop;
    }
  });
}

}  // namespace cvcore::cpu
