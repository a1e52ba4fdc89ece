// Helpers shared by every bindings file: NumPy arrays in and out of cvcore::TensorView.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore::bindings {

namespace py = pybind11;

// The DType of a NumPy dtype, or TypeError naming `op` and `name`.
DType dtype_from(const py::dtype& dtype, const char* op, const char* name);

// A view of the NumPy array `obj` as it is: the Python layer has normalised it (dtype, layout) and
// the C++ frontend checks it, naming the op. TypeError naming the op `op` and the argument `name`
// when obj is not a NumPy array of a dtype that TensorView has, ValueError when it has more
// dimensions than a TensorView holds. The view is valid while obj lives. Its device is the one the op
// was asked to run on (the ops' `device` argument), on which the frontend dispatches; NumPy data is
// in host memory, so until the CUDA kernels exist (and copy it) a CUDA view is refused by the
// frontend before anything is read.
TensorView view(py::handle obj, const char* op, const char* name, Device device);
// view(), or an absent argument (a default TensorView) for None.
TensorView optional_view(py::handle obj, const char* op, const char* name, Device device);

// A new C-contiguous array of `dtype` and `shape`, and one of v's dtype and shape: an output of the op
// `op`, described as `what` ("the output", "the indices", ...) in the MemoryError raised when its
// memory cannot be allocated, which says how many bytes.
py::array new_array(const char* op, const char* what, DType dtype, const std::vector<int64_t>& shape);
py::array new_like(const char* op, const char* what, const TensorView& v);

// Registration of each domain (one bindings file each).
void register_runtime(py::module_& m);
void register_window(py::module_& m);
void register_conv(py::module_& m);
void register_conv_transpose(py::module_& m);
void register_linear(py::module_& m);
void register_pool(py::module_& m);
void register_norm(py::module_& m);
void register_activation(py::module_& m);
void register_elementwise(py::module_& m);
void register_shape_ops(py::module_& m);
void register_boxes(py::module_& m);
void register_roi(py::module_& m);
void register_preprocess(py::module_& m);
void register_resize(py::module_& m);
void register_nms(py::module_& m);
void register_kmeans(py::module_& m);
void register_neighbors(py::module_& m);
void register_cocoeval(py::module_& m);
void register_json(py::module_& m);
void register_model(py::module_& m);

}  // namespace cvcore::bindings
