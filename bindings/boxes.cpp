#include "cvcore/boxes.hpp"

#include "common.hpp"

namespace cvcore::bindings {

namespace {

FloatArray new_output(const FloatArray&, const std::vector<int64_t>& shape) { return new_float32(shape); }
Float64Array new_output(const Float64Array&, const std::vector<int64_t>& shape) { return new_float64(shape); }

// f(array) with obj as a C-contiguous float64 array when `wide`, else float32 (other real dtypes
// converted once; bool, complex and strings raise TypeError naming `name`).
template <typename F>
py::object with_boxes(py::handle obj, const char* name, bool wide, F f) {
  if (wide) return f(float64_array(obj, name));
  return f(float32_array(obj, name));
}

// Allocates out of `shape` in boxes' dtype, runs compute(out view) without the GIL, returns out.
template <typename Array, typename Compute>
py::object run_boxes(const Array& boxes, const std::vector<int64_t>& shape, Compute compute) {
  auto out = new_output(boxes, shape);
  const TensorView ov = view(out);
  {
    py::gil_scoped_release release;
    compute(ov);
  }
  return std::move(out);
}

void def_pairwise(py::module_& m, PairwiseIou kind) {
  m.def(
      pairwise_iou_name(kind),
      [kind](py::handle boxes1, py::handle boxes2, double eps) {
        const bool wide = is_float64(boxes1) || is_float64(boxes2);
        return with_boxes(boxes1, "boxes1", wide, [&](const auto& a1) {
          return with_boxes(boxes2, "boxes2", wide, [&](const auto& a2) {
            const TensorView v1 = view(a1), v2 = view(a2);
            const std::array<int64_t, 2> shape = pairwise_iou_output_shape(kind, v1, v2);
            return run_boxes(a1, {shape[0], shape[1]},
                             [&](const TensorView& out) { pairwise_box_iou(kind, v1, v2, eps, out); });
          });
        });
      },
      py::arg("boxes1"), py::arg("boxes2"), py::arg("eps"));
}

}  // namespace

void register_boxes(py::module_& m) {
  m.def(
      "box_area",
      [](py::handle boxes) {
        return with_boxes(boxes, "boxes", is_float64(boxes), [](const auto& a) {
          const TensorView v = view(a);
          return run_boxes(a, {boxes_count(v, "box_area")}, [&](const TensorView& out) { box_area(v, out); });
        });
      },
      py::arg("boxes"));

  m.def(
      "box_convert",
      [](py::handle boxes, const std::string& in_fmt, const std::string& out_fmt) {
        const BoxFormat in = parse_box_format(in_fmt, "box_convert", "in_fmt");
        const BoxFormat out_f = parse_box_format(out_fmt, "box_convert", "out_fmt");
        return with_boxes(boxes, "boxes", is_float64(boxes), [&](const auto& a) {
          const TensorView v = view(a);
          return run_boxes(a, {boxes_count(v, "box_convert"), 4},
                           [&](const TensorView& out) { box_convert(v, in, out_f, out); });
        });
      },
      py::arg("boxes"), py::arg("in_fmt"), py::arg("out_fmt"));

  m.def(
      "clip_boxes",
      [](py::handle boxes, double height, double width) {
        return with_boxes(boxes, "boxes", is_float64(boxes), [&](const auto& a) {
          const TensorView v = view(a);
          return run_boxes(a, {boxes_count(v, "clip_boxes"), 4},
                           [&](const TensorView& out) { clip_boxes(v, height, width, out); });
        });
      },
      py::arg("boxes"), py::arg("height"), py::arg("width"));

  m.def(
      "remove_small_boxes",
      [](py::handle boxes, double min_size) {
        return with_boxes(boxes, "boxes", is_float64(boxes), [&](const auto& a) -> py::object {
          const TensorView v = view(a);
          Int64Array keep = new_int64({boxes_count(v, "remove_small_boxes")});
          const TensorView kv = view(keep);
          int64_t count;
          {
            py::gil_scoped_release release;
            count = remove_small_boxes(v, min_size, kv);
          }
          if (count == kv.shape[0]) return std::move(keep);
          return keep[py::slice(0, count, 1)].attr("copy")();
        });
      },
      py::arg("boxes"), py::arg("min_size"));

  for (PairwiseIou kind :
       {PairwiseIou::iou, PairwiseIou::generalized, PairwiseIou::distance, PairwiseIou::complete})
    def_pairwise(m, kind);
}

}  // namespace cvcore::bindings
