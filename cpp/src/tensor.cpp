#include "cvcore/tensor.hpp"

#include <limits>
#include <sstream>

namespace cvcore {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
  }
  return "unknown";
}

int64_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::float32: return 4;
    case DType::float64: return 8;
    case DType::int32: return 4;
    case DType::int64: return 8;
    case DType::uint8: return 1;
  }
  return 1;
}

int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  check(a >= 0 && b >= 0, what, ": negative size ", a, " x ", b);
  check(a == 0 || b <= std::numeric_limits<int64_t>::max() / a, what, ": size ", a, " x ", b,
        " overflows 64 bits");
  return a * b;
}

void TensorView::set_contiguous_shape(const int64_t* dims, int rank) {
  check(rank >= 0 && rank <= kMaxDims, "TensorView: rank must be in [0, ", kMaxDims, "], got ", rank);
  ndim = rank;
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    check(dims[d] >= 0, "TensorView: dimension ", d, " is negative (", dims[d], ")");
    shape[d] = dims[d];
    strides[d] = stride;
    stride = checked_mul(stride, dims[d] > 0 ? dims[d] : 1, "TensorView");
  }
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d) n = checked_mul(n, shape[d], "TensorView");
  return n;
}

bool TensorView::is_contiguous() const {
  for (int d = 0; d < ndim; ++d)
    if (shape[d] == 0) return true;  // nothing to address (NumPy gives empty arrays any strides)
  int64_t expected = 1;
  for (int d = ndim - 1; d >= 0; --d) {
    if (shape[d] != 1 && strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

std::ostream& operator<<(std::ostream& os, const TensorView::ShapeText& text) {
  const TensorView& t = *text.view;
  os << "(";
  for (int d = 0; d < t.ndim; ++d) os << (d ? ", " : "") << t.shape[d];
  return os << (t.ndim == 1 ? ",)" : ")");
}

std::string TensorView::shape_str() const {
  std::ostringstream os;
  os << shape_text();
  return os.str();
}

}  // namespace cvcore
