// cvcore._cvcore: the private extension module. The public API lives in the Python package.
#include "common.hpp"

#include <pybind11/stl.h>

#include "cvcore/device.hpp"
#include "cvcore/error.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore::bindings {
namespace {

unsigned long g_main_thread = 0;

// The core's interrupt check (set_interrupt_check): runs Python's pending signal handlers, so that
// Ctrl-C stops a long call. Handlers run only on the main thread; other threads answer at once
// without taking the GIL. When a handler raises (KeyboardInterrupt), its exception stays set and
// the op's cvcore::Interrupted leaves it to Python.
bool python_signal_raised() {
  if (PyThread_get_thread_ident() != g_main_thread) return false;
  py::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}

}  // namespace

void register_runtime(py::module_& m) {
  m.def("set_num_threads", &set_num_threads, py::arg("n"));
  m.def("get_num_threads", &get_num_threads);
  m.def("set_isa", [](const std::string& name) { set_isa(parse_isa(name)); }, py::arg("isa"));
  m.def("isa_supported", [](const std::string& name) { return isa_supported(parse_isa(name, "isa_supported")); },
        py::arg("isa"));
  m.def("build_info", [] {
    const BuildInfo info = build_info();
    py::dict d;
    d["version"] = info.version;
    d["compiler"] = info.compiler;
    d["isas_compiled"] = info.isas_compiled;
    std::vector<std::string> supported;
    for (Isa isa : compiled_isas())
      if (isa_supported(isa)) supported.push_back(isa_name(isa));
    d["isas_supported"] = supported;
    d["isa"] = info.isa_active;
    d["openmp"] = info.openmp;
    d["cuda"] = info.cuda;
    return d;
  });
  m.def("cuda_device_count", &cuda_device_count);
  g_main_thread = py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  set_interrupt_check(&python_signal_raised);
}

}  // namespace cvcore::bindings

PYBIND11_MODULE(_cvcore, m) {
  namespace py = pybind11;
  using namespace cvcore::bindings;
  m.doc() = "cvcore's C++ core (private: use the cvcore package)";

  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cvcore::TypeError& e) {
      py::set_error(PyExc_TypeError, e.what());
    } catch (const cvcore::Interrupted&) {
      if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const cvcore::IndexError& e) {
      py::set_error(PyExc_IndexError, e.what());
    } catch (const cvcore::ValueError& e) {
      py::set_error(PyExc_ValueError, e.what());
    } catch (const cvcore::MemoryError& e) {
      py::set_error(PyExc_MemoryError, e.what());
    } catch (const cvcore::Error& e) {
      py::set_error(PyExc_RuntimeError, e.what());
    }
  });

  register_runtime(m);
  register_window(m);
  register_conv(m);
  register_conv_transpose(m);
  register_linear(m);
  register_pool(m);
  register_norm(m);
  register_activation(m);
  register_elementwise(m);
  register_shape_ops(m);
  register_boxes(m);
  register_roi(m);
  register_preprocess(m);
  register_resize(m);
  register_nms(m);
  register_kmeans(m);
  register_neighbors(m);
  register_cocoeval(m);
  register_json(m);
  register_model(m);
}
