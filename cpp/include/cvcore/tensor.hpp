// TensorView: a small non-owning view of a strided array (pointer, dtype, shape, strides, device).
// Shapes and strides are 64-bit and strides count elements, not bytes.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <type_traits>

#include "cvcore/device.hpp"
#include "cvcore/error.hpp"

namespace cvcore {

enum class DType { float32, float64, int32, int64, uint8 };

const char* dtype_name(DType dtype);
// Bytes per element.
int64_t dtype_size(DType dtype);

template <typename T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::float32; }
template <> constexpr DType dtype_of<double>() { return DType::float64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::int32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::int64; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::uint8; }

constexpr int kMaxDims = 6;

struct TensorView {
  void* data = nullptr;
  DType dtype = DType::float32;
  int ndim = 0;
  std::array<int64_t, kMaxDims> shape{};
  std::array<int64_t, kMaxDims> strides{};
  Device device = Device::cpu;  // where data points; an op runs on its arrays' device

  TensorView() = default;

  // A C-contiguous view of `data` with the given shape.
  template <typename T>
  TensorView(T* ptr, std::initializer_list<int64_t> dims) : TensorView(ptr, dims.begin(), int(dims.size())) {}
  template <typename T>
  TensorView(T* ptr, const int64_t* dims, int rank)
      : data(const_cast<void*>(static_cast<const void*>(ptr))), dtype(dtype_of<std::remove_const_t<T>>()) {
    set_contiguous_shape(dims, rank);
  }

  // True when the view points at nothing (an absent optional argument such as a bias).
  bool empty() const { return data == nullptr; }
  int64_t size(int d) const { return shape[d < 0 ? d + ndim : d]; }
  int64_t numel() const;
  bool is_contiguous() const;
  std::string shape_str() const;  // "(1, 3, 224, 224)"
  // The shape for an error message: printed by operator<< only when the message is built, so that a
  // check that passes formats nothing.
  struct ShapeText {
    const TensorView* view;
  };
  ShapeText shape_text() const { return {this}; }

  // Typed pointer; throws TypeError if the dtype differs.
  template <typename T>
  T* ptr() const {
    check<TypeError>(dtype == dtype_of<T>(), "expected a ", dtype_name(dtype_of<T>()), " array, got ",
                     dtype_name(dtype));
    return static_cast<T*>(data);
  }

 private:
  void set_contiguous_shape(const int64_t* dims, int rank);
};

std::ostream& operator<<(std::ostream& os, const TensorView::ShapeText& shape);

}  // namespace cvcore
