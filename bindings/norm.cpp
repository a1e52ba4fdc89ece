#include "cvcore/norm.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_norm(py::module_& m) {
  m.def(
      "batch_norm",
      [](py::handle x, py::handle running_mean, py::handle running_var, py::handle weight, py::handle bias,
         double eps) {
        const TensorView xv = view(x, "input"), mv = view(running_mean, "running_mean"),
                         vv = view(running_var, "running_var"), wv = optional_view(weight, "weight"),
                         bv = optional_view(bias, "bias");
        check_batch_norm(xv, mv, vv, wv, bv, eps);
        py::array out = new_like(xv);
        const TensorView ov = view(out, "out");
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
        const TensorView cwv = view(conv_weight, "conv_weight"), cbv = optional_view(conv_bias, "conv_bias"),
                         mv = view(running_mean, "running_mean"), vv = view(running_var, "running_var"),
                         wv = optional_view(weight, "weight"), bv = optional_view(bias, "bias");
        check_fold_batch_norm(cwv, cbv, mv, vv, wv, bv, eps);
        py::array folded_weight = new_like(cwv), folded_bias = new_array(DType::float32, {cwv.shape[0]});
        const TensorView fwv = view(folded_weight, "folded_weight"), fbv = view(folded_bias, "folded_bias");
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
