#include "cpu/scratch.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "cvcore/error.hpp"

namespace cvcore::cpu {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

struct Buffer {
  std::unique_ptr<void, FreeDeleter> data;
  size_t capacity = 0;
};

struct PreparedEntry {
  WeightKey key{};
  std::vector<float> source;              // the source's values the entry was prepared from
  std::unique_ptr<void, FreeDeleter> data;
  size_t capacity = 0;                    // floats
  bool valid = false;
  uint64_t used = 0;                      // for least-recently-used eviction
};

struct PreparedCache {
  PreparedEntry entries[kCachedWeightLayers];
  uint64_t clock = 0;
};

PreparedCache& prepared_cache() {
  thread_local PreparedCache cache;
  return cache;
}

// The names of the scratch slots, for messages.
constexpr const char* kSlotNames[] = {
    "GEMM packing",   "convolution input", "convolution offsets", "convolution stack", "convolution band",
    "band offsets",   "plane",             "RoI input",           "RoI work",          "distances",
    "k-means rows",   "packed weights",    "prepared weights",    "Winograd work",     "lanes",
    "unfused output", "transposed weights", "transposed-convolution offsets", "transposed-convolution columns"};
static_assert(sizeof(kSlotNames) / sizeof(kSlotNames[0]) == static_cast<size_t>(ScratchSlot::count),
              "one name per scratch slot");

// 64-byte aligned memory of `bytes` rounded up to a multiple of 64 (set in `rounded`), or
// MemoryError saying how many bytes for `what`.
void* aligned_bytes(size_t bytes, const char* what, size_t& rounded) {
  void* p = nullptr;
  if (bytes <= static_cast<size_t>(PTRDIFF_MAX)) {
    rounded = (bytes + 63) / 64 * 64;
    p = std::aligned_alloc(64, rounded);
  }
  if (!p) throw MemoryError(detail::concat("cannot allocate ", bytes, " bytes of working memory for the ", what,
                                           " buffer"));
  return p;
}

bool same_key(const WeightKey& x, const WeightKey& y) {
  return x.source == y.source && x.kind == y.kind && x.width == y.width && x.a == y.a && x.b == y.b && x.c == y.c &&
         x.d == y.d;
}

}  // namespace

const float* find_prepared_weights(const WeightKey& key, const float* source, size_t source_floats) {
  PreparedCache& cache = prepared_cache();
  for (PreparedEntry& e : cache.entries)
    if (e.valid && same_key(e.key, key) && e.source.size() == source_floats &&
        std::memcmp(e.source.data(), source, sizeof(float) * source_floats) == 0) {
      e.used = ++cache.clock;
      return static_cast<const float*>(e.data.get());
    }
  return nullptr;
}

float* insert_prepared_weights(const WeightKey& key, const float* source, size_t source_floats, size_t floats) {
  PreparedCache& cache = prepared_cache();
  PreparedEntry* victim = &cache.entries[0];
  for (PreparedEntry& e : cache.entries) {
    if (e.valid && same_key(e.key, key)) {  // the source changed: prepare again in place
      victim = &e;
      break;
    }
    if (e.used < victim->used) victim = &e;
  }
  victim->valid = false;
  if (floats > victim->capacity) {
    size_t rounded = 0;
    void* p = aligned_bytes(floats > SIZE_MAX / sizeof(float) ? SIZE_MAX : floats * sizeof(float),
                            "prepared weights", rounded);
    victim->data.reset(p);
    victim->capacity = floats;
  }
  victim->source.assign(source, source + source_floats);
  victim->key = key;
  victim->used = ++cache.clock;
  return static_cast<float*>(victim->data.get());
}

void commit_prepared_weights(const float* buffer) {
  for (PreparedEntry& e : prepared_cache().entries)
    if (e.data.get() == buffer) e.valid = true;
}

namespace {
constexpr int kScratchFrames = 2;
thread_local int frame = 0;
}  // namespace

ScratchFrame::ScratchFrame() {
  if (frame + 1 >= kScratchFrames) throw std::logic_error("ScratchFrame: scratch frames nest one level deep");
  ++frame;
}

ScratchFrame::~ScratchFrame() { --frame; }

void* scratch(ScratchSlot slot, size_t bytes) {
  thread_local Buffer buffers[kScratchFrames][static_cast<int>(ScratchSlot::count)];
  Buffer& b = buffers[frame][static_cast<int>(slot)];
  if (bytes > b.capacity) {
    size_t rounded = 0;
    void* p = aligned_bytes(bytes, kSlotNames[static_cast<int>(slot)], rounded);
    b.data.reset(p);
    b.capacity = rounded;
  }
  return b.data.get();
}

}  // namespace cvcore::cpu
