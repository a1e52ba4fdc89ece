// Elementwise binary frontend: validate the operands once, broadcast their shapes, dispatch to the
// CPU kernels.
#include "cvcore/elementwise.hpp"

#include <array>

#include "checks.hpp"
#include "cpu/elementwise.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<BinaryOp> kBinaryOps[] = {
    {"add", BinaryOp::add}, {"sub", BinaryOp::sub}, {"mul", BinaryOp::mul}, {"div", BinaryOp::div}};

// The epilogues that need no argument (prelu needs slopes).
constexpr detail::Named<Epilogue> kActivations[] = {
    {"none", Epilogue::none}, {"relu", Epilogue::relu}, {"relu6", Epilogue::relu6}};

// operand's sizes aligned at the output's last dimension, 1 where it has no dimension.
std::array<int64_t, kMaxDims> aligned_shape(const TensorView& operand, int ndim) {
  std::array<int64_t, kMaxDims> shape;
  shape.fill(1);
  for (int d = 0; d < operand.ndim; ++d) shape[size_t(ndim - operand.ndim + d)] = operand.shape[size_t(d)];
  return shape;
}

}  // namespace

const char* binary_op_name(BinaryOp op) { return detail::name_of(kBinaryOps, op); }

BinaryOp parse_binary_op(const std::string& name) { return detail::parse_named(kBinaryOps, name, "binary", "op"); }

Epilogue parse_binary_activation(const std::string& name, const char* op) {
  return detail::parse_named(kActivations, name, op, "activation");
}

std::vector<int64_t> broadcast_shapes(const char* op, const TensorView& a, const TensorView& b) {
  const int ndim = a.ndim > b.ndim ? a.ndim : b.ndim;
  const std::array<int64_t, kMaxDims> sa = aligned_shape(a, ndim), sb = aligned_shape(b, ndim);
  std::vector<int64_t> shape(static_cast<size_t>(ndim));
  for (size_t d = 0; d < size_t(ndim); ++d) {
    check(sa[d] == sb[d] || sa[d] == 1 || sb[d] == 1, op, ": shapes ", a.shape_text(), " and ", b.shape_text(),
          " cannot be broadcast together (dimension ", int(d) - ndim, " is ", sa[d], " and ", sb[d], ")");
    shape[d] = sa[d] == 1 ? sb[d] : sa[d];
  }
  detail::checked_output_numel(op, shape, sizeof(float));
  return shape;
}

void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out, Epilogue activation) {
  const char* name = binary_op_name(op);
  detail::require_cpu(name, {{"a", a}, {"b", b}, {"out", out}});
  parse_binary_activation(epilogue_name(activation), name);  // prelu: ValueError
  detail::check_array(a, name, "a", DType::float32, a.ndim);
  detail::check_array(b, name, "b", DType::float32, b.ndim);
  const std::vector<int64_t> shape = broadcast_shapes(name, a, b);
  const int ndim = int(shape.size());
  detail::check_output(out, name, shape.data(), ndim, DType::float32);
  const int64_t n = out.numel();
  // In place: the operand is the output itself, read at each index before that index is written.
  const auto aliases_safely = [&](const TensorView& operand) {
    return !detail::overlapping(out, operand) || (operand.data == out.data && operand.numel() == n);
  };
  check(aliases_safely(a) && aliases_safely(b), name,
        ": out must not overlap a or b, except by being one of them with the output's shape (in place)");
  if (n == 0) return;
  cpu::binary(op, activation, ndim, shape.data(), aligned_shape(a, ndim).data(), aligned_shape(b, ndim).data(),
              a.ptr<float>(), b.ptr<float>(), out.ptr<float>(), get_num_threads());
}

}  // namespace cvcore
