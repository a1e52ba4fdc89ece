// Lowering: each ONNX node of the graph, checked against the operator's definition at the graph's
// opset, becomes a step (a cvcore op call) on values whose shapes are computed here; a node whose
// inputs are all known while planning is computed right away (the shape sub-graphs exporters emit
// fold to constants). Anything cvcore does not run exactly is a ValueError naming the node.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numeric>

#include "checks.hpp"
#include "cvcore/linear.hpp"
#include "cvcore/norm.hpp"
#include "model/plan.hpp"

namespace cvcore::model {

namespace {

// The ONNX TensorProto data types cvcore holds.
DType onnx_dtype(int64_t code, const std::string& where) {
  switch (code) {
    case 1: return DType::float32;
    case 2: return DType::uint8;
    case 6: return DType::int32;
    case 7: return DType::int64;
    case 11: return DType::float64;
  }
  throw ValueError(detail::concat(where, ": data type ", code,
                                  " is not supported (cvcore holds float (1), uint8 (2), int32 (6), int64 (7), double (11))"));
}

int64_t product(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d) n = checked_mul(n, shape[d], "shape");
  return n;
}

// The values of a constant integer tensor (int64 or int32) as int64.
std::vector<int64_t> integers(const Tensor& t) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = t.dtype() == DType::int64 ? t.ptr<int64_t>()[i] : int64_t(t.ptr<int32_t>()[i]);
  return out;
}

// An element of any dtype as a double, and back (folded arithmetic on small constants).
double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::float32: return t.ptr<float>()[i];
    case DType::float64: return t.ptr<double>()[i];
    case DType::int32: return t.ptr<int32_t>()[i];
    case DType::int64: return double(t.ptr<int64_t>()[i]);
    case DType::uint8: return t.ptr<uint8_t>()[i];
  }
  return 0.0;
}

class Lowering;

// One node being lowered: its inputs, attributes and outputs, with messages that name it.
class NodeContext {
 public:
  NodeContext(Lowering& lowering, const Node& node, size_t position) : L(lowering), node(node), position(position) {}

  std::string where() const;
  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw ValueError(detail::concat(where(), ": ", args...));
  }

  int64_t opset() const;
  bool has_input(size_t i) const { return i < node.inputs.size() && !node.inputs[i].empty(); }
  int input_id(size_t i) const;
  const Value& input(size_t i) const;
  // A constant input (a weight, a shape): ValueError when it is computed at run time.
  const Tensor& constant_input(size_t i, const char* what) const;

  bool has(const char* name) const { return node.attributes.count(name) > 0; }
  int64_t attr_int(const char* name, int64_t fallback) const;
  double attr_float(const char* name, double fallback) const;
  std::string attr_string(const char* name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const char* name, std::vector<int64_t> fallback) const;
  // Attributes outside `known` are not supported: ValueError naming the first.
  void only_attributes(std::initializer_list<const char*> known) const;
  // At most `count` outputs are used (the others are optional outputs cvcore does not compute).
  void at_most_outputs(size_t count) const;

  // Defines output i as computed by a step, as a constant, or as input `of` seen with another shape.
  int output(size_t i, DType dtype, std::vector<int64_t> shape) const;
  void constant_output(size_t i, Tensor value) const;
  void alias_output(size_t i, int of, std::vector<int64_t> shape) const;
  // Adds the step computing this node (or computes it now when every input is known).
  void step(StepArgs args, std::vector<int> inputs, std::vector<int> outputs) const;

  Lowering& L;
  const Node& node;
  size_t position;
};

class Lowering {
 public:
  Lowering(const Graph& graph) : graph(graph) {}

  int add_value(Value v) {
    const std::string name = v.name;
    plan.values.push_back(std::move(v));
    const int id = int(plan.values.size() - 1);
    if (!name.empty()) ids[name] = id;
    return id;
  }

  const Graph& graph;
  Plan plan;
  std::map<std::string, int> ids;
};

std::string NodeContext::where() const {
  std::string name = node.name.empty() ? "#" + std::to_string(position) : "'" + node.name + "'";
  return detail::concat("onnx node ", name, " (", node.op_type, ", opset ", L.graph.opset, ")");
}

int64_t NodeContext::opset() const { return L.graph.opset; }

int NodeContext::input_id(size_t i) const {
  if (!has_input(i)) fail("input ", i, " is required");
  const auto it = L.ids.find(node.inputs[i]);
  if (it == L.ids.end()) fail("input '", node.inputs[i], "' is neither a graph input, an initializer nor an earlier node's output");
  return it->second;
}

const Value& NodeContext::input(size_t i) const { return L.plan.values[size_t(input_id(i))]; }

const Tensor& NodeContext::constant_input(size_t i, const char* what) const {
  const Value& v = input(i);
  if (!v.is_constant())
    fail("input ", i, " ('", v.name, "', ", what, ") must be known when the model is planned (an initializer or computed from the input shapes); it is computed at run time");
  return v.constant;
}

int64_t NodeContext::attr_int(const char* name, int64_t fallback) const {
  const auto it = node.attributes.find(name);
  if (it == node.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::int64) fail("attribute '", name, "' must be an integer");
  return it->second.i;
}

double NodeContext::attr_float(const char* name, double fallback) const {
  const auto it = node.attributes.find(name);
  if (it == node.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::float64) fail("attribute '", name, "' must be a float");
  return it->second.f;
}

std::string NodeContext::attr_string(const char* name, const std::string& fallback) const {
  const auto it = node.attributes.find(name);
  if (it == node.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::string) fail("attribute '", name, "' must be a string");
  return it->second.s;
}

std::vector<int64_t> NodeContext::attr_ints(const char* name, std::vector<int64_t> fallback) const {
  const auto it = node.attributes.find(name);
  if (it == node.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::ints) fail("attribute '", name, "' must be a list of integers");
  return it->second.ints;
}

void NodeContext::only_attributes(std::initializer_list<const char*> known) const {
  for (const auto& [name, value] : node.attributes)
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return name == k; }))
      fail("attribute '", name, "' is not supported");
}

void NodeContext::at_most_outputs(size_t count) const {
  for (size_t i = count; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty()) fail("output ", i, " ('", node.outputs[i], "') is not supported");
}

int NodeContext::output(size_t i, DType dtype, std::vector<int64_t> shape) const {
  if (i >= node.outputs.size() || node.outputs[i].empty()) fail("output ", i, " is required");
  Value v;
  v.name = node.outputs[i];
  v.dtype = dtype;
  v.shape = std::move(shape);
  return L.add_value(std::move(v));
}

void NodeContext::constant_output(size_t i, Tensor value) const {
  Value& v = L.plan.values[size_t(output(i, value.dtype(), value.shape()))];
  v.constant = std::move(value);
  v.storage = Storage::constant;
}

void NodeContext::alias_output(size_t i, int of, std::vector<int64_t> shape) const {
  const Value& source = L.plan.values[size_t(of)];
  if (product(shape, 0, shape.size()) != source.numel())
    fail("cannot view ", shape_string(source.shape), " as ", shape_string(shape));
  if (source.is_constant()) return constant_output(i, source.constant.reshaped(std::move(shape)));
  const int id = output(i, source.dtype, std::move(shape));
  Value& v = L.plan.values[size_t(id)];
  v.storage = Storage::alias;
  v.index = of;
}

void NodeContext::step(StepArgs args, std::vector<int> inputs, std::vector<int> outputs) const {
  Step s;
  s.inputs = std::move(inputs);
  s.outputs = std::move(outputs);
  s.nodes = {node.name.empty() ? node.op_type + " #" + std::to_string(position) : node.name};
  s.args = std::move(args);
  const bool known = std::all_of(s.inputs.begin(), s.inputs.end(),
                                 [&](int id) { return L.plan.values[size_t(id)].is_constant(); });
  if (!known) {
    L.plan.steps.push_back(std::move(s));
    return;
  }
  std::vector<TensorView> in, out;
  for (int id : s.inputs) in.push_back(L.plan.values[size_t(id)].constant.view());
  for (int id : s.outputs) {
    Value& v = L.plan.values[size_t(id)];
    v.constant = Tensor(v.dtype, v.shape, "a folded constant");
    v.storage = Storage::constant;
    out.push_back(v.constant.view());
  }
  run_step(s, in, out);
}

// A view of v for the ops' shape checks, which read no data: its pointer points at nothing of v's.
TensorView shape_view(const Value& v) {
  alignas(64) static unsigned char placeholder[64];
  return view_of(v, placeholder);
}

// --- Shared attribute rules.

// A 4-D NCHW input (the 2-D convolutions and poolings).
const Value& image_input(const NodeContext& n) {
  const Value& x = n.input(0);
  if (x.shape.size() != 4)
    n.fail("input '", x.name, "' must have 4 dimensions (N, C, H, W), got shape ", shape_string(x.shape),
           " (cvcore runs 2-D convolutions and poolings)");
  if (x.dtype != DType::float32) n.fail("input '", x.name, "' must be float32, got ", dtype_name(x.dtype));
  return x;
}

// A pair of per-axis attributes (kernel_shape, strides, dilations) of a 2-D window op.
std::array<int64_t, 2> pair_attr(const NodeContext& n, const char* name, std::array<int64_t, 2> fallback) {
  const std::vector<int64_t> v = n.attr_ints(name, {fallback[0], fallback[1]});
  if (v.size() != 2) n.fail("attribute '", name, "' must have 2 values (a 2-D window), got ", v.size());
  return {v[0], v[1]};
}

// The pads (top, left, bottom, right) of a 2-D window op from `pads` or `auto_pad`, ONNX's rules.
std::array<int64_t, 4> window_pads(const NodeContext& n, const Value& x, std::array<int64_t, 2> kernel,
                                   std::array<int64_t, 2> stride, std::array<int64_t, 2> dilation) {
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> p = n.attr_ints("pads", {0, 0, 0, 0});
    if (p.size() != 4) n.fail("attribute 'pads' must have 4 values (a 2-D window), got ", p.size());
    return {p[0], p[1], p[2], p[3]};
  }
  if (n.has("pads")) n.fail("attributes 'pads' and 'auto_pad' = '", auto_pad, "' cannot both be given");
  if (auto_pad == "VALID") return {0, 0, 0, 0};
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
    n.fail("attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '", auto_pad, "'");
  std::array<int64_t, 4> pads{};
  for (int a = 0; a < 2; ++a) {
    if (stride[a] < 1 || dilation[a] < 1 || kernel[a] < 1) n.fail("kernel, strides and dilations must be >= 1");
    const int64_t size = x.shape[size_t(2 + a)];
    const int64_t out = (size + stride[a] - 1) / stride[a];
    const int64_t extent = dilation[a] * (kernel[a] - 1) + 1;
    const int64_t total = std::max<int64_t>(0, (out - 1) * stride[a] + extent - size);
    const int64_t small = total / 2, large = total - small;
    pads[size_t(a)] = auto_pad == "SAME_UPPER" ? small : large;
    pads[size_t(a + 2)] = auto_pad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

// The kernel size of a pooling node.
std::array<int64_t, 2> pool_kernel(const NodeContext& n) {
  if (!n.has("kernel_shape")) n.fail("attribute 'kernel_shape' is required");
  return pair_attr(n, "kernel_shape", {1, 1});
}

// Poolings take one padding per axis on both sides.
std::array<int64_t, 2> symmetric_pads(const NodeContext& n, const std::array<int64_t, 4>& pads) {
  if (pads[0] != pads[2] || pads[1] != pads[3])
    n.fail("pads (", pads[0], ", ", pads[1], ", ", pads[2], ", ", pads[3],
           ") are not supported: a pooling's padding must be the same at the beginning and end of an axis");
  return {pads[0], pads[1]};
}

std::vector<int64_t> shape_of(const std::array<int64_t, 4>& s) { return {s[0], s[1], s[2], s[3]}; }

// The (C,) slopes of a constant PRelu slope broadcast against NCHW (C,1,1), (1,C,1,1), (C,), (1,) ...
Tensor channel_vector(const NodeContext& n, const Tensor& t, int64_t channels, const char* what) {
  const auto& s = t.shape();
  const int64_t count = t.numel();
  // Broadcast against (N, C, ...) from the right: the one dimension above 1 must be the channel axis.
  bool ok = count == 1;
  if (!ok && count == channels && !s.empty()) {
    int64_t trailing = 0;
    size_t d = s.size();
    while (d > 0 && s[d - 1] == 1) --d, ++trailing;
    ok = d > 0 && s[d - 1] == channels && (d == 1 || product(s, 0, d - 1) == 1);
    // The channel axis of an NCHW tensor has 2 axes after it.
    ok = ok && trailing == 2;
  }
  if (!ok) n.fail(what, " of shape ", shape_string(s), " is not one value nor one per channel of ", channels, " channels");
  Tensor out(DType::float32, {count}, what);
  for (int64_t i = 0; i < count; ++i) out.ptr<float>()[i] = float(element(t, i));
  return out;
}

// --- Operators.

// A convolution's constant weights (4-D, laid out as `layout` says), its optional constant bias, and
// its kernel size, which a kernel_shape attribute must match.
std::array<int64_t, 2> window_weights(const NodeContext& n, const char* layout, Tensor* weight, Tensor* bias) {
  const Tensor& w = n.constant_input(1, "the weights");
  if (w.shape().size() != 4) n.fail("weights must have 4 dimensions ", layout, ", got ", shape_string(w.shape()));
  *weight = w;
  if (n.has_input(2)) *bias = n.constant_input(2, "the bias");
  const std::array<int64_t, 2> kernel{w.shape()[2], w.shape()[3]};
  if (n.has("kernel_shape") && pair_attr(n, "kernel_shape", kernel) != kernel)
    n.fail("attribute 'kernel_shape' does not match the weights' ", shape_string(w.shape()));
  return kernel;
}

void lower_conv(const NodeContext& n) {
  n.only_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value& x = image_input(n);
  ConvStep c;
  const std::array<int64_t, 2> kernel = window_weights(n, "(O, C / group, kH, kW)", &c.weight, &c.bias);
  c.params.stride = pair_attr(n, "strides", {1, 1});
  c.params.dilation = pair_attr(n, "dilations", {1, 1});
  c.params.groups = n.attr_int("group", 1);
  c.params.padding = window_pads(n, x, kernel, c.params.stride, c.params.dilation);
  const auto shape = conv2d_output_shape(shape_view(x), c.weight.view(),
                                         c.bias.defined() ? c.bias.view() : TensorView{}, c.params);
  const int y = n.output(0, DType::float32, shape_of(shape));
  n.step(std::move(c), {n.input_id(0)}, {y});
}

void lower_batch_norm(const NodeContext& n) {
  n.only_attributes({"epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs"});
  if (n.attr_int("training_mode", 0) != 0) n.fail("attribute 'training_mode' = 1 is not supported (inference only)");
  if (n.attr_int("spatial", 1) != 1) n.fail("attribute 'spatial' = 0 is not supported");
  n.at_most_outputs(1);
  const Value& x = n.input(0);
  BatchNormStep b;
  b.scale = n.constant_input(1, "scale");
  b.bias = n.constant_input(2, "B");
  b.mean = n.constant_input(3, "input_mean");
  b.var = n.constant_input(4, "input_var");
  b.eps = n.attr_float("epsilon", 1e-5);
  check_batch_norm(shape_view(x), b.mean.view(), b.var.view(), b.scale.view(), b.bias.view(), b.eps);
  const int y = n.output(0, x.dtype, x.shape);
  n.step(std::move(b), {n.input_id(0)}, {y});
}

void lower_activation(const NodeContext& n, Activation kind, ActivationParams params) {
  const Value& x = n.input(0);
  check_activation(shape_view(x), kind, params);
  const int y = n.output(0, x.dtype, x.shape);
  n.step(ActivationStep{kind, params}, {n.input_id(0)}, {y});
}

void lower_unary(const NodeContext& n) {
  const std::string& op = n.node.op_type;
  ActivationParams p;
  if (op == "LeakyRelu") {
    n.only_attributes({"alpha"});
    p.negative_slope = n.attr_float("alpha", 0.01);
    return lower_activation(n, Activation::leaky_relu, p);
  }
  if (op == "Elu") {
    n.only_attributes({"alpha"});
    p.alpha = n.attr_float("alpha", 1.0);
    return lower_activation(n, Activation::elu, p);
  }
  if (op == "Selu") {
    n.only_attributes({"alpha", "gamma"});
    // cvcore's selu has the standard constants, which are ONNX's defaults (as float32 attributes).
    if (float(n.attr_float("alpha", 1.67326319217681884765625)) != 1.67326319217681884765625f ||
        float(n.attr_float("gamma", 1.05070102214813232421875)) != 1.05070102214813232421875f)
      n.fail("attributes 'alpha' and 'gamma' other than the defaults (1.6732632, 1.0507010) are not supported");
    return lower_activation(n, Activation::selu, p);
  }
  if (op == "HardSigmoid") {
    n.only_attributes({"alpha", "beta"});
    p.hardsigmoid_alpha = n.attr_float("alpha", 0.2);
    p.hardsigmoid_beta = n.attr_float("beta", 0.5);
    return lower_activation(n, Activation::hardsigmoid, p);
  }
  if (op == "Gelu") {
    n.only_attributes({"approximate"});
    return lower_activation(n, parse_gelu_approximate(n.attr_string("approximate", "none")), p);
  }
  n.only_attributes({});
  static const std::map<std::string, Activation> plain = {
      {"Relu", Activation::relu},       {"Sigmoid", Activation::sigmoid}, {"Tanh", Activation::tanh},
      {"Softplus", Activation::softplus}, {"Mish", Activation::mish},     {"HardSwish", Activation::hardswish}};
  lower_activation(n, plain.at(op), p);
}

void lower_clip(const NodeContext& n) {
  // A bound left out is float32's largest magnitude, as onnxruntime takes it (so +-inf are clamped).
  double lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (n.opset() < 11) {
    n.only_attributes({"min", "max"});
    lo = n.attr_float("min", lo);
    hi = n.attr_float("max", hi);
  } else {
    n.only_attributes({});
    if (n.has_input(1)) lo = element(n.constant_input(1, "min"), 0);
    if (n.has_input(2)) hi = element(n.constant_input(2, "max"), 0);
  }
  // (0, 6) as ReLU6, which the convolutions' epilogues apply.
  if (lo == 0.0 && hi == 6.0) return lower_activation(n, Activation::relu6, {});
  ActivationParams p;
  p.clip_min = lo;
  p.clip_max = hi;
  lower_activation(n, Activation::clip, p);
}

void lower_prelu(const NodeContext& n) {
  n.only_attributes({});
  const Value& x = n.input(0);
  if (x.shape.size() != 4) n.fail("input must have 4 dimensions (N, C, H, W), got ", shape_string(x.shape));
  PReluStep p{channel_vector(n, n.constant_input(1, "slope"), x.shape[1], "slope")};
  const int y = n.output(0, x.dtype, x.shape);
  n.step(std::move(p), {n.input_id(0)}, {y});
}

void lower_softmax(const NodeContext& n) {
  n.only_attributes({"axis"});
  const Value& x = n.input(0);
  const int64_t rank = int64_t(x.shape.size());
  SoftmaxStep s;
  s.log = n.node.op_type == "LogSoftmax";
  int64_t axis = n.attr_int("axis", n.opset() < 13 ? 1 : -1);
  if (axis < -rank || axis >= rank) n.fail("attribute 'axis' must be in [", -rank, ", ", rank, "), got ", axis);
  if (axis < 0) axis += rank;
  if (n.opset() < 13) {  // the input seen as 2-D: (product of the axes before, product of the others)
    s.view_shape = {product(x.shape, 0, size_t(axis)), product(x.shape, size_t(axis), x.shape.size())};
    s.axis = 1;
  } else {
    s.axis = axis;
  }
  const int y = n.output(0, x.dtype, x.shape);
  n.step(std::move(s), {n.input_id(0)}, {y});
}

void lower_max_pool(const NodeContext& n) {
  n.only_attributes({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  n.at_most_outputs(1);
  const Value& x = image_input(n);
  MaxPoolStep m;
  m.params.kernel = pool_kernel(n);
  m.params.stride = pair_attr(n, "strides", {1, 1});
  m.params.dilation = pair_attr(n, "dilations", {1, 1});
  m.params.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  m.params.padding = symmetric_pads(n, window_pads(n, x, m.params.kernel, m.params.stride, m.params.dilation));
  const auto shape = max_pool2d_output_shape(shape_view(x), m.params);
  const int y = n.output(0, DType::float32, shape_of(shape));
  n.step(std::move(m), {n.input_id(0)}, {y});
}

void lower_average_pool(const NodeContext& n) {
  n.only_attributes({"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"});
  const Value& x = image_input(n);
  AvgPoolStep a;
  a.params.kernel = pool_kernel(n);
  a.params.stride = pair_attr(n, "strides", {1, 1});
  if (pair_attr(n, "dilations", {1, 1}) != std::array<int64_t, 2>{1, 1})
    n.fail("attribute 'dilations' other than (1, 1) is not supported");
  a.params.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  a.params.count_include_pad = n.attr_int("count_include_pad", 0) != 0;
  a.params.padding = symmetric_pads(n, window_pads(n, x, a.params.kernel, a.params.stride, {1, 1}));
  const auto shape = avg_pool2d_output_shape(shape_view(x), a.params);
  const int y = n.output(0, DType::float32, shape_of(shape));
  n.step(std::move(a), {n.input_id(0)}, {y});
}

void lower_global_pool(const NodeContext& n) {
  n.only_attributes({});
  const Value& x = image_input(n);
  const int y = n.output(0, DType::float32, {x.shape[0], x.shape[1], 1, 1});
  n.step(GlobalPoolStep{n.node.op_type == "GlobalMaxPool"}, {n.input_id(0)}, {y});
}

// y = x @ weight^T + bias with weight (N, K) from a constant; x (..., K).
void add_linear(const NodeContext& n, const Value& x, Tensor weight, Tensor bias) {
  if (x.dtype != DType::float32) n.fail("input '", x.name, "' must be float32, got ", dtype_name(x.dtype));
  const auto shape = linear_output_shape(shape_view(x), weight.view(), bias.defined() ? bias.view() : TensorView{});
  LinearStep l;
  l.weight = std::move(weight);
  l.bias = std::move(bias);
  const int y = n.output(0, DType::float32, shape);
  n.step(std::move(l), {n.input_id(0)}, {y});
}

// A constant matrix as a float32 weight: m, or its transpose when `transpose`, times `scale`.
Tensor weight_matrix(const Tensor& m, bool transpose, double scale) {
  const int64_t rows = m.shape()[0], cols = m.shape()[1];
  Tensor t(DType::float32, transpose ? std::vector<int64_t>{cols, rows} : std::vector<int64_t>{rows, cols}, "a weight");
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      t.ptr<float>()[transpose ? c * rows + r : r * cols + c] = float(scale * element(m, r * cols + c));
  return t;
}

void lower_gemm(const NodeContext& n) {
  n.only_attributes({"alpha", "beta", "transA", "transB"});
  const Value& a = n.input(0);
  const Tensor& b = n.constant_input(1, "B");
  const double alpha = n.attr_float("alpha", 1.0), beta = n.attr_float("beta", 1.0);
  if (n.attr_int("transA", 0) != 0) n.fail("attribute 'transA' = 1 is not supported");
  if (a.shape.size() != 2) n.fail("input A must have 2 dimensions, got ", shape_string(a.shape));
  if (b.shape().size() != 2) n.fail("input B must have 2 dimensions, got ", shape_string(b.shape()));
  const bool trans_b = n.attr_int("transB", 0) != 0;
  // weight (N, K): B itself when transposed, else B^T; alpha folded into it.
  Tensor weight = weight_matrix(b, !trans_b, alpha);
  const int64_t outputs = weight.shape()[0];
  Tensor bias;
  if (n.has_input(2)) {
    const Tensor& c = n.constant_input(2, "C");
    const int64_t count = c.numel();
    if (!(count == 1 || (count == outputs && c.shape().back() == outputs)))
      n.fail("input C of shape ", shape_string(c.shape()), " is not supported: it must be one value or one per output (", outputs, ")");
    bias = Tensor(DType::float32, {outputs}, "a bias");
    for (int64_t j = 0; j < outputs; ++j) bias.ptr<float>()[j] = float(beta * element(c, count == 1 ? 0 : j));
  }
  add_linear(n, a, std::move(weight), std::move(bias));
}

void lower_matmul(const NodeContext& n) {
  n.only_attributes({});
  const Value& a = n.input(0);
  const Tensor& b = n.constant_input(1, "B");
  if (a.shape.size() < 2) n.fail("input A must have at least 2 dimensions, got ", shape_string(a.shape));
  if (b.shape().size() != 2) n.fail("input B must be a 2-D constant, got shape ", shape_string(b.shape()));
  add_linear(n, a, weight_matrix(b, true, 1.0), Tensor{});
}

// --- Views: the same bytes with another shape.

void lower_flatten(const NodeContext& n) {
  n.only_attributes({"axis"});
  const Value& x = n.input(0);
  const int64_t rank = int64_t(x.shape.size());
  int64_t axis = n.attr_int("axis", 1);
  if (axis < -rank || axis > rank) n.fail("attribute 'axis' must be in [", -rank, ", ", rank, "], got ", axis);
  if (axis < 0) axis += rank;
  n.alias_output(0, n.input_id(0), {product(x.shape, 0, size_t(axis)), product(x.shape, size_t(axis), x.shape.size())});
}

void lower_reshape(const NodeContext& n) {
  n.only_attributes({"allowzero"});
  const Value& x = n.input(0);
  const bool allow_zero = n.attr_int("allowzero", 0) != 0;
  std::vector<int64_t> shape = integers(n.constant_input(1, "the shape"));
  int64_t inferred = -1, known = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0 && !allow_zero) {
      if (d >= x.shape.size()) n.fail("shape ", shape_string(shape), " copies dimension ", d, " that input ", shape_string(x.shape), " does not have");
      shape[d] = x.shape[d];
    }
    if (shape[d] == -1) {
      if (inferred >= 0) n.fail("shape ", shape_string(shape), " has more than one -1");
      inferred = int64_t(d);
    } else if (shape[d] < 0) {
      n.fail("shape ", shape_string(shape), " has a negative size");
    } else {
      known = checked_mul(known, shape[d], "reshape");
    }
  }
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0) n.fail("cannot reshape ", shape_string(x.shape), " to ", shape_string(shape));
    shape[size_t(inferred)] = x.numel() / known;
  }
  n.alias_output(0, n.input_id(0), shape);
}

// The axes of Squeeze / Unsqueeze: an attribute before opset 13, an input since.
std::vector<int64_t> axes_argument(const NodeContext& n, int64_t rank, bool required) {
  std::vector<int64_t> axes;
  if (n.opset() < 13) {
    n.only_attributes({"axes"});
    if (required && !n.has("axes")) n.fail("attribute 'axes' is required");
    axes = n.attr_ints("axes", {});
  } else {
    n.only_attributes({});
    if (n.has_input(1)) axes = integers(n.constant_input(1, "the axes"));
    else if (required) n.fail("input 1 (the axes) is required");
  }
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank) n.fail("axis ", a, " is out of range for ", rank, " dimensions");
    if (a < 0) a += rank;
  }
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) n.fail("an axis is repeated");
  return sorted;
}

void lower_squeeze(const NodeContext& n) {
  const Value& x = n.input(0);
  const std::vector<int64_t> axes = axes_argument(n, int64_t(x.shape.size()), false);
  std::vector<int64_t> shape;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    const bool listed = std::binary_search(axes.begin(), axes.end(), int64_t(d));
    if (listed && x.shape[d] != 1) n.fail("cannot squeeze axis ", d, " of size ", x.shape[d]);
    if (!(listed || (axes.empty() && x.shape[d] == 1))) shape.push_back(x.shape[d]);
  }
  n.alias_output(0, n.input_id(0), shape);
}

void lower_unsqueeze(const NodeContext& n) {
  const Value& x = n.input(0);
  const int64_t rank = int64_t(x.shape.size());
  // Axes count in the output's dimensions.
  std::vector<int64_t> axes;
  {
    // axes_argument checks against the output's rank, which is known once the axes are counted.
    const std::vector<int64_t> raw = n.opset() < 13 ? n.attr_ints("axes", {}) : (n.has_input(1) ? integers(n.constant_input(1, "the axes")) : std::vector<int64_t>{});
    axes = axes_argument(n, rank + int64_t(raw.size()), true);
  }
  std::vector<int64_t> shape;
  size_t next = 0;
  for (int64_t d = 0; d < rank + int64_t(axes.size()); ++d)
    shape.push_back(std::binary_search(axes.begin(), axes.end(), d) ? 1 : x.shape[next++]);
  n.alias_output(0, n.input_id(0), shape);
}

void lower_identity(const NodeContext& n) {
  if (n.node.op_type == "Dropout") {
    n.only_attributes({"ratio", "seed", "is_test"});
    n.at_most_outputs(1);
    if (n.has_input(2) && element(n.constant_input(2, "training_mode"), 0) != 0)
      n.fail("training_mode = true is not supported (inference only)");
  } else {
    n.only_attributes({});
  }
  n.alias_output(0, n.input_id(0), n.input(0).shape);
}

// --- Constants and shape computations (computed while planning).

void lower_constant(const NodeContext& n) {
  if (n.node.attributes.size() != 1) n.fail("exactly one attribute must give the value");
  const auto& [name, a] = *n.node.attributes.begin();
  Tensor t;
  if (name == "value") {
    if (a.kind != Attribute::Kind::tensor) n.fail("attribute 'value' must be a tensor");
    t = a.t;
  } else if (name == "value_float" || name == "value_int") {
    t = name == "value_int" ? Tensor(DType::int64, {}, "a constant") : Tensor(DType::float32, {}, "a constant");
    if (name == "value_int") *t.ptr<int64_t>() = n.attr_int("value_int", 0);
    else *t.ptr<float>() = float(n.attr_float("value_float", 0.0));
  } else if (name == "value_ints") {
    const std::vector<int64_t> v = n.attr_ints("value_ints", {});
    t = Tensor(DType::int64, {int64_t(v.size())}, "a constant");
    std::copy(v.begin(), v.end(), t.ptr<int64_t>());
  } else if (name == "value_floats") {
    if (a.kind != Attribute::Kind::floats) n.fail("attribute 'value_floats' must be a list of floats");
    t = Tensor(DType::float32, {int64_t(a.floats.size())}, "a constant");
    for (size_t i = 0; i < a.floats.size(); ++i) t.ptr<float>()[i] = float(a.floats[i]);
  } else {
    n.fail("attribute '", name, "' is not supported");
  }
  n.constant_output(0, t);
}

void lower_shape(const NodeContext& n) {
  n.only_attributes({"start", "end"});
  const Value& x = n.input(0);
  const int64_t rank = int64_t(x.shape.size());
  auto clamp = [&](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t(0), rank); };
  const int64_t begin = clamp(n.attr_int("start", 0)), end = clamp(n.attr_int("end", rank));
  const int64_t count = std::max<int64_t>(end - begin, 0);
  Tensor t(DType::int64, {count}, "a shape");
  for (int64_t i = 0; i < count; ++i) t.ptr<int64_t>()[i] = x.shape[size_t(begin + i)];
  n.constant_output(0, t);
}

void lower_cast(const NodeContext& n) {
  n.only_attributes({"to", "saturate"});
  const DType to = onnx_dtype(n.attr_int("to", 1), n.where());
  const Value& x = n.input(0);
  if (x.dtype == to) return n.alias_output(0, n.input_id(0), x.shape);
  const Tensor& t = n.constant_input(0, "a tensor cast to another type");
  Tensor out(to, t.shape(), "a constant");
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double v = element(t, i);
    switch (to) {
      case DType::float32: out.ptr<float>()[i] = float(v); break;
      case DType::float64: out.ptr<double>()[i] = v; break;
      case DType::int32: out.ptr<int32_t>()[i] = int32_t(v); break;
      case DType::int64: out.ptr<int64_t>()[i] = t.dtype() == DType::int64 ? t.ptr<int64_t>()[i] : int64_t(v); break;
      case DType::uint8: out.ptr<uint8_t>()[i] = uint8_t(v); break;
    }
  }
  n.constant_output(0, out);
}

void lower_gather(const NodeContext& n) {
  n.only_attributes({"axis"});
  const Tensor& data = n.constant_input(0, "data gathered from");
  const std::vector<int64_t> indices = integers(n.constant_input(1, "the indices"));
  const auto& s = data.shape();
  const int64_t rank = int64_t(s.size());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < -rank || axis >= rank) n.fail("attribute 'axis' must be in [", -rank, ", ", rank, "), got ", axis);
  if (axis < 0) axis += rank;
  std::vector<int64_t> shape(s.begin(), s.begin() + axis);
  for (int64_t d : n.input(1).shape) shape.push_back(d);
  shape.insert(shape.end(), s.begin() + axis + 1, s.end());
  const int64_t outer = product(s, 0, size_t(axis)), size = s[size_t(axis)];
  const int64_t inner = product(s, size_t(axis) + 1, s.size()) * dtype_size(data.dtype());
  Tensor out(data.dtype(), shape, "a constant");
  auto* dst = static_cast<unsigned char*>(out.data());
  const auto* src = static_cast<const unsigned char*>(data.data());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices) {
      if (index < -size || index >= size) n.fail("index ", index, " is out of range for size ", size);
      const int64_t i = index < 0 ? index + size : index;
      std::memcpy(dst, src + (o * size + i) * inner, size_t(inner));
      dst += inner;
    }
  n.constant_output(0, out);
}

void lower_constant_of_shape(const NodeContext& n) {
  n.only_attributes({"value"});
  const std::vector<int64_t> shape = integers(n.constant_input(0, "the shape"));
  Tensor value(DType::float32, {1}, "a constant");
  *value.ptr<float>() = 0.0f;
  if (n.has("value")) value = n.node.attributes.at("value").t;
  if (!value.defined() || value.numel() != 1) n.fail("attribute 'value' must be a tensor of one value");
  Tensor out(value.dtype(), shape, "a constant");
  const int64_t size = dtype_size(value.dtype());
  for (int64_t i = 0; i < out.numel(); ++i)
    std::memcpy(static_cast<unsigned char*>(out.data()) + i * size, value.data(), size_t(size));
  n.constant_output(0, out);
}

void lower_range(const NodeContext& n) {
  n.only_attributes({});
  const Tensor& start = n.constant_input(0, "start");
  const double s = element(start, 0), limit = element(n.constant_input(1, "limit"), 0),
               delta = element(n.constant_input(2, "delta"), 0);
  if (delta == 0) n.fail("delta must not be 0");
  const double count = std::max(std::ceil((limit - s) / delta), 0.0);
  if (!(count < double(int64_t(1) << 40))) n.fail("the range has too many values (", count, ")");
  Tensor out(start.dtype(), {int64_t(count)}, "a constant");
  for (int64_t i = 0; i < int64_t(count); ++i) {
    const double v = s + double(i) * delta;
    switch (start.dtype()) {
      case DType::float32: out.ptr<float>()[i] = float(v); break;
      case DType::float64: out.ptr<double>()[i] = v; break;
      case DType::int32: out.ptr<int32_t>()[i] = int32_t(v); break;
      case DType::int64: out.ptr<int64_t>()[i] = int64_t(v); break;
      case DType::uint8: out.ptr<uint8_t>()[i] = uint8_t(v); break;
    }
  }
  n.constant_output(0, out);
}

// --- Elementwise arithmetic, and the tensor manipulations.

// Integer arithmetic of constant shape computations (C++'s / truncates, as onnxruntime's does).
int64_t integer_op(BinaryOp op, int64_t a, int64_t b, const NodeContext& n) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div:
      if (b == 0) n.fail("integer division by zero");
      return a / b;
  }
  return 0;
}

void lower_binary(const NodeContext& n) {
  n.only_attributes({});
  static const std::map<std::string, BinaryOp> ops = {
      {"Add", BinaryOp::add}, {"Sub", BinaryOp::sub}, {"Mul", BinaryOp::mul}, {"Div", BinaryOp::div}};
  const BinaryOp op = ops.at(n.node.op_type);
  const Value& a = n.input(0);
  const Value& b = n.input(1);
  if (a.dtype != b.dtype) n.fail("inputs have different types (", dtype_name(a.dtype), ", ", dtype_name(b.dtype), ")");
  const std::vector<int64_t> shape = broadcast_shapes(binary_op_name(op), shape_view(a), shape_view(b));
  if (a.dtype != DType::float32) {  // integer shape arithmetic, computed while planning
    const Tensor& x = n.constant_input(0, "an integer operand");
    const Tensor& y = n.constant_input(1, "an integer operand");
    if (a.dtype != DType::int64) n.fail("inputs of type ", dtype_name(a.dtype), " are not supported");
    // Broadcasting by strides aligned to the output's axes (0 along a broadcast axis): a few values.
    auto strides_of = [&](const Tensor& t) {
      const auto& s = t.shape();
      std::vector<int64_t> strides(shape.size(), 0);
      int64_t stride = 1;
      for (size_t d = s.size(); d-- > 0;) {
        strides[d + shape.size() - s.size()] = s[d] == 1 ? 0 : stride;
        stride *= s[d];
      }
      return strides;
    };
    const std::vector<int64_t> sx = strides_of(x), sy = strides_of(y);
    Tensor out(DType::int64, shape, "a constant");
    for (int64_t i = 0; i < out.numel(); ++i) {
      int64_t rest = i, ox = 0, oy = 0;
      for (size_t d = shape.size(); d-- > 0;) {
        const int64_t coord = rest % shape[d];
        rest /= shape[d];
        ox += coord * sx[d];
        oy += coord * sy[d];
      }
      out.ptr<int64_t>()[i] = integer_op(op, x.ptr<int64_t>()[ox], y.ptr<int64_t>()[oy], n);
    }
    return n.constant_output(0, out);
  }
  const int y = n.output(0, DType::float32, shape);
  n.step(BinaryStep{op, Epilogue::none}, {n.input_id(0), n.input_id(1)}, {y});
}

void lower_concat(const NodeContext& n) {
  n.only_attributes({"axis"});
  if (!n.has("axis")) n.fail("attribute 'axis' is required");
  std::vector<int> ids;
  std::vector<TensorView> views;
  for (size_t i = 0; i < n.node.inputs.size(); ++i) {
    ids.push_back(n.input_id(i));
    views.push_back(shape_view(n.input(i)));
  }
  const int64_t axis = n.attr_int("axis", 0);
  const std::vector<int64_t> shape = concat_output_shape(views, axis);
  const int y = n.output(0, n.input(0).dtype, shape);
  n.step(ConcatStep{axis}, ids, {y});
}

void lower_transpose(const NodeContext& n) {
  n.only_attributes({"perm"});
  const Value& x = n.input(0);
  std::vector<int64_t> perm(x.shape.size());
  for (size_t d = 0; d < perm.size(); ++d) perm[d] = int64_t(perm.size() - 1 - d);
  perm = n.attr_ints("perm", perm);
  const std::vector<int64_t> shape = transpose_output_shape(shape_view(x), perm);
  const int y = n.output(0, x.dtype, shape);
  n.step(TransposeStep{perm}, {n.input_id(0)}, {y});
}

// A Slice output (also Split's parts).
void add_slice(const NodeContext& n, size_t output, SliceStep s) {
  const Value& x = n.input(0);
  const std::vector<int64_t> shape = slice_output_shape(shape_view(x), s.starts, s.ends, s.axes, s.steps);
  const int y = n.output(output, x.dtype, shape);
  n.step(std::move(s), {n.input_id(0)}, {y});
}

void lower_slice(const NodeContext& n) {
  SliceStep s;
  if (n.opset() < 10) {
    n.only_attributes({"starts", "ends", "axes"});
    s.starts = n.attr_ints("starts", {});
    s.ends = n.attr_ints("ends", {});
    s.axes = n.attr_ints("axes", {});
  } else {
    n.only_attributes({});
    s.starts = integers(n.constant_input(1, "starts"));
    s.ends = integers(n.constant_input(2, "ends"));
    if (n.has_input(3)) s.axes = integers(n.constant_input(3, "axes"));
    if (n.has_input(4)) s.steps = integers(n.constant_input(4, "steps"));
  }
  if (s.axes.empty())
    for (size_t d = 0; d < s.starts.size(); ++d) s.axes.push_back(int64_t(d));
  if (s.steps.empty()) s.steps.assign(s.starts.size(), 1);
  add_slice(n, 0, std::move(s));
}

void lower_split(const NodeContext& n) {
  n.only_attributes({"axis", "split", "num_outputs"});
  const Value& x = n.input(0);
  const int64_t rank = int64_t(x.shape.size());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < -rank || axis >= rank) n.fail("attribute 'axis' must be in [", -rank, ", ", rank, "), got ", axis);
  if (axis < 0) axis += rank;
  const int64_t size = x.shape[size_t(axis)], parts = int64_t(n.node.outputs.size());
  std::vector<int64_t> split;
  if (n.opset() < 13) split = n.attr_ints("split", {});
  else if (n.has_input(1)) split = integers(n.constant_input(1, "split"));
  if (split.empty()) {  // equal parts, the last smaller when they do not divide (opset 18)
    const int64_t part = (size + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i) split.push_back(std::max<int64_t>(0, std::min(part, size - i * part)));
  }
  if (int64_t(split.size()) != parts) n.fail("split has ", split.size(), " sizes for ", parts, " outputs");
  int64_t begin = 0;
  for (size_t i = 0; i < split.size(); ++i) {
    if (split[i] < 0) n.fail("split sizes must be >= 0");
    add_slice(n, i, SliceStep{{begin}, {begin + split[i]}, {axis}, {1}});
    begin += split[i];
  }
  if (begin != size) n.fail("split sizes add up to ", begin, ", not the axis' size ", size);
}

void lower_pad(const NodeContext& n) {
  const Value& x = n.input(0);
  PadStep p;
  std::string mode;
  if (n.opset() < 11) {
    n.only_attributes({"mode", "pads", "value"});
    p.pads = n.attr_ints("pads", {});
    p.value = n.attr_float("value", 0.0);
    mode = n.attr_string("mode", "constant");
  } else {
    n.only_attributes({"mode"});
    mode = n.attr_string("mode", "constant");
    p.pads = integers(n.constant_input(1, "pads"));
    if (n.has_input(2)) p.value = element(n.constant_input(2, "constant_value"), 0);
    if (n.has_input(3)) {  // pads for the listed axes only (opset 18)
      const std::vector<int64_t> axes = integers(n.constant_input(3, "axes"));
      const int64_t rank = int64_t(x.shape.size());
      if (p.pads.size() != 2 * axes.size()) n.fail("pads must have 2 values per listed axis");
      std::vector<int64_t> full(size_t(2 * rank), 0);
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (a < 0 || a >= rank) n.fail("axis ", axes[i], " is out of range for ", rank, " dimensions");
        full[size_t(a)] = p.pads[i];
        full[size_t(a + rank)] = p.pads[i + axes.size()];
      }
      p.pads = full;
    }
  }
  p.mode = parse_pad_mode(mode, "pad");
  const std::vector<int64_t> shape = pad_output_shape(shape_view(x), p.pads, p.mode);
  const int y = n.output(0, x.dtype, shape);
  n.step(std::move(p), {n.input_id(0)}, {y});
}

// Resize (opsets 10+) and Upsample (opsets 7 to 9): nearest or linear on the two spatial axes.
void lower_resize(const NodeContext& n) {
  const Value& x = image_input(n);
  ResizeStep r;
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  const bool upsample = n.node.op_type == "Upsample";
  if (upsample || n.opset() < 11) {  // asymmetric coordinates, nearest rounds down
    n.only_attributes({"mode", "scales"});
    r.params.coordinate_mode = CoordinateMode::asymmetric;
    r.params.nearest_mode = NearestMode::floor;
    if (n.has("scales")) {
      const auto it = n.node.attributes.find("scales");
      scales = it->second.floats;
    } else {
      const Tensor& t = n.constant_input(1, "scales");
      for (int64_t i = 0; i < t.numel(); ++i) scales.push_back(element(t, i));
    }
  } else {
    n.only_attributes({"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside",
                       "extrapolation_value", "antialias", "keep_aspect_ratio_policy"});
    if (n.attr_int("exclude_outside", 0) != 0) n.fail("attribute 'exclude_outside' = 1 is not supported");
    if (n.attr_int("antialias", 0) != 0) n.fail("attribute 'antialias' = 1 is not supported");
    if (n.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
      n.fail("attribute 'keep_aspect_ratio_policy' other than 'stretch' is not supported");
    const std::string coordinates = n.attr_string("coordinate_transformation_mode", "half_pixel");
    if (coordinates == "tf_crop_and_resize") n.fail("coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
    r.params.coordinate_mode = parse_coordinate_mode(coordinates, "resize");
    r.params.nearest_mode = parse_nearest_mode(n.attr_string("nearest_mode", "round_prefer_floor"), "resize");
    if (n.has_input(3)) {
      sizes = integers(n.constant_input(3, "sizes"));
    } else {
      const Tensor& t = n.constant_input(2, "scales");
      for (int64_t i = 0; i < t.numel(); ++i) scales.push_back(element(t, i));
    }
  }
  const std::string mode = n.attr_string("mode", "nearest");
  if (mode == "cubic") n.fail("mode 'cubic' is not supported (nearest and linear are)");
  r.params.mode = parse_resize_mode(mode == "bilinear" ? "linear" : mode, "resize");
  std::vector<int64_t> shape = x.shape;
  if (!sizes.empty()) {
    if (sizes.size() != 4) n.fail("sizes must have 4 values (N, C, H, W), got ", sizes.size());
    if (sizes[0] != x.shape[0] || sizes[1] != x.shape[1]) n.fail("resizing the batch or channel axis is not supported");
    for (int a = 0; a < 2; ++a) {
      if (sizes[size_t(2 + a)] < 1) n.fail("sizes must be >= 1");
      shape[size_t(2 + a)] = sizes[size_t(2 + a)];
      // onnxruntime's scale for given sizes: a float32 quotient.
      r.params.scales[size_t(a)] = double(float(sizes[size_t(2 + a)]) / float(x.shape[size_t(2 + a)]));
    }
  } else {
    if (scales.size() != 4) n.fail("scales must have 4 values (N, C, H, W), got ", scales.size());
    if (scales[0] != 1.0 || scales[1] != 1.0) n.fail("resizing the batch or channel axis is not supported");
    for (int a = 0; a < 2; ++a) {
      const double s = scales[size_t(2 + a)];
      if (!(s > 0) || !std::isfinite(s)) n.fail("scales must be finite and > 0, got ", s);
      shape[size_t(2 + a)] = resize_output_size(x.shape[size_t(2 + a)], s);
      r.params.scales[size_t(a)] = double(float(s));
    }
  }
  const int y = n.output(0, DType::float32, shape);
  n.step(std::move(r), {n.input_id(0)}, {y});
}

void lower_conv_transpose(const NodeContext& n) {
  n.only_attributes({"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads",
                     "strides"});
  const Value& x = image_input(n);
  ConvTransposeStep c;
  const std::array<int64_t, 2> kernel = window_weights(n, "(C, O / group, kH, kW)", &c.weight, &c.bias);
  auto& p = c.params;
  p.stride = pair_attr(n, "strides", {1, 1});
  p.dilation = pair_attr(n, "dilations", {1, 1});
  p.groups = n.attr_int("group", 1);
  p.output_padding = pair_attr(n, "output_padding", {0, 0});
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (n.has("output_shape") || (auto_pad != "NOTSET" && auto_pad != "VALID")) {
    // The total padding that gives the output size (ONNX: output_shape, or the input size times the
    // stride for SAME_*), split as auto_pad says (SAME_UPPER and NOTSET: the odd pixel at the end).
    std::vector<int64_t> out = n.attr_ints("output_shape", {});
    if (out.size() == 4) out = {out[2], out[3]};
    if (out.empty()) out = {x.shape[2] * p.stride[0], x.shape[3] * p.stride[1]};
    if (out.size() != 2) n.fail("attribute 'output_shape' must have 2 values (H, W)");
    for (int a = 0; a < 2; ++a) {
      const int64_t full = p.stride[size_t(a)] * (x.shape[size_t(2 + a)] - 1) + p.output_padding[size_t(a)] +
                           (kernel[size_t(a)] - 1) * p.dilation[size_t(a)] + 1;
      const int64_t total = full - out[size_t(a)];
      if (total < 0) n.fail("output_shape ", out[size_t(a)], " is larger than the full output ", full);
      const bool lower = auto_pad == "SAME_LOWER";
      p.padding[size_t(a)] = lower ? total - total / 2 : total / 2;
      p.padding[size_t(a + 2)] = total - p.padding[size_t(a)];
    }
  } else if (auto_pad == "NOTSET") {
    const std::vector<int64_t> pads = n.attr_ints("pads", {0, 0, 0, 0});
    if (pads.size() != 4) n.fail("attribute 'pads' must have 4 values (a 2-D window), got ", pads.size());
    p.padding = {pads[0], pads[1], pads[2], pads[3]};
  }
  const auto shape = conv_transpose2d_output_shape(shape_view(x), c.weight.view(),
                                                   c.bias.defined() ? c.bias.view() : TensorView{}, p);
  const int y = n.output(0, DType::float32, shape_of(shape));
  n.step(std::move(c), {n.input_id(0)}, {y});
}

using Lower = void (*)(const NodeContext&);

const std::map<std::string, Lower>& operators() {
  static const std::map<std::string, Lower> table = {
      {"Conv", lower_conv},
      {"BatchNormalization", lower_batch_norm},
      {"Relu", lower_unary},
      {"LeakyRelu", lower_unary},
      {"Elu", lower_unary},
      {"Selu", lower_unary},
      {"Sigmoid", lower_unary},
      {"Tanh", lower_unary},
      {"Softplus", lower_unary},
      {"Mish", lower_unary},
      {"HardSwish", lower_unary},
      {"Gelu", lower_unary},
      {"Clip", lower_clip},
      {"PRelu", lower_prelu},
      {"Softmax", lower_softmax},
      {"LogSoftmax", lower_softmax},
      {"MaxPool", lower_max_pool},
      {"AveragePool", lower_average_pool},
      {"GlobalAveragePool", lower_global_pool},
      {"GlobalMaxPool", lower_global_pool},
      {"Gemm", lower_gemm},
      {"MatMul", lower_matmul},
      {"Flatten", lower_flatten},
      {"Reshape", lower_reshape},
      {"Squeeze", lower_squeeze},
      {"Unsqueeze", lower_unsqueeze},
      {"Identity", lower_identity},
      {"Dropout", lower_identity},
      {"Constant", lower_constant},
      {"Shape", lower_shape},
      {"Cast", lower_cast},
      {"Gather", lower_gather},
      {"ConstantOfShape", lower_constant_of_shape},
      {"Range", lower_range},
      {"Add", lower_binary},
      {"Sub", lower_binary},
      {"Mul", lower_binary},
      {"Div", lower_binary},
      {"Concat", lower_concat},
      {"Transpose", lower_transpose},
      {"Slice", lower_slice},
      {"Split", lower_split},
      {"Pad", lower_pad},
      {"Resize", lower_resize},
      {"Upsample", lower_resize},
      {"ConvTranspose", lower_conv_transpose},
      {"HardSigmoid", lower_unary},
  };
  return table;
}

// Runs `lower` on node n, with every cvcore error it raises prefixed by the node.
void lower_node(const NodeContext& n, Lower lower) {
  const std::string prefix = n.where() + ": ";
  try {
    lower(n);
  } catch (const ValueError& e) {
    if (std::string(e.what()).rfind("onnx node", 0) == 0) throw;
    throw ValueError(prefix + e.what());
  } catch (const TypeError& e) {
    throw TypeError(prefix + e.what());
  } catch (const IndexError& e) {
    throw IndexError(prefix + e.what());
  }
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

int64_t Value::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n = checked_mul(n, d, "shape");
  return n;
}

int64_t Value::nbytes() const { return checked_mul(numel(), dtype_size(dtype), "shape"); }

Plan lower(const Graph& graph, const std::vector<std::vector<int64_t>>& input_shapes) {
  if (graph.opset < 7 || graph.opset > 21)
    throw ValueError(detail::concat("onnx: opset ", graph.opset, " is not supported (cvcore runs opsets 7 to 21)"));
  Lowering L(graph);
  for (const auto& [name, t] : graph.initializers) {
    Value v;
    v.name = name;
    v.dtype = t.dtype();
    v.shape = t.shape();
    v.constant = t;
    v.storage = Storage::constant;
    L.add_value(std::move(v));
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    Value v;
    v.name = graph.inputs[i].name;
    v.dtype = graph.inputs[i].dtype;
    v.shape = input_shapes[i];
    v.storage = Storage::input;
    v.index = int(i);
    L.plan.inputs.push_back(L.add_value(std::move(v)));
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const NodeContext n(L, node, i);
    if (!(node.domain.empty() || node.domain == "ai.onnx")) n.fail("operators of domain '", node.domain, "' are not supported");
    const auto it = operators().find(node.op_type);
    if (it == operators().end()) n.fail("operator ", node.op_type, " is not supported");
    lower_node(n, it->second);
  }
  for (const ValueInfo& out : graph.outputs) {
    const auto it = L.ids.find(out.name);
    if (it == L.ids.end()) throw ValueError(detail::concat("onnx: graph output '", out.name, "' is not computed by any node"));
    L.plan.outputs.push_back(it->second);
  }
  return std::move(L.plan);
}

}  // namespace cvcore::model
