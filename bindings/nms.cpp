#include "cvcore/nms.hpp"

#include <pybind11/stl.h>

#include <cstring>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

// boxes and scores in one precision: float64 when boxes are float64, else float32 (the Python
// layer has already chosen the common dtype; this only guards direct calls).
struct BoxInputs {
  py::array boxes, scores;  // keep the arrays alive while the views are used
  TensorView boxes_view, scores_view;
  bool is_double;
};

template <typename Array, typename Convert>
void fill_inputs(BoxInputs& in, py::handle boxes, py::handle scores, Convert convert) {
  Array b = convert(boxes, "boxes"), s = convert(scores, "scores");
  in.boxes_view = view(b);
  in.scores_view = view(s);
  in.boxes = std::move(b);
  in.scores = std::move(s);
}

BoxInputs box_inputs(py::handle boxes, py::handle scores) {
  BoxInputs in;
  in.is_double = is_float64(boxes);
  if (in.is_double)
    fill_inputs<Float64Array>(in, boxes, scores, float64_array);
  else
    fill_inputs<FloatArray>(in, boxes, scores, float32_array);
  return in;
}

Int64Array to_array(const std::vector<int64_t>& v) {
  Int64Array out = new_int64({static_cast<int64_t>(v.size())});
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(int64_t));
  return out;
}

// Scores in the boxes' dtype (the kernels computed them in it, so the conversion is exact).
py::array scores_array(const std::vector<double>& v, bool is_double) {
  const int64_t n = static_cast<int64_t>(v.size());
  if (is_double) {
    Float64Array out = new_float64({n});
    if (n) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(double));
    return std::move(out);
  }
  FloatArray out = new_float32({n});
  float* p = out.mutable_data();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(v[i]);
  return std::move(out);
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
         std::optional<int64_t> max_output, const std::string& metric) {
        const BoxInputs in = box_inputs(boxes, scores);
        const NmsOptions options = nms_options(iou_threshold, score_threshold, max_output, metric, "nms");
        std::vector<int64_t> keep;
        {
          py::gil_scoped_release release;
          keep = nms(in.boxes_view, in.scores_view, options);
        }
        return to_array(keep);
      },
      py::arg("boxes"), py::arg("scores"), py::arg("iou_threshold"), py::arg("score_threshold"),
      py::arg("max_output"), py::arg("metric"));

  m.def(
      "batched_nms",
      [](py::handle boxes, py::handle scores, py::handle class_ids, double iou_threshold,
         std::optional<double> score_threshold, std::optional<int64_t> max_output, const std::string& metric) {
        const BoxInputs in = box_inputs(boxes, scores);
        const Int64Array ids = Int64Array::ensure(class_ids);
        if (!ids) throw TypeError("batched_nms: class_ids must be an array of integers");
        const TensorView ids_view = view(ids);
        const NmsOptions options = nms_options(iou_threshold, score_threshold, max_output, metric, "batched_nms");
        std::vector<int64_t> keep;
        {
          py::gil_scoped_release release;
          keep = batched_nms(in.boxes_view, in.scores_view, ids_view, options);
        }
        return to_array(keep);
      },
      py::arg("boxes"), py::arg("scores"), py::arg("class_ids"), py::arg("iou_threshold"),
      py::arg("score_threshold"), py::arg("max_output"), py::arg("metric"));

  m.def(
      "soft_nms",
      [](py::handle boxes, py::handle scores, double iou_threshold, double sigma, double score_threshold,
         std::optional<int64_t> max_output, const std::string& method) {
        const BoxInputs in = box_inputs(boxes, scores);
        const SoftNmsOptions options{iou_threshold, sigma, score_threshold, max_output, parse_soft_nms_method(method)};
        SoftNmsResult result;
        {
          py::gil_scoped_release release;
          result = soft_nms(in.boxes_view, in.scores_view, options);
        }
        return py::make_tuple(to_array(result.indices), scores_array(result.scores, in.is_double));
      },
      py::arg("boxes"), py::arg("scores"), py::arg("iou_threshold"), py::arg("sigma"), py::arg("score_threshold"),
      py::arg("max_output"), py::arg("method"));
}

}  // namespace cvcore::bindings
