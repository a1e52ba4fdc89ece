// Helpers shared by every bindings file: NumPy arrays in and out of cvcore::TensorView.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore::bindings {

namespace py = pybind11;

// A view of the NumPy array `obj` as it is: the Python layer has normalised it (dtype, layout) and
// the C++ frontend checks it, naming the op. TypeError naming `name` when obj is not a NumPy array
// of a dtype that TensorView has. The view is valid while obj lives. Its device is the one the op
// was asked to run on (the ops' `device` argument), on which the frontend dispatches; NumPy data is
// in host memory, so until the CUDA kernels exist (and copy it) a CUDA view is refused by the
// frontend before anything is read.
TensorView view(py::handle obj, const char* name, Device device);
// view(), or an absent argument (a default TensorView) for None.
TensorView optional_view(py::handle obj, const char* name, Device device);

// A new C-contiguous array of `dtype` and `shape`, and one of v's dtype and shape.
py::array new_array(DType dtype, const std::vector<int64_t>& shape);
py::array new_like(const TensorView& v);

// Conversions for the bindings whose Python layer does not normalise its arrays yet (to_blob,
// k-means, COCO evaluation).
using FloatArray = py::array_t<float, py::array::c_style>;
using Int64Array = py::array_t<int64_t, py::array::c_style>;
using Float64Array = py::array_t<double, py::array::c_style>;
using Int32Array = py::array_t<int32_t, py::array::c_style>;
using Uint8Array = py::array_t<uint8_t, py::array::c_style>;

// obj as a C-contiguous float32 array, copied only when its dtype or layout differ. Integer and
// float inputs are converted; bool, complex, string and object arrays raise TypeError naming
// `name` (pybind11's forcecast alone would turn "1" and True into 1.0).
FloatArray float32_array(py::handle obj, const char* name);
// The same rules, as float64.
Float64Array float64_array(py::handle obj, const char* name);

// obj as a C-contiguous uint8 array when it is one (pixels, read as their values by the ops that
// accept them), else as float32_array: `view` sees whichever holds the data.
struct Uint8OrFloat32 {
  Uint8Array bytes;
  FloatArray floats;
  TensorView view;
};
Uint8OrFloat32 uint8_or_float32_array(py::handle obj, const char* name);

// Ops that keep the caller's precision: obj as a C-contiguous float32 array when it is float32,
// else as float64 (other real dtypes are converted once); TypeError naming `name` otherwise.
py::array real_array(py::handle obj, const char* name);
// obj as a C-contiguous array of the float32 / float64 dtype `dtype` (None gives an empty array).
py::array real_array_as(py::handle obj, const py::dtype& dtype, const char* name);

// Views of arrays (inputs may be read-only: cvcore never writes through an input view).
TensorView view(const FloatArray& a);
TensorView view(const Int64Array& a);
TensorView view(const Float64Array& a);
TensorView view(const Int32Array& a);
TensorView view(const Uint8Array& a);
// A view of a float32 or float64 array from real_array / real_array_as.
TensorView real_view(const py::array& a);

// A new float32 / float64 / int64 / int32 array of the given shape.
FloatArray new_float32(const std::vector<int64_t>& shape);
Float64Array new_float64(const std::vector<int64_t>& shape);
Int64Array new_int64(const std::vector<int64_t>& shape);
Int32Array new_int32(const std::vector<int64_t>& shape);
// A new float32 or float64 array (dtype of a real_array) of the given shape.
py::array new_real(const py::dtype& dtype, const std::vector<int64_t>& shape);

// Registration of each domain (one bindings file each).
void register_runtime(py::module_& m);
void register_window(py::module_& m);
void register_conv(py::module_& m);
void register_linear(py::module_& m);
void register_pool(py::module_& m);
void register_norm(py::module_& m);
void register_activation(py::module_& m);
void register_boxes(py::module_& m);
void register_roi(py::module_& m);
void register_preprocess(py::module_& m);
void register_nms(py::module_& m);
void register_kmeans(py::module_& m);
void register_neighbors(py::module_& m);
void register_cocoeval(py::module_& m);

}  // namespace cvcore::bindings
