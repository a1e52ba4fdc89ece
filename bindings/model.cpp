// cvcore._cvcore.Model: the graph runner. python/cvcore/onnx.py reads the ONNX file and passes the
// neutral graph as (opset, inputs, outputs, initializers, nodes): inputs and outputs as (name, dtype,
// shape), initializers as {name: array}, nodes as (name, op_type, domain, inputs, outputs, attributes)
// with attributes as {name: (kind, value)}, kinds "int", "float", "string", "ints", "floats", "strings",
// "tensor". read_onnx_file / read_onnx_bytes read the file in C++ (cvcore::read_onnx) and return the
// graph in the same structure.
#include "cvcore/model.hpp"
#include "cvcore/onnx.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace cvcore::bindings {
namespace {

constexpr const char* kOp = "onnx";

Tensor tensor_from(py::handle array, const std::string& name) {
  return Tensor::copy_of(view(array, kOp, name.c_str(), Device::cpu), "a constant of the graph");
}

Attribute attribute_from(const std::string& name, py::handle value) {
  const auto pair = value.cast<py::tuple>();
  const auto kind = pair[0].cast<std::string>();
  Attribute a;
  if (kind == "int") {
    a.kind = Attribute::Kind::int64;
    a.i = pair[1].cast<int64_t>();
  } else if (kind == "float") {
    a.kind = Attribute::Kind::float64;
    a.f = pair[1].cast<double>();
  } else if (kind == "string") {
    a.kind = Attribute::Kind::string;
    a.s = pair[1].cast<std::string>();
  } else if (kind == "ints") {
    a.kind = Attribute::Kind::ints;
    a.ints = pair[1].cast<std::vector<int64_t>>();
  } else if (kind == "floats") {
    a.kind = Attribute::Kind::floats;
    a.floats = pair[1].cast<std::vector<double>>();
  } else if (kind == "strings") {
    a.kind = Attribute::Kind::strings;
    a.strings = pair[1].cast<std::vector<std::string>>();
  } else if (kind == "tensor") {
    a.kind = Attribute::Kind::tensor;
    a.t = tensor_from(pair[1], "attribute '" + name + "'");
  } else {
    throw ValueError(detail::concat(kOp, ": attribute '", name, "' has an unknown kind '", kind, "'"));
  }
  return a;
}

ValueInfo value_info_from(py::handle info) {
  const auto t = info.cast<py::tuple>();
  ValueInfo v;
  v.name = t[0].cast<std::string>();
  v.dtype = dtype_from(py::dtype::from_args(t[1]), kOp, v.name.c_str());
  v.shape = t[2].cast<std::vector<int64_t>>();
  return v;
}

py::list value_infos(const std::vector<ValueInfo>& infos) {
  py::list out;
  for (const ValueInfo& v : infos)
    out.append(py::make_tuple(v.name, py::dtype(dtype_name(v.dtype)), py::tuple(py::cast(v.shape))));
  return out;
}

// Views of a run's input arrays (checked by Model::run).
std::vector<TensorView> input_views(const py::list& arrays) {
  std::vector<TensorView> views;
  for (py::handle a : arrays) views.push_back(view(a, kOp, "an input", Device::cpu));
  return views;
}

// The tensor as a NumPy array that owns it (no copy).
py::array array_of(Tensor t) {
  auto* owned = new Tensor(std::move(t));
  py::capsule owner(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  const std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  return py::array(py::dtype(dtype_name(owned->dtype())), shape, owned->data(), owner);
}

// A name read from the file: str, or bytes when it is not UTF-8 (as protobuf gives proto2 strings).
py::object text(const std::string& s) {
  PyObject* decoded = PyUnicode_DecodeUTF8(s.data(), py::ssize_t(s.size()), "strict");
  if (decoded) return py::reinterpret_steal<py::str>(decoded);
  PyErr_Clear();
  return py::bytes(s);
}

py::list texts(const std::vector<std::string>& strings) {
  py::list out;
  for (const std::string& s : strings) out.append(text(s));
  return out;
}

py::tuple value_info_tuple(const ValueInfo& v) {
  return py::make_tuple(text(v.name), dtype_name(v.dtype), py::cast(v.shape));
}

py::object attribute_value(const Attribute& a) {
  switch (a.kind) {
    case Attribute::Kind::int64: return py::make_tuple("int", a.i);
    case Attribute::Kind::float64: return py::make_tuple("float", a.f);
    case Attribute::Kind::string: return py::make_tuple("string", py::bytes(a.s));
    case Attribute::Kind::ints: return py::make_tuple("ints", py::cast(a.ints));
    case Attribute::Kind::floats: return py::make_tuple("floats", py::cast(a.floats));
    case Attribute::Kind::strings: {
      py::list strings;
      for (const std::string& s : a.strings) strings.append(py::bytes(s));
      return py::make_tuple("strings", strings);
    }
    case Attribute::Kind::tensor: return py::make_tuple("tensor", array_of(a.t));
  }
  return py::none();
}

// The graph as the arguments of Model's constructor (the structure python/cvcore/onnx.py builds).
py::tuple graph_tuple(const Graph& g) {
  py::list inputs, outputs, nodes;
  py::dict initializers;
  for (const ValueInfo& v : g.inputs) inputs.append(value_info_tuple(v));
  for (const ValueInfo& v : g.outputs) outputs.append(value_info_tuple(v));
  for (const auto& [name, t] : g.initializers) initializers[text(name)] = array_of(t);
  for (const Node& n : g.nodes) {
    py::dict attributes;
    for (const auto& [name, a] : n.attributes) attributes[text(name)] = attribute_value(a);
    nodes.append(py::make_tuple(text(n.name), text(n.op_type), text(n.domain), texts(n.inputs), texts(n.outputs),
                                attributes));
  }
  return py::make_tuple(g.opset, inputs, outputs, initializers, nodes);
}

// The file named by the bytes `path` (os.fsencode), read with the GIL released.
Graph graph_from_file(const py::bytes& path) {
  const std::string name = path;
  py::gil_scoped_release release;
  return read_onnx(name);
}

// The model file's bytes, read with the GIL released (the bytes object stays alive with the call).
Graph graph_from_bytes(const py::bytes& data) {
  char* bytes = nullptr;
  py::ssize_t size = 0;
  if (PyBytes_AsStringAndSize(data.ptr(), &bytes, &size) != 0) throw py::error_already_set();
  py::gil_scoped_release release;
  return read_onnx_bytes(bytes, size_t(size));
}

}  // namespace

void register_model(py::module_& m) {
  py::class_<Model>(m, "Model")
      .def(py::init([](int64_t opset, py::list inputs, py::list outputs, py::dict initializers, py::list nodes,
                       std::map<std::string, std::vector<int64_t>> input_shapes, bool winograd) {
             Graph g;
             g.opset = opset;
             for (py::handle i : inputs) g.inputs.push_back(value_info_from(i));
             for (py::handle o : outputs) g.outputs.push_back(value_info_from(o));
             for (auto [name, array] : initializers) {
               const auto key = name.cast<std::string>();
               g.initializers[key] = tensor_from(array, "initializer '" + key + "'");
             }
             for (py::handle item : nodes) {
               const auto t = item.cast<py::tuple>();
               Node n;
               n.name = t[0].cast<std::string>();
               n.op_type = t[1].cast<std::string>();
               n.domain = t[2].cast<std::string>();
               n.inputs = t[3].cast<std::vector<std::string>>();
               n.outputs = t[4].cast<std::vector<std::string>>();
               for (auto [key, value] : t[5].cast<py::dict>()) {
                 const auto attr = key.cast<std::string>();
                 n.attributes[attr] = attribute_from(attr, value);
               }
               g.nodes.push_back(std::move(n));
             }
             py::gil_scoped_release release;
             ModelOptions options;
             options.winograd = winograd;
             return Model(std::move(g), input_shapes, options);
           }),
           py::arg("opset"), py::arg("inputs"), py::arg("outputs"), py::arg("initializers"), py::arg("nodes"),
           py::arg("input_shapes"), py::arg("winograd") = true)
      .def(
          "run",
          [](const Model& self, py::list arrays) {
            const std::vector<TensorView> views = input_views(arrays);
            std::vector<Tensor> outputs;
            {
              py::gil_scoped_release release;
              outputs = self.run(views);
            }
            py::list out;
            for (Tensor& t : outputs) out.append(array_of(std::move(t)));
            return out;
          },
          py::arg("inputs"))
      .def(
          "profile",
          [](const Model& self, py::list arrays) {
            const std::vector<TensorView> views = input_views(arrays);
            std::vector<double> seconds;
            {
              py::gil_scoped_release release;
              self.run(views, &seconds);
            }
            return seconds;
          },
          py::arg("inputs"))
      .def_property_readonly("inputs", [](const Model& self) { return value_infos(self.inputs()); })
      .def_property_readonly("outputs", [](const Model& self) { return value_infos(self.outputs()); })
      .def_property_readonly("plan_text", &Model::plan_text)
      .def_property_readonly("memory_bytes", &Model::memory_bytes);
  m.def("read_onnx_file", [](const py::bytes& path) { return graph_tuple(graph_from_file(path)); }, py::arg("path"));
  m.def("read_onnx_bytes", [](const py::bytes& data) { return graph_tuple(graph_from_bytes(data)); }, py::arg("data"));
}

}  // namespace cvcore::bindings
