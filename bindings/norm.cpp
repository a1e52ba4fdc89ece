#include "cvcore/norm.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_norm(py::module_& m) {
  m.def(
      "batch_norm",
      [](py::handle x, py::handle running_mean, py::handle running_var, py::handle weight, py::handle bias,
         double eps, const std::string& device) {
        constexpr const char* op = "batch_norm";
        const Device on = parse_device(device, op);
        const TensorView xv = view(x, op, "input", on), mv = view(running_mean, op, "running_mean", on),
                         vv = view(running_var, op, "running_var", on), wv = optional_view(weight, op, "weight", on),
                         bv = optional_view(bias, op, "bias", on);
        check_batch_norm(xv, mv, vv, wv, bv, eps);
        py::array out = new_like(op, "the output", xv);
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          batch_norm(xv, mv, vv, wv, bv, eps, ov);
        }
        return out;
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight"), py::arg("bias"),
      py::arg("eps"), py::arg("device") = "cpu");

  m.def(
      "fold_batch_norm",
      [](py::handle conv_weight, py::handle conv_bias, py::handle running_mean, py::handle running_var,
         py::handle weight, py::handle bias, double eps, const std::string& device) {
        constexpr const char* op = "fold_batch_norm";
        const Device on = parse_device(device, op);
        const TensorView cwv = view(conv_weight, op, "conv_weight", on),
                         cbv = optional_view(conv_bias, op, "conv_bias", on),
                         mv = view(running_mean, op, "running_mean", on), vv = view(running_var, op, "running_var", on),
                         wv = optional_view(weight, op, "weight", on), bv = optional_view(bias, op, "bias", on);
        check_fold_batch_norm(cwv, cbv, mv, vv, wv, bv, eps);
        py::array folded_weight = new_like(op, "the folded weight", cwv),
                  folded_bias = new_array(op, "the folded bias", DType::float32, {cwv.shape[0]});
        const TensorView fwv = view(folded_weight, op, "folded_weight", on),
                         fbv = view(folded_bias, op, "folded_bias", on);
        {
          py::gil_scoped_release release;
          fold_batch_norm(cwv, cbv, mv, vv, wv, bv, eps, fwv, fbv);
        }
        return py::make_tuple(folded_weight, folded_bias);
      },
      py::arg("conv_weight"), py::arg("conv_bias"), py::arg("running_mean"), py::arg("running_var"),
      py::arg("weight"), py::arg("bias"), py::arg("eps"), py::arg("device") = "cpu");

  // eps, checked as batch_norm checks it (for layers that check at construction).
  m.def(
      "check_batch_norm_eps", [](const std::string& op, double eps) { check_batch_norm_eps(op.c_str(), eps); },
      py::arg("op"), py::arg("eps"));
}

}  // namespace cvcore::bindings
