#include "common.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#include "cvcore/error.hpp"

namespace cvcore::bindings {

// The canonical dtype objects first; then by type number and byte order, since an equal dtype can be
// another object (an unpickled array's).
DType dtype_from(const py::dtype& dtype, const char* op, const char* name) {
  if (dtype.is(py::dtype::of<float>())) return DType::float32;
  if (dtype.is(py::dtype::of<double>())) return DType::float64;
  if (dtype.is(py::dtype::of<int64_t>())) return DType::int64;
  if (dtype.is(py::dtype::of<int32_t>())) return DType::int32;
  if (dtype.is(py::dtype::of<uint8_t>())) return DType::uint8;
  if (dtype.attr("isnative").cast<bool>() && !dtype.has_fields()) {
    const int num = dtype.normalized_num();
    if (num == py::dtype::num_of<float>()) return DType::float32;
    if (num == py::dtype::num_of<double>()) return DType::float64;
    if (num == py::dtype::num_of<int64_t>()) return DType::int64;
    if (num == py::dtype::num_of<int32_t>()) return DType::int32;
    if (num == py::dtype::num_of<uint8_t>()) return DType::uint8;
  }
  throw TypeError(detail::concat(op, ": ", name,
                                 " must be an array of float32, float64, int32, int64 or uint8 in the machine's byte "
                                 "order, got dtype ",
                                 std::string(py::str(py::repr(dtype)))));
}

TensorView view(py::handle obj, const char* op, const char* name, Device device) {
  if (!py::isinstance<py::array>(obj))
    throw TypeError(detail::concat(op, ": ", name, " must be a NumPy array, got ",
                                   std::string(py::str(py::type::of(obj).attr("__name__")))));
  const auto a = py::reinterpret_borrow<py::array>(obj);
  TensorView v;
  v.data = const_cast<void*>(a.data());
  v.dtype = dtype_from(a.dtype(), op, name);
  v.device = device;
  check(a.ndim() <= kMaxDims, op, ": ", name, " may have at most ", kMaxDims, " dimensions, got ", a.ndim(), " (shape ",
        std::string(py::str(obj.attr("shape"))), ")");
  v.ndim = static_cast<int>(a.ndim());
  for (int d = 0; d < v.ndim; ++d) {
    v.shape[d] = a.shape(d);
    v.strides[d] = a.strides(d) / a.itemsize();
  }
  return v;
}

TensorView optional_view(py::handle obj, const char* op, const char* name, Device device) {
  return obj.is_none() ? TensorView{} : view(obj, op, name, device);
}

namespace {

// Large outputs come from a small cache of buffers that earlier outputs gave back when NumPy freed
// them: malloc maps a fresh block that large from the OS, and faulting its zeroed pages in is a
// noticeable part of a large convolution. The cache keeps at most kMaxBuffers buffers and kMaxBytes.
class OutputCache {
 public:
  static constexpr size_t kMinBytes = size_t(1) << 22;  // 4 MiB: smaller ones stay on malloc's heap
  static constexpr size_t kMaxBytes = size_t(1) << 28;  // 256 MiB
  static constexpr size_t kMaxBuffers = 8;

  struct Block {
    void* data;
    size_t capacity;
  };

  // A buffer of at least `bytes` (a cached one at most twice that size, else a new one); its data is
  // null when the memory cannot be allocated.
  Block acquire(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto best = free_.end();
      for (auto it = free_.begin(); it != free_.end(); ++it)
        if (it->capacity >= bytes && it->capacity <= 2 * bytes && (best == free_.end() || it->capacity < best->capacity))
          best = it;
      if (best != free_.end()) {
        const Block b = *best;
        cached_bytes_ -= b.capacity;
        free_.erase(best);
        return b;
      }
    }
    const size_t capacity = (bytes + 63) / 64 * 64;
    return {std::aligned_alloc(64, capacity), capacity};
  }

  void release(Block b) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(b);
    cached_bytes_ += b.capacity;
    while (free_.size() > kMaxBuffers || cached_bytes_ > kMaxBytes) {  // drop the oldest
      cached_bytes_ -= free_.front().capacity;
      std::free(free_.front().data);
      free_.erase(free_.begin());
    }
  }

 private:
  std::mutex mutex_;
  std::vector<Block> free_;
  size_t cached_bytes_ = 0;
};

// Never destroyed: NumPy may free arrays (and so call release) during interpreter shutdown.
OutputCache& output_cache() {
  static OutputCache* cache = new OutputCache;
  return *cache;
}

// The bytes of an array of `shape` and `itemsize`, or false when it cannot be a NumPy array: NumPy
// needs the product of the non-zero sizes times the itemsize (the largest stride span) to fit in
// PTRDIFF_MAX, also for an array with no elements.
bool array_bytes(const std::vector<int64_t>& shape, size_t itemsize, size_t& bytes) {
  size_t span = itemsize;
  bool empty = false;
  for (int64_t d : shape) {
    if (d == 0) empty = true;
    else if (__builtin_mul_overflow(span, static_cast<size_t>(d), &span)) return false;
  }
  bytes = empty ? 0 : span;
  return span <= static_cast<size_t>(PTRDIFF_MAX);
}

// "(2, 3)", "(4,)": a shape as Python prints it.
std::string shape_text(const std::vector<int64_t>& shape) {
  std::string dims;
  for (int64_t d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return "(" + dims + (shape.size() == 1 ? ",)" : ")");
}

[[noreturn]] void cannot_allocate(const char* op, const char* what, DType dtype, const std::vector<int64_t>& shape,
                                  size_t bytes) {
  throw MemoryError(detail::concat(op, ": cannot allocate ", bytes, " bytes for ", what, " of shape ",
                                   shape_text(shape), " and dtype ", dtype_name(dtype)));
}

template <typename T>
py::array_t<T, py::array::c_style> allocate(const char* op, const char* what, const std::vector<int64_t>& shape) {
  const std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  size_t bytes = 0;
  const bool sized = array_bytes(shape, sizeof(T), bytes);
  if (!sized)  // a size that overflows is a bad argument, as the C++ checks of outputs say
    throw ValueError(detail::concat(op, ": ", what, " of shape ", shape_text(shape),
                                    " is too large: its size in bytes overflows 64 bits"));
  if (bytes < OutputCache::kMinBytes) {
    try {
      return py::array_t<T, py::array::c_style>(dims);
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_MemoryError)) throw;
      cannot_allocate(op, what, dtype_of<T>(), shape, bytes);
    }
  }
  const OutputCache::Block acquired = output_cache().acquire(bytes);
  if (!acquired.data) cannot_allocate(op, what, dtype_of<T>(), shape, bytes);
  auto* block = new OutputCache::Block(acquired);
  py::capsule owner(block, [](void* p) {
    auto* b = static_cast<OutputCache::Block*>(p);
    output_cache().release(*b);
    delete b;
  });
  return py::array_t<T, py::array::c_style>(dims, static_cast<T*>(block->data), owner);
}

}  // namespace

py::array new_array(const char* op, const char* what, DType dtype, const std::vector<int64_t>& shape) {
  switch (dtype) {
    case DType::float32: return allocate<float>(op, what, shape);
    case DType::float64: return allocate<double>(op, what, shape);
    case DType::int32: return allocate<int32_t>(op, what, shape);
    case DType::int64: return allocate<int64_t>(op, what, shape);
    case DType::uint8: return allocate<uint8_t>(op, what, shape);
  }
  throw TypeError(detail::concat(op, ": ", what, " has an unknown dtype"));
}

py::array new_like(const char* op, const char* what, const TensorView& v) {
  return new_array(op, what, v.dtype, std::vector<int64_t>(v.shape.begin(), v.shape.begin() + v.ndim));
}

}  // namespace cvcore::bindings
