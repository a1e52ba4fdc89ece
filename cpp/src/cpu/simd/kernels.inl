// Included once per ISA by kernels_<isa>.cpp with CVCORE_ISA set (generic, avx2, avx512): compiles
// every kernel source in a namespace of its own, so that copies compiled with different flags never
// collide, and fills that ISA's table from the list in kernels.hpp.
// The ISA translation units must not instantiate standard-library templates (std::vector,
// std::min, ...): the linker keeps one copy of each, and an AVX2-compiled copy could then run on a
// CPU without AVX2. Kernels take their buffers from the drivers; helpers are `static`.
#include <cstdint>
#include <cstring>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/ranges.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu::CVCORE_ISA {
#include "cpu/simd/vec.hpp"
#include "cpu/simd/gemm.inl"
#include "cpu/simd/pool.inl"  // before the conv kernels: its max_tap rule pools in registers and lanes
#include "cpu/simd/conv/im2col.inl"
#include "cpu/simd/conv/depthwise.inl"
#include "cpu/simd/conv/tile.inl"
#include "cpu/simd/conv/small_k.inl"
#include "cpu/simd/conv/winograd.inl"
#include "cpu/simd/conv/winograd2.inl"
#include "cpu/simd/conv/winograd3.inl"
#include "cpu/simd/conv/lanes.inl"
#include "cpu/simd/conv/head.inl"
#include "cpu/simd/linear.inl"
#include "cpu/simd/math.inl"
#include "cpu/simd/activation.inl"
#include "cpu/simd/kmeans.inl"
#include "cpu/simd/roi.inl"
#include "cpu/simd/preprocess.inl"
}  // namespace cvcore::cpu::CVCORE_ISA

#define CVCORE_TABLE_NAME(isa) CVCORE_TABLE_NAME_(isa)
#define CVCORE_TABLE_NAME_(isa) kernels_##isa
#define CVCORE_KERNEL_ENTRY(signature, name) &CVCORE_ISA::name,

namespace cvcore::cpu {
const Kernels CVCORE_TABLE_NAME(CVCORE_ISA) = {
    Isa::CVCORE_ISA,
    CVCORE_ISA::kWidth,
    CVCORE_ISA::kMR,
    CVCORE_ISA::kKC,
    CVCORE_ISA::kGemmPackFloats,
    CVCORE_ISA::kTileAccumulators,
    CVCORE_KERNELS(CVCORE_KERNEL_ENTRY)};
}  // namespace cvcore::cpu
