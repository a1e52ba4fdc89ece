#include "cvcore/linear.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_linear(py::module_& m) {
  m.def(
      "linear",
      [](py::handle x, py::handle weight, py::handle bias, const std::string& activation, py::handle prelu_weight,
         const std::string& device) {
        constexpr const char* op = "linear";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on), wv = view(weight, op, "weight", on),
                         bv = optional_view(bias, op, "bias", on),
                         pv = optional_view(prelu_weight, op, "prelu_weight", on);
        const Epilogue act = parse_epilogue(activation, op);
        py::array out = new_array(op, "the output", DType::float32, linear_output_shape(xv, wv, bv));
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          linear(xv, wv, bv, ov, act, pv);
        }
        return out;
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("activation"), py::arg("prelu_weight"),
      py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
