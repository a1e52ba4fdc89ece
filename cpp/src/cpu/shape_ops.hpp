// Data-movement kernels on validated sizes: elements of `itemsize` bytes (1, 4 or 8), copied bit for
// bit between C-contiguous arrays.
#pragma once

#include <cstdint>
#include <vector>

#include "cvcore/shape_ops.hpp"

namespace cvcore::cpu {

// out (C-contiguous, of `shape`, ndim >= 0, at least one element) = the strided view of src whose
// element (i0, i1, ...) is at src + (i0 * strides[0] + i1 * strides[1] + ...) * itemsize (strides in
// elements, of any sign): transpose and slice.
void copy_view(const void* src, int ndim, const int64_t* shape, const int64_t* strides, int64_t itemsize, void* out,
               int threads);

// out viewed as (outer, sum of extents): each of its rows is row o of inputs[0] (extents[0] elements),
// then row o of inputs[1], ...
void concat(int64_t outer, const std::vector<const void*>& inputs, const std::vector<int64_t>& extents,
            int64_t itemsize, void* out, int threads);

// pad of src (C-contiguous, of `shape`, ndim >= 0) with the validated pads (ONNX's layout) into out, of
// out_shape and at least one element; `value` points at the constant's bytes in the dtype.
void pad(const void* src, int ndim, const int64_t* shape, const int64_t* pads, const int64_t* out_shape, PadMode mode,
         const void* value, int64_t itemsize, void* out, int threads);

}  // namespace cvcore::cpu
