#include <cvcore/cvcore.hpp>

#include "check.hpp"

using namespace cvcore;

TEST(threads_roundtrip) {
  const int n = get_num_threads();
  CHECK(n >= 1);
  set_num_threads(3);
  CHECK(get_num_threads() == 3);
  set_num_threads(n);
  CHECK_THROWS(set_num_threads(0), ValueError, "set_num_threads: n must be in [1, 1024], got 0");
  CHECK_THROWS(set_num_threads(int64_t(1) << 31), ValueError, "set_num_threads: n must be in [1, 1024], got 2147483648");
  set_num_threads(kMaxThreads);
  CHECK(get_num_threads() == kMaxThreads);
  set_num_threads(n);
}

TEST(isa_selection) {
  const std::vector<Isa> compiled = compiled_isas();
  CHECK(!compiled.empty() && compiled.front() == Isa::generic);
  CHECK(isa_supported(active_isa()));
  const Isa active = active_isa();
  set_isa(Isa::generic);
  CHECK(active_isa() == Isa::generic);
  set_isa(active);
  CHECK(parse_isa("avx2") == Isa::avx2);
  CHECK_THROWS(parse_isa("sse9"), ValueError, "isa must be one of");
}

TEST(parsers_name_the_op_the_argument_the_choices_and_the_value) {
  CHECK(parse_epilogue("relu6", "conv2d") == Epilogue::relu6 && std::string(epilogue_name(Epilogue::prelu)) == "prelu");
  CHECK_THROWS(parse_epilogue("gelu", "conv2d"), ValueError,
               "conv2d: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'");
  CHECK(parse_activation("gelu_tanh") == Activation::gelu_tanh);
  CHECK(parse_gelu_approximate("tanh") == Activation::gelu_tanh);
  CHECK_THROWS(parse_gelu_approximate("erf"), ValueError, "gelu: approximate must be one of 'none', 'tanh', got 'erf'");
  CHECK_THROWS(parse_box_format("xyz", "box_convert", "in_fmt"), ValueError,
               "box_convert: in_fmt must be one of 'xyxy', 'xywh', 'cxcywh', got 'xyz'");
  CHECK_THROWS(parse_nms_metric("giou", "batched_nms"), ValueError,
               "batched_nms: metric must be one of 'iou', 'iom', 'diou', got 'giou'");
  CHECK_THROWS(parse_soft_nms_method("hard"), ValueError,
               "soft_nms: method must be one of 'linear', 'gaussian', got 'hard'");
  CHECK_THROWS(parse_isa("sse9"), ValueError, "set_isa: isa must be one of 'generic', 'avx2', 'avx512', got 'sse9'");
}

TEST(build_info_fields) {
  const BuildInfo info = build_info();
  CHECK(!info.version.empty());
  CHECK(!info.isas_compiled.empty());
  CHECK(info.isa_active == isa_name(active_isa()));
  CHECK(info.cuda == cuda_built());
  CHECK(cuda_device_count() >= 0);
}

TEST(errors_share_a_base) {
  try {
    throw IndexError("x");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "x");
  }
  CHECK_THROWS(checked_mul(int64_t(1) << 40, int64_t(1) << 40, "size"), ValueError, "overflows 64 bits");
}

TEST(tensor_view) {
  float data[24] = {};
  const TensorView v(data, {2, 3, 4});
  CHECK(v.numel() == 24 && v.is_contiguous() && v.shape_str() == "(2, 3, 4)");
  CHECK(v.strides[0] == 12 && v.strides[2] == 1);
  CHECK_THROWS(v.ptr<double>(), TypeError, "expected a float64 array, got float32");
}

CVCORE_TEST_MAIN
