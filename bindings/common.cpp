#include "common.hpp"

#include "cvcore/error.hpp"

namespace cvcore::bindings {

FloatArray float32_array(py::handle obj, const char* name) {
  py::array arr = py::array::ensure(obj);
  if (!arr) throw TypeError(std::string(name) + " must be an array-like of numbers, got " +
                            std::string(py::str(py::type::of(obj).attr("__name__"))));
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw TypeError(std::string(name) + " must be a real numeric array, got dtype " +
                    std::string(py::str(arr.dtype())));
  return FloatArray::ensure(arr);  // copies only when not already C-contiguous float32
}

FloatArray optional_float32_array(py::handle obj, const char* name) {
  return obj.is_none() ? FloatArray() : float32_array(obj, name);
}

TensorView view(const FloatArray& a) {
  TensorView v;
  v.data = const_cast<float*>(a.data());
  v.dtype = DType::float32;
  check(a.ndim() <= kMaxDims, "arrays may have at most ", kMaxDims, " dimensions, got ", a.ndim());
  v.ndim = static_cast<int>(a.ndim());
  for (int d = 0; d < v.ndim; ++d) {
    v.shape[d] = a.shape(d);
    v.strides[d] = a.strides(d) / static_cast<int64_t>(sizeof(float));
  }
  return v;
}

FloatArray new_float32(const std::vector<int64_t>& shape) {
  return FloatArray(std::vector<py::ssize_t>(shape.begin(), shape.end()));
}

FloatArray new_float32_like(const TensorView& v) {
  return new_float32(std::vector<int64_t>(v.shape.begin(), v.shape.begin() + v.ndim));
}

Epilogue parse_epilogue(const std::string& name) {
  if (name == "none") return Epilogue::none;
  if (name == "relu") return Epilogue::relu;
  if (name == "relu6") return Epilogue::relu6;
  throw ValueError("activation must be None, 'relu' or 'relu6', got '" + name + "'");
}

}  // namespace cvcore::bindings
