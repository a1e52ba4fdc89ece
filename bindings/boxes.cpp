#include "cvcore/boxes.hpp"

#include "common.hpp"

namespace cvcore::bindings {

namespace {

// Allocates the output of `op` of `shape` in the boxes' dtype, runs compute(out view) without the GIL,
// returns out.
template <typename Compute>
py::array run_boxes(const char* op, const TensorView& boxes, const std::vector<int64_t>& shape, Compute compute) {
  py::array out = new_array(op, "the output", boxes.dtype, shape);
  const TensorView ov = view(out, op, "out", boxes.device);
  {
    py::gil_scoped_release release;
    compute(ov);
  }
  return out;
}

void def_pairwise(py::module_& m, PairwiseIou kind) {
  m.def(
      pairwise_iou_name(kind),
      [kind](py::handle boxes1, py::handle boxes2, double eps, const std::string& device) {
        const char* op = pairwise_iou_name(kind);
        const Device on = parse_device(device, op);
        const TensorView v1 = view(boxes1, op, "boxes1", on), v2 = view(boxes2, op, "boxes2", on);
        const std::array<int64_t, 2> shape = pairwise_iou_output_shape(kind, v1, v2);
        return run_boxes(op, v1, {shape[0], shape[1]},
                         [&](const TensorView& out) { pairwise_box_iou(kind, v1, v2, eps, out); });
      },
      py::arg("boxes1"), py::arg("boxes2"), py::arg("eps"), py::arg("device") = "cpu");
}

}  // namespace

void register_boxes(py::module_& m) {
  m.def(
      "box_area",
      [](py::handle boxes, const std::string& device) {
        const TensorView v = view(boxes, "box_area", "boxes", parse_device(device, "box_area"));
        return run_boxes("box_area", v, {boxes_count(v, "box_area")}, [&](const TensorView& out) { box_area(v, out); });
      },
      py::arg("boxes"), py::arg("device") = "cpu");

  m.def(
      "box_convert",
      [](py::handle boxes, const std::string& in_fmt, const std::string& out_fmt, const std::string& device) {
        const BoxFormat in = parse_box_format(in_fmt, "box_convert", "in_fmt");
        const BoxFormat out_f = parse_box_format(out_fmt, "box_convert", "out_fmt");
        const TensorView v = view(boxes, "box_convert", "boxes", parse_device(device, "box_convert"));
        return run_boxes("box_convert", v, {boxes_count(v, "box_convert"), 4},
                         [&](const TensorView& out) { box_convert(v, in, out_f, out); });
      },
      py::arg("boxes"), py::arg("in_fmt"), py::arg("out_fmt"), py::arg("device") = "cpu");

  m.def(
      "clip_boxes",
      [](py::handle boxes, double height, double width, const std::string& device) {
        const TensorView v = view(boxes, "clip_boxes", "boxes", parse_device(device, "clip_boxes"));
        return run_boxes("clip_boxes", v, {boxes_count(v, "clip_boxes"), 4},
                         [&](const TensorView& out) { clip_boxes(v, height, width, out); });
      },
      py::arg("boxes"), py::arg("height"), py::arg("width"), py::arg("device") = "cpu");

  m.def(
      "remove_small_boxes",
      [](py::handle boxes, double min_size, const std::string& device) -> py::object {
        const TensorView v = view(boxes, "remove_small_boxes", "boxes", parse_device(device, "remove_small_boxes"));
        py::array keep = new_array("remove_small_boxes", "the kept indices", DType::int64,
                                   {boxes_count(v, "remove_small_boxes")});
        const TensorView kv = view(keep, "remove_small_boxes", "keep", v.device);
        int64_t count;
        {
          py::gil_scoped_release release;
          count = remove_small_boxes(v, min_size, kv);
        }
        if (count == kv.shape[0]) return std::move(keep);
        return keep[py::slice(0, count, 1)].attr("copy")();
      },
      py::arg("boxes"), py::arg("min_size"), py::arg("device") = "cpu");

  for (PairwiseIou kind :
       {PairwiseIou::iou, PairwiseIou::generalized, PairwiseIou::distance, PairwiseIou::complete})
    def_pairwise(m, kind);
}

}  // namespace cvcore::bindings
