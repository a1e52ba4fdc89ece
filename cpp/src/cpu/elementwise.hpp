// Elementwise binary kernels on validated sizes: raw pointers to C-contiguous float32 data.
#pragma once

#include <cstdint>

#include "cvcore/elementwise.hpp"

namespace cvcore::cpu {

// out = act(a <op> b) over the output shape out_shape (ndim dimensions, every size >= 1), with
// a_shape and b_shape the operands' sizes aligned to it (each equal to the output's or 1). out may
// be a or b itself when that operand is not broadcast.
void binary(BinaryOp op, Epilogue act, int ndim, const int64_t* out_shape, const int64_t* a_shape,
            const int64_t* b_shape, const float* a, const float* b, float* out, int threads);

}  // namespace cvcore::cpu
