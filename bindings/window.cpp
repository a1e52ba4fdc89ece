#include "cvcore/window.hpp"

#include "common.hpp"

namespace cvcore::bindings {

void register_window(py::module_& m) {
  m.def("conv_output_size", &conv_output_size, py::arg("size"), py::arg("kernel"), py::arg("stride"),
        py::arg("pad_begin"), py::arg("pad_end"), py::arg("dilation"), py::arg("ceil_mode"));
}

}  // namespace cvcore::bindings
