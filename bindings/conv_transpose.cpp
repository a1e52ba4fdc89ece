#include "cvcore/conv_transpose.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_conv_transpose(py::module_& m) {
  m.def(
      "conv_transpose2d",
      [](py::handle x, py::handle weight, py::handle bias, std::array<int64_t, 2> stride,
         std::array<int64_t, 4> padding, std::array<int64_t, 2> output_padding, std::array<int64_t, 2> dilation,
         int64_t groups, const std::string& activation, const std::string& device) {
        constexpr const char* op = "conv_transpose2d";
        const Device on = parse_device(device, op);
        const ConvTranspose2dParams params{stride, padding, output_padding, dilation, groups,
                                           parse_epilogue(activation, op)};
        const TensorView xv = view(x, op, "input", on), wv = view(weight, op, "weight", on),
                         bv = optional_view(bias, op, "bias", on);
        const std::array<int64_t, 4> shape = conv_transpose2d_output_shape(xv, wv, bv, params);
        py::array out = new_array(op, "the output", DType::float32, {shape.begin(), shape.end()});
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          conv_transpose2d(xv, wv, bv, params, ov);
        }
        return out;
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
      py::arg("output_padding"), py::arg("dilation"), py::arg("groups"), py::arg("activation"),
      py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
