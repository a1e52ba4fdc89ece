#include "cvcore/elementwise.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_elementwise(py::module_& m) {
  m.def(
      "binary",
      [](py::handle a, py::handle b, const std::string& op, const std::string& activation, const std::string& device) {
        const BinaryOp kind = parse_binary_op(op);
        const char* name = binary_op_name(kind);
        const Device on = parse_device(device, name);
        const Epilogue act = parse_binary_activation(activation, name);
        const TensorView av = view(a, name, "a", on), bv = view(b, name, "b", on);
        py::array out = new_array(name, "the output", DType::float32, broadcast_shapes(name, av, bv));
        const TensorView ov = view(out, name, "out", on);
        {
          py::gil_scoped_release release;
          binary(kind, av, bv, ov, act);
        }
        return out;
      },
      py::arg("a"), py::arg("b"), py::arg("op"), py::arg("activation") = "none", py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
