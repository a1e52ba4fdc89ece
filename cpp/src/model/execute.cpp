// Execution: each step is one call of a cvcore op's frontend on views of its values; a run resolves
// every value's address (constants, the caller's inputs, the arena, the returned outputs) and runs the
// steps in order, polling for interrupts between them.
#include <chrono>
#include <cstring>
#include <sstream>

#include "cvcore/linear.hpp"
#include "cvcore/norm.hpp"
#include "interrupt.hpp"
#include "model/plan.hpp"

namespace cvcore::model {
namespace {

TensorView optional(const Tensor& t) { return t.defined() ? t.view() : TensorView{}; }

// A view of v's bytes with another shape (the 2-D view of old opsets' softmax).
TensorView reshaped(const TensorView& v, const std::vector<int64_t>& shape) {
  return TensorView(static_cast<float*>(v.data), shape.data(), int(shape.size()));
}

struct RunStep {
  const std::vector<TensorView>& in;
  const std::vector<TensorView>& out;

  void operator()(const ConvStep& s) const {
    Conv2dParams p = s.params;
    p.prelu_weight = optional(s.prelu_weight);
    if (in.size() > 1) p.residual = in[1];
    conv2d(in[0], s.weight.view(), optional(s.bias), p, out[0]);
  }
  void operator()(const ConvTransposeStep& s) const {
    conv_transpose2d(in[0], s.weight.view(), optional(s.bias), s.params, out[0]);
  }
  void operator()(const LinearStep& s) const {
    linear(in[0], s.weight.view(), optional(s.bias), out[0], s.activation, optional(s.prelu_weight));
  }
  void operator()(const MaxPoolStep& s) const { max_pool2d(in[0], s.params, out[0]); }
  void operator()(const AvgPoolStep& s) const { avg_pool2d(in[0], s.params, out[0]); }
  void operator()(const GlobalPoolStep& s) const {
    if (s.max) adaptive_max_pool2d(in[0], {1, 1}, out[0]);
    else adaptive_avg_pool2d(in[0], {1, 1}, out[0]);
  }
  void operator()(const ActivationStep& s) const { activation(in[0], s.kind, s.params, out[0]); }
  void operator()(const PReluStep& s) const { prelu(in[0], s.slope.view(), out[0]); }
  void operator()(const SoftmaxStep& s) const {
    if (s.view_shape.empty()) softmax(in[0], s.axis, s.log, out[0]);
    else softmax(reshaped(in[0], s.view_shape), s.axis, s.log, reshaped(out[0], s.view_shape));
  }
  void operator()(const BatchNormStep& s) const {
    batch_norm(in[0], s.mean.view(), s.var.view(), s.scale.view(), s.bias.view(), s.eps, out[0]);
  }
  void operator()(const BinaryStep& s) const { binary(s.op, in[0], in[1], out[0], s.activation); }
  void operator()(const ConcatStep& s) const { concat(in, s.axis, out[0]); }
  void operator()(const TransposeStep& s) const { transpose(in[0], s.perm, out[0]); }
  void operator()(const SliceStep& s) const { slice(in[0], s.starts, s.ends, s.axes, s.steps, out[0]); }
  void operator()(const PadStep& s) const { pad(in[0], s.pads, s.mode, s.value, out[0]); }
  void operator()(const ResizeStep& s) const { resize(in[0], s.params, out[0]); }
  void operator()(const CopyStep&) const {
    const int64_t bytes = in[0].numel() * dtype_size(in[0].dtype);
    if (bytes) std::memcpy(out[0].data, in[0].data, size_t(bytes));
  }
};

}  // namespace

TensorView view_of(const Value& v, void* data) {
  TensorView t;
  t.data = data;
  t.dtype = v.dtype;
  t.ndim = int(v.shape.size());
  int64_t stride = 1;
  for (int d = t.ndim - 1; d >= 0; --d) {
    t.shape[size_t(d)] = v.shape[size_t(d)];
    t.strides[size_t(d)] = stride;
    stride *= v.shape[size_t(d)] > 0 ? v.shape[size_t(d)] : 1;
  }
  return t;
}

void run_step(const Step& step, const std::vector<TensorView>& inputs, const std::vector<TensorView>& outputs) {
  std::visit(RunStep{inputs, outputs}, step.args);
}

void execute(const Plan& plan, const std::vector<TensorView>& inputs, const std::vector<Tensor>& outputs,
             unsigned char* arena, std::vector<double>* step_seconds) {
  std::vector<unsigned char*> address(plan.values.size(), nullptr);
  for (size_t v = 0; v < plan.values.size(); ++v) {
    const Value& value = plan.values[v];
    switch (value.storage) {
      case Storage::constant: address[v] = static_cast<unsigned char*>(value.constant.data()); break;
      case Storage::input: address[v] = static_cast<unsigned char*>(inputs[size_t(value.index)].data); break;
      case Storage::arena: address[v] = arena + value.offset; break;
      case Storage::output: address[v] = static_cast<unsigned char*>(outputs[size_t(value.index)].data()); break;
      case Storage::alias: address[v] = address[size_t(value.index)] + value.offset; break;  // defined before v
    }
  }
  std::vector<TensorView> in, out;
  for (const Step& step : plan.steps) {
    detail::poll_interrupt();
    in.clear();
    out.clear();
    for (int id : step.inputs) in.push_back(view_of(plan.values[size_t(id)], address[size_t(id)]));
    for (int id : step.outputs) out.push_back(view_of(plan.values[size_t(id)], address[size_t(id)]));
    const auto start = std::chrono::steady_clock::now();
    run_step(step, in, out);
    if (step_seconds)
      step_seconds->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

std::string describe(const Step& step) {
  std::ostringstream os;
  struct Describe {
    std::ostringstream& os;
    bool residual;  // a convolution's second input
    void operator()(const ConvStep& s) const {
      const auto& p = s.params;
      os << "conv2d " << s.weight.shape()[2] << "x" << s.weight.shape()[3];
      if (p.stride != std::array<int64_t, 2>{1, 1}) os << " stride " << p.stride[0] << "," << p.stride[1];
      if (p.padding != std::array<int64_t, 4>{0, 0, 0, 0})
        os << " pad " << p.padding[0] << "," << p.padding[1] << "," << p.padding[2] << "," << p.padding[3];
      if (p.dilation != std::array<int64_t, 2>{1, 1}) os << " dilation " << p.dilation[0] << "," << p.dilation[1];
      if (p.groups != 1) os << " groups " << p.groups;
      if (p.winograd) os << " winograd";
      if (residual) os << " +residual";
      if (p.activation != Epilogue::none) os << " +" << epilogue_name(p.activation);
      if (p.pool_kernel[0]) os << " +max_pool2d " << p.pool_kernel[0] << "x" << p.pool_kernel[1];
    }
    void operator()(const ConvTransposeStep& s) const {
      os << "conv_transpose2d " << s.weight.shape()[2] << "x" << s.weight.shape()[3] << " stride "
         << s.params.stride[0] << "," << s.params.stride[1];
      if (s.params.groups != 1) os << " groups " << s.params.groups;
    }
    void operator()(const BinaryStep& s) const {
      os << binary_op_name(s.op);
      if (s.activation != Epilogue::none) os << " +" << epilogue_name(s.activation);
    }
    void operator()(const ConcatStep& s) const { os << "concat axis " << s.axis; }
    void operator()(const TransposeStep&) const { os << "transpose"; }
    void operator()(const SliceStep&) const { os << "slice"; }
    void operator()(const PadStep&) const { os << "pad"; }
    void operator()(const ResizeStep& s) const {
      os << "resize " << (s.params.mode == ResizeMode::nearest ? "nearest" : "linear");
    }
    void operator()(const LinearStep& s) const {
      os << "linear " << s.weight.shape()[1] << "->" << s.weight.shape()[0];
      if (s.activation != Epilogue::none) os << " +" << epilogue_name(s.activation);
    }
    void operator()(const MaxPoolStep& s) const { os << "max_pool2d " << s.params.kernel[0] << "x" << s.params.kernel[1]; }
    void operator()(const AvgPoolStep& s) const { os << "avg_pool2d " << s.params.kernel[0] << "x" << s.params.kernel[1]; }
    void operator()(const GlobalPoolStep& s) const { os << (s.max ? "adaptive_max_pool2d 1" : "adaptive_avg_pool2d 1"); }
    void operator()(const ActivationStep& s) const { os << activation_name(s.kind); }
    void operator()(const PReluStep&) const { os << "prelu"; }
    void operator()(const SoftmaxStep& s) const { os << (s.log ? "log_softmax" : "softmax") << " axis " << s.axis; }
    void operator()(const BatchNormStep&) const { os << "batch_norm"; }
    void operator()(const CopyStep&) const { os << "copy"; }
  };
  std::visit(Describe{os, step.inputs.size() > 1}, step.args);
  return os.str();
}

}  // namespace cvcore::model
