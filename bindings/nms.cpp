#include "cvcore/nms.hpp"

#include <pybind11/stl.h>

#include <cstring>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

py::array to_array(const char* op, const std::vector<int64_t>& v) {
  py::array out = new_array(op, "the kept indices", DType::int64, {static_cast<int64_t>(v.size())});
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(int64_t));
  return out;
}

// Scores in the boxes' dtype (the kernels computed them in it, so the conversion is exact).
py::array scores_array(const char* op, const std::vector<double>& v, DType dtype) {
  const int64_t n = static_cast<int64_t>(v.size());
  py::array out = new_array(op, "the scores", dtype, {n});
  if (dtype == DType::float64) {
    if (n) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(double));
    return out;
  }
  float* p = static_cast<float*>(out.mutable_data());
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(v[i]);
  return out;
}

NmsOptions nms_options(double iou_threshold, std::optional<double> score_threshold, std::optional<int64_t> max_output,
                       const std::string& metric, const char* op) {
  return {iou_threshold, score_threshold, max_output, parse_nms_metric(metric, op)};
}

}  // namespace

void register_nms(py::module_& m) {
  m.def(
      "nms",
      [](py::handle boxes, py::handle scores, double iou_threshold, std::optional<double> score_threshold,
         std::optional<int64_t> max_output, const std::string& metric, const std::string& device) {
        constexpr const char* op = "nms";
        const Device on = parse_device(device, op);
        const TensorView bv = view(boxes, op, "boxes", on), sv = view(scores, op, "scores", on);
        const NmsOptions options = nms_options(iou_threshold, score_threshold, max_output, metric, op);
        std::vector<int64_t> keep;
        {
          py::gil_scoped_release release;
          keep = nms(bv, sv, options);
        }
        return to_array(op, keep);
      },
      py::arg("boxes"), py::arg("scores"), py::arg("iou_threshold"), py::arg("score_threshold"),
      py::arg("max_output"), py::arg("metric"), py::arg("device") = "cpu");

  m.def(
      "batched_nms",
      [](py::handle boxes, py::handle scores, py::handle class_ids, double iou_threshold,
         std::optional<double> score_threshold, std::optional<int64_t> max_output, const std::string& metric,
         const std::string& device) {
        constexpr const char* op = "batched_nms";
        const Device on = parse_device(device, op);
        const TensorView bv = view(boxes, op, "boxes", on), sv = view(scores, op, "scores", on),
                         iv = view(class_ids, op, "class_ids", on);
        const NmsOptions options = nms_options(iou_threshold, score_threshold, max_output, metric, op);
        std::vector<int64_t> keep;
        {
          py::gil_scoped_release release;
          keep = batched_nms(bv, sv, iv, options);
        }
        return to_array(op, keep);
      },
      py::arg("boxes"), py::arg("scores"), py::arg("class_ids"), py::arg("iou_threshold"),
      py::arg("score_threshold"), py::arg("max_output"), py::arg("metric"), py::arg("device") = "cpu");

  m.def(
      "soft_nms",
      [](py::handle boxes, py::handle scores, double iou_threshold, double sigma, double score_threshold,
         std::optional<int64_t> max_output, const std::string& method, const std::string& device) {
        constexpr const char* op = "soft_nms";
        const Device on = parse_device(device, op);
        const TensorView bv = view(boxes, op, "boxes", on), sv = view(scores, op, "scores", on);
        const SoftNmsOptions options{iou_threshold, sigma, score_threshold, max_output, parse_soft_nms_method(method)};
        SoftNmsResult result;
        {
          py::gil_scoped_release release;
          result = soft_nms(bv, sv, options);
        }
        return py::make_tuple(to_array(op, result.indices), scores_array(op, result.scores, bv.dtype));
      },
      py::arg("boxes"), py::arg("scores"), py::arg("iou_threshold"), py::arg("sigma"), py::arg("score_threshold"),
      py::arg("max_output"), py::arg("method"), py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
