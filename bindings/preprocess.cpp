#include "cvcore/preprocess.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_preprocess(py::module_& m) {
  m.def(
      "to_blob",
      [](py::handle images, double scale, const std::vector<double>& mean, bool swap_rb, bool uint8_out) -> py::array {
        const Uint8OrFloat32 xa = uint8_or_float32_array(images, "images");
        const BlobParams params{scale, mean, swap_rb};
        const std::array<int64_t, 4> shape =
            to_blob_output_shape(xa.view, params, uint8_out ? DType::uint8 : DType::float32);
        const std::vector<int64_t> dims(shape.begin(), shape.end());
        const auto run = [&](const TensorView& out) {
          py::gil_scoped_release release;
          to_blob(xa.view, params, out);
        };
        if (uint8_out) {
          Uint8Array out(std::vector<py::ssize_t>(dims.begin(), dims.end()));
          run(view(out));
          return std::move(out);
        }
        FloatArray out = new_float32(dims);
        run(view(out));
        return std::move(out);
      },
      py::arg("images"), py::arg("scale"), py::arg("mean"), py::arg("swap_rb"), py::arg("uint8_out"));
}

}  // namespace cvcore::bindings
