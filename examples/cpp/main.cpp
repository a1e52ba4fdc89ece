// cvcore from C++: a convolution, a max-pool and non-maximum suppression on generated data, then an
// ONNX model read and run (the file named on the command line, else a small one written here).
#include <cvcore/cvcore.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace cvcore;

// A Conv (a 3x3 blur and a 3x3 edge filter, padding 1, bias) and a Relu on an (N, 1, 4, 4) image, as
// onnx.helper writes them:
//   make_graph([make_node("Conv", ["image", "w", "b"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
//               make_node("Relu", ["c"], ["features"])], "blur_and_edges", ...)
const unsigned char kBlurAndEdges[] = {
    0x08, 0x08, 0x3a, 0x9a, 0x02, 0x0a, 0x40, 0x0a, 0x05, 0x69, 0x6d, 0x61, 0x67, 0x65, 0x0a, 0x01,
    0x77, 0x0a, 0x01, 0x62, 0x12, 0x01, 0x63, 0x22, 0x04, 0x43, 0x6f, 0x6e, 0x76, 0x2a, 0x15, 0x0a,
    0x0c, 0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, 0x5f, 0x73, 0x68, 0x61, 0x70, 0x65, 0x40, 0x03, 0x40,
    0x03, 0xa0, 0x01, 0x07, 0x2a, 0x11, 0x0a, 0x04, 0x70, 0x61, 0x64, 0x73, 0x40, 0x01, 0x40, 0x01,
    0x40, 0x01, 0x40, 0x01, 0xa0, 0x01, 0x07, 0x0a, 0x13, 0x0a, 0x01, 0x63, 0x12, 0x08, 0x66, 0x65,
    0x61, 0x74, 0x75, 0x72, 0x65, 0x73, 0x22, 0x04, 0x52, 0x65, 0x6c, 0x75, 0x12, 0x0e, 0x62, 0x6c,
    0x75, 0x72, 0x5f, 0x61, 0x6e, 0x64, 0x5f, 0x65, 0x64, 0x67, 0x65, 0x73, 0x2a, 0x57, 0x08, 0x02,
    0x08, 0x01, 0x08, 0x03, 0x08, 0x03, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4a, 0x48, 0x39, 0x8e, 0xe3,
    0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3,
    0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3, 0x3d, 0x39, 0x8e, 0xe3,
    0x3d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
    0xbf, 0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
    0xbf, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x11, 0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 0x62, 0x4a, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x5a, 0x20, 0x0a, 0x05, 0x69, 0x6d, 0x61, 0x67,
    0x65, 0x12, 0x17, 0x0a, 0x15, 0x08, 0x01, 0x12, 0x11, 0x0a, 0x03, 0x12, 0x01, 0x4e, 0x0a, 0x02,
    0x08, 0x01, 0x0a, 0x02, 0x08, 0x04, 0x0a, 0x02, 0x08, 0x04, 0x62, 0x23, 0x0a, 0x08, 0x66, 0x65,
    0x61, 0x74, 0x75, 0x72, 0x65, 0x73, 0x12, 0x17, 0x0a, 0x15, 0x08, 0x01, 0x12, 0x11, 0x0a, 0x03,
    0x12, 0x01, 0x4e, 0x0a, 0x02, 0x08, 0x02, 0x0a, 0x02, 0x08, 0x04, 0x0a, 0x02, 0x08, 0x04, 0x42,
    0x04, 0x0a, 0x00, 0x10, 0x11,
};

// Reads the model, plans it with its open sizes (a batch N) set to 1, runs it on float inputs that hold
// 0, 1/16, 2/16, ... and prints the plan and the outputs.
void run_onnx_model(const char* path) {
  Graph graph = path ? read_onnx(path) : read_onnx_bytes(kBlurAndEdges, sizeof kBlurAndEdges);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const ValueInfo& in : graph.inputs) {
    std::vector<int64_t> shape = in.shape;
    for (int64_t& d : shape) d = d < 0 ? 1 : d;
    shapes[in.name] = shape;
  }
  const Model model(std::move(graph), shapes);
  std::vector<std::vector<float>> data;
  std::vector<TensorView> inputs;
  for (const ValueInfo& in : model.inputs()) {
    int64_t count = 1;
    for (int64_t d : in.shape) count *= d;
    std::vector<float>& values = data.emplace_back(size_t(count));
    for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 16) / 16;
    inputs.emplace_back(values.data(), in.shape.data(), int(in.shape.size()));
  }
  const std::vector<Tensor> outputs = model.run(inputs);
  std::printf("onnx model %s, plan:\n%s\n", path ? path : "blur_and_edges", model.plan_text().c_str());
  const std::vector<ValueInfo> infos = model.outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::printf("output %s: %s, first values", infos[i].name.c_str(), outputs[i].view().shape_str().c_str());
    for (int64_t k = 0; k < outputs[i].numel() && k < 4; ++k) std::printf(" %.4f", outputs[i].ptr<float>()[k]);
    std::printf("\n");
  }
}

int main(int argc, char** argv) {
  std::printf("cvcore %s, ISA %s, %d threads\n", build_info().version.c_str(), build_info().isa_active.c_str(),
              get_num_threads());

  // A 1x3x32x32 image and eight 3x3 filters, "same" padding, fused ReLU.
  std::vector<float> image(3 * 32 * 32), weights(8 * 3 * 3 * 3, 1.0f / 27), bias(8, 0.1f);
  for (size_t i = 0; i < image.size(); ++i) image[i] = float(i % 32) / 32;
  const TensorView x(image.data(), {1, 3, 32, 32}), w(weights.data(), {8, 3, 3, 3}), b(bias.data(), {8});
  Conv2dParams conv;
  conv.padding = {1, 1, 1, 1};
  conv.activation = Epilogue::relu;
  const std::array<int64_t, 4> conv_shape = conv2d_output_shape(x, w, b, conv);
  std::vector<float> features(conv_shape[0] * conv_shape[1] * conv_shape[2] * conv_shape[3]);
  conv2d(x, w, b, conv, TensorView(features.data(), conv_shape.data(), 4));

  // 2x2 max-pool, stride 2.
  MaxPool2dParams pool;
  pool.kernel = {2, 2};
  pool.stride = {2, 2};
  const TensorView f(features.data(), conv_shape.data(), 4);
  const std::array<int64_t, 4> pool_shape = max_pool2d_output_shape(f, pool);
  std::vector<float> pooled(pool_shape[0] * pool_shape[1] * pool_shape[2] * pool_shape[3]);
  max_pool2d(f, pool, TensorView(pooled.data(), pool_shape.data(), 4));
  std::printf("conv2d -> (%lld, %lld, %lld, %lld), max_pool2d -> (%lld, %lld, %lld, %lld), pooled[0] = %.4f\n",
              (long long)conv_shape[0], (long long)conv_shape[1], (long long)conv_shape[2], (long long)conv_shape[3],
              (long long)pool_shape[0], (long long)pool_shape[1], (long long)pool_shape[2], (long long)pool_shape[3],
              pooled[0]);

  // Non-maximum suppression: the two overlapping boxes (IoU 0.9) keep only the higher score.
  const float boxes[12] = {0, 0, 10, 10, 1, 0, 10, 10, 20, 20, 30, 30};
  const float scores[3] = {0.6f, 0.9f, 0.7f};
  NmsOptions nms_options;
  nms_options.iou_threshold = 0.5;
  const std::vector<int64_t> keep = nms(TensorView(boxes, {3, 4}), TensorView(scores, {3}), nms_options);
  std::printf("nms keeps %zu of 3 boxes:", keep.size());
  for (int64_t k : keep) std::printf(" %lld", (long long)k);
  std::printf("\n");

  // Errors are exceptions deriving from cvcore::Error, with messages naming the argument.
  try {
    conv.groups = 2;
    conv2d_output_shape(x, w, b, conv);
  } catch (const Error& e) {
    std::printf("error, as expected: %s\n", e.what());
  }

  try {
    run_onnx_model(argc > 1 ? argv[1] : nullptr);
  } catch (const Error& e) {
    std::printf("onnx model: %s\n", e.what());
    return 1;
  }
  return 0;
}
