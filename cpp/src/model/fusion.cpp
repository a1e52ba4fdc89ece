// Fusion: steps merged into the step that produces their input, when that input is used by nothing
// else: a batch norm folded into the convolution before it (weights rescaled, equal up to float32
// rounding), an activation applied in a convolution's or linear layer's epilogue, and max pooling of
// a convolution's output in its pass (both bit for bit).
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
  return false;
}

}  // namespace

void fuse(Plan& plan) {
  const std::vector<int> uses = use_counts(plan);
  std::map<int, size_t> producer;  // value id -> index of the step writing it
  std::vector<bool> removed(plan.steps.size(), false);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    Step& step = plan.steps[i];
    if (step.inputs.size() == 1 && step.outputs.size() == 1) {
      const auto it = producer.find(step.inputs[0]);
      if (it != producer.end() && uses[size_t(step.inputs[0])] == 1) {
        Step& p = plan.steps[it->second];
        if (merge(p, step)) {
          p.outputs = step.outputs;
          p.nodes.insert(p.nodes.end(), step.nodes.begin(), step.nodes.end());
          producer.erase(it);
          producer[step.outputs[0]] = size_t(&p - plan.steps.data());
          removed[i] = true;
          continue;
        }
      }
    }
    for (int id : step.outputs) producer[id] = i;
  }
  std::vector<Step> kept;
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (!removed[i]) kept.push_back(std::move(plan.steps[i]));
  plan.steps = std::move(kept);
}

}  // namespace cvcore::model
