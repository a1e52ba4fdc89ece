#include "common.hpp"

#include <cstdlib>
#include <mutex>
#include <new>

#include "cvcore/error.hpp"

namespace cvcore::bindings {

namespace {
// obj as a NumPy array of a real numeric dtype (no copy yet), or TypeError naming `name`.
py::array numeric_array(py::handle obj, const char* name) {
  py::array arr = py::array::ensure(obj);
  if (!arr) throw TypeError(std::string(name) + " must be an array-like of numbers, got " +
                            std::string(py::str(py::type::of(obj).attr("__name__"))));
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw TypeError(std::string(name) + " must be a real numeric array, got dtype " +
                    std::string(py::str(arr.dtype())));
  return arr;
}
}  // namespace

FloatArray float32_array(py::handle obj, const char* name) {
  // Copies only when not already C-contiguous float32. forcecast: float64 and 64-bit integers are
  // not "safe" casts to float32 for NumPy, and ensure() without it returns null for them.
  using Forced = py::array_t<float, py::array::c_style | py::array::forcecast>;
  return py::reinterpret_borrow<FloatArray>(Forced::ensure(numeric_array(obj, name)));
}

Uint8OrFloat32 uint8_or_float32_array(py::handle obj, const char* name) {
  Uint8OrFloat32 a;
  const py::array arr = py::array::ensure(obj);
  if (arr && arr.dtype().is(py::dtype::of<uint8_t>())) {
    a.bytes = Uint8Array::ensure(arr);
    a.view = view(a.bytes);
  } else {
    a.floats = float32_array(obj, name);
    a.view = view(a.floats);
  }
  return a;
}

Float64Array float64_array(py::handle obj, const char* name) { return Float64Array::ensure(numeric_array(obj, name)); }

py::array real_array(py::handle obj, const char* name) {
  py::array arr = numeric_array(obj, name);
  if (arr.dtype().is(py::dtype::of<float>())) return FloatArray::ensure(arr);
  return Float64Array::ensure(arr);
}

py::array real_array_as(py::handle obj, const py::dtype& dtype, const char* name) {
  if (obj.is_none()) return py::array();
  py::array arr = real_array(obj, name);
  if (dtype.is(py::dtype::of<float>())) return FloatArray::ensure(arr);
  return Float64Array::ensure(arr);
}

namespace {

// a's data as a view of `dtype` (a's own dtype); ValueError naming `name` beyond kMaxDims dimensions.
TensorView view_of(const py::array& a, DType dtype, const char* name = "an array") {
  TensorView v;
  v.data = const_cast<void*>(a.data());
  v.dtype = dtype;
  check(a.ndim() <= kMaxDims, name, " may have at most ", kMaxDims, " dimensions, got ", a.ndim());
  v.ndim = static_cast<int>(a.ndim());
  for (int d = 0; d < v.ndim; ++d) {
    v.shape[d] = a.shape(d);
    v.strides[d] = a.strides(d) / a.itemsize();
  }
  return v;
}

// The DType of a NumPy dtype, or TypeError naming `name`.
DType dtype_from(const py::dtype& dtype, const char* name) {
  if (dtype.is(py::dtype::of<float>())) return DType::float32;
  if (dtype.is(py::dtype::of<double>())) return DType::float64;
  if (dtype.is(py::dtype::of<int64_t>())) return DType::int64;
  if (dtype.is(py::dtype::of<int32_t>())) return DType::int32;
  if (dtype.is(py::dtype::of<uint8_t>())) return DType::uint8;
  throw TypeError(detail::concat(name, " must be an array of float32, float64, int32, int64 or uint8, got dtype ",
                                 std::string(py::str(dtype))));
}

}  // namespace

TensorView view(py::handle obj, const char* name, Device device) {
  if (!py::isinstance<py::array>(obj))
    throw TypeError(detail::concat(name, " must be a NumPy array, got ",
                                   std::string(py::str(py::type::of(obj).attr("__name__")))));
  const auto arr = py::reinterpret_borrow<py::array>(obj);
  TensorView v = view_of(arr, dtype_from(arr.dtype(), name), name);
  v.device = device;
  return v;
}

TensorView optional_view(py::handle obj, const char* name, Device device) {
  return obj.is_none() ? TensorView{} : view(obj, name, device);
}

TensorView view(const FloatArray& a) { return view_of(a, DType::float32); }
TensorView view(const Float64Array& a) { return view_of(a, DType::float64); }
TensorView view(const Int64Array& a) { return view_of(a, DType::int64); }
TensorView view(const Int32Array& a) { return view_of(a, DType::int32); }
TensorView view(const Uint8Array& a) { return view_of(a, DType::uint8); }

TensorView real_view(const py::array& a) {
  if (a.dtype().is(py::dtype::of<float>())) return view(py::reinterpret_borrow<FloatArray>(a));
  return view(py::reinterpret_borrow<Float64Array>(a));
}

namespace {

// Large outputs come from a small cache of buffers that earlier outputs gave back when NumPy freed
// them: malloc maps a fresh block that large from the OS, and faulting its zeroed pages in costs
// about 10% of a large convolution. The cache keeps at most kMaxBuffers buffers and kMaxBytes.
class OutputCache {
 public:
  static constexpr size_t kMinBytes = size_t(1) << 22;  // 4 MiB: smaller ones stay on malloc's heap
  static constexpr size_t kMaxBytes = size_t(1) << 28;  // 256 MiB
  static constexpr size_t kMaxBuffers = 8;

  struct Block {
    void* data;
    size_t capacity;
  };

  // A buffer of at least `bytes` (a cached one at most twice that size, else a new one).
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
    void* p = std::aligned_alloc(64, capacity);
    if (!p) throw std::bad_alloc();
    return {p, capacity};
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

template <typename T>
py::array_t<T, py::array::c_style> allocate(const std::vector<int64_t>& shape) {
  const std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  if (count * sizeof(T) < OutputCache::kMinBytes) return py::array_t<T, py::array::c_style>(dims);
  auto* block = new OutputCache::Block(output_cache().acquire(count * sizeof(T)));
  py::capsule owner(block, [](void* p) {
    auto* b = static_cast<OutputCache::Block*>(p);
    output_cache().release(*b);
    delete b;
  });
  return py::array_t<T, py::array::c_style>(dims, static_cast<T*>(block->data), owner);
}

}  // namespace

FloatArray new_float32(const std::vector<int64_t>& shape) { return allocate<float>(shape); }

Float64Array new_float64(const std::vector<int64_t>& shape) { return allocate<double>(shape); }

Int64Array new_int64(const std::vector<int64_t>& shape) { return allocate<int64_t>(shape); }

Int32Array new_int32(const std::vector<int64_t>& shape) { return allocate<int32_t>(shape); }

py::array new_real(const py::dtype& dtype, const std::vector<int64_t>& shape) {
  if (dtype.is(py::dtype::of<float>())) return new_float32(shape);
  return new_float64(shape);
}

py::array new_array(DType dtype, const std::vector<int64_t>& shape) {
  switch (dtype) {
    case DType::float32: return new_float32(shape);
    case DType::float64: return new_float64(shape);
    case DType::int32: return new_int32(shape);
    case DType::int64: return new_int64(shape);
    case DType::uint8: return allocate<uint8_t>(shape);
  }
  throw TypeError("new_array: unknown dtype");
}

py::array new_like(const TensorView& v) {
  return new_array(v.dtype, std::vector<int64_t>(v.shape.begin(), v.shape.begin() + v.ndim));
}

}  // namespace cvcore::bindings
