#include "cvcore/cocoeval.hpp"

#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <string_view>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

// A view of an array that the Python layer normalised (int64 ids, float64 boxes and values, uint8
// flags). The evaluation runs on the CPU: its Python API has no device.
TensorView host_view(py::handle obj, const char* op, const char* name) { return view(obj, op, name, Device::cpu); }

// A new array of `shape` holding v.
template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<int64_t> shape) {
  py::array_t<T> out(shape);
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
  return out;
}

}  // namespace

void register_cocoeval(py::module_& m) {
  m.def(
      "coco_read_detections",
      [](py::bytes data, const std::string& source) {
        const std::string_view text = data;
        CocoDetectionColumns c;
        {
          py::gil_scoped_release release;
          c = read_coco_detections(text, source);
        }
        const int64_t n = static_cast<int64_t>(c.image_id.size());
        return py::make_tuple(to_numpy(c.image_id, {n}), to_numpy(c.category_id, {n}), to_numpy(c.boxes, {n, 4}),
                              to_numpy(c.score, {n}));
      },
      py::arg("data"), py::arg("source"));

  m.def(
      "coco_evaluate",
      [](py::handle gt_image, py::handle gt_category, py::handle gt_boxes, py::handle gt_area, py::handle gt_crowd,
         py::handle gt_id, py::handle dt_image, py::handle dt_category, py::handle dt_boxes, py::handle dt_score,
         int64_t num_images, int64_t num_categories, std::vector<double> iou_thresholds,
         std::vector<double> recall_thresholds, std::vector<int64_t> max_dets,
         std::vector<std::array<double, 2>> area_ranges) {
        constexpr const char* op = "coco_evaluate";
        const CocoGroundTruth gt{host_view(gt_image, op, "gt_image"), host_view(gt_category, op, "gt_category"),
                                 host_view(gt_boxes, op, "gt_boxes"), host_view(gt_area, op, "gt_area"),
                                 host_view(gt_crowd, op, "gt_crowd"), host_view(gt_id, op, "gt_id")};
        const CocoDetections dt{host_view(dt_image, op, "dt_image"), host_view(dt_category, op, "dt_category"),
                                host_view(dt_boxes, op, "dt_boxes"), host_view(dt_score, op, "dt_score")};
        const CocoEvalParams params{std::move(iou_thresholds), std::move(recall_thresholds), std::move(max_dets),
                                    std::move(area_ranges)};
        CocoEvalResult r;
        {
          py::gil_scoped_release release;
          r = coco_evaluate(gt, dt, num_images, num_categories, params);
        }
        const int64_t T = static_cast<int64_t>(params.iou_thresholds.size()),
                      R = static_cast<int64_t>(params.recall_thresholds.size()),
                      A = static_cast<int64_t>(params.area_ranges.size()),
                      M = static_cast<int64_t>(params.max_dets.size());
        return py::make_tuple(to_numpy(r.precision, {T, R, num_categories, A, M}),
                              to_numpy(r.recall, {T, num_categories, A, M}),
                              to_numpy(r.scores, {T, R, num_categories, A, M}));
      },
      py::arg("gt_image"), py::arg("gt_category"), py::arg("gt_boxes"), py::arg("gt_area"), py::arg("gt_crowd"),
      py::arg("gt_id"), py::arg("dt_image"), py::arg("dt_category"), py::arg("dt_boxes"), py::arg("dt_score"),
      py::arg("num_images"), py::arg("num_categories"), py::arg("iou_thresholds"), py::arg("recall_thresholds"),
      py::arg("max_dets"), py::arg("area_ranges"));

  m.def(
      "voc_match",
      [](py::handle gt_image, py::handle gt_label, py::handle gt_boxes, py::handle gt_difficult, py::handle dt_image,
         py::handle dt_label, py::handle dt_boxes, py::handle dt_score, int64_t num_images, int64_t num_classes,
         double iou_threshold, bool pixel_inclusive) {
        constexpr const char* op = "voc_match";
        const VocGroundTruth gt{host_view(gt_image, op, "gt_image"), host_view(gt_label, op, "gt_label"),
                                host_view(gt_boxes, op, "gt_boxes"), host_view(gt_difficult, op, "gt_difficult")};
        const VocDetections dt{host_view(dt_image, op, "dt_image"), host_view(dt_label, op, "dt_label"),
                               host_view(dt_boxes, op, "dt_boxes"), host_view(dt_score, op, "dt_score")};
        VocMatchResult r;
        {
          py::gil_scoped_release release;
          r = voc_match(gt, dt, num_images, num_classes, VocMatchParams{iou_threshold, pixel_inclusive});
        }
        const int64_t D = static_cast<int64_t>(r.order.size());
        return py::make_tuple(to_numpy(r.class_start, {num_classes + 1}), to_numpy(r.true_positive, {D}),
                              to_numpy(r.false_positive, {D}), to_numpy(r.num_positives, {num_classes}));
      },
      py::arg("gt_image"), py::arg("gt_label"), py::arg("gt_boxes"), py::arg("gt_difficult"), py::arg("dt_image"),
      py::arg("dt_label"), py::arg("dt_boxes"), py::arg("dt_score"), py::arg("num_images"), py::arg("num_classes"),
      py::arg("iou_threshold"), py::arg("pixel_inclusive"));
}

}  // namespace cvcore::bindings
