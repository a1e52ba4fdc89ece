// C++ API of the detection domains: nms / batched_nms / soft_nms, roi_align / roi_pool / crop_resize, k-means,
// COCO evaluation and detection files, VOC matching, to_blob.
#include <cvcore/cvcore.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "check.hpp"

using namespace cvcore;

TEST(nms_orders_by_score_and_suppresses_overlaps) {
  // Boxes 0 and 1 overlap with IoU 0.81 > 0.5; box 2 is apart. Box 1 has the highest score.
  const float boxes[12] = {0, 0, 10, 10, 0, 0, 10, 9, 20, 20, 30, 30};
  const float scores[3] = {0.8f, 0.9f, 0.7f};
  NmsOptions opt;
  opt.iou_threshold = 0.5;
  const std::vector<int64_t> keep = nms(TensorView(boxes, {3, 4}), TensorView(scores, {3}), opt);
  CHECK(keep == (std::vector<int64_t>{1, 2}));
  opt.max_output = 1;
  CHECK(nms(TensorView(boxes, {3, 4}), TensorView(scores, {3}), opt) == (std::vector<int64_t>{1}));
}

TEST(batched_nms_never_suppresses_across_classes) {
  const double boxes[8] = {0, 0, 10, 10, 0, 0, 10, 10};
  const double scores[2] = {0.5, 0.6};
  const int64_t classes[2] = {7, -3};
  NmsOptions opt;
  const std::vector<int64_t> keep =
      batched_nms(TensorView(boxes, {2, 4}), TensorView(scores, {2}), TensorView(classes, {2}), opt);
  CHECK(keep == (std::vector<int64_t>{1, 0}));
}

TEST(soft_nms_decays_overlapping_scores) {
  const float boxes[8] = {0, 0, 10, 10, 0, 0, 10, 10};
  const float scores[2] = {0.9f, 0.8f};
  SoftNmsOptions opt;
  opt.method = SoftNmsMethod::linear;
  opt.iou_threshold = 0.3;
  // Identical boxes: IoU 1, so the second score decays to 0.8 * (1 - 1) = 0 and is dropped.
  const SoftNmsResult r = soft_nms(TensorView(boxes, {2, 4}), TensorView(scores, {2}), opt);
  CHECK(r.indices == (std::vector<int64_t>{0}) && r.scores.size() == 1 && cvcore_test::close(r.scores[0], 0.9, 1e-7));
}

TEST(nms_errors_name_the_argument) {
  const float boxes[4] = {0, 0, 1, 1};
  const float nan_score[1] = {NAN};
  CHECK_THROWS(nms(TensorView(boxes, {1, 4}), TensorView(nan_score, {1}), NmsOptions{}), ValueError, "scores");
  CHECK_THROWS(parse_nms_metric("area"), ValueError, "metric");
}

TEST(roi_align_and_roi_pool_on_a_ramp) {
  // 1x1x4x4 map x[h, w] = w. A RoI covering the map: roi_pool's single bin is the maximum (3).
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[i] = float(i % 4);
  const float rois[5] = {0, 0, 0, 3, 3};
  RoiPoolParams pool;
  float pooled;
  int64_t argmax;
  CHECK(roi_pool_output_shape(TensorView(x.data(), {1, 1, 4, 4}), TensorView(rois, {1, 5}), pool) ==
        (std::array<int64_t, 4>{1, 1, 1, 1}));
  roi_pool(TensorView(x.data(), {1, 1, 4, 4}), TensorView(rois, {1, 5}), pool, TensorView(&pooled, {1, 1, 1, 1}),
           TensorView(&argmax, {1, 1, 1, 1}));
  CHECK(pooled == 3.f && argmax == 3);
  // roi_align, aligned, one sample in the middle of [1, 2] x [1, 2]: bilinear value at x = 1.5 - 0.5 = 1.
  RoiAlignParams align;
  align.sampling_ratio = 1;
  align.aligned = true;
  const float box[5] = {0, 1, 1, 2, 2};
  float v;
  roi_align(TensorView(x.data(), {1, 1, 4, 4}), TensorView(box, {1, 5}), align, TensorView(&v, {1, 1, 1, 1}));
  CHECK(cvcore_test::close(v, 1.0, 1e-6));
}

TEST(crop_resize_of_a_uint8_image) {
  // 1x1x4x4 uint8 image x[h, w] = 10 * w + h. The whole image to 2x2 (adaptive: 2x2 samples per bin at
  // quarter pixels from the edges of each 2x2 block) is the mean of each block, as roi_align's.
  std::vector<uint8_t> x(16);
  for (int i = 0; i < 16; ++i) x[i] = static_cast<uint8_t>(10 * (i % 4) + i / 4);
  const float box[5] = {0, 0, 0, 4, 4};
  RoiAlignParams params;
  params.output_size = {2, 2};
  params.aligned = true;
  const TensorView image(x.data(), {1, 1, 4, 4}), boxes(box, {1, 5});
  CHECK(crop_resize_output_shape(image, boxes, params) == (std::array<int64_t, 4>{1, 1, 2, 2}));
  float fast[4], exact[4];
  crop_resize(image, boxes, params, TensorView(fast, {1, 1, 2, 2}));
  roi_align(image, boxes, params, TensorView(exact, {1, 1, 2, 2}));
  const double want[4] = {5.5, 25.5, 7.5, 27.5};
  for (int i = 0; i < 4; ++i)
    CHECK(cvcore_test::close(fast[i], want[i], 1e-5) && cvcore_test::close(exact[i], want[i], 1e-5));
  const float bad_batch[5] = {1, 0, 0, 1, 1};
  CHECK_THROWS(crop_resize(image, TensorView(bad_batch, {1, 5}), params, TensorView(fast, {1, 1, 2, 2})), IndexError,
               "crop_resize");
}

TEST(roi_errors) {
  const float x[4] = {0, 0, 0, 0};
  const float bad_batch[5] = {1, 0, 0, 1, 1};
  CHECK_THROWS(roi_align_output_shape(TensorView(x, {1, 1, 2, 2}), TensorView(bad_batch, {1, 5}), RoiAlignParams{}),
               IndexError, "batch");
}

TEST(kmeans_separates_two_clusters) {
  // Two tight groups around 0 and 10 on a line, k = 2: inertia is the within-group spread.
  const double data[8] = {0, 0.5, 1, 10, 10.5, 11, 0.25, 10.25};
  double centers[2];
  int32_t labels[8];
  KMeansOptions opt;
  opt.n_clusters = 2;
  opt.n_init = 3;
  const KMeansResult r =
      kmeans(TensorView(data, {8, 1}), TensorView{}, TensorView{}, opt, TensorView(centers, {2, 1}), TensorView(labels, {8}));
  for (int i : {1, 2, 6}) CHECK(labels[i] == labels[0]);
  for (int i : {4, 5, 7}) CHECK(labels[i] == labels[3]);
  CHECK(labels[0] != labels[3]);
  CHECK(cvcore_test::close(centers[labels[0]], 0.4375, 1e-12) && cvcore_test::close(centers[labels[3]], 10.4375, 1e-12));
  CHECK(r.inertia > 0 && r.n_iter >= 1);
}

TEST(kmeans_names_and_shapes) {
  CHECK(parse_kmeans_metric("iou", "kmeans") == KMeansMetric::iou && parse_kmeans_init("random") == KMeansInit::random);
  CHECK(parse_kmeans_median("median") && !parse_kmeans_median("mean"));
  CHECK_THROWS(parse_kmeans_metric("cosine", "kmeans_assign"), ValueError,
               "kmeans_assign: metric must be one of 'euclidean', 'iou', got 'cosine'");
  // An array of initial centres is given as an array, not by name.
  CHECK_THROWS(parse_kmeans_init("array"), ValueError,
               "kmeans: init must be an array or one of 'k-means++', 'random', got 'array'");
  const double data[6] = {0, 1, 2, 3, 4, 5};
  const TensorView x(data, {3, 2});
  CHECK((kmeans_centers_shape(x, 2, "kmeans") == std::array<int64_t, 2>{2, 2}));
  CHECK((kmeans_distances_shape(x, TensorView(data, {1, 2}), "kmeans_transform") == std::array<int64_t, 2>{3, 1}));
  CHECK_THROWS(kmeans_centers_shape(TensorView(data, {6}), 2, "kmeans"), ValueError,
               "kmeans: X must have 2 dimensions (samples, features), got 1 (shape (6,))");
  CHECK_THROWS(kmeans_centers_shape(x, 4, "kmeans_plusplus"), ValueError,
               "kmeans_plusplus: n_clusters must be <= the number of samples (3), got 4");
  CHECK_THROWS(kmeans_distances_shape(x, TensorView(data, {2, 3}), "kmeans_assign"), ValueError,
               "kmeans_assign: X and centers must have the same number of features, got shapes (3, 2) and (2, 3)");
}

TEST(coco_evaluate_perfect_match) {
  // One image, one category: a detection equal to the ground truth. Precision is pycocotools'
  // tp / (tp + fp + eps) at every recall threshold, recall 1.
  const int64_t img[1] = {0}, cat[1] = {0}, crowd[1] = {0}, id[1] = {1};
  const double box[4] = {10, 10, 20, 20}, area[1] = {400}, score[1] = {0.9};
  const CocoGroundTruth gt{TensorView(img, {1}), TensorView(cat, {1}), TensorView(box, {1, 4}),
                           TensorView(area, {1}), TensorView(crowd, {1}), TensorView(id, {1})};
  const CocoDetections dt{TensorView(img, {1}), TensorView(cat, {1}), TensorView(box, {1, 4}), TensorView(score, {1})};
  const CocoEvalParams params{{0.5, 0.75}, {0.0, 0.5, 1.0}, {1, 100}, {{{0.0, 1e10}}, {{0.0, 100.0}}}};
  const CocoEvalResult r = coco_evaluate(gt, dt, 1, 1, params);
  CHECK(r.precision.size() == 2 * 3 * 1 * 2 * 2 && r.recall.size() == 2 * 1 * 2 * 2);
  // Area range "all" (a = 0), maxDets 100 (m = 1): layout (t, r, k, a, m).
  CHECK(r.precision[((0 * 3 + 2) * 1 + 0) * 2 * 2 + 0 * 2 + 1] == 1.0 / (1.0 + 2.220446049250313e-16));
  CHECK(r.recall[((1 * 1 + 0) * 2 + 0) * 2 + 1] == 1.0);
  CHECK(r.precision[((0 * 3 + 0) * 1 + 0) * 2 * 2 + 1 * 2 + 1] == -1.0);  // no ground truth of area <= 100
  const int64_t bad_img[1] = {3};
  const CocoDetections bad{TensorView(bad_img, {1}), TensorView(cat, {1}), TensorView(box, {1, 4}),
                           TensorView(score, {1})};
  CHECK_THROWS(coco_evaluate(gt, bad, 1, 1, params), IndexError, "dt_image");
}

TEST(voc_match_flags_each_detection) {
  // One image, one class: a box and a difficult box. By score: a true positive, its duplicate (a false
  // positive), a match to the difficult box (neither), a detection overlapping nothing (false positive).
  const int64_t g_image[2] = {0, 0}, g_label[2] = {0, 0};
  const double g_boxes[8] = {0, 0, 9, 9, 20, 20, 29, 29};
  const uint8_t difficult[2] = {0, 1};
  const int64_t d_image[4] = {0, 0, 0, 0}, d_label[4] = {0, 0, 0, 0};
  const double d_boxes[16] = {50, 50, 60, 60, 0, 0, 9, 9, 20, 20, 29, 29, 0, 0, 9, 9};
  const double score[4] = {0.6, 0.9, 0.7, 0.8};
  const VocGroundTruth gt{TensorView(g_image, {2}), TensorView(g_label, {2}), TensorView(g_boxes, {2, 4}),
                          TensorView(difficult, {2})};
  const VocDetections dt{TensorView(d_image, {4}), TensorView(d_label, {4}), TensorView(d_boxes, {4, 4}),
                         TensorView(score, {4})};
  const VocMatchResult r = voc_match(gt, dt, 1, 1, VocMatchParams{});
  CHECK(r.class_start == (std::vector<int64_t>{0, 4}) && r.order == (std::vector<int64_t>{1, 3, 2, 0}));
  CHECK(r.true_positive == (std::vector<uint8_t>{1, 0, 0, 0}));
  CHECK(r.false_positive == (std::vector<uint8_t>{0, 1, 0, 1}));
  CHECK(r.num_positives == (std::vector<int64_t>{1}));
  // [1, 1, 9, 9] on [0, 0, 9, 9]: 81 / 100 with the devkit's inclusive pixels, 64 / 81 with box_iou.
  const double shifted[4] = {1, 1, 9, 9};
  const VocDetections one{TensorView(d_image, {1}), TensorView(d_label, {1}), TensorView(shifted, {1, 4}),
                          TensorView(score, {1})};
  CHECK(voc_match(gt, one, 1, 1, VocMatchParams{0.8, true}).true_positive[0] == 1);
  CHECK(voc_match(gt, one, 1, 1, VocMatchParams{0.8, false}).false_positive[0] == 1);
  const int64_t bad_label[1] = {1};
  const VocDetections bad{TensorView(d_image, {1}), TensorView(bad_label, {1}), TensorView(shifted, {1, 4}),
                          TensorView(score, {1})};
  CHECK_THROWS(voc_match(gt, bad, 1, 1, VocMatchParams{}), IndexError, "voc_match: dt_label[0] must be in [0, 1)");
}

TEST(read_coco_detections_into_columns) {
  // Members in any order, escaped names, extra members of any type, integer ids beyond 2^53 read
  // exactly.
  const std::string json = R"([{"score": 0.5, "bbox": [1, 2, 3.5, 4e0], "x": {"y": [null, "\"]"]}, "image_id": 7,
    "c\u0061tegory_id": -3}, {"image_id": 12345678901234567, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1e-3}])";
  const CocoDetectionColumns c = read_coco_detections(json, "dt.json");
  CHECK(c.image_id == (std::vector<int64_t>{7, 12345678901234567}));
  CHECK(c.category_id == (std::vector<int64_t>{-3, 1}));
  CHECK(c.boxes == (std::vector<double>{1, 2, 3.5, 4, 0, 0, 1, 1}));
  CHECK(c.score == (std::vector<double>{0.5, 1e-3}));
  CHECK(read_coco_detections(" [ ] ").score.empty());
  CHECK_THROWS(read_coco_detections(R"([{"image_id": 1, "bbox": [0, 0, 1, 1], "score": 1}])", "dt.json"), ValueError,
               "read_coco_detections: 'dt.json' line 1 column 50: records[0]: 'category_id' is missing");
  CHECK_THROWS(read_coco_detections("[{\"image_id\": 2.0}]"), ValueError,
               "read_coco_detections: line 1 column 15: records[0]: 'image_id' must be an integer, got 2.0");
  CHECK_THROWS(read_coco_detections("[{\"image_id\": 1e400}]"), ValueError, "'image_id' must be an integer, got 1e400");
  CHECK_THROWS(read_coco_detections(R"([{"image_id": 9223372036854775808}])"), ValueError,
               "'image_id' must be an integer in int64's range, got 9223372036854775808");
  CHECK_THROWS(read_coco_detections(R"([{"score": 1e999}])"), ValueError,
               "records[0]: 'score' must be a finite number, got 1e999");
  CHECK_THROWS(read_coco_detections(R"([{"score": "1"}])"), ValueError,
               "records[0]: 'score' must be a finite number, got \"1\"");
  CHECK_THROWS(read_coco_detections(R"([{"bbox": [0, 0, 1, -1]}])"), ValueError,
               "line 1 column 23: records[0]: 'bbox' must have w, h >= 0, got [0.0, 0.0, 1.0, -1.0]");
  CHECK_THROWS(read_coco_detections(" [3]"), ValueError, "line 1 column 3: records[0] must be an object, got 3");
  CHECK_THROWS(read_coco_detections("[]\nx", "dt.json"), ValueError,
               "'dt.json' line 2 column 1: invalid JSON: expected the end of the text after the JSON value, got 'x'");
}

TEST(coco_record_kinds) {
  CocoRecordReader reader(CocoRecordKind::annotations, "anns");
  read_json(R"([{"id": 5, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "area": 12.5}])", reader);
  const std::vector<CocoColumn> c = reader.take_columns();
  CHECK(c.size() == 6 && c[0].ints == (std::vector<int64_t>{5}) && c[3].reals == (std::vector<double>{1, 2, 3, 4}));
  CHECK(c[4].reals == (std::vector<double>{12.5}) && c[5].ints == (std::vector<int64_t>{0}));  // iscrowd: 0 when absent
  CHECK(c[3].reals_per_record == 4 && c[4].reals_per_record == 1 && c[5].reals_per_record == 0);
  CHECK(parse_coco_record_kind("images") == CocoRecordKind::images);
  CHECK_THROWS(parse_coco_record_kind("boxes"), ValueError, "kind must be one of 'detections', 'annotations'");
}

TEST(read_coco_detections_file) {
  const std::string path = "test_detection_dets.json";
  {
    std::ofstream f(path, std::ios::binary);
    f << R"([{"image_id": 1, "category_id": 2, "bbox": [0, 0, 3, 4], "score": 0.25}])";
  }
  const CocoDetectionColumns c = read_coco_detections_file(path);
  std::remove(path.c_str());
  CHECK(c.image_id == (std::vector<int64_t>{1}) && c.score == (std::vector<double>{0.25}));
  CHECK_THROWS(read_coco_detections_file(path), ValueError,
               "read_coco_detections: cannot open 'test_detection_dets.json'");
}

TEST(to_blob_splits_pixels_into_planes) {
  // One 1x2 BGR image: pixels (1, 2, 3) and (4, 5, 6).
  const uint8_t image[6] = {1, 2, 3, 4, 5, 6};
  const TensorView images(image, {1, 1, 2, 3});
  BlobParams params;
  params.swap_rb = true;
  params.mean = {1, 0, 0};
  params.scale = 0.5;
  float blob[6];
  CHECK(to_blob_output_shape(images, params, DType::float32) == (std::array<int64_t, 4>{1, 3, 1, 2}));
  to_blob(images, params, TensorView(blob, {1, 3, 1, 2}));
  // Channel c is source channel 2 - c, minus mean[c], times 0.5.
  CHECK(blob[0] == 1.0f && blob[1] == 2.5f && blob[2] == 1.0f && blob[3] == 2.5f && blob[4] == 0.5f && blob[5] == 2.0f);
  uint8_t planes[6];
  to_blob(images, BlobParams{}, TensorView(planes, {1, 3, 1, 2}));
  CHECK(planes[0] == 1 && planes[1] == 4 && planes[2] == 2 && planes[3] == 5 && planes[4] == 3 && planes[5] == 6);
  CHECK_THROWS(to_blob(images, params, TensorView(planes, {1, 3, 1, 2})), ValueError, "scale must be 1");
  params.scale = 1.0;
  params.mean = {1, 2};
  CHECK_THROWS(to_blob_output_shape(images, params, DType::float32), ValueError, "mean must have 1 or 3 values");
}

CVCORE_TEST_MAIN
