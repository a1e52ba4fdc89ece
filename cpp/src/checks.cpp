#include "checks.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace cvcore::detail {
namespace {

template <typename T>
bool all_finite(const T* p, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

}  // namespace

Device common_device(const char* op, std::initializer_list<Arg> args) {
  const Arg* first = nullptr;
  for (const Arg& arg : args) {
    if (!present(arg.view)) continue;
    if (!first) first = &arg;
    check(arg.view.device == first->view.device, op, ": ", first->name, " is on ", device_name(first->view.device),
          " but ", arg.name, " is on ", device_name(arg.view.device), "; the arrays of an op must be on one device");
  }
  return first ? first->view.device : Device::cpu;
}

void require_cpu(const char* op, std::initializer_list<Arg> args) {
  if (common_device(op, args) == Device::cpu) return;
  check<BackendError>(cuda_built(), op,
                      ": device 'cuda' needs the CUDA backend, which this build of cvcore does not include: rebuild "
                      "with the CMake option CVCORE_CUDA=ON (pip install . -C cmake.define.CVCORE_CUDA=ON) where the "
                      "CUDA toolkit is installed, or use device 'cpu'");
  check<BackendError>(cuda_device_count() > 0, op,
                      ": device 'cuda' needs a CUDA device, and none is usable (this build has the CUDA backend, but "
                      "the CUDA driver reports no GPU); use device 'cpu'");
  throw BackendError(concat(op, ": no CUDA implementation yet (the CUDA backend finds devices; its kernels come "
                                "with a later version); use device 'cpu'"));
}

void check_array(const TensorView& t, const char* op, const char* name, DType dtype, int ndim) {
  check(!t.empty() || t.numel() == 0, op, ": ", name, " is missing");
  check<TypeError>(t.dtype == dtype, op, ": ", name, " must be a ", dtype_name(dtype), " array, got ",
                   dtype_name(t.dtype));
  check(t.ndim == ndim, op, ": ", name, " must have ", ndim, " dimensions, got ", t.ndim, " (shape ",
        t.shape_text(), ")");
  check(t.is_contiguous(), op, ": ", name, " must be C-contiguous");
}

void check_real_matrix(const TensorView& t, const char* op, const char* name) {
  check<TypeError>(t.dtype == DType::float32 || t.dtype == DType::float64, op, ": ", name,
                   " must be a float32 or float64 array, got ", dtype_name(t.dtype));
  check(t.ndim == 2, op, ": ", name, " must have 2 dimensions (samples, features), got ", t.ndim, " (shape ",
        t.shape_text(), ")");
  check_array(t, op, name, t.dtype, 2);
  check(t.shape[0] >= 1, op, ": ", name, " must have at least one row, got shape ", t.shape_text());
  check(t.shape[1] >= 1, op, ": ", name, " must have at least one feature (d >= 1), got shape ", t.shape_text());
}

void check_finite_values(const TensorView& t, const char* op, const char* name) {
  const bool finite = t.dtype == DType::float32 ? all_finite(t.ptr<float>(), t.numel())
                                                : all_finite(t.ptr<double>(), t.numel());
  check(finite, op, ": ", name, " must not contain NaN or infinity");
}

void check_optional_vector(const TensorView& t, const char* op, const char* name, DType dtype, int64_t length) {
  if (t.empty() && t.ndim == 0) return;
  check_array(t, op, name, dtype, 1);
  check(t.shape[0] == length, op, ": ", name, " must have ", length, " elements, got ", t.shape[0]);
}

std::vector<float> prelu_slopes(const TensorView& prelu_weight, int64_t channels) {
  if (!present(prelu_weight)) return {};
  const float* w = prelu_weight.ptr<float>();
  if (prelu_weight.shape[0] == 1) return std::vector<float>(static_cast<size_t>(channels), w[0]);
  return std::vector<float>(w, w + channels);
}

void check_output(const TensorView& out, const char* op, const int64_t* shape, int ndim, DType dtype,
                  const char* name) {
  check_array(out, op, name, dtype, ndim);
  for (int d = 0; d < ndim; ++d)
    check(out.shape[d] == shape[d], op, ": ", name, " has shape ", out.shape_text(), ", expected dimension ", d,
          " to be ", shape[d]);
}

namespace {

bool bytes_fit(const int64_t* shape, size_t ndim, int64_t itemsize) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t bytes = itemsize;
  for (size_t d = 0; d < ndim; ++d)
    if (shape[d] == 0) return true;
  for (size_t d = 0; d < ndim; ++d) {
    if (bytes > kMax / shape[d]) return false;
    bytes *= shape[d];
  }
  return true;
}

int64_t checked_output_numel(const char* op, const int64_t* shape, size_t ndim, int64_t itemsize) {
  if (!bytes_fit(shape, ndim, itemsize)) {
    std::string text;
    for (size_t d = 0; d < ndim; ++d) text += (text.empty() ? "(" : ", ") + std::to_string(shape[d]);
    throw ValueError(concat(op, ": the output shape ", text, ") is too large: its size in bytes overflows 64 bits"));
  }
  int64_t count = 1;
  for (size_t d = 0; d < ndim; ++d) count *= shape[d];
  return count;
}

}  // namespace

bool bytes_fit(std::initializer_list<int64_t> shape, int64_t itemsize) {
  return bytes_fit(shape.begin(), shape.size(), itemsize);
}

int64_t checked_output_numel(const char* op, std::initializer_list<int64_t> shape, int64_t itemsize) {
  return checked_output_numel(op, shape.begin(), shape.size(), itemsize);
}

int64_t checked_output_numel(const char* op, const std::vector<int64_t>& shape, int64_t itemsize) {
  return checked_output_numel(op, shape.data(), shape.size(), itemsize);
}

bool overlapping(const TensorView& a, const TensorView& b) {
  const int64_t na = a.numel(), nb = b.numel();
  if (na == 0 || nb == 0) return false;
  const auto pa = reinterpret_cast<uintptr_t>(a.data), pb = reinterpret_cast<uintptr_t>(b.data);
  return pa < pb + uintptr_t(nb * dtype_size(b.dtype)) && pb < pa + uintptr_t(na * dtype_size(a.dtype));
}

int64_t checked_add(int64_t a, int64_t b, const char* what) {
  check(a >= 0 && b >= 0 && a <= std::numeric_limits<int64_t>::max() - b, what, ": ", a, " + ", b,
        " overflows 64 bits");
  return a + b;
}

}  // namespace cvcore::detail
