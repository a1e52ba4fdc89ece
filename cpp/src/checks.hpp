// Argument checks shared by the op frontends. Messages read
// "<op>: <argument> must be <expected>, got <received>".
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "cvcore/device.hpp"
#include "cvcore/epilogue.hpp"
#include "cvcore/error.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore::detail {

// An array argument of an op and its name, for messages.
struct Arg {
  const char* name;
  const TensorView& view;
};

// The device of an op's array arguments: every one given (absent optional ones are skipped) must be
// on the same device, else ValueError naming two that differ.
Device common_device(const char* op, std::initializer_list<Arg> args);

// The dispatch point of every frontend while the CPU has the only kernels: returns when the op's
// arrays are on the CPU, whose cpu:: kernel the frontend then runs; for CUDA arrays, throws
// BackendError saying why the op cannot run there: this build has no CUDA backend (and how to build
// one), no CUDA device is usable, or the op has no CUDA kernel yet. Called before any data is read.
// An op that gains CUDA kernels dispatches on common_device to cuda:: instead.
void require_cpu(const char* op, std::initializer_list<Arg> args);

// t must be C-contiguous, of `dtype`, with `ndim` dimensions.
void check_array(const TensorView& t, const char* op, const char* name, DType dtype, int ndim);

// t must be a C-contiguous (n, d) float32 or float64 array with n >= 1 and d >= 1 (data rows).
void check_real_matrix(const TensorView& t, const char* op, const char* name);

// Every value of the float32 or float64 array t is finite.
void check_finite_values(const TensorView& t, const char* op, const char* name);

// An optional per-channel vector: empty, or a contiguous 1-D array of `dtype` and length `length`.
void check_optional_vector(const TensorView& t, const char* op, const char* name, DType dtype, int64_t length);

// The output view `name` has exactly this shape, this dtype, and is contiguous.
void check_output(const TensorView& out, const char* op, const int64_t* shape, int ndim, DType dtype,
                  const char* name = "out");

// prelu's slope for each of `channels` outputs (a (1,) weight repeated); empty without prelu_weight.
std::vector<float> prelu_slopes(const TensorView& prelu_weight, int64_t channels);

// compute(), the op's computation: a MemoryError of its working buffers, which do not know the op,
// gets the op's name in front ("conv2d: cannot allocate N bytes of working memory for ...").
template <typename F>
decltype(auto) naming_memory_errors(const char* op, F&& compute) {
  try {
    return compute();
  } catch (const MemoryError& e) {
    throw MemoryError(concat(op, ": ", e.what()));
  }
}

// An optional argument view was given (an absent one is a default TensorView: no data, no dims).
inline bool present(const TensorView& t) { return !(t.empty() && t.ndim == 0); }

// a + b, or a ValueError naming `what` on overflow (both must be >= 0).
int64_t checked_add(int64_t a, int64_t b, const char* what);

// An array of `shape` (sizes >= 0) with `itemsize`-byte elements has a size in bytes that fits 64 bits.
bool bytes_fit(std::initializer_list<int64_t> shape, int64_t itemsize);

// The element count of an output of `shape` (sizes >= 0) with `itemsize`-byte elements, or a
// ValueError naming `op` and the shape when its bytes overflow 64 bits (an array no allocator can
// describe).
int64_t checked_output_numel(const char* op, std::initializer_list<int64_t> shape, int64_t itemsize);
int64_t checked_output_numel(const char* op, const std::vector<int64_t>& shape, int64_t itemsize);

// The memory of two C-contiguous views intersects (an output written while an input is read).
bool overlapping(const TensorView& a, const TensorView& b);

// One name of an enum's value: each domain lists its enum's names once, in its source, and both
// parses and prints them from that table.
template <typename E>
struct Named {
  const char* name;
  E value;
};

// The value named `text`, or ValueError "<op>: <arg> must be one of 'a', 'b', got '<text>'". An argument
// that also takes another form (k-means' init: an array) names it: "must be an array or one of ...".
template <typename E, size_t N>
E parse_named(const Named<E> (&names)[N], const std::string& text, const char* op, const char* arg,
              const char* other_form = nullptr) {
  for (const Named<E>& n : names)
    if (text == n.name) return n.value;
  std::string accepted;
  for (const Named<E>& n : names) accepted += (accepted.empty() ? "'" : ", '") + std::string(n.name) + "'";
  throw ValueError(concat(op, ": ", arg, " must be ", other_form ? other_form : "", other_form ? " or " : "",
                          "one of ", accepted, ", got '", text, "'"));
}

// The name of `value` in `names`.
template <typename E, size_t N>
const char* name_of(const Named<E> (&names)[N], E value) {
  for (const Named<E>& n : names)
    if (n.value == value) return n.name;
  return "unknown";
}

}  // namespace cvcore::detail
