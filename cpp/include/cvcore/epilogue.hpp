// Activations that GEMM-based ops (conv2d, linear) can apply while storing their output, saving a
// pass over memory. NaN inputs stay NaN, as in PyTorch. prelu is x > 0 ? x : slope * x with one
// slope per output channel (conv2d) or output feature (linear), given with the op's arguments.
#pragma once

#include <cstdint>
#include <string>

#include "cvcore/tensor.hpp"

namespace cvcore {

enum class Epilogue { none, relu, relu6, prelu };

// "none", "relu", "relu6" or "prelu", and its inverse (ValueError naming `op`, the argument
// "activation", the names and the one received).
const char* epilogue_name(Epilogue activation);
Epilogue parse_epilogue(const std::string& name, const char* op);

// The epilogue's arguments of an op with `channels` outputs per position: prelu_weight is given
// exactly when the activation is prelu, and is then a contiguous float32 array of shape (channels,)
// or (1,). ValueError / TypeError naming `op` otherwise.
void check_epilogue(const char* op, Epilogue activation, const TensorView& prelu_weight, int64_t channels);

}  // namespace cvcore
