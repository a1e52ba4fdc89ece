// The CPU backend's parallel loop and scratch frames (internal headers).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.hpp"
#include "checks.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"
#include "cvcore/error.hpp"
#include "cvcore/runtime.hpp"

using namespace cvcore;
using namespace cvcore::cpu;

namespace {
// A unit cost far above the grain: loops are offered to the workers.
const UnitCost kHeavy{1e6};
// Sleeps for `us` microseconds: units that leave time for a worker to wake and join.
void nap(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }
}  // namespace

TEST(every_unit_once) {
  for (int threads : {1, 2, 3, 4})
    for (int64_t n : {0, 1, 2, 7, 100})
      for (Schedule schedule : {Schedule::guided, Schedule::dynamic}) {
        std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
        parallel_for(
            n, threads, kHeavy, [&](int64_t i) { runs[static_cast<size_t>(i)]++; }, schedule);
        for (int64_t i = 0; i < n; ++i) CHECK(runs[static_cast<size_t>(i)] == 1);
      }
}

TEST(state_per_thread) {
  std::atomic<int> inits{0};
  std::atomic<int64_t> sum{0};
  parallel_for(
      1000, 3, kHeavy,
      [&] {
        inits++;
        return int64_t(1);
      },
      [&](int64_t& one, int64_t i) { sum += one * i; });
  CHECK(sum == 999 * 1000 / 2);
  CHECK(inits >= 1 && inits <= 3);
}

TEST(exceptions_keep_their_type) {
  for (int threads : {1, 2, 4}) {
    std::atomic<int> after{0};
    CHECK_THROWS(parallel_for(64, threads, kHeavy,
                              [&](int64_t i) {
                                if (i == 37) throw IndexError("unit 37 failed");
                                if (i > 37) after++;
                              }),
                 IndexError, "unit 37 failed");
    CHECK_THROWS(parallel_for(
                     8, threads, kHeavy, []() -> int { throw ValueError("no buffer"); }, [](int, int64_t) {}),
                 ValueError, "no buffer");
  }
}

TEST(small_work_stays_on_the_caller) {
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  // 100 units of 10 ns: far below the grain.
  parallel_for(100, 4, UnitCost{10}, [&](int64_t) {
    if (std::this_thread::get_id() != caller) elsewhere++;
    nap(100);
  });
  CHECK(elsewhere == 0);
}

TEST(large_work_is_shared) {
  // 50 units of 2 ms: a worker wakes long before the caller could finish them alone.
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  parallel_for(
      50, 2, kHeavy,
      [&](int64_t) {
        if (std::this_thread::get_id() != caller) elsewhere++;
        nap(2000);
      },
      Schedule::dynamic);
  CHECK(elsewhere > 0);
}

TEST(the_caller_does_not_wait_for_unclaimed_units) {
  // Two threads, two units: the caller claims one; if no worker has claimed the other by the time
  // the caller is done, the caller runs it too. Either way each runs once and the call returns.
  for (int rep = 0; rep < 200; ++rep) {
    std::atomic<int> runs{0};
    parallel_for(2, 2, kHeavy, [&](int64_t) { runs++; });
    CHECK(runs == 2);
  }
}

TEST(nested_loops_run_inside_their_unit) {
  std::vector<std::atomic<int>> runs(64);
  parallel_for(8, 4, kHeavy, [&](int64_t i) {
    parallel_for(8, 4, kHeavy, [&](int64_t j) { runs[static_cast<size_t>(i * 8 + j)]++; });
  });
  for (auto& r : runs) CHECK(r == 1);
}

TEST(loops_from_many_threads_at_once) {
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 6; ++t)
    callers.emplace_back([&, t] {
      for (int rep = 0; rep < 50; ++rep) {
        std::vector<std::atomic<int>> runs(static_cast<size_t>(37 + t));
        parallel_for(static_cast<int64_t>(runs.size()), 3, kHeavy, [&](int64_t i) { runs[static_cast<size_t>(i)]++; });
        for (auto& r : runs) wrong += r != 1;
      }
    });
  for (auto& c : callers) c.join();
  CHECK(wrong == 0);
}

namespace {
std::atomic<int> g_checks{0};
bool interrupt_after_three() { return ++g_checks > 3; }
}  // namespace

TEST(an_interrupt_stops_the_loop) {
  for (int threads : {1, 2}) {
    g_checks = 0;
    set_interrupt_check(&interrupt_after_three);
    std::atomic<int64_t> done{0};
    // 1,000 units of 1 ms, polled about every 100 ms: stops after about 0.4 s.
    CHECK_THROWS(parallel_for(1000, threads, UnitCost{1e6},
                              [&](int64_t) {
                                nap(1000);
                                done++;
                              }),
                 Interrupted, "interrupted");
    set_interrupt_check(nullptr);
    CHECK(done < 1000);
  }
}

TEST(scratch_frames_are_separate) {
  float* outer = scratch_array<float>(ScratchSlot::lanes, 16);
  outer[0] = 1.f;
  {
    const ScratchFrame frame;
    float* inner = scratch_array<float>(ScratchSlot::lanes, 16);
    CHECK(inner != outer);
    inner[0] = 2.f;
    bool refused = false;
    try {
      const ScratchFrame deeper;
    } catch (const std::logic_error&) {
      refused = true;
    }
    CHECK(refused);
  }
  CHECK(scratch_array<float>(ScratchSlot::lanes, 16) == outer && outer[0] == 1.f);
}

TEST(scratch_that_cannot_be_allocated_says_how_many_bytes_for_which_buffer) {
  float* before = scratch_array<float>(ScratchSlot::roi_work, 16);
  CHECK_THROWS(scratch(ScratchSlot::roi_work, SIZE_MAX), MemoryError,
               "cannot allocate 18446744073709551615 bytes of working memory for the RoI work buffer");
  // A count whose bytes overflow size_t is refused, not wrapped to a small buffer.
  CHECK_THROWS(scratch_array<double>(ScratchSlot::roi_work, SIZE_MAX / 4), MemoryError,
               "cannot allocate 18446744073709551615 bytes of working memory for the RoI work buffer");
  CHECK(scratch_array<float>(ScratchSlot::roi_work, 16) == before);  // the slot keeps its buffer
  // The op's frontend puts its name in front, also when the buffer was a worker's.
  const auto worker_scratch = [] {
    parallel_for(4, 2, kHeavy, [](int64_t) { scratch(ScratchSlot::roi_work, SIZE_MAX); });
  };
  CHECK_THROWS(cvcore::detail::naming_memory_errors("roi_align", worker_scratch), MemoryError,
               "roi_align: cannot allocate 18446744073709551615 bytes of working memory for the RoI work buffer");
}

CVCORE_TEST_MAIN
