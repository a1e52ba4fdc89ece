// conv2d on the CPU (PyTorch's conv2d semantics, NCHW float32 input, OIHW weights), after the
// frontend (src/conv.cpp) has validated everything.
#pragma once

#include <cstdint>

#include "cpu/conv/plans.hpp"
#include "cpu/pool.hpp"

namespace cvcore::cpu {

// A 1x1 convolution of the activated output (a detector head): weight (P, out_channels), bias (P,)
// or null.
struct PointwiseHead {
  const float* weight;
  const float* bias;
  int64_t channels;  // P
};

// y = act(conv(x, w) + bias) (bias may be null); then, when `pool` is given, its max pooling (pool's
// windows over one output plane; pool->planes unused), or, when `head` is given, its 1x1 convolution.
// The fused forms give the bits of the steps apart. Uses get_num_threads() threads.
void conv2d(const ConvGeometry& g, const float* x, const float* w, const float* bias, OutputAct act,
            const PoolGeometry* pool, const PointwiseHead* head, float* y);

}  // namespace cvcore::cpu
