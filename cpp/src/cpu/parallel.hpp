// The parallel loop of the CPU backend: every multi-threaded piece of work in cvcore is a
// parallel_for over independent units. Each unit computes the same values whichever thread runs it
// (no per-thread partial results), so results never depend on the thread count or the scheduling.
//
// The calling thread computes too. Work below a grain (kGrainNs of estimated time per thread) stays
// on the caller alone: each loop states roughly what one unit costs. Otherwise the loop is offered
// to the pool's workers (cpu/parallel.cpp), which claim runs of units as they become free; the call
// waits only for runs a worker has claimed, never for a worker that has not started (a busy
// neighbour on its core), so a slow or late thread does not hold the others back.
//
// An exception thrown by a unit (or by a thread's init) stops the loop: units not yet started are
// skipped, and the first exception is rethrown on the calling thread, with its type, once every
// thread has left the loop. The calling thread also polls for an interrupt (set_interrupt_check,
// e.g. Ctrl-C in Python; interrupt.hpp), which stops the loop with cvcore::Interrupted.
//
// Used by the ISA-independent drivers only: kernels (cpu/simd/) compute on the calling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>

#include "cpu/ranges.hpp"
#include "interrupt.hpp"

namespace cvcore::cpu {

// The estimated time of work below which one more thread is not worth waking.
constexpr double kGrainNs = 25000;

// Roughly what one unit of a loop costs; the order of magnitude is what matters.
struct UnitCost {
  double ns;
};
// Multiply-adds done by the SIMD kernels (convolution, GEMM, distances).
inline UnitCost multiply_adds(double n) { return {n / 32}; }
// Elements streamed by a simple vectorised pass (activations, normalisation, copies, pooling taps).
inline UnitCost elements(double n) { return {n / 2}; }
// Scalar operations: comparisons, branches, divisions, a libm call (NMS, matching, RoI sampling).
inline UnitCost scalar_ops(double n) { return {n}; }
// A unit that does both.
inline UnitCost operator+(UnitCost a, UnitCost b) { return {a.ns + b.ns}; }

// How units are handed out: `guided` gives large runs of consecutive units first (a share of the
// remaining units), then smaller ones; `dynamic` one unit at a time (units of very uneven cost).
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

// One loop as the pool sees it: `n` units handed out in runs from one atomic counter.
// `work(job, caller)` is what each participating thread runs: it claims runs until claim() returns
// false, catching what its units throw into `error`.
struct Job {
  int64_t n = 0;
  int threads = 1;  // the caller and the workers that may join
  Schedule schedule = Schedule::guided;
  void (*work)(Job& job, bool caller) noexcept = nullptr;
  void* loop = nullptr;  // the typed loop that `work` runs
  LoopError error;
  std::atomic<int64_t> next{0};  // the first unclaimed unit

  // Claims the next run of units; false once all are claimed or a unit has failed.
  bool claim(Range& run) {
    if (error.stopped()) return false;
    int64_t i = next.load(std::memory_order_relaxed);
    for (;;) {
      if (i >= n) return false;
      const int64_t share = schedule == Schedule::dynamic ? 1 : max64(1, (n - i) / (2 * threads));
      if (next.compare_exchange_weak(i, min64(n, i + share), std::memory_order_relaxed)) {
        run = {i, min64(n, i + share)};
        return true;
      }
    }
  }
};

// Runs `job` on the calling thread and up to job.threads - 1 workers, and returns once every claimed
// run is done. Returns false without running anything when the pool is running a loop already (a
// loop started inside a unit, or by another application thread meanwhile): the caller then runs
// the loop alone.
bool run_on_pool(Job& job);

namespace detail {

// Units between two interrupt polls: about a millisecond of work.
inline int64_t poll_stride(UnitCost cost) {
  return cost.ns >= 1e6 ? 1 : static_cast<int64_t>(1e6 / (cost.ns > 1 ? cost.ns : 1));
}

template <typename Init, typename Body>
struct Loop {
  Init& init;
  Body& body;
  int64_t stride;

  static void work(Job& job, bool caller) noexcept {
    Loop& loop = *static_cast<Loop*>(job.loop);
    std::optional<decltype(loop.init())> state;
    int64_t since_poll = 0;
    Range run;
    while (job.claim(run)) {
      try {
        if (!state) state.emplace(loop.init());
        for (int64_t i = run.begin; i < run.end && !job.error.stopped(); ++i) {
          loop.body(*state, i);
          if (caller && ++since_poll == loop.stride) {
            since_poll = 0;
            cvcore::detail::poll_interrupt();
          }
        }
      } catch (...) {
        job.error.capture();
      }
    }
  }
};

}  // namespace detail

// Runs body(state, i) for i in [0, n) on up to `threads` threads, where `state` is what init()
// returned on the thread running the unit (its scratch buffers, say): init runs once per thread that
// takes part, before its first unit. `cost` is roughly what one unit costs.
template <typename Init, typename Body>
void parallel_for(int64_t n, int threads, UnitCost cost, Init init, Body body,
                  Schedule schedule = Schedule::guided) {
  if (n <= 0) return;
  const double grains = static_cast<double>(n) * cost.ns / kGrainNs;
  if (grains < threads) threads = grains < 2 ? 1 : static_cast<int>(grains);
  if (n < threads) threads = static_cast<int>(n);
  detail::Loop<Init, Body> loop{init, body, detail::poll_stride(cost)};
  Job job;
  job.n = n;
  job.threads = threads;
  job.schedule = schedule;
  job.work = &detail::Loop<Init, Body>::work;
  job.loop = &loop;
  if (threads <= 1 || !run_on_pool(job)) {
    job.threads = 1;
    job.work(job, true);
  }
  job.error.rethrow();
}

// Runs body(i) for i in [0, n) on up to `threads` threads.
template <typename Body>
void parallel_for(int64_t n, int threads, UnitCost cost, Body body, Schedule schedule = Schedule::guided) {
  parallel_for(
      n, threads, cost, [] { return 0; }, [&](int, int64_t i) { body(i); }, schedule);
}

// Elementwise work: a flat array cut into fixed-size chunks, the chunks handed out over the
// threads, so each element is computed by the same code whatever the thread count.

// Elements per chunk: large enough to amortise the scheduling, small enough to balance threads.
constexpr int64_t kElementwiseChunk = int64_t(1) << 14;

// Runs body(begin, end) over consecutive chunks of [0, n) on `threads` threads; `per_element` is
// what one element costs.
template <typename Body>
void parallel_chunks(int64_t n, int threads, UnitCost per_element, Body body) {
  parallel_for(ceil_div(n, kElementwiseChunk), threads, {per_element.ns * kElementwiseChunk},
               [&](int64_t k) { body(k * kElementwiseChunk, min64(n, (k + 1) * kElementwiseChunk)); });
}

// For a flat C-contiguous array of shape (outer, channels, inner) and n = outer * channels * inner
// elements: runs body(begin, end, c) over pieces [begin, end) that lie in one plane of channel c.
template <typename Body>
void parallel_channel_segments(int64_t n, int64_t channels, int64_t inner, int threads, UnitCost per_element,
                               Body body) {
  parallel_chunks(n, threads, per_element, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t plane = i / inner;
      const int64_t stop = min64(end, (plane + 1) * inner);
      body(i, stop, plane % channels);
      i = stop;
    }
  });
}

}  // namespace cvcore::cpu
