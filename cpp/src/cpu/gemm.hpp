// The drivers' side of the GEMM engine (cpu/simd/gemm.inl) shared by conv2d and linear: each
// thread's packed-B buffer, and how one GEMM is shared among workers.
#pragma once

#include <cstdint>

#include "cpu/ranges.hpp"
#include "cpu/scratch.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu {

// The calling thread's packed-B buffer for k's GEMM kernels. Throws MemoryError (see scratch()).
inline float* gemm_pack_buffer(const Kernels& k) {
  return scratch_array<float>(ScratchSlot::gemm_pack, static_cast<size_t>(k.gemm_pack_floats));
}

// The block of worker i of `parts` sharing an M x N GEMM: along N in whole vectors (each worker
// packs only its own columns of B) when there are enough columns, otherwise along M in whole
// register tiles (each packs all of B, which is then small). Every element is computed the same way
// whatever the split.
inline void gemm_split(int64_t M, int64_t N, int64_t parts, int64_t i, const Kernels& k, Range* rows, Range* cols) {
  if (parts <= 1) {
    *rows = {0, M};
    *cols = {0, N};
  } else if (ceil_div(N, k.width) >= 4 * parts) {
    *rows = {0, M};
    *cols = split_range(N, parts, i, k.width);
  } else {
    *rows = split_range(M, parts, i, k.gemm_mr);
    *cols = {0, N};
  }
}

}  // namespace cvcore::cpu
