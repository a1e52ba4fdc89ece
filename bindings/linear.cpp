#include "cvcore/linear.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_linear(py::module_& m) {
  m.def(
      "linear",
      [](py::handle x, py::handle weight, py::handle bias, const std::string& activation, py::handle prelu_weight) {
        const FloatArray xa = float32_array(x, "input"), wa = float32_array(weight, "weight");
        const FloatArray ba = optional_float32_array(bias, "bias");
        const FloatArray pa = optional_float32_array(prelu_weight, "prelu_weight");
        const TensorView pv = optional_view(prelu_weight, pa);
        const TensorView xv = view(xa), wv = view(wa), bv = optional_view(bias, ba);
        FloatArray out = new_float32(linear_output_shape(xv, wv, bv));
        const TensorView ov = view(out);
        const Epilogue act = parse_epilogue(activation, "linear");
        {
          py::gil_scoped_release release;
          linear(xv, wv, bv, ov, act, pv);
        }
        return out;
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("activation"), py::arg("prelu_weight"));
}

}  // namespace cvcore::bindings
