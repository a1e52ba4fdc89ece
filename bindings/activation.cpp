#include "cvcore/activation.hpp"

#include "common.hpp"

namespace cvcore::bindings {
namespace {

// Validates x with check(view), allocates an output of its shape, then runs run(view, out_view)
// without the GIL.
template <typename Check, typename Run>
py::array unary(py::handle x, const char* op, Device on, Check check, Run run) {
  const TensorView xv = view(x, op, "input", on);
  check(xv);
  py::array out = new_like(op, "the output", xv);
  const TensorView ov = view(out, op, "out", on);
  {
    py::gil_scoped_release release;
    run(xv, ov);
  }
  return out;
}

py::array run_activation(py::handle x, Activation kind, const ActivationParams& params, const std::string& device) {
  const char* op = activation_name(kind);
  return unary(
      x, op, parse_device(device, op), [&](const TensorView& xv) { check_activation(xv, kind, params); },
      [&](const TensorView& xv, const TensorView& ov) { activation(xv, kind, params, ov); });
}

}  // namespace

void register_activation(py::module_& m) {
  m.def(
      "activation",
      [](py::handle x, const std::string& name, const std::string& device, double negative_slope, double alpha,
         double beta, double threshold, double hardsigmoid_alpha, double hardsigmoid_beta, double clip_min,
         double clip_max) {
        return run_activation(x, parse_activation(name),
                              {negative_slope, alpha, beta, threshold, hardsigmoid_alpha, hardsigmoid_beta, clip_min,
                               clip_max},
                              device);
      },
      py::arg("input"), py::arg("kind"), py::arg("device") = "cpu", py::arg("negative_slope") = 0.01,
      py::arg("alpha") = 1.0, py::arg("beta") = 1.0, py::arg("threshold") = 20.0,
      py::arg("hardsigmoid_alpha") = ActivationParams{}.hardsigmoid_alpha,
      py::arg("hardsigmoid_beta") = ActivationParams{}.hardsigmoid_beta,
      py::arg("clip_min") = ActivationParams{}.clip_min, py::arg("clip_max") = ActivationParams{}.clip_max);

  m.def(
      "gelu",
      [](py::handle x, const std::string& approximate, const std::string& device) {
        return run_activation(x, parse_gelu_approximate(approximate), {}, device);
      },
      py::arg("input"), py::arg("approximate"), py::arg("device") = "cpu");

  m.def(
      "prelu",
      [](py::handle x, py::handle weight, const std::string& device) {
        const Device on = parse_device(device, "prelu");
        const TensorView wv = view(weight, "prelu", "weight", on);
        return unary(
            x, "prelu", on, [&](const TensorView& xv) { check_prelu(xv, wv); },
            [&](const TensorView& xv, const TensorView& ov) { prelu(xv, wv, ov); });
      },
      py::arg("input"), py::arg("weight"), py::arg("device") = "cpu");

  m.def(
      "softmax",
      [](py::handle x, int64_t axis, bool log, const std::string& device) {
        const char* op = log ? "log_softmax" : "softmax";
        return unary(
            x, op, parse_device(device, op),
            [&](const TensorView& xv) { check_softmax(xv, axis, log); },
            [&](const TensorView& xv, const TensorView& ov) { softmax(xv, axis, log, ov); });
      },
      py::arg("input"), py::arg("axis"), py::arg("log"), py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
