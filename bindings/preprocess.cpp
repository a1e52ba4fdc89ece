#include "cvcore/preprocess.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {

void register_preprocess(py::module_& m) {
  m.def(
      "to_blob",
      [](py::handle images, double scale, const std::vector<double>& mean, bool swap_rb, bool uint8_out,
         const std::string& device) {
        constexpr const char* op = "to_blob";
        const Device on = parse_device(device, op);
        const TensorView iv = view(images, op, "images", on);
        const BlobParams params{scale, mean, swap_rb};
        const DType out_dtype = uint8_out ? DType::uint8 : DType::float32;
        const std::array<int64_t, 4> shape = to_blob_output_shape(iv, params, out_dtype);
        py::array out = new_array(op, "the output", out_dtype, {shape.begin(), shape.end()});
        const TensorView ov = view(out, op, "out", on);
        {
          py::gil_scoped_release release;
          to_blob(iv, params, ov);
        }
        return out;
      },
      py::arg("images"), py::arg("scale"), py::arg("mean"), py::arg("swap_rb"), py::arg("uint8_out"),
      py::arg("device") = "cpu");
}

}  // namespace cvcore::bindings
