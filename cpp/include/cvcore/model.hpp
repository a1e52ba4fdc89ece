// The graph runner: a trained network (an ONNX graph, read by the Python package with the `onnx`
// package or by a C++ loader) as a neutral list of nodes, planned once per input shape into a list of
// cvcore op calls (batch norms folded, activations in the producers' epilogues, a static memory plan)
// and executed in one call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cvcore/tensor.hpp"

namespace cvcore {

// An owned C-contiguous array: a graph's constants and a model's outputs. Copies share the data.
class Tensor {
 public:
  Tensor() = default;
  // Uninitialised; MemoryError saying how many bytes when they cannot be allocated (`what` names the
  // array), ValueError when they overflow 64 bits.
  Tensor(DType dtype, std::vector<int64_t> shape, const char* what = "a tensor");
  // A contiguous copy of v (any strides).
  static Tensor copy_of(const TensorView& v, const char* what = "a tensor");

  bool defined() const { return data_ != nullptr; }
  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t numel() const;
  int64_t nbytes() const;
  void* data() const { return data_.get(); }
  template <typename T>
  T* ptr() const {
    return view().ptr<T>();
  }
  TensorView view() const;
  // The same data seen with another shape of as many elements (ValueError otherwise).
  Tensor reshaped(std::vector<int64_t> shape) const;

 private:
  DType dtype_ = DType::float32;
  std::vector<int64_t> shape_;
  std::shared_ptr<unsigned char[]> data_;
};

// --- The neutral graph: what a loader produces (ONNX's GraphProto, without protobuf).

// A node attribute: exactly one of the members is meaningful, as `kind` says.
struct Attribute {
  enum class Kind { int64, float64, string, ints, floats, strings, tensor };
  Kind kind = Kind::int64;
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  Tensor t;
};

struct Node {
  std::string name;     // may be empty: messages then give the op type and the node's position
  std::string op_type;  // "Conv", ...
  std::string domain;   // "" or "ai.onnx" for the operators cvcore runs
  std::vector<std::string> inputs;  // "" for an absent optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;
};

// A graph input or output. shape: -1 for a dimension the graph leaves open (a symbolic or unknown
// size), which the input shapes given to the Model fix.
struct ValueInfo {
  std::string name;
  DType dtype = DType::float32;
  std::vector<int64_t> shape;
};

struct Graph {
  int64_t opset = 0;                         // the default domain's operator set version
  std::vector<ValueInfo> inputs;             // the runtime inputs (initializers are not listed)
  std::vector<ValueInfo> outputs;
  std::map<std::string, Tensor> initializers;
  std::vector<Node> nodes;                   // in topological order, as ONNX requires
};

// --- The model.

struct ModelOptions {
  // 3x3 stride-1 convolutions of one group with at most 128 input channels and outputs of at least
  // 28x28 run by Winograd F(2x2, 3x3) (Conv2dParams::winograd), faster there on the AVX2 and AVX-512
  // kernels; their results are within about twice the float32 rounding error of the direct sum instead
  // of its bits. false: every convolution by its direct algorithm.
  bool winograd = true;
};

class Model {
 public:
  // Checks the graph and plans it for `input_shapes` (by input name; an input left out takes the
  // graph's shape, which must then be fully known): every node is checked (an operator, attribute or
  // opset that cvcore does not run is a ValueError naming the node, the op type and the attribute),
  // shape computations are folded to constants, layers fused, memory planned. Other input shapes are
  // planned on first use (see run).
  explicit Model(Graph graph, const std::map<std::string, std::vector<int64_t>>& input_shapes = {},
                 ModelOptions options = {});
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  // The graph's inputs and outputs with the shapes of the last plan.
  std::vector<ValueInfo> inputs() const;
  std::vector<ValueInfo> outputs() const;

  // One inference: inputs in the graph's order, of the graph's dtypes, C-contiguous; a shape not
  // planned yet is planned first (and kept). Returns the outputs in the graph's order. Safe to call
  // from several threads at once (each call takes its own working memory).
  std::vector<Tensor> run(const std::vector<TensorView>& inputs) const;
  // run(), timing each step of the plan: step_seconds receives one wall time per line of plan_text.
  std::vector<Tensor> run(const std::vector<TensorView>& inputs, std::vector<double>* step_seconds) const;

  // The executed plan of the last planned shapes: one line per step (the cvcore op, the ONNX nodes it
  // computes, its output shape and where its output lives).
  std::string plan_text() const;
  // The working memory of one run of the last plan, in bytes (intermediate activations; outputs and
  // weights not included).
  int64_t memory_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cvcore
