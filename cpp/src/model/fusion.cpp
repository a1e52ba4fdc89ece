// Fusion: steps merged into the step that produces their input, when that input is used by nothing
// else: a batch norm folded into the convolution before it (weights rescaled, equal up to float32
// rounding); an activation applied in a convolution's, linear layer's or addition's epilogue, max
// pooling of a convolution's output in its pass, and an addition of the convolution's output to
// another tensor as its residual (all bit for bit); x * sigmoid(x) as silu and x * hardsigmoid(x) as
// hardswish (within their kernels' few-ulp accuracy).
#include <algorithm>
#include <map>

#include "cvcore/norm.hpp"
#include "model/plan.hpp"

namespace cvcore::model {
namespace {

// How many times each value is read (by steps and as a graph output); reads through a reshape count
// for the value reshaped.
std::vector<int> use_counts(const Plan& plan) {
  std::vector<int> uses(plan.values.size(), 0);
  auto use = [&](int id) {
    for (int v = id; v >= 0; v = plan.values[size_t(v)].storage == Storage::alias ? plan.values[size_t(v)].index : -1)
      ++uses[size_t(v)];
  };
  for (const Step& s : plan.steps)
    for (int id : s.inputs) use(id);
  for (int id : plan.outputs) use(id);
  return uses;
}

// The batch norm folded into the convolution's weights and bias.
bool fold_batch_norm_into(ConvStep& conv, const BatchNormStep& bn) {
  if (conv.params.activation != Epilogue::none) return false;
  const int64_t out_channels = conv.weight.shape()[0];
  Tensor weight(DType::float32, conv.weight.shape(), "a folded weight");
  Tensor bias(DType::float32, {out_channels}, "a folded bias");
  fold_batch_norm(conv.weight.view(), conv.bias.defined() ? conv.bias.view() : TensorView{}, bn.mean.view(),
                  bn.var.view(), bn.scale.view(), bn.bias.view(), bn.eps, weight.view(), bias.view());
  conv.weight = weight;
  conv.bias = bias;
  return true;
}

// Max pooling of the convolution's activated output in the convolution's pass (conv2d's pooling
// takes windows without padding or dilation).
bool pool_into(ConvStep& conv, const MaxPool2dParams& pool) {
  if (pool.padding != std::array<int64_t, 2>{0, 0} || pool.dilation != std::array<int64_t, 2>{1, 1}) return false;
  conv.params.pool_kernel = pool.kernel;
  conv.params.pool_stride = pool.stride;
  conv.params.pool_ceil_mode = pool.ceil_mode;
  return true;
}

// The activation as an epilogue: relu, relu6, and leaky_relu as prelu with one slope.
bool epilogue_of(const ActivationStep& a, Epilogue* kind, Tensor* slope) {
  switch (a.kind) {
    case Activation::relu: *kind = Epilogue::relu; return true;
    case Activation::relu6: *kind = Epilogue::relu6; return true;
    case Activation::leaky_relu:
      *kind = Epilogue::prelu;
      *slope = Tensor(DType::float32, {1}, "a slope");
      *slope->ptr<float>() = float(a.params.negative_slope);
      // leaky_relu rounds slope * x once from the double slope; as a float32 slope the product is the
      // same only when the slope is a float32 value (ONNX's alpha is).
      return double(*slope->ptr<float>()) == a.params.negative_slope;
    default: return false;
  }
}

// The step merged into `producer` (which computes its input), or false when it cannot be.
bool merge(Step& producer, const Step& step) {
  if (auto* conv = std::get_if<ConvStep>(&producer.args)) {
    if (conv->params.pool_kernel[0] != 0) return false;  // pooled: nothing more can follow in its pass
    if (const auto* pool = std::get_if<MaxPoolStep>(&step.args)) return pool_into(*conv, pool->params);
    if (const auto* bn = std::get_if<BatchNormStep>(&step.args)) return fold_batch_norm_into(*conv, *bn);
    if (conv->params.activation != Epilogue::none) return false;
    if (const auto* a = std::get_if<ActivationStep>(&step.args))
      return epilogue_of(*a, &conv->params.activation, &conv->prelu_weight);
    if (const auto* p = std::get_if<PReluStep>(&step.args)) {
      conv->params.activation = Epilogue::prelu;
      conv->prelu_weight = p->slope;
      return true;
    }
  }
  if (auto* linear = std::get_if<LinearStep>(&producer.args)) {
    if (linear->activation != Epilogue::none) return false;
    if (const auto* a = std::get_if<ActivationStep>(&step.args))
      return epilogue_of(*a, &linear->activation, &linear->prelu_weight);
  }
  if (auto* binary = std::get_if<BinaryStep>(&producer.args)) {
    const auto* a = std::get_if<ActivationStep>(&step.args);
    Tensor unused;
    return binary->activation == Epilogue::none && a && a->kind != Activation::leaky_relu &&
           epilogue_of(*a, &binary->activation, &unused);
  }
  return false;
}

// The steps of a plan being fused: which step writes each value, and how often each value is read.
struct Fusion {
  Plan& plan;
  std::vector<int> uses;
  std::map<int, size_t> producer;  // value id -> index of the step writing it

  // The step producing value v when v is read once (by the step being fused) and written by a step.
  Step* sole_producer(int v) {
    const auto it = producer.find(v);
    return it != producer.end() && uses[size_t(v)] == 1 ? &plan.steps[it->second] : nullptr;
  }
  // Whether value v is available before step `at` (a constant, an input, or an earlier step's output).
  bool available_before(int v, size_t at) const {
    const auto it = producer.find(v);
    return it == producer.end() || it->second < at;
  }
  // `step` computed by `into` from now on: into writes step's outputs.
  void absorb(Step& into, const Step& step) {
    into.outputs = step.outputs;
    into.nodes.insert(into.nodes.end(), step.nodes.begin(), step.nodes.end());
    for (int id : step.outputs) producer[id] = size_t(&into - plan.steps.data());
  }
};

// Add(conv(x), r) with r of the output's shape: r becomes the convolution's residual (bit for bit:
// the same float32 sum), when r is ready before the convolution runs.
bool merge_residual(Fusion& f, const Step& add) {
  const auto* b = std::get_if<BinaryStep>(&add.args);
  if (!b || b->op != BinaryOp::add || b->activation != Epilogue::none) return false;
  for (int side = 0; side < 2; ++side) {
    const int conv_out = add.inputs[size_t(side)], other = add.inputs[size_t(1 - side)];
    Step* producer = f.sole_producer(conv_out);
    if (!producer || conv_out == other) continue;
    auto* conv = std::get_if<ConvStep>(&producer->args);
    const auto& shape = f.plan.values[size_t(add.outputs[0])].shape;
    if (!conv || producer->inputs.size() != 1 || conv->params.activation != Epilogue::none ||
        conv->params.pool_kernel[0] != 0 || f.plan.values[size_t(other)].shape != shape ||
        f.plan.values[size_t(conv_out)].shape != shape ||
        !f.available_before(other, size_t(producer - f.plan.steps.data())))
      continue;
    producer->inputs.push_back(other);
    f.absorb(*producer, add);
    return true;
  }
  return false;
}

// Mul(x, sigmoid(x)) as silu and Mul(x, hardsigmoid(x)) with PyTorch's constants as hardswish: the
// gate's step computes the product.
bool merge_gate(Fusion& f, const Step& mul) {
  const auto* b = std::get_if<BinaryStep>(&mul.args);
  if (!b || b->op != BinaryOp::mul || b->activation != Epilogue::none) return false;
  for (int side = 0; side < 2; ++side) {
    Step* gate = f.sole_producer(mul.inputs[size_t(side)]);
    if (!gate || gate->inputs[0] != mul.inputs[size_t(1 - side)]) continue;
    auto* a = std::get_if<ActivationStep>(&gate->args);
    if (!a) continue;
    if (a->kind == Activation::sigmoid) {
      a->kind = Activation::silu;
    } else if (a->kind == Activation::hardsigmoid && float(a->params.hardsigmoid_alpha) == float(1.0 / 6.0) &&
               a->params.hardsigmoid_beta == 0.5) {
      a->kind = Activation::hardswish;
    } else {
      continue;
    }
    f.absorb(*gate, mul);
    return true;
  }
  return false;
}

}  // namespace

void choose_algorithms(Plan& plan, const ModelOptions& options) {
  if (!options.winograd) return;
  for (Step& step : plan.steps) {
    auto* conv = std::get_if<ConvStep>(&step.args);
    if (!conv) continue;
    const auto& w = conv->weight.shape();
    const auto& out = plan.values[size_t(step.outputs[0])].shape;
    const Conv2dParams& p = conv->params;
    // Where F(2x2, 3x3) measured faster than the GEMM (few channels, large maps); deeper layers on
    // small maps are faster direct.
    conv->params.winograd = w[2] == 3 && w[3] == 3 && p.stride == std::array<int64_t, 2>{1, 1} &&
                            p.dilation == std::array<int64_t, 2>{1, 1} && p.groups == 1 && w[1] <= 128 &&
                            p.pool_kernel[0] == 0 && out[2] * out[3] >= 28 * 28;
  }
}

void fuse(Plan& plan) {
  Fusion f{plan, use_counts(plan), {}};
  std::vector<bool> removed(plan.steps.size(), false);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    Step& step = plan.steps[i];
    if (step.outputs.size() == 1) {
      Step* p = step.inputs.size() == 1 ? f.sole_producer(step.inputs[0]) : nullptr;
      if ((p && merge(*p, step)) || (step.inputs.size() == 2 && (merge_residual(f, step) || merge_gate(f, step)))) {
        if (p) f.absorb(*p, step);
        removed[i] = true;
        continue;
      }
    }
    for (int id : step.outputs) f.producer[id] = i;
  }
  std::vector<Step> kept;
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (!removed[i]) kept.push_back(std::move(plan.steps[i]));
  plan.steps = std::move(kept);
}

}  // namespace cvcore::model
