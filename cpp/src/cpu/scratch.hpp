// Per-thread scratch buffers that grow on demand and are reused across calls, so hot ops do not
// pay for fresh allocations (and their page faults) every time. Defined in a generic translation
// unit; safe to call from any ISA's kernels.
#pragma once

#include <cstddef>

namespace cvcore::cpu {

enum class ScratchSlot {
  gemm_pack, conv_input, conv_offsets, conv_stack, conv_band, conv_band_offsets, plane, roi_input, kmeans_dist,
  kmeans_rows, packed_weights, winograd_work, lanes, unpooled, count
};

// A 64-byte aligned buffer of at least `bytes` for the calling thread. The pointer stays valid
// until the same thread asks for the same slot again. Throws std::bad_alloc.
void* scratch(ScratchSlot slot, size_t bytes);

template <typename T>
T* scratch_array(ScratchSlot slot, size_t count) {
  return static_cast<T*>(scratch(slot, count * sizeof(T)));
}

}  // namespace cvcore::cpu
