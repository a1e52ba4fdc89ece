#include "cvcore/shape_ops.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {
namespace {

// Allocates the output of `op` (x's dtype, `shape`), then runs run(out_view) without the GIL.
template <typename Run>
py::array into_new(const char* op, Device on, DType dtype, const std::vector<int64_t>& shape, Run run) {
  py::array out = new_array(op, "the output", dtype, shape);
  const TensorView ov = view(out, op, "out", on);
  {
    py::gil_scoped_release release;
    run(ov);
  }
  return out;
}

}  // namespace

void register_shape_ops(py::module_& m) {
  m.def(
      "concat",
      [](const std::vector<py::handle>& arrays, int64_t axis, const std::string& device) {
        constexpr const char* op = "concat";
        const Device on = parse_device(device, op);
        std::vector<TensorView> views;
        views.reserve(arrays.size());
        for (size_t i = 0; i < arrays.size(); ++i)
          views.push_back(view(arrays[i], op, ("inputs[" + std::to_string(i) + "]").c_str(), on));
        const std::vector<int64_t> shape = concat_output_shape(views, axis);
        return into_new(op, on, views[0].dtype, shape, [&](const TensorView& ov) { concat(views, axis, ov); });
      },
      py::arg("arrays"), py::arg("axis"), py::arg("device") = "cpu");

  m.def(
      "transpose",
      [](py::handle x, const std::vector<int64_t>& perm, const std::string& device) {
        constexpr const char* op = "transpose";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        return into_new(op, on, xv.dtype, transpose_output_shape(xv, perm),
                        [&](const TensorView& ov) { transpose(xv, perm, ov); });
      },
      py::arg("input"), py::arg("perm"), py::arg("device") = "cpu");

  m.def(
      "slice",
      [](py::handle x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
         const std::vector<int64_t>& axes, const std::vector<int64_t>& steps, const std::string& device) {
        constexpr const char* op = "slice";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        return into_new(op, on, xv.dtype, slice_output_shape(xv, starts, ends, axes, steps),
                        [&](const TensorView& ov) { slice(xv, starts, ends, axes, steps, ov); });
      },
      py::arg("input"), py::arg("starts"), py::arg("ends"), py::arg("axes"), py::arg("steps"),
      py::arg("device") = "cpu");

  m.def(
      "pad",
      [](py::handle x, const std::vector<int64_t>& pads, const std::string& mode, double value,
         const std::string& device) {
        constexpr const char* op = "pad";
        const Device on = parse_device(device, op);
        const PadMode pad_mode = parse_pad_mode(mode, op);
        const TensorView xv = view(x, op, "input", on);
        return into_new(op, on, xv.dtype, pad_output_shape(xv, pads, pad_mode),
                        [&](const TensorView& ov) { pad(xv, pads, pad_mode, value, ov); });
      },
      py::arg("input"), py::arg("pads"), py::arg("mode"), py::arg("value"), py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
