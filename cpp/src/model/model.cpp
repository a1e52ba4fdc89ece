// cvcore::Model: a graph, its plans (one per set of input shapes, made on first use; the most recently
// used kKeptPlans kept) and the working memory of finished runs, kept for the next (a fresh arena
// would be paged in again on every run; at most kKeptArenas, the largest).
#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <sstream>

#include "checks.hpp"
#include "model/plan.hpp"

namespace cvcore {

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, const char* what) : dtype_(dtype), shape_(std::move(shape)) {
  int64_t count = 1;
  for (int64_t d : shape_) {
    check(d >= 0, what, ": negative dimension ", d);
    count = checked_mul(count, d, what);
  }
  const int64_t bytes = checked_mul(count, dtype_size(dtype), what);
  // At least one byte, so that defined() holds for empty tensors too.
  data_.reset(new (std::nothrow) unsigned char[size_t(bytes > 0 ? bytes : 1)]);
  check<MemoryError>(data_ != nullptr, "cannot allocate ", bytes, " bytes for ", what);
}

Tensor Tensor::copy_of(const TensorView& v, const char* what) {
  Tensor t(v.dtype, std::vector<int64_t>(v.shape.begin(), v.shape.begin() + v.ndim), what);
  const int64_t size = dtype_size(v.dtype), count = t.numel();
  auto* dst = static_cast<unsigned char*>(t.data());
  for (int64_t i = 0; i < count; ++i) {  // element i of v at its strides
    int64_t offset = 0, rest = i;
    for (int d = v.ndim - 1; d >= 0; --d) {
      offset += (rest % v.shape[size_t(d)]) * v.strides[size_t(d)];
      rest /= v.shape[size_t(d)];
    }
    std::memcpy(dst + i * size, static_cast<const unsigned char*>(v.data) + offset * size, size_t(size));
  }
  return t;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape_) n = checked_mul(n, d, "Tensor");
  return n;
}

int64_t Tensor::nbytes() const { return numel() * dtype_size(dtype_); }

TensorView Tensor::view() const {
  TensorView v;
  switch (dtype_) {
    case DType::float32: v = TensorView(static_cast<float*>(data()), shape_.data(), int(shape_.size())); break;
    case DType::float64: v = TensorView(static_cast<double*>(data()), shape_.data(), int(shape_.size())); break;
    case DType::int32: v = TensorView(static_cast<int32_t*>(data()), shape_.data(), int(shape_.size())); break;
    case DType::int64: v = TensorView(static_cast<int64_t*>(data()), shape_.data(), int(shape_.size())); break;
    case DType::uint8: v = TensorView(static_cast<uint8_t*>(data()), shape_.data(), int(shape_.size())); break;
  }
  return v;
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  int64_t count = 1;
  for (int64_t d : shape) count = checked_mul(count, d, "Tensor.reshaped");
  check(count == numel(), "Tensor: cannot view ", numel(), " elements as ", count);
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

namespace {

using Shapes = std::vector<std::vector<int64_t>>;

// A detector run on photos of many sizes plans each size: the plans and arenas kept are bounded.
constexpr size_t kKeptPlans = 16;
constexpr size_t kKeptArenas = 4;

// The working memory of one run, 64-byte aligned.
struct Arena {
  explicit Arena(int64_t bytes) : bytes(bytes), storage(new (std::nothrow) unsigned char[size_t(bytes + 64)]) {
    check<MemoryError>(storage != nullptr, "onnx model: cannot allocate ", bytes, " bytes of working memory");
  }
  unsigned char* data() const {
    const auto p = reinterpret_cast<uintptr_t>(storage.get());
    return reinterpret_cast<unsigned char*>((p + 63) / 64 * 64);
  }
  int64_t bytes;
  std::unique_ptr<unsigned char[]> storage;
};

}  // namespace

struct Model::Impl {
  Graph graph;
  ModelOptions options;
  std::mutex mutex;                                     // guards the members below
  std::map<Shapes, std::shared_ptr<const model::Plan>> plans;
  std::vector<Shapes> recent;                           // the plans' keys, least recently used first
  std::shared_ptr<const model::Plan> last;
  std::vector<std::unique_ptr<Arena>> arenas;           // of finished runs, largest first

  // The plan for these input shapes (made on first use, the least recently used dropped beyond
  // kKeptPlans). Locked by the caller.
  std::shared_ptr<const model::Plan> plan_for(const Shapes& shapes) {
    auto it = plans.find(shapes);
    if (it == plans.end()) {
      auto plan = std::make_shared<model::Plan>(model::lower(graph, shapes));
      model::fuse(*plan);
      model::choose_algorithms(*plan, options);
      model::plan_memory(*plan);
      it = plans.emplace(shapes, std::move(plan)).first;
      if (plans.size() > kKeptPlans) {
        plans.erase(recent.front());
        recent.erase(recent.begin());
      }
    } else {
      recent.erase(std::find(recent.begin(), recent.end(), shapes));
    }
    recent.push_back(shapes);
    last = it->second;
    return it->second;
  }

  // An arena of at least `bytes` from those kept (the smallest that fits), or a new one.
  std::unique_ptr<Arena> take_arena(int64_t bytes) {
    for (auto it = arenas.rbegin(); it != arenas.rend(); ++it)
      if ((*it)->bytes >= bytes) {
        std::unique_ptr<Arena> a = std::move(*it);
        arenas.erase(std::next(it).base());
        return a;
      }
    return nullptr;
  }

  // Keeps a finished run's arena: the kKeptArenas largest stay.
  void keep_arena(std::unique_ptr<Arena> arena) {
    auto at = std::find_if(arenas.begin(), arenas.end(), [&](const auto& a) { return a->bytes < arena->bytes; });
    arenas.insert(at, std::move(arena));
    if (arenas.size() > kKeptArenas) arenas.pop_back();
  }

  // Input i's shape given `shape`: the graph's rank, and its fixed dimensions.
  std::vector<int64_t> checked_shape(size_t i, const std::vector<int64_t>& shape) const {
    const ValueInfo& in = graph.inputs[i];
    bool ok = shape.size() == in.shape.size();
    for (size_t d = 0; ok && d < shape.size(); ++d) ok = shape[d] >= 0 && (in.shape[d] < 0 || in.shape[d] == shape[d]);
    check(ok, "onnx model: input '", in.name, "' must have shape ", model::shape_string(in.shape), " (-1: any size), got ",
          model::shape_string(shape));
    return shape;
  }
};

Model::Model(Graph graph, const std::map<std::string, std::vector<int64_t>>& input_shapes, ModelOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->graph = std::move(graph);
  impl_->options = options;
  const Graph& g = impl_->graph;
  check(!g.outputs.empty(), "onnx model: the graph has no outputs");
  for (const auto& [name, shape] : input_shapes) {
    bool found = false;
    for (const ValueInfo& in : g.inputs) found = found || in.name == name;
    check(found, "onnx model: input_shapes names '", name, "', which is not an input of the graph");
  }
  Shapes shapes;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ValueInfo& in = g.inputs[i];
    const auto it = input_shapes.find(in.name);
    if (it != input_shapes.end()) {
      shapes.push_back(impl_->checked_shape(i, it->second));
      continue;
    }
    for (int64_t d : in.shape)
      check(d >= 0, "onnx model: input '", in.name, "' has shape ", model::shape_string(in.shape),
            " with sizes left open (-1): give its shape in input_shapes");
    shapes.push_back(in.shape);
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->plan_for(shapes);
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

std::vector<ValueInfo> Model::inputs() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<ValueInfo> out;
  for (int id : impl_->last->inputs) {
    const model::Value& v = impl_->last->values[size_t(id)];
    out.push_back({v.name, v.dtype, v.shape});
  }
  return out;
}

std::vector<ValueInfo> Model::outputs() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<ValueInfo> out;
  for (size_t j = 0; j < impl_->last->outputs.size(); ++j) {
    const model::Value& v = impl_->last->values[size_t(impl_->last->outputs[j])];
    out.push_back({impl_->graph.outputs[j].name, v.dtype, v.shape});
  }
  return out;
}

std::vector<Tensor> Model::run(const std::vector<TensorView>& inputs) const { return run(inputs, nullptr); }

std::vector<Tensor> Model::run(const std::vector<TensorView>& inputs, std::vector<double>* step_seconds) const {
  const Graph& g = impl_->graph;
  check(inputs.size() == g.inputs.size(), "onnx model: expected ", g.inputs.size(), " inputs, got ", inputs.size());
  Shapes shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorView& x = inputs[i];
    check<TypeError>(x.dtype == g.inputs[i].dtype, "onnx model: input '", g.inputs[i].name, "' must be ",
                     dtype_name(g.inputs[i].dtype), ", got ", dtype_name(x.dtype));
    check(x.is_contiguous(), "onnx model: input '", g.inputs[i].name, "' must be C-contiguous");
    shapes.push_back(impl_->checked_shape(i, std::vector<int64_t>(x.shape.begin(), x.shape.begin() + x.ndim)));
  }
  std::shared_ptr<const model::Plan> plan;
  std::unique_ptr<Arena> arena;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    plan = impl_->plan_for(shapes);
    arena = impl_->take_arena(plan->arena_bytes);
  }
  if (!arena) arena = std::make_unique<Arena>(plan->arena_bytes);
  std::vector<Tensor> outputs;
  for (int id : plan->outputs) {
    const model::Value& v = plan->values[size_t(id)];
    outputs.emplace_back(v.dtype, v.shape, "an output of the onnx model");
  }
  model::execute(*plan, inputs, outputs, arena->data(), step_seconds);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->keep_arena(std::move(arena));
  return outputs;
}

std::string Model::plan_text() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const model::Plan& plan = *impl_->last;
  std::ostringstream os;
  for (const model::Step& step : plan.steps) {
    const model::Value& out = plan.values[size_t(step.outputs[0])];
    os << model::describe(step) << "  [";
    for (size_t i = 0; i < step.nodes.size(); ++i) os << (i ? ", " : "") << step.nodes[i];
    os << "] -> " << model::shape_string(out.shape);
    switch (out.storage) {
      case model::Storage::output: os << " output " << out.index; break;
      case model::Storage::arena: os << " arena+" << out.offset; break;
      default: break;
    }
    os << "\n";
  }
  os << "working memory " << plan.arena_bytes << " bytes";
  return os.str();
}

int64_t Model::memory_bytes() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last->arena_bytes;
}

}  // namespace cvcore
