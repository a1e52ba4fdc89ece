#include "cvcore/norm.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_norm(py::module_& m) {
  m.def(
      "batch_norm",
      [](py::handle x, py::handle running_mean, py::handle running_var, py::handle weight, py::handle bias,
         double eps) {
        const FloatArray xa = float32_array(x, "input");
        const FloatArray ma = float32_array(running_mean, "running_mean"), va = float32_array(running_var, "running_var");
        const FloatArray wa = optional_float32_array(weight, "weight"), ba = optional_float32_array(bias, "bias");
        const TensorView xv = view(xa), mv = view(ma), vv = view(va), wv = optional_view(weight, wa),
                         bv = optional_view(bias, ba);
        check_batch_norm(xv, mv, vv, wv, bv, eps);
        FloatArray out = new_float32_like(xv);
        const TensorView ov = view(out);
        {
          py::gil_scoped_release release;
          batch_norm(xv, mv, vv, wv, bv, eps, ov);
        }
        return out;
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight"), py::arg("bias"),
      py::arg("eps"));

  m.def(
      "fold_batch_norm",
      [](py::handle conv_weight, py::handle conv_bias, py::handle running_mean, py::handle running_var,
         py::handle weight, py::handle bias, double eps) {
        const FloatArray cwa = float32_array(conv_weight, "conv_weight");
        const FloatArray cba = optional_float32_array(conv_bias, "conv_bias");
        const FloatArray ma = float32_array(running_mean, "running_mean"), va = float32_array(running_var, "running_var");
        const FloatArray wa = optional_float32_array(weight, "weight"), ba = optional_float32_array(bias, "bias");
        const TensorView cwv = view(cwa), cbv = optional_view(conv_bias, cba), mv = view(ma), vv = view(va),
                         wv = optional_view(weight, wa), bv = optional_view(bias, ba);
        check(cwv.ndim >= 1, "fold_batch_norm: conv_weight must have at least 2 dimensions, got a scalar");
        FloatArray folded_weight = new_float32_like(cwv), folded_bias = new_float32({cwv.shape[0]});
        const TensorView fwv = view(folded_weight), fbv = view(folded_bias);
        {
          py::gil_scoped_release release;
          fold_batch_norm(cwv, cbv, mv, vv, wv, bv, eps, fwv, fbv);
        }
        return py::make_tuple(folded_weight, folded_bias);
      },
      py::arg("conv_weight"), py::arg("conv_bias"), py::arg("running_mean"), py::arg("running_var"),
      py::arg("weight"), py::arg("bias"), py::arg("eps"));
}

}  // namespace cvcore::bindings
