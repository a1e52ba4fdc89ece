#include "cvcore/conv.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_conv(py::module_& m) {
  m.def(
      "conv2d",
      [](py::handle x, py::handle weight, py::handle bias, std::array<int64_t, 2> stride,
         std::array<int64_t, 4> padding, std::array<int64_t, 2> dilation, int64_t groups,
         const std::string& activation, py::handle prelu_weight, std::array<int64_t, 2> pool_kernel,
         std::array<int64_t, 2> pool_stride, bool pool_ceil_mode, py::handle pointwise_weight,
         py::handle pointwise_bias, bool winograd, py::handle residual, const std::string& device) {
        constexpr const char* op = "conv2d";
        const Device on = parse_device(device, op);
        const Conv2dParams params{stride,
                                  padding,
                                  dilation,
                                  groups,
                                  parse_epilogue(activation, op),
                                  optional_view(prelu_weight, op, "prelu_weight", on),
                                  pool_kernel,
                                  pool_stride,
                                  pool_ceil_mode,
                                  optional_view(pointwise_weight, op, "pointwise weight", on),
                                  optional_view(pointwise_bias, op, "pointwise bias", on),
                                  winograd,
                                  optional_view(residual, op, "residual", on)};
        const TensorView xv = view(x, op, "input", on), wv = view(weight, op, "weight", on),
                         bv = optional_view(bias, op, "bias", on);
        const std::array<int64_t, 4> shape = conv2d_output_shape(xv, wv, bv, params);
        py::array out = new_array(op, "the output", DType::float32, {shape.begin(), shape.end()});
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          conv2d(xv, wv, bv, params, ov);
        }
        return out;
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
      py::arg("dilation"), py::arg("groups"), py::arg("activation"), py::arg("prelu_weight"),
      py::arg("pool_kernel") = std::array<int64_t, 2>{0, 0}, py::arg("pool_stride") = std::array<int64_t, 2>{0, 0},
      py::arg("pool_ceil_mode") = false, py::arg("pointwise_weight") = py::none(),
      py::arg("pointwise_bias") = py::none(), py::arg("winograd") = false, py::arg("residual") = py::none(),
      py::arg("device") = "cpu");

  // A convolution's hyper-parameters and a fused epilogue's arguments, checked as conv2d (and linear)
  // check them (for layers that check at construction).
  m.def(
      "check_conv2d_params",
      [](const std::string& op, int64_t in_channels, int64_t out_channels, std::array<int64_t, 2> kernel_size,
         std::array<int64_t, 2> stride, std::array<int64_t, 4> padding, std::array<int64_t, 2> dilation,
         int64_t groups) {
        Conv2dParams params;
        params.stride = stride;
        params.padding = padding;
        params.dilation = dilation;
        params.groups = groups;
        check_conv2d_params(op.c_str(), in_channels, out_channels, kernel_size, params);
      },
      py::arg("op"), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"), py::arg("stride"),
      py::arg("padding"), py::arg("dilation"), py::arg("groups"));
  m.def(
      "check_epilogue",
      [](const std::string& op, const std::string& activation, py::handle prelu_weight, int64_t channels) {
        check_epilogue(op.c_str(), parse_epilogue(activation, op.c_str()),
                       optional_view(prelu_weight, op.c_str(), "prelu_weight", Device::cpu), channels);
      },
      py::arg("op"), py::arg("activation"), py::arg("prelu_weight"), py::arg("channels"));
}

}  // namespace cvcore::bindings
