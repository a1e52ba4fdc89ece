// The plan of a graph for one set of input shapes: values (every tensor the graph names, with its
// shape and, once planned, where it lives) and steps (each one cvcore op call computing one or more
// ONNX nodes). Built by lowering (operators.cpp), rewritten by fusion (fusion.cpp), given addresses
// by the memory plan (memory_plan.cpp), run by execute.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "cvcore/activation.hpp"
#include "cvcore/conv.hpp"
#include "cvcore/conv_transpose.hpp"
#include "cvcore/elementwise.hpp"
#include "cvcore/model.hpp"
#include "cvcore/pool.hpp"
#include "cvcore/resize.hpp"
#include "cvcore/shape_ops.hpp"

namespace cvcore::model {

// Where a value's bytes are during a run.
enum class Storage {
  constant,  // Value::constant (weights, folded shape computations)
  input,     // the caller's array of graph input `index`
  arena,     // the run's working memory at `offset`
  output,    // the returned tensor of graph output `index`
  alias,     // the bytes of value `index` at byte `offset` (a reshape: same bytes, another shape)
};

struct Value {
  std::string name;
  DType dtype = DType::float32;
  std::vector<int64_t> shape;
  Tensor constant;  // defined for values known while planning
  Storage storage = Storage::arena;
  int index = -1;
  int64_t offset = 0;

  bool is_constant() const { return constant.defined(); }
  int64_t numel() const;
  int64_t nbytes() const;
};

// The arguments of each kind of step; weights are the step's own (fusion rewrites them).
struct ConvStep {  // inputs: x, and the residual when one is added
  Conv2dParams params;
  Tensor weight, bias, prelu_weight;
};
struct ConvTransposeStep {
  ConvTranspose2dParams params;
  Tensor weight, bias;
};
struct LinearStep {  // y = x @ weight^T + bias over the last axis
  Tensor weight, bias, prelu_weight;
  Epilogue activation = Epilogue::none;
};
struct MaxPoolStep {
  MaxPool2dParams params;
};
struct AvgPoolStep {
  AvgPool2dParams params;
};
struct GlobalPoolStep {
  bool max = false;
};
struct ActivationStep {
  Activation kind = Activation::relu;
  ActivationParams params;
};
struct PReluStep {
  Tensor slope;  // (C,) or (1,)
};
struct SoftmaxStep {
  int64_t axis = -1;  // of the step's input as the step sees it (old opsets: a 2-D view)
  bool log = false;
  std::vector<int64_t> view_shape;  // the shape the softmax sees (empty: the input's)
};
struct BatchNormStep {
  Tensor mean, var, scale, bias;
  double eps = 1e-5;
};
struct BinaryStep {  // inputs: a, b (NumPy broadcasting)
  BinaryOp op = BinaryOp::add;
  Epilogue activation = Epilogue::none;
};
struct ConcatStep {
  int64_t axis = 0;
};
struct TransposeStep {
  std::vector<int64_t> perm;
};
struct SliceStep {
  std::vector<int64_t> starts, ends, axes, steps;
};
struct PadStep {
  std::vector<int64_t> pads;
  PadMode mode = PadMode::constant;
  double value = 0.0;
};
struct ResizeStep {
  ResizeParams params;
};
struct CopyStep {};  // the input's bytes into the output (a graph output that is an input or an alias)

using StepArgs = std::variant<ConvStep, ConvTransposeStep, LinearStep, MaxPoolStep, AvgPoolStep, GlobalPoolStep,
                              ActivationStep, PReluStep, SoftmaxStep, BatchNormStep, BinaryStep, ConcatStep,
                              TransposeStep, SliceStep, PadStep, ResizeStep, CopyStep>;

struct Step {
  std::vector<int> inputs;          // value ids of the data operands, in the op's order
  std::vector<int> outputs;         // value ids written
  std::vector<std::string> nodes;   // the ONNX nodes computed (several once fused)
  StepArgs args;
};

struct Plan {
  std::vector<Value> values;
  std::vector<Step> steps;
  std::vector<int> inputs, outputs;  // value ids of the graph's inputs and outputs, in its order
  int64_t arena_bytes = 0;
};

// "(1, 3, 224, 224)", "(4,)": a shape as Python prints it, for messages and the plan's text.
std::string shape_string(const std::vector<int64_t>& shape);

// A C-contiguous view of v's shape and dtype at `data`.
TensorView view_of(const Value& v, void* data);

// lowering (operators.cpp): the graph's nodes as steps on values, constants folded, every node checked.
Plan lower(const Graph& graph, const std::vector<std::vector<int64_t>>& input_shapes);
// fusion.cpp: folds batch norms into convolutions and activations into their producers' epilogues.
void fuse(Plan& plan);
// fusion.cpp: the algorithms the options allow (Winograd for the convolutions where it is faster).
void choose_algorithms(Plan& plan, const ModelOptions& options);
// memory_plan.cpp: the storage of every value; arena offsets reused by lifetime.
void plan_memory(Plan& plan);
// execute.cpp: one step on views of its inputs and outputs (also used to fold constants), and one
// run of the plan: `inputs` and `outputs` by graph position, `arena` of plan.arena_bytes.
void run_step(const Step& step, const std::vector<TensorView>& inputs, const std::vector<TensorView>& outputs);
// step_seconds, when given, receives each step's wall time.
void execute(const Plan& plan, const std::vector<TensorView>& inputs, const std::vector<Tensor>& outputs,
             unsigned char* arena, std::vector<double>* step_seconds = nullptr);
// The step's op name and parameters for plan_text ("conv2d 3x3 s2 p1 relu").
std::string describe(const Step& step);

}  // namespace cvcore::model
