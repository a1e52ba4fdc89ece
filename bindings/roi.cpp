#include "cvcore/roi.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_roi(py::module_& m) {
  using Pair = std::array<int64_t, 2>;
  // roi_align and crop_resize: the same arguments.
  const auto align = [](const char* op, auto kernel, auto output_shape) {
    return [op, kernel, output_shape](py::handle x, py::handle boxes, Pair output_size, double spatial_scale,
                                      int64_t sampling_ratio, bool aligned, const std::string& device) {
      const Device on = parse_device(device, op);
      const TensorView xv = view(x, op, "input", on), bv = view(boxes, op, "boxes", on);
      const RoiAlignParams params{output_size, spatial_scale, sampling_ratio, aligned};
      const std::array<int64_t, 4> shape = output_shape(xv, bv, params);
      py::array out = new_array(op, "the output", DType::float32, {shape.begin(), shape.end()});
      const TensorView ov = view(out, op, "out", on);
      {
        py::gil_scoped_release release;
        kernel(xv, bv, params, ov);
      }
      return out;
    };
  };
  m.def("roi_align", align("roi_align", roi_align, roi_align_output_shape), py::arg("input"), py::arg("boxes"),
        py::arg("output_size"), py::arg("spatial_scale"), py::arg("sampling_ratio"), py::arg("aligned"),
        py::arg("device") = "cpu");
  m.def("crop_resize", align("crop_resize", crop_resize, crop_resize_output_shape), py::arg("input"),
        py::arg("boxes"), py::arg("output_size"), py::arg("spatial_scale"), py::arg("sampling_ratio"),
        py::arg("aligned"), py::arg("device") = "cpu");

  m.def(
      "roi_pool",
      [](py::handle x, py::handle boxes, Pair output_size, double spatial_scale, bool return_indices,
         const std::string& device) -> py::object {
        constexpr const char* op = "roi_pool";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on), bv = view(boxes, op, "boxes", on);
        const RoiPoolParams params{output_size, spatial_scale};
        const std::array<int64_t, 4> shape = roi_pool_output_shape(xv, bv, params);
        const std::vector<int64_t> dims(shape.begin(), shape.end());
        py::array out = new_array(op, "the output", DType::float32, dims);
        const py::object argmax =
            return_indices ? py::object(new_array(op, "the argmax indices", DType::int64, dims)) : py::none();
        const TensorView ov = view(out, op, "out", on), av = optional_view(argmax, op, "argmax", on);
        {
          py::gil_scoped_release release;
          roi_pool(xv, bv, params, ov, av);
        }
        if (return_indices) return py::make_tuple(out, argmax);
        return std::move(out);
      },
      py::arg("input"), py::arg("boxes"), py::arg("output_size"), py::arg("spatial_scale"),
      py::arg("return_indices"), py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
