#include "cvcore/pool.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

using Pair = std::array<int64_t, 2>;

// Allocates the outputs of `shape` (and int64 indices when asked), runs compute(out, indices)
// without the GIL, and returns out or (out, indices).
template <typename Compute>
py::object run_pool(const std::array<int64_t, 4>& shape, bool return_indices, Compute compute) {
  const std::vector<int64_t> dims(shape.begin(), shape.end());
  py::array out = new_array(DType::float32, dims);
  const py::object indices = return_indices ? py::object(new_array(DType::int64, dims)) : py::none();
  const TensorView ov = view(out, "out"), iv = optional_view(indices, "indices");
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
      [](py::handle x, Pair kernel, Pair stride, Pair padding, Pair dilation, bool ceil_mode, bool return_indices) {
        const TensorView xv = view(x, "input");
        const MaxPool2dParams params{kernel, stride, padding, dilation, ceil_mode};
        return run_pool(max_pool2d_output_shape(xv, params), return_indices,
                        [&](const TensorView& out, const TensorView& indices) {
                          max_pool2d(xv, params, out, indices);
                        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("dilation"),
      py::arg("ceil_mode"), py::arg("return_indices"));

  m.def(
      "avg_pool2d",
      [](py::handle x, Pair kernel, Pair stride, Pair padding, bool ceil_mode, bool count_include_pad,
         std::optional<int64_t> divisor_override) {
        const TensorView xv = view(x, "input");
        const AvgPool2dParams params{kernel, stride, padding, ceil_mode, count_include_pad, divisor_override};
        return run_pool(avg_pool2d_output_shape(xv, params), false,
                        [&](const TensorView& out, const TensorView&) { avg_pool2d(xv, params, out); });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
      py::arg("count_include_pad"), py::arg("divisor_override"));

  m.def(
      "adaptive_avg_pool2d",
      [](py::handle x, Pair output_size) {
        const TensorView xv = view(x, "input");
        return run_pool(adaptive_pool2d_output_shape(xv, output_size, "adaptive_avg_pool2d"), false,
                        [&](const TensorView& out, const TensorView&) { adaptive_avg_pool2d(xv, output_size, out); });
      },
      py::arg("input"), py::arg("output_size"));

  m.def(
      "adaptive_avg_pool2d_levels",
      [](py::handle x, const std::vector<Pair>& output_sizes) {
        const TensorView xv = view(x, "input");
        py::list outs;
        std::vector<TensorView> views;
        for (const Pair& size : output_sizes) {
          const std::array<int64_t, 4> shape = adaptive_pool2d_output_shape(xv, size, "adaptive_avg_pool2d_levels");
          py::array out = new_array(DType::float32, {shape.begin(), shape.end()});
          views.push_back(view(out, "out"));
          outs.append(std::move(out));
        }
        {
          py::gil_scoped_release release;
          adaptive_avg_pool2d_levels(xv, output_sizes, views);
        }
        return outs;
      },
      py::arg("input"), py::arg("output_sizes"));

  m.def(
      "adaptive_max_pool2d",
      [](py::handle x, Pair output_size, bool return_indices) {
        const TensorView xv = view(x, "input");
        return run_pool(adaptive_pool2d_output_shape(xv, output_size, "adaptive_max_pool2d"), return_indices,
                        [&](const TensorView& out, const TensorView& indices) {
                          adaptive_max_pool2d(xv, output_size, out, indices);
                        });
      },
      py::arg("input"), py::arg("output_size"), py::arg("return_indices"));
}

}  // namespace cvcore::bindings
