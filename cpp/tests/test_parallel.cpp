// The CPU backend's parallel loop and scratch frames (internal headers).
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"
#include "cvcore/error.hpp"

using namespace cvcore;
using namespace cvcore::cpu;

TEST(every_unit_once) {
  for (int threads : {1, 2, 3, 4})
    for (int64_t n : {0, 1, 2, 7, 100})
      for (Schedule schedule : {Schedule::guided, Schedule::dynamic}) {
        std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
        parallel_for(
            n, threads, [&](int64_t i) { runs[static_cast<size_t>(i)]++; }, schedule);
        for (int64_t i = 0; i < n; ++i) CHECK(runs[static_cast<size_t>(i)] == 1);
      }
}

TEST(state_per_thread) {
  std::atomic<int> inits{0};
  std::atomic<int64_t> sum{0};
  parallel_for(
      1000, 3,
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
    CHECK_THROWS(parallel_for(64, threads,
                              [&](int64_t i) {
                                if (i == 37) throw IndexError("unit 37 failed");
                                if (i > 37) after++;
                              }),
                 IndexError, "unit 37 failed");
    CHECK_THROWS(parallel_for(
                     8, threads, []() -> int { throw ValueError("no buffer"); }, [](int, int64_t) {}),
                 ValueError, "no buffer");
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
}

CVCORE_TEST_MAIN
