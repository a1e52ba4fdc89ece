#include "cvcore/resize.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_resize(py::module_& m) {
  // resize (ONNX Resize) to `size`; `op` names the Python function (resize or interpolate) in messages.
  m.def(
      "resize",
      [](py::handle x, std::array<int64_t, 2> size, const std::string& mode, const std::string& coordinate_mode,
         const std::string& nearest_mode, std::array<double, 2> scales, const std::string& op,
         const std::string& device) {
        const char* name = op.c_str();
        const Device on = parse_device(device, name);
        const ResizeParams params{parse_resize_mode(mode, name), parse_coordinate_mode(coordinate_mode, name),
                                  parse_nearest_mode(nearest_mode, name), scales};
        check_resize_params(params, name);  // before the output is allocated
        const TensorView xv = view(x, name, "input", on);
        const std::array<int64_t, 4> shape = resize_output_shape(xv, size, name);
        py::array out = new_array(name, "the output", DType::float32, {shape.begin(), shape.end()});
        const TensorView ov = view(out, name, "out", on);
        {
          py::gil_scoped_release release;
          resize(xv, params, ov, name);
        }
        return out;
      },
      py::arg("input"), py::arg("size"), py::arg("mode"), py::arg("coordinate_transformation_mode"),
      py::arg("nearest_mode"), py::arg("scales"), py::arg("op") = "resize", py::arg("device") = "cpu");
  m.def(
      "resize_output_size",
      [](int64_t size, double scale, const std::string& op) { return resize_output_size(size, scale, op.c_str()); },
      py::arg("size"), py::arg("scale"), py::arg("op") = "resize");
}

}  // namespace cvcore::bindings
