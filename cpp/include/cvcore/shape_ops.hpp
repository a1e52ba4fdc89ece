// Tensor manipulation: concat, transpose, slice and pad (NumPy's and ONNX's semantics). Pure data
// movement, so every DType is taken and copied bit for bit; only pad's constant is converted (to the
// input's dtype). Inputs are C-contiguous views and out is a C-contiguous view of the shape that the
// op's *_output_shape returns, of the input's dtype, not overlapping any input. Every function checks
// its arguments and throws ValueError / TypeError naming the op, the argument and the value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore {

// NumPy concatenate / ONNX Concat: inputs of one dtype and rank (>= 1), equal sizes except along axis
// (axis in [-rank, rank)); at least one input.
std::vector<int64_t> concat_output_shape(const std::vector<TensorView>& inputs, int64_t axis);
void concat(const std::vector<TensorView>& inputs, int64_t axis, const TensorView& out);

// out = x.transpose(perm) made contiguous (perm a permutation of 0..rank-1): out.shape[i] =
// x.shape[perm[i]].
std::vector<int64_t> transpose_output_shape(const TensorView& x, const std::vector<int64_t>& perm);
void transpose(const TensorView& x, const std::vector<int64_t>& perm, const TensorView& out);

// ONNX Slice (opset 10+): for each listed axis (axes[i], negative counting from the end; every axis at
// most once), with dim its size, start = starts[i], end = ends[i], step = steps[i] (non-zero):
//   start += dim if start < 0; end += dim if end < 0; then
//   step > 0: start and end clamped to [0, dim], elements start, start + step, ... below end;
//   step < 0: start clamped to [0, dim - 1], end to [-1, dim - 1], elements start, start + step, ...
//             above end.
// So any int64 start / end is valid (exporters write INT64_MAX / INT64_MIN for "to the end"). Axes not
// listed are whole. An empty `axes` means 0, 1, ..., len(starts) - 1 and an empty `steps` all 1;
// otherwise each has len(starts) values, and ends as many.
std::vector<int64_t> slice_output_shape(const TensorView& x, const std::vector<int64_t>& starts,
                                        const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                        const std::vector<int64_t>& steps);
void slice(const TensorView& x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
           const std::vector<int64_t>& axes, const std::vector<int64_t>& steps, const TensorView& out);

// ONNX Pad: pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (2 * rank values), the number of
// elements added before and after each axis; negative values remove elements. Output size of an
// axis: size + begin + end (ValueError when negative). Modes, by onnxruntime's rules:
//   constant  out[o] = x[o - begin] where that index lies in x, else `value` (converted to x's dtype:
//             rounded to float32 / float64; truncated toward zero for the integer dtypes, whose range
//             it must lie in, finite).
//   reflect   negative pads crop first; then the cropped axis is mirrored without repeating its edge
//             (NumPy's 'reflect': 3 2 | 1 2 3 4 | 3 2); each added pad at most the cropped size - 1.
//   edge      negative pads crop first; then the cropped axis's edge values are repeated.
// reflect and edge cannot add elements to an axis that cropping leaves empty (ValueError).
enum class PadMode { constant, reflect, edge };
// "constant", "reflect" or "edge" (ValueError naming `op`, the argument "mode", the names and the one
// received).
PadMode parse_pad_mode(const std::string& name, const char* op);
const char* pad_mode_name(PadMode mode);
std::vector<int64_t> pad_output_shape(const TensorView& x, const std::vector<int64_t>& pads, PadMode mode);
void pad(const TensorView& x, const std::vector<int64_t>& pads, PadMode mode, double value, const TensorView& out);

}  // namespace cvcore
