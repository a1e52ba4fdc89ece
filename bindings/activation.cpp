#include "cvcore/activation.hpp"

#include "common.hpp"

namespace cvcore::bindings {
namespace {

// Validates x with check(view), allocates an output of its shape, then runs run(view, out_view)
// without the GIL.
template <typename Check, typename Run>
py::array unary(py::handle x, Check check, Run run) {
  const TensorView xv = view(x, "input");
  check(xv);
  py::array out = new_like(xv);
  const TensorView ov = view(out, "out");
  {
    py::gil_scoped_release release;
    run(xv, ov);
  }
  return out;
}

py::array run_activation(py::handle x, Activation kind, const ActivationParams& params) {
  return unary(
      x, [&](const TensorView& xv) { check_activation(xv, kind, params); },
      [&](const TensorView& xv, const TensorView& ov) { activation(xv, kind, params, ov); });
}

}  // namespace

void register_activation(py::module_& m) {
  m.def(
      "activation",
      [](py::handle x, const std::string& name, double negative_slope, double alpha, double beta, double threshold) {
        return run_activation(x, parse_activation(name), {negative_slope, alpha, beta, threshold});
      },
      py::arg("input"), py::arg("kind"), py::arg("negative_slope") = 0.01, py::arg("alpha") = 1.0,
      py::arg("beta") = 1.0, py::arg("threshold") = 20.0);

  m.def(
      "gelu",
      [](py::handle x, const std::string& approximate) {
        return run_activation(x, parse_gelu_approximate(approximate), {});
      },
      py::arg("input"), py::arg("approximate"));

  m.def(
      "prelu",
      [](py::handle x, py::handle weight) {
        const TensorView wv = view(weight, "weight");
        return unary(
            x, [&](const TensorView& xv) { check_prelu(xv, wv); },
            [&](const TensorView& xv, const TensorView& ov) { prelu(xv, wv, ov); });
      },
      py::arg("input"), py::arg("weight"));

  m.def(
      "softmax",
      [](py::handle x, int64_t axis, bool log) {
        return unary(
            x, [&](const TensorView& xv) { check_softmax(xv, axis, log); },
            [&](const TensorView& xv, const TensorView& ov) { softmax(xv, axis, log, ov); });
      },
      py::arg("input"), py::arg("axis"), py::arg("log"));
}

}  // namespace cvcore::bindings
