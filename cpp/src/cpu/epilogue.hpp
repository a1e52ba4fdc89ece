// The fused epilogue of the GEMM-based ops (conv2d, linear) on the CPU: the activation applied as
// each output is stored and, for prelu, its slopes; a residual added first.
#pragma once

#include "cvcore/epilogue.hpp"

namespace cvcore::cpu {

// kind and, for prelu, one slope per output channel (conv2d) or output feature (linear); residual:
// conv2d's, shaped as the output, added before the activation (only the GEMM engine's store reads it;
// the conv dispatcher adds it after the other paths).
struct OutputAct {
  Epilogue kind = Epilogue::none;
  const float* slope = nullptr;
  const float* residual = nullptr;
};

}  // namespace cvcore::cpu
