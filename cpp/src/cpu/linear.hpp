// linear on the CPU: y[rows, out] = act(x[rows, in] @ w[out, in]^T + bias), float32, C-contiguous,
// sizes validated by the frontend (src/linear.cpp); bias may be null.
#pragma once

#include <cstdint>

#include "cpu/epilogue.hpp"

namespace cvcore::cpu {

void linear(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* bias, float* y,
            OutputAct act, int threads);

}  // namespace cvcore::cpu
