// Elementwise binary arithmetic on float32 arrays with NumPy broadcasting (ONNX Add / Sub / Mul /
// Div). Each output is the IEEE float32 result of one operation, exactly NumPy's float32 result (a / b
// is a true division), optionally followed by relu or relu6; the same at every thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cvcore/epilogue.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore {

enum class BinaryOp { add, sub, mul, div };

// "add", "sub", "mul" or "div", and its inverse (ValueError naming the argument "op", the names and
// the one received).
const char* binary_op_name(BinaryOp op);
BinaryOp parse_binary_op(const std::string& name);

// binary's activation argument: "none", "relu" or "relu6" (ValueError naming `op`, the argument
// "activation", the names and the one received).
Epilogue parse_binary_activation(const std::string& name, const char* op);

// The NumPy broadcast of a's and b's shapes (ONNX multidirectional broadcasting): shapes aligned at
// their last dimension, each pair of sizes equal or one of them 1 (a missing dimension counts as 1),
// the output size the larger (0 when the other is 1). ValueError naming `op` and both shapes when
// they do not broadcast, or when the output's size in float32 bytes overflows 64 bits.
std::vector<int64_t> broadcast_shapes(const char* op, const TensorView& a, const TensorView& b);

// out = activation(a <op> b) elementwise with NumPy broadcasting; a, b float32 C-contiguous of any
// rank <= kMaxDims; out float32 C-contiguous with the broadcast shape; out may be a or b itself when
// that operand has the output's shape (in place), and must not otherwise overlap them.
// activation: none, relu (x < 0 ? 0 : x, as activation()'s relu) or relu6 (prelu: ValueError, it
// needs slopes). NaN operands give NaN as IEEE says (relu / relu6 keep NaN).
void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out,
            Epilogue activation = Epilogue::none);

}  // namespace cvcore
