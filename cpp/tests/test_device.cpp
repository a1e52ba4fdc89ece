// The backend seam: every frontend dispatches on its arrays' device. Until the CUDA kernels exist, a
// view marked CUDA gets a BackendError saying why (no CUDA backend in this build, no CUDA device, or
// no CUDA kernel for the op), before any data is read; arrays on different devices get a ValueError.
#include <cvcore/cvcore.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "check.hpp"

using namespace cvcore;

namespace {

// What a frontend says to CUDA views on this build and machine.
std::string cuda_refusal() {
  if (!cuda_built())
    return "device 'cuda' needs the CUDA backend, which this build of cvcore does not include: rebuild with the "
           "CMake option CVCORE_CUDA=ON";
  if (cuda_device_count() == 0) return "device 'cuda' needs a CUDA device, and none is usable";
  return "no CUDA implementation yet";
}

// A view of `data` on `device`. The data are NaNs: a frontend that read them would report non-finite
// values instead.
TensorView on(Device device, std::vector<float>& data, std::initializer_list<int64_t> shape) {
  TensorView v(data.data(), shape);
  v.device = device;
  return v;
}

}  // namespace

TEST(device_names_parse_and_print) {
  CHECK(parse_device("cuda", "conv2d") == Device::cuda && std::string(device_name(Device::cpu)) == "cpu");
  CHECK_THROWS(parse_device("tpu", "nms"), ValueError, "nms: device must be one of 'cpu', 'cuda', got 'tpu'");
  float x[1] = {};
  CHECK(TensorView(x, {1}).device == Device::cpu);
}

TEST(every_frontend_refuses_cuda_views_before_reading_them) {
  std::vector<float> buf(4096, std::nanf(""));
  const Device cuda = Device::cuda;
  const TensorView map = on(cuda, buf, {1, 2, 8, 8}), weight = on(cuda, buf, {3, 2, 3, 3}),
                   vec2 = on(cuda, buf, {2}), boxes = on(cuda, buf, {3, 4}), scores = on(cuda, buf, {3}),
                   rois = on(cuda, buf, {1, 5}), flat = on(cuda, buf, {6}), pairs = on(cuda, buf, {3, 3}),
                   images = on(cuda, buf, {1, 8, 8, 3});
  std::vector<int64_t> ids_data(3);
  TensorView ids(ids_data.data(), {3});
  ids.device = cuda;
  const std::vector<std::pair<const char*, std::function<void()>>> calls = {
      {"conv2d", [&] { conv2d(map, weight, TensorView{}, Conv2dParams{}, on(cuda, buf, {1, 3, 6, 6})); }},
      {"linear", [&] { linear(on(cuda, buf, {2, 3}), pairs, TensorView{}, on(cuda, buf, {2, 3})); }},
      {"max_pool2d", [&] { max_pool2d(map, MaxPool2dParams{}, map); }},
      {"avg_pool2d", [&] { avg_pool2d(map, AvgPool2dParams{}, map); }},
      {"adaptive_avg_pool2d", [&] { adaptive_avg_pool2d(map, {8, 8}, map); }},
      {"adaptive_avg_pool2d_levels", [&] { adaptive_avg_pool2d_levels(map, {{8, 8}}, {map}); }},
      {"adaptive_max_pool2d", [&] { adaptive_max_pool2d(map, {8, 8}, map); }},
      {"batch_norm", [&] { check_batch_norm(map, vec2, vec2, TensorView{}, TensorView{}, 1e-5); }},
      {"batch_norm", [&] { batch_norm(map, vec2, vec2, TensorView{}, TensorView{}, 1e-5, map); }},
      {"fold_batch_norm", [&] { check_fold_batch_norm(pairs, {}, scores, scores, {}, {}, 0); }},
      {"fold_batch_norm", [&] { fold_batch_norm(pairs, {}, scores, scores, {}, {}, 0, pairs, scores); }},
      {"sigmoid", [&] { activation(flat, Activation::sigmoid, {}, flat); }},
      {"prelu", [&] { prelu(flat, flat, flat); }},
      {"log_softmax", [&] { softmax(pairs, 1, true, pairs); }},
      {"box_area", [&] { box_area(boxes, scores); }},
      {"box_convert", [&] { box_convert(boxes, BoxFormat::xyxy, BoxFormat::xywh, boxes); }},
      {"clip_boxes", [&] { clip_boxes(boxes, 4, 4, boxes); }},
      {"remove_small_boxes", [&] {
         TensorView keep(ids_data.data(), {3});
         keep.device = cuda;
         remove_small_boxes(boxes, 1, keep);
       }},
      {"generalized_box_iou", [&] { pairwise_box_iou(PairwiseIou::generalized, boxes, boxes, 0, pairs); }},
      {"nms", [&] { nms(boxes, scores, NmsOptions{}); }},
      {"batched_nms", [&] { batched_nms(boxes, scores, ids, NmsOptions{}); }},
      {"soft_nms", [&] { soft_nms(boxes, scores, SoftNmsOptions{}); }},
      {"roi_align", [&] { roi_align_output_shape(map, rois, RoiAlignParams{}); }},
      {"roi_align", [&] { roi_align(map, rois, RoiAlignParams{}, on(cuda, buf, {1, 2, 1, 1})); }},
      {"crop_resize", [&] { crop_resize(map, rois, RoiAlignParams{}, on(cuda, buf, {1, 2, 1, 1})); }},
      {"roi_pool", [&] { roi_pool(map, rois, RoiPoolParams{}, on(cuda, buf, {1, 2, 1, 1})); }},
      {"to_blob", [&] { to_blob(images, BlobParams{}, on(cuda, buf, {1, 3, 8, 8})); }},
      {"kmeans", [&] { kmeans(pairs, TensorView{}, TensorView{}, KMeansOptions{}, on(cuda, buf, {8, 3}), ids); }},
      {"kmeans_plusplus", [&] {
         kmeans_plusplus(pairs, TensorView{}, 2, 0, 0, KMeansMetric::euclidean, on(cuda, buf, {2, 3}), TensorView{});
       }},
      {"kmeans_assign", [&] { kmeans_assign(pairs, scores, pairs, KMeansMetric::iou, ids, scores); }},
      {"kmeans_transform", [&] { kmeans_transform(pairs, pairs, KMeansMetric::euclidean, pairs); }},
      {"knn_search", [&] { knn_search(pairs, pairs, 1, on(cuda, buf, {3, 1}), ids); }},
      {"coco_evaluate", [&] {
         const CocoEvalParams params{{0.5}, {0.0, 1.0}, {10}, {{0.0, 1e10}}};
         coco_evaluate({ids, ids, boxes, scores, ids, ids}, {ids, ids, boxes, scores}, 1, 1, params);
       }},
      {"voc_match", [&] {
         std::vector<uint8_t> flags(3);
         TensorView difficult(flags.data(), {3});
         difficult.device = cuda;
         voc_match({ids, ids, boxes, difficult}, {ids, ids, boxes, scores}, 1, 1, VocMatchParams{});
       }},
  };
  for (const auto& [op, call] : calls) CHECK_THROWS(call(), BackendError, std::string(op) + ": " + cuda_refusal());
}

TEST(arrays_on_different_devices_are_a_value_error_naming_both) {
  std::vector<float> x(8), w(8), y(8);
  TensorView xv(x.data(), {2, 4}), wv(w.data(), {2, 4});
  wv.device = Device::cuda;
  CHECK_THROWS(linear(xv, wv, TensorView{}, TensorView(y.data(), {2, 2})), ValueError,
               "linear: input is on cpu but weight is on cuda; the arrays of an op must be on one device");
  // An absent optional argument (no bias) is on no device.
  xv.device = Device::cuda;
  CHECK_THROWS(box_area(xv, TensorView(y.data(), {2})), ValueError, "box_area: boxes is on cuda but out is on cpu");
}

CVCORE_TEST_MAIN
