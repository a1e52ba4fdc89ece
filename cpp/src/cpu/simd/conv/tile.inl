// The register tile shared by the direct small-K, Winograd and lane-batched kernels: MR output
// channels by NV vectors of pixels (or of tiles, or of lanes), every product held in registers. B is
// read in place through per-k offsets, A from weights packed k-major per block of MR channels (one
// pointer for all broadcasts). Each output is reduced as the GEMM reduces it (k in order from zero,
// then the bias), so the direct paths give the GEMM path's bits.

#if defined(__AVX512F__)
constexpr int kTileAccumulators = 24;  // of the 32 zmm registers
#else
constexpr int kTileAccumulators = 12;  // of the 16 ymm / xmm registers
#endif

// One tile: out[r * plane + v * kWidth + lane] for r < rows (<= MR), from B rows base + off[k] and
// weights wp[k * MR + r]; bias and slope have MR entries (bias null: no bias).
template <int MR, int NV>
__attribute__((always_inline)) static inline void small_k_tile(int64_t K, const float* wp, const float* base,
                                                               const int64_t* off, const float* bias,
                                                               const float* slope, Epilogue act, float* out,
                                                               int64_t plane, int rows) {
  Vec acc[MR][NV];
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) acc[r][v] = vzero();
#pragma GCC unroll 3
  for (int64_t k = 0; k < K; ++k) {
    const float* p = base + off[k];
    Vec b[NV];
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) b[v] = vloadu(p + v * kWidth);
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      const Vec a = vset1(wp[k * MR + r]);
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v) acc[r][v] = vfma(a, b[v], acc[r][v]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) {
    if (r >= rows) break;
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) {
      Vec x = acc[r][v];
      if (bias) x = vadd(vset1(bias[r]), x);
      vstoreu(out + r * plane + v * kWidth, apply_act(x, act, vset1(slope[r])));
    }
  }
}

// Kernel<MR, NV>::run for a runtime mr in [1, max_tile_rows(kTileAccumulators, NV)] (the register
// tile's rows fixed at compile time).
template <template <int, int> class Kernel, int NV, int MR = max_tile_rows(kTileAccumulators, NV)>
static decltype(&Kernel<1, NV>::run) tile_kernel_for(int64_t mr) {
  if constexpr (MR == 0) {
    return nullptr;
  } else {
    return mr == MR ? &Kernel<MR, NV>::run : tile_kernel_for<Kernel, NV, MR - 1>(mr);
  }
}
