#include "checks.hpp"

#include <limits>

namespace cvcore::detail {

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

void check_optional_vector(const TensorView& t, const char* op, const char* name, DType dtype, int64_t length) {
  if (t.empty() && t.ndim == 0) return;
  check_array(t, op, name, dtype, 1);
  check(t.shape[0] == length, op, ": ", name, " must have ", length, " elements, got ", t.shape[0]);
}

void check_epilogue(const char* op, Epilogue activation, const TensorView& prelu_weight, int64_t channels) {
  const bool prelu = activation == Epilogue::prelu;
  check(prelu == present(prelu_weight), op,
        ": prelu_weight must be given exactly when activation='prelu', got activation='", epilogue_name(activation),
        "' and ", present(prelu_weight) ? "a prelu_weight" : "no prelu_weight");
  if (!prelu) return;
  check_array(prelu_weight, op, "prelu_weight", DType::float32, 1);
  check(prelu_weight.shape[0] == channels || prelu_weight.shape[0] == 1, op, ": prelu_weight must have ", channels,
        " elements (one per output channel) or 1, got ", prelu_weight.shape[0]);
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

int64_t checked_add(int64_t a, int64_t b, const char* what) {
  check(a >= 0 && b >= 0 && a <= std::numeric_limits<int64_t>::max() - b, what, ": ", a, " + ", b,
        " overflows 64 bits");
  return a + b;
}

}  // namespace cvcore::detail
