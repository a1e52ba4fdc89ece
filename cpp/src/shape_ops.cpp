// Tensor-manipulation frontends: validate every argument once, compute the output shape, then
// dispatch to the CPU data-movement kernels (transpose and slice as copies of a strided view).
#include "cvcore/shape_ops.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>

#include "checks.hpp"
#include "cpu/shape_ops.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<PadMode> kPadModes[] = {
    {"constant", PadMode::constant}, {"reflect", PadMode::reflect}, {"edge", PadMode::edge}};

// A list of integer arguments as a message shows it: "[0, -1, 2]".
struct ListText {
  const std::vector<int64_t>& values;
};

std::ostream& operator<<(std::ostream& os, const ListText& list) {
  os << "[";
  for (size_t i = 0; i < list.values.size(); ++i) os << (i ? ", " : "") << list.values[i];
  return os << "]";
}

// An input of any dtype and rank, C-contiguous.
void check_input(const TensorView& x, const char* op) { detail::check_array(x, op, "input", x.dtype, x.ndim); }

// The output's checks shared by every op: its shape and dtype, and no overlap with the input.
void check_output(const char* op, const TensorView& out, const std::vector<int64_t>& shape, const TensorView& x,
                  const char* input_name = "the input") {
  detail::check_output(out, op, shape.data(), int(shape.size()), x.dtype);
  check(!detail::overlapping(out, x), op, ": out must not overlap ", input_name);
}

// The element strides of a C-contiguous array of x's shape (those of x itself, which may be anything
// along size-1 dimensions).
std::array<int64_t, kMaxDims> contiguous_strides(const TensorView& x) {
  std::array<int64_t, kMaxDims> strides{};
  for (int64_t d = x.ndim - 1, next = 1; d >= 0; --d) {
    strides[size_t(d)] = next;
    next *= x.shape[size_t(d)];
  }
  return strides;
}

int64_t product(const std::vector<int64_t>& shape, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t d = from; d < to; ++d) n *= shape[d];
  return n;
}

// The sliced view of x: its shape, and per dimension the first index read and the step.
struct SliceView {
  std::vector<int64_t> shape, start, step;
};

SliceView slice_view(const TensorView& x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                     const std::vector<int64_t>& axes, const std::vector<int64_t>& steps) {
  constexpr const char* op = "slice";
  check_input(x, op);
  const size_t count = starts.size();
  check(ends.size() == count, op, ": starts and ends must have the same length, got ", ListText{starts}, " and ",
        ListText{ends});
  check(axes.empty() || axes.size() == count, op, ": axes must have one value per start (", count, ") or none, got ",
        ListText{axes});
  check(steps.empty() || steps.size() == count, op, ": steps must have one value per start (", count,
        ") or none, got ", ListText{steps});
  check(!axes.empty() || int64_t(count) <= x.ndim, op,
        ": starts must have at most one value per dimension of the input (", x.ndim, " for shape ", x.shape_text(),
        "), got ", ListText{starts});
  SliceView v;
  v.shape.assign(x.shape.begin(), x.shape.begin() + x.ndim);
  v.start.assign(size_t(x.ndim), 0);
  v.step.assign(size_t(x.ndim), 1);
  std::array<bool, kMaxDims> listed{};
  for (size_t i = 0; i < count; ++i) {
    const int64_t axis = axes.empty() ? int64_t(i) : axes[i];
    check(axis >= -x.ndim && axis < x.ndim, op, ": axes[", i, "] must be in [", -x.ndim, ", ", x.ndim - 1,
          "] for input shape ", x.shape_text(), ", got ", axis);
    const size_t d = size_t(axis < 0 ? axis + x.ndim : axis);
    check(!listed[d], op, ": axes must list each axis at most once, got ", ListText{axes}, " for input shape ",
          x.shape_text());
    listed[d] = true;
    const int64_t step = steps.empty() ? 1 : steps[i];
    check(step != 0, op, ": steps[", i, "] must be non-zero, got 0");
    // ONNX's clamping; none of it overflows (a negative index plus a size is above INT64_MIN).
    const int64_t dim = x.shape[d];
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t size = 0;
    if (step > 0) {
      start = std::min(std::max<int64_t>(start, 0), dim);
      end = std::min(std::max<int64_t>(end, 0), dim);
      size = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = std::min(std::max<int64_t>(start, 0), dim - 1);
      end = std::min(std::max<int64_t>(end, -1), dim - 1);
      const uint64_t magnitude = uint64_t(-(step + 1)) + 1;  // |step|, also for INT64_MIN
      size = start > end ? int64_t(uint64_t(start - end - 1) / magnitude) + 1 : 0;
    }
    v.shape[d] = size;
    v.start[d] = size > 0 ? start : 0;
    v.step[d] = step;
  }
  return v;
}

// A pad constant as the bytes of `dtype`: rounded for the float dtypes, truncated toward zero for the
// integer ones, which must hold it.
template <typename T>
void integer_constant(double value, DType dtype, unsigned char* bytes) {
  constexpr double lo = double(std::numeric_limits<T>::min());
  constexpr double hi_exclusive = 2.0 * (double(std::numeric_limits<T>::max() / 2) + 1);  // 2^bits, exact
  const double t = std::trunc(value);
  check(std::isfinite(value) && t >= lo && t < hi_exclusive, "pad: value must be a finite number in the range of ",
        dtype_name(dtype), " [", int64_t(std::numeric_limits<T>::min()), ", ", int64_t(std::numeric_limits<T>::max()),
        "] (truncated toward zero), got ", value);
  const T v = static_cast<T>(t);
  std::memcpy(bytes, &v, sizeof v);
}

void constant_bytes(double value, DType dtype, unsigned char* bytes) {
  switch (dtype) {
    case DType::float32: {
      const float v = static_cast<float>(value);
      std::memcpy(bytes, &v, sizeof v);
      return;
    }
    case DType::float64: std::memcpy(bytes, &value, sizeof value); return;
    case DType::int32: return integer_constant<int32_t>(value, dtype, bytes);
    case DType::int64: return integer_constant<int64_t>(value, dtype, bytes);
    case DType::uint8: return integer_constant<uint8_t>(value, dtype, bytes);
  }
}

}  // namespace

std::vector<int64_t> concat_output_shape(const std::vector<TensorView>& inputs, int64_t axis) {
  constexpr const char* op = "concat";
  check(!inputs.empty(), op, ": inputs must hold at least one array, got none");
  const TensorView& first = inputs[0];
  check(first.ndim >= 1, op, ": inputs must have at least 1 dimension, got inputs[0] of shape ", first.shape_text());
  check(axis >= -first.ndim && axis < first.ndim, op, ": axis must be in [", -first.ndim, ", ", first.ndim - 1,
        "] for inputs of ", first.ndim, " dimensions, got ", axis);
  const size_t a = size_t(axis < 0 ? axis + first.ndim : axis);
  std::vector<int64_t> shape(first.shape.begin(), first.shape.begin() + first.ndim);
  shape[a] = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorView& t = inputs[i];
    check(!t.empty() || t.numel() == 0, op, ": inputs[", i, "] is missing");
    check<TypeError>(t.dtype == first.dtype, op, ": inputs must have one dtype, got ", dtype_name(first.dtype),
                     " for inputs[0] and ", dtype_name(t.dtype), " for inputs[", i, "]");
    bool same = t.ndim == first.ndim;
    for (size_t d = 0; same && d < size_t(t.ndim); ++d) same = d == a || t.shape[d] == first.shape[d];
    check(same, op, ": inputs must have the same shape except along axis ", axis, ", got ", first.shape_text(),
          " for inputs[0] and ", t.shape_text(), " for inputs[", i, "]");
    check(t.is_contiguous(), op, ": inputs[", i, "] must be C-contiguous");
    shape[a] = detail::checked_add(shape[a], t.shape[a], "concat: the output's size along axis");
  }
  detail::checked_output_numel(op, shape, dtype_size(first.dtype));
  return shape;
}

void concat(const std::vector<TensorView>& inputs, int64_t axis, const TensorView& out) {
  constexpr const char* op = "concat";
  detail::require_cpu(op, {{"out", out}});
  for (const TensorView& t : inputs) detail::require_cpu(op, {{"inputs", t}, {"out", out}});
  const std::vector<int64_t> shape = concat_output_shape(inputs, axis);
  detail::check_output(out, op, shape.data(), int(shape.size()), inputs[0].dtype);
  for (size_t i = 0; i < inputs.size(); ++i)
    check(!detail::overlapping(out, inputs[i]), op, ": out must not overlap inputs[", i, "]");
  if (out.numel() == 0) return;
  const size_t a = size_t(axis < 0 ? axis + int64_t(shape.size()) : axis);
  const int64_t inner = product(shape, a + 1, shape.size());
  std::vector<const void*> data(inputs.size());
  std::vector<int64_t> extents(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    data[i] = inputs[i].data;
    extents[i] = inputs[i].shape[a] * inner;
  }
  cpu::concat(product(shape, 0, a), data, extents, dtype_size(out.dtype), out.data, get_num_threads());
}

std::vector<int64_t> transpose_output_shape(const TensorView& x, const std::vector<int64_t>& perm) {
  constexpr const char* op = "transpose";
  check_input(x, op);
  check(int64_t(perm.size()) == x.ndim, op, ": perm must have one value per dimension of the input (", x.ndim,
        " for shape ", x.shape_text(), "), got ", ListText{perm});
  std::array<bool, kMaxDims> seen{};
  std::vector<int64_t> shape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    const int64_t p = perm[i];
    check(p >= 0 && p < x.ndim && !seen[size_t(p)], op, ": perm must be a permutation of 0..", x.ndim - 1, ", got ",
          ListText{perm});
    seen[size_t(p)] = true;
    shape[i] = x.shape[size_t(p)];
  }
  return shape;
}

void transpose(const TensorView& x, const std::vector<int64_t>& perm, const TensorView& out) {
  constexpr const char* op = "transpose";
  detail::require_cpu(op, {{"input", x}, {"out", out}});
  const std::vector<int64_t> shape = transpose_output_shape(x, perm);
  check_output(op, out, shape, x);
  if (x.numel() == 0) return;
  const std::array<int64_t, kMaxDims> x_strides = contiguous_strides(x);
  std::array<int64_t, kMaxDims> strides{};
  for (size_t i = 0; i < perm.size(); ++i) strides[i] = x_strides[size_t(perm[i])];
  cpu::copy_view(x.data, x.ndim, shape.data(), strides.data(), dtype_size(x.dtype), out.data, get_num_threads());
}

std::vector<int64_t> slice_output_shape(const TensorView& x, const std::vector<int64_t>& starts,
                                        const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                        const std::vector<int64_t>& steps) {
  return slice_view(x, starts, ends, axes, steps).shape;
}

void slice(const TensorView& x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
           const std::vector<int64_t>& axes, const std::vector<int64_t>& steps, const TensorView& out) {
  constexpr const char* op = "slice";
  detail::require_cpu(op, {{"input", x}, {"out", out}});
  const SliceView v = slice_view(x, starts, ends, axes, steps);
  check_output(op, out, v.shape, x);
  if (out.numel() == 0) return;
  const std::array<int64_t, kMaxDims> x_strides = contiguous_strides(x);
  std::array<int64_t, kMaxDims> strides{};
  int64_t offset = 0;
  for (size_t d = 0; d < v.shape.size(); ++d) {
    offset += v.start[d] * x_strides[d];
    // Two or more elements along d: |step| < the size, so the product fits.
    strides[d] = v.shape[d] > 1 ? v.step[d] * x_strides[d] : 0;
  }
  const int64_t itemsize = dtype_size(x.dtype);
  cpu::copy_view(static_cast<const char*>(x.data) + offset * itemsize, x.ndim, v.shape.data(), strides.data(),
                 itemsize, out.data, get_num_threads());
}

PadMode parse_pad_mode(const std::string& name, const char* op) {
  return detail::parse_named(kPadModes, name, op, "mode");
}

const char* pad_mode_name(PadMode mode) { return detail::name_of(kPadModes, mode); }

std::vector<int64_t> pad_output_shape(const TensorView& x, const std::vector<int64_t>& pads, PadMode mode) {
  constexpr const char* op = "pad";
  check_input(x, op);
  check(int64_t(pads.size()) == 2 * x.ndim, op, ": pads must have 2 values per dimension of the input (",
        2 * x.ndim, " for shape ", x.shape_text(), "), got ", ListText{pads});
  std::vector<int64_t> shape(static_cast<size_t>(x.ndim));
  for (size_t d = 0; d < size_t(x.ndim); ++d) {
    const int64_t size = x.shape[d], begin = pads[d], end = pads[size_t(x.ndim) + d];
    const __int128 out = __int128(size) + begin + end;
    check(out >= 0, op, ": pads ", begin, " (begin) and ", end, " (end) remove more than the ", size,
          " elements of axis ", d);
    check(out <= std::numeric_limits<int64_t>::max(), op, ": the output size of axis ", d, " (", size, " + ", begin,
          " + ", end, ") overflows 64 bits");
    if (mode != PadMode::constant && (begin > 0 || end > 0)) {
      const __int128 kept = __int128(size) + std::min<int64_t>(begin, 0) + std::min<int64_t>(end, 0);
      check(kept >= 1, op, ": mode '", pad_mode_name(mode), "' cannot add elements to axis ", d,
            ", which has none", kept < size ? " after cropping" : "", " (size ", size, ", pads ", begin, " (begin) and ",
            end, " (end))");
      check(mode != PadMode::reflect || (begin < kept && end < kept), op,
            ": mode 'reflect' adds at most size - 1 = ", int64_t(kept - 1), " elements on each side of axis ", d,
            " (size ", int64_t(kept), kept < size ? " after cropping" : "", "), got pads ", begin, " (begin) and ", end,
            " (end)");
    }
    shape[d] = int64_t(out);
  }
  detail::checked_output_numel(op, shape, dtype_size(x.dtype));
  return shape;
}

void pad(const TensorView& x, const std::vector<int64_t>& pads, PadMode mode, double value, const TensorView& out) {
  constexpr const char* op = "pad";
  detail::require_cpu(op, {{"input", x}, {"out", out}});
  const std::vector<int64_t> shape = pad_output_shape(x, pads, mode);
  check_output(op, out, shape, x);
  unsigned char constant[8] = {};
  if (mode == PadMode::constant) constant_bytes(value, x.dtype, constant);
  if (out.numel() == 0) return;
  cpu::pad(x.data, x.ndim, x.shape.data(), pads.data(), shape.data(), mode, constant, dtype_size(x.dtype), out.data,
           get_num_threads());
}

}  // namespace cvcore
