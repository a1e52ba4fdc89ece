// Fully connected layer (PyTorch's linear semantics).
#pragma once

#include <cstdint>
#include <vector>

#include "cvcore/epilogue.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore {

// Validates x (..., in), weight (out, in), bias (out,) or empty; returns the output shape (..., out).
std::vector<int64_t> linear_output_shape(const TensorView& x, const TensorView& weight, const TensorView& bias);

// out = activation(x @ weight^T + bias), float32, C-contiguous. prelu_weight: (out,) or (1,) float32
// slopes, given exactly when the activation is prelu.
void linear(const TensorView& x, const TensorView& weight, const TensorView& bias, const TensorView& out,
            Epilogue activation = Epilogue::none, const TensorView& prelu_weight = TensorView{});

}  // namespace cvcore
