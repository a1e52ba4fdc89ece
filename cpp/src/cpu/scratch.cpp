#include "cpu/scratch.hpp"

#include <cstdlib>
#include <memory>
#include <new>

namespace cvcore::cpu {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

struct Buffer {
  std::unique_ptr<void, FreeDeleter> data;
  size_t capacity = 0;
};

}  // namespace

void* scratch(ScratchSlot slot, size_t bytes) {
  thread_local Buffer buffers[static_cast<int>(ScratchSlot::count)];
  Buffer& b = buffers[static_cast<int>(slot)];
  if (bytes > b.capacity) {
    const size_t rounded = (bytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded);
    if (!p) throw std::bad_alloc();
    b.data.reset(p);
    b.capacity = rounded;
  }
  return b.data.get();
}

}  // namespace cvcore::cpu
