#include "cvcore/pool.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

using Pair = std::array<int64_t, 2>;

// Allocates the outputs of `op` of `shape` (and int64 indices when asked), runs compute(out, indices)
// without the GIL, and returns out or (out, indices).
template <typename Compute>
py::object run_pool(const char* op, const std::array<int64_t, 4>& shape, bool return_indices, Device on,
                    Compute compute) {
  const std::vector<int64_t> dims(shape.begin(), shape.end());
  py::array out = new_array(op, "the output", DType::float32, dims);
  const py::object indices =
      return_indices ? py::object(new_array(op, "the indices", DType::int64, dims)) : py::none();
  const TensorView ov = view(out, op, "out", on), iv = optional_view(indices, op, "indices", on);
  {
    py::gil_scoped_release release;
    compute(ov, iv);
  }
  if (return_indices) return py::make_tuple(out, indices);
  return std::move(out);
}

}  // namespace

void register_pool(py::module_& m) {
  m.def(
      "max_pool2d",
      [](py::handle x, Pair kernel, Pair stride, Pair padding, Pair dilation, bool ceil_mode, bool return_indices,
         const std::string& device) {
        constexpr const char* op = "max_pool2d";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        const MaxPool2dParams params{kernel, stride, padding, dilation, ceil_mode};
        return run_pool(op, max_pool2d_output_shape(xv, params), return_indices, on,
                        [&](const TensorView& out, const TensorView& indices) {
                          max_pool2d(xv, params, out, indices);
                        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("dilation"),
      py::arg("ceil_mode"), py::arg("return_indices"), py::arg("device") = "cpu");

  m.def(
      "avg_pool2d",
      [](py::handle x, Pair kernel, Pair stride, Pair padding, bool ceil_mode, bool count_include_pad,
         std::optional<int64_t> divisor_override, const std::string& device) {
        constexpr const char* op = "avg_pool2d";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        const AvgPool2dParams params{kernel, stride, padding, ceil_mode, count_include_pad, divisor_override};
        return run_pool(op, avg_pool2d_output_shape(xv, params), false, on,
                        [&](const TensorView& out, const TensorView&) { avg_pool2d(xv, params, out); });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
      py::arg("count_include_pad"), py::arg("divisor_override"), py::arg("device") = "cpu");

  m.def(
      "adaptive_avg_pool2d",
      [](py::handle x, Pair output_size, const std::string& device) {
        constexpr const char* op = "adaptive_avg_pool2d";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        return run_pool(op, adaptive_pool2d_output_shape(xv, output_size, op), false, on,
                        [&](const TensorView& out, const TensorView&) { adaptive_avg_pool2d(xv, output_size, out); });
      },
      py::arg("input"), py::arg("output_size"), py::arg("device") = "cpu");

  m.def(
      "adaptive_avg_pool2d_levels",
      [](py::handle x, const std::vector<Pair>& output_sizes, const std::string& device) {
        constexpr const char* op = "adaptive_avg_pool2d_levels";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        py::list outs;
        std::vector<TensorView> views;
        for (const Pair& size : output_sizes) {
          const std::array<int64_t, 4> shape = adaptive_pool2d_output_shape(xv, size, op);
          py::array out = new_array(op, "an output", DType::float32, {shape.begin(), shape.end()});
          views.push_back(view(out, op, "out", on));
          outs.append(std::move(out));
        }
        {
          py::gil_scoped_release release;
          adaptive_avg_pool2d_levels(xv, output_sizes, views);
        }
        return outs;
      },
      py::arg("input"), py::arg("output_sizes"), py::arg("device") = "cpu");

  m.def(
      "adaptive_max_pool2d",
      [](py::handle x, Pair output_size, bool return_indices, const std::string& device) {
        constexpr const char* op = "adaptive_max_pool2d";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on);
        return run_pool(op, adaptive_pool2d_output_shape(xv, output_size, op), return_indices, on,
                        [&](const TensorView& out, const TensorView& indices) {
                          adaptive_max_pool2d(xv, output_size, out, indices);
                        });
      },
      py::arg("input"), py::arg("output_size"), py::arg("return_indices"), py::arg("device") = "cpu");

  // The pooling parameters, checked as the ops check them (for layers that check at construction).
  m.def(
      "check_max_pool2d_params",
      [](const std::string& op, Pair kernel, Pair stride, Pair padding, Pair dilation) {
        check_max_pool2d_params(op.c_str(), MaxPool2dParams{kernel, stride, padding, dilation});
      },
      py::arg("op"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("dilation"));
  m.def(
      "check_avg_pool2d_params",
      [](const std::string& op, Pair kernel, Pair stride, Pair padding, std::optional<int64_t> divisor_override) {
        check_avg_pool2d_params(op.c_str(), AvgPool2dParams{kernel, stride, padding, false, true, divisor_override});
      },
      py::arg("op"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("divisor_override"));
  m.def(
      "check_adaptive_output_size",
      [](const std::string& op, Pair output_size) { check_adaptive_output_size(op.c_str(), output_size); },
      py::arg("op"), py::arg("output_size"));
}

}  // namespace cvcore::bindings
