// The fused epilogue of the GEMM-based ops (conv2d, linear) on the CPU: the activation applied as
// each output is stored and, for prelu, its slopes.
#pragma once

#include "cvcore/epilogue.hpp"

namespace cvcore::cpu {

// kind and, for prelu, one slope per output channel (conv2d) or output feature (linear).
struct OutputAct {
  Epilogue kind = Epilogue::none;
  const float* slope = nullptr;
};

}  // namespace cvcore::cpu
