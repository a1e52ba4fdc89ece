// Per-thread scratch buffers that grow on demand and are reused across calls, so hot ops do not
// pay for fresh allocations (and their page faults) every time. Defined in a generic translation
// unit; safe to call from any ISA's kernels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cvcore::cpu {

enum class ScratchSlot {
  gemm_pack, conv_input, conv_offsets, conv_stack, conv_band, conv_band_offsets, plane, roi_input, roi_work,
  distances, kmeans_rows, packed_weights, prepared, winograd_work, lanes, unfused, conv_transpose_weights,
  conv_transpose_offsets, conv_transpose_columns, count
};

// A 64-byte aligned buffer of at least `bytes` for the calling thread. The pointer stays valid
// until the same thread asks for the same slot again (in the same frame). Throws MemoryError saying
// how many bytes for which buffer.
void* scratch(ScratchSlot slot, size_t bytes);

// While a ScratchFrame lives, scratch() on its thread hands out a second set of buffers: a unit of a
// parallel loop may then run a whole op, whose paths take scratch of their own, while the loop's
// buffers on that thread stay valid. One level of nesting.
class ScratchFrame {
 public:
  ScratchFrame();
  ~ScratchFrame();
  ScratchFrame(const ScratchFrame&) = delete;
  ScratchFrame& operator=(const ScratchFrame&) = delete;
};

template <typename T>
T* scratch_array(ScratchSlot slot, size_t count) {
  // A count whose bytes overflow asks for SIZE_MAX bytes, which scratch() refuses.
  return static_cast<T*>(scratch(slot, count > SIZE_MAX / sizeof(T) ? SIZE_MAX : count * sizeof(T)));
}

// Weights a kernel prepares from a layer's weights (Winograd's transformed kernels), kept per thread
// for the layers last used, so that calling a layer again skips the preparation. An entry is reused
// only for the same key (the preparation's kind and layout, and the source's address) while the
// source holds, bit for bit, what it was prepared from (compared in full on every call): results are
// those of a fresh preparation. At most kCachedWeightLayers entries per thread, each of at most
// kMaxCachedSourceFloats source and kMaxCachedWeightFloats prepared floats.
constexpr size_t kCachedWeightLayers = 16;  // a detector's layers, each in a layout per map size
constexpr size_t kMaxCachedSourceFloats = size_t(1) << 16;
constexpr size_t kMaxCachedWeightFloats = size_t(1) << 17;

struct WeightKey {
  const float* source;
  int64_t kind;   // the preparation
  int64_t width;  // the vector width of the ISA preparing it (each ISA's arithmetic rounds its own way)
  int64_t a, b, c, d;  // its layout (meaning set by the kernel)
};

// The prepared floats for key, or null when none match the source's current values.
const float* find_prepared_weights(const WeightKey& key, const float* source, size_t source_floats);
// A buffer of `floats` floats for key's preparation, valid until the thread's next
// kCachedWeightLayers insertions; it is found by find_prepared_weights only after
// commit_prepared_weights(buffer). Throws MemoryError as scratch() does.
float* insert_prepared_weights(const WeightKey& key, const float* source, size_t source_floats, size_t floats);
void commit_prepared_weights(const float* buffer);

// The prepared weights of key: cached ones when the source is unchanged, else `floats` floats filled
// by prepare(float* out) (into the cache when the sizes allow, else into the `fallback` scratch slot).
template <typename Prepare>
const float* prepared_weights(const WeightKey& key, const float* source, size_t source_floats, size_t floats,
                              ScratchSlot fallback, Prepare prepare) {
  if (source_floats > kMaxCachedSourceFloats || floats > kMaxCachedWeightFloats) {
    float* out = scratch_array<float>(fallback, floats);
    prepare(out);
    return out;
  }
  if (const float* hit = find_prepared_weights(key, source, source_floats)) return hit;
  float* out = insert_prepared_weights(key, source, source_floats, floats);
  prepare(out);
  commit_prepared_weights(out);
  return out;
}

}  // namespace cvcore::cpu
