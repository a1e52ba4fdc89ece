// Included once per ISA by kernels_<isa>.cpp with CVCORE_ISA_NS set: wraps the kernel sources in a
// namespace of their own so that copies compiled with different flags never collide.
// The ISA translation units must not instantiate standard-library templates (std::vector,
// std::min, ...): the linker keeps one copy of each, and an AVX2-compiled copy could then run on a
// CPU without AVX2. Buffers come from cpu/scratch.hpp and helpers are `static`.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"
#include "cpu/simd/kernels.hpp"

namespace cvcore::cpu::CVCORE_ISA_NS {
#include "cpu/simd/vec.hpp"
#include "cpu/simd/gemm.inl"
#include "cpu/simd/pool.inl"  // before conv.inl: its max_tap rule pools lane-batched crops
#include "cpu/simd/conv.inl"
#include "cpu/simd/linear.inl"
#include "cpu/simd/math.inl"
#include "cpu/simd/activation.inl"
#include "cpu/simd/kmeans.inl"
#include "cpu/simd/roi.inl"
#include "cpu/simd/preprocess.inl"
}  // namespace cvcore::cpu::CVCORE_ISA_NS
