// The C++ ONNX reader (cvcore/onnx.hpp) and a model run from C++: a Conv + Relu model written here in
// the protobuf wire format, read from a file and from bytes, run by cvcore::Model and compared with the
// convolution computed from its definition. (tests/test_onnx_reader.py compares the reader with the
// onnx package over every attribute kind, data type and encoding.)
#include <cvcore/cvcore.hpp>
#include <cvcore/onnx.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"

using namespace cvcore;

namespace {

// --- The protobuf wire format, enough to write a model.

std::string varint(uint64_t v) {
  std::string out;
  do {
    out += char((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
    v >>= 7;
  } while (v);
  return out;
}

std::string int_field(int number, int64_t v) { return varint(uint64_t(number) << 3) + varint(uint64_t(v)); }

std::string bytes_field(int number, const std::string& payload) {
  return varint(uint64_t(number) << 3 | 2) + varint(payload.size()) + payload;
}

std::string packed_ints(int number, const std::vector<int64_t>& values) {
  std::string run;
  for (int64_t v : values) run += varint(uint64_t(v));
  return bytes_field(number, run);
}

std::string float_bytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

// A float tensor: its data in raw_data, or in float_data when `typed`.
std::string tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values,
                   bool typed) {
  return packed_ints(1, dims) + int_field(2, 1) + bytes_field(8, name) +
         bytes_field(typed ? 4 : 9, float_bytes(values));
}

// A float ValueInfoProto; a dimension of -1 is written as dim_param "N".
std::string value_info(const std::string& name, const std::vector<int64_t>& dims) {
  std::string shape;
  for (int64_t d : dims) shape += bytes_field(1, d < 0 ? bytes_field(2, "N") : int_field(1, d));
  const std::string tensor_type = int_field(1, 1) + bytes_field(2, shape);
  return bytes_field(1, name) + bytes_field(2, bytes_field(1, tensor_type));
}

std::string ints_attribute(const std::string& name, const std::vector<int64_t>& values) {
  return bytes_field(1, name) + int_field(20, 7) + packed_ints(8, values);
}

constexpr int kC = 2, kO = 3, kH = 5, kW = 6;

std::vector<float> ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = float(int(i * 7 % 13) - 6) * scale + offset;
  return v;
}

const std::vector<float> kWeights = ramp(kO * kC * 3 * 3, 0.25f, 0.0f), kBias = {0.5f, -0.25f, 0.0f};

// Conv (3x3, padding 1, bias) + Relu on a (N, 2, 5, 6) input with its batch left open. `weights` is the
// initializer of the weights: a TensorProto's fields.
std::string conv_relu_model(const std::string& weights) {
  const std::string conv = bytes_field(1, "x") + bytes_field(1, "w") + bytes_field(1, "b") + bytes_field(2, "c") +
                           bytes_field(3, "conv") + bytes_field(4, "Conv") +
                           bytes_field(5, ints_attribute("kernel_shape", {3, 3})) +
                           bytes_field(5, ints_attribute("pads", {1, 1, 1, 1}));
  const std::string relu = bytes_field(1, "c") + bytes_field(2, "y") + bytes_field(3, "relu") + bytes_field(4, "Relu");
  const std::string graph = bytes_field(1, conv) + bytes_field(1, relu) + bytes_field(2, "conv_relu") +
                            bytes_field(5, weights) + bytes_field(5, tensor("b", {kO}, kBias, true)) +
                            bytes_field(11, value_info("x", {-1, kC, kH, kW})) +
                            bytes_field(12, value_info("y", {-1, kO, kH, kW}));
  const std::string opset = bytes_field(1, "") + int_field(2, 17);
  return int_field(1, 8) + bytes_field(2, "test_onnx_reader") + bytes_field(8, opset) + bytes_field(7, graph);
}

std::string model_bytes() { return conv_relu_model(tensor("w", {kO, kC, 3, 3}, kWeights, false)); }

// relu(conv2d(x) + bias) from the definition, for one image.
std::vector<float> reference(const std::vector<float>& x) {
  std::vector<float> y(size_t(kO) * kH * kW);
  for (int o = 0; o < kO; ++o)
    for (int i = 0; i < kH; ++i)
      for (int j = 0; j < kW; ++j) {
        double acc = kBias[size_t(o)];
        for (int c = 0; c < kC; ++c)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
              const int r = i + a - 1, s = j + b - 1;
              if (r >= 0 && r < kH && s >= 0 && s < kW)
                acc += double(x[size_t((c * kH + r) * kW + s)]) * kWeights[size_t(((o * kC + c) * 3 + a) * 3 + b)];
            }
        y[size_t((o * kH + i) * kW + j)] = float(acc > 0 ? acc : 0);
      }
  return y;
}

// A fresh directory in the system's temporary directory, removed with its files.
struct TempDir {
  TempDir()
      : path(std::filesystem::temp_directory_path() /
             ("cvcore_test_onnx_reader_" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path file = path / name;
    std::ofstream(file, std::ios::binary) << bytes;
    return file.string();
  }
  std::filesystem::path path;
};

void check_runs_as_the_definition(Graph graph) {
  Model model(std::move(graph), {{"x", {2, kC, kH, kW}}});
  const std::vector<float> x = ramp(size_t(2) * kC * kH * kW, 0.5f, 0.125f);
  const std::vector<Tensor> y = model.run({TensorView(x.data(), {2, kC, kH, kW})});
  CHECK(y.size() == 1 && y[0].shape() == std::vector<int64_t>({2, kO, kH, kW}));
  const size_t image = size_t(kC) * kH * kW, out = size_t(kO) * kH * kW;
  for (size_t n = 0; n < 2; ++n) {
    const std::vector<float> expected = reference(std::vector<float>(x.begin() + n * image, x.begin() + (n + 1) * image));
    for (size_t i = 0; i < out; ++i) CHECK(cvcore_test::close(y[0].ptr<float>()[n * out + i], expected[i], 1e-5));
  }
}

}  // namespace

TEST(read_onnx_reads_the_graph) {
  TempDir dir;
  const Graph g = read_onnx(dir.write("conv_relu.onnx", model_bytes()));
  CHECK(g.opset == 17);
  CHECK(g.inputs.size() == 1 && g.inputs[0].name == "x" && g.inputs[0].dtype == DType::float32);
  CHECK(g.inputs[0].shape == std::vector<int64_t>({-1, kC, kH, kW}));
  CHECK(g.outputs.size() == 1 && g.outputs[0].name == "y" && g.outputs[0].shape == std::vector<int64_t>({-1, kO, kH, kW}));
  CHECK(g.initializers.size() == 2 && g.initializers.at("w").shape() == std::vector<int64_t>({kO, kC, 3, 3}));
  const Tensor& w = g.initializers.at("w");
  CHECK(std::equal(kWeights.begin(), kWeights.end(), w.ptr<float>()));
  const Tensor& b = g.initializers.at("b");
  CHECK(b.dtype() == DType::float32 && std::equal(kBias.begin(), kBias.end(), b.ptr<float>()));
  CHECK(g.nodes.size() == 2 && g.nodes[0].op_type == "Conv" && g.nodes[0].name == "conv" && g.nodes[0].domain.empty());
  CHECK(g.nodes[0].inputs == std::vector<std::string>({"x", "w", "b"}) && g.nodes[0].outputs == std::vector<std::string>({"c"}));
  const Attribute& pads = g.nodes[0].attributes.at("pads");
  CHECK(pads.kind == Attribute::Kind::ints && pads.ints == std::vector<int64_t>({1, 1, 1, 1}));
  CHECK(g.nodes[1].op_type == "Relu" && g.nodes[1].attributes.empty());
}

TEST(model_read_from_a_file_runs_as_the_definition) {
  TempDir dir;
  check_runs_as_the_definition(read_onnx(dir.write("conv_relu.onnx", model_bytes())));
}

TEST(model_read_from_bytes_runs_as_the_definition) {
  const std::string bytes = model_bytes();
  check_runs_as_the_definition(read_onnx_bytes(bytes.data(), bytes.size()));
}

TEST(external_data_is_read_beside_the_model) {
  TempDir dir;
  const std::string padding(5, '\0');
  dir.write("weights.bin", padding + float_bytes(kWeights));
  const auto entry = [](const std::string& key, const std::string& value) {
    return bytes_field(13, bytes_field(1, key) + bytes_field(2, value));
  };
  const std::string weights = packed_ints(1, {kO, kC, 3, 3}) + int_field(2, 1) + bytes_field(8, "w") +
                              entry("location", "weights.bin") + entry("offset", "5") +
                              entry("length", std::to_string(kWeights.size() * 4)) + int_field(14, 1);
  const std::string model = dir.write("external.onnx", conv_relu_model(weights));
  check_runs_as_the_definition(read_onnx(model));
  const std::string bytes = conv_relu_model(weights);
  CHECK_THROWS(read_onnx_bytes(bytes.data(), bytes.size()), ValueError,
               "read_onnx_bytes: initializer 'w' has its data in the external file 'weights.bin', which "
               "read_onnx_bytes cannot find");
  const std::string short_file = dir.write("short.onnx", conv_relu_model(weights + entry("offset", "6")));
  CHECK_THROWS(read_onnx(short_file), ValueError, "initializer 'w': its external data (216 bytes from offset 6) runs past the end of");
}

TEST(every_prefix_of_the_file_reads_or_raises_value_error) {
  const std::string bytes = model_bytes();
  int refused = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    try {
      read_onnx_bytes(bytes.data(), n);
    } catch (const ValueError&) {
      ++refused;
    }
  }
  CHECK(refused > int(bytes.size()) / 2);
  CHECK_THROWS(read_onnx_bytes(bytes.data(), bytes.size() - 1), ValueError, "read_onnx_bytes: invalid ONNX file at byte ");
}

TEST(errors_name_what_and_where) {
  CHECK_THROWS(read_onnx("/nonexistent/model.onnx"), ValueError, "read_onnx: '/nonexistent/model.onnx': no such file");
  CHECK_THROWS(read_onnx(std::string("model\0.onnx", 11)), ValueError, "read_onnx: 'model\\x00.onnx': a path with a NUL byte names no file");
  CHECK_THROWS(read_onnx(std::filesystem::temp_directory_path().string()), ValueError, "not a regular file");
  const std::string too_long = "\x08" + std::string(10, '\xff') + "\x01";
  CHECK_THROWS(read_onnx_bytes(too_long.data(), too_long.size()), ValueError,
               "invalid ONNX file at byte 1: ModelProto field 1: a varint longer than 10 bytes");
  const std::string past_end = bytes_field(7, "ab").substr(0, 3);
  CHECK_THROWS(read_onnx_bytes(past_end.data(), past_end.size()), ValueError,
               "invalid ONNX file at byte 0: ModelProto.graph: 2 bytes of value, past the end of the ModelProto (1 bytes left)");
  const std::string wrong_wire = int_field(7, 1);
  CHECK_THROWS(read_onnx_bytes(wrong_wire.data(), wrong_wire.size()), ValueError,
               "ModelProto.graph has wire type varint, expected length-delimited");
  const std::string float16 = conv_relu_model(packed_ints(1, {2}) + int_field(2, 10) + bytes_field(8, "w") +
                                              bytes_field(9, std::string(4, '\0')));
  CHECK_THROWS(read_onnx_bytes(float16.data(), float16.size()), ValueError,
               "initializer 'w' has data type FLOAT16, which cvcore does not hold");
  const std::string short_raw = conv_relu_model(tensor("w", {kO, kC, 3, 3}, {1.0f}, false));
  CHECK_THROWS(read_onnx_bytes(short_raw.data(), short_raw.size()), ValueError,
               "initializer 'w' has 4 bytes of raw_data for shape (3, 2, 3, 3) of FLOAT (216 bytes)");
}

CVCORE_TEST_MAIN
