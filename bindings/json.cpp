// JSON text to Python objects through cvcore::read_json (strict, iterative), as json.loads builds
// them: dict, list, str, int (of any size), float, True, False, None.
#include "cvcore/json.hpp"

#include <string>
#include <vector>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

class PythonObjects final : public JsonHandler {
 public:
  void null() override { add(py::none()); }
  void boolean(bool value) override { add(py::bool_(value)); }
  void number(const JsonNumber& n) override {
    if (!n.integer) {
      add(py::float_(n.value));
    } else if (n.in_int64) {
      add(py::int_(n.int_value));
    } else {  // beyond int64: Python's own parser (which limits the digits as int() does)
      const std::string digits(n.text);
      PyObject* value = PyLong_FromString(digits.c_str(), nullptr, 10);
      if (!value) throw py::error_already_set();
      add(py::reinterpret_steal<py::object>(value));
    }
  }
  void string(std::string_view utf8) override { add(py::str(utf8.data(), utf8.size())); }
  void begin_array() override { open(py::list()); }
  void end_array() override { open_.pop_back(); }
  void begin_object() override { open(py::dict()); }
  bool key(std::string_view utf8) override {
    keys_.push_back(py::str(utf8.data(), utf8.size()));
    return true;
  }
  void end_object() override { open_.pop_back(); }

  py::object result() const { return result_; }

 private:
  // A value into the innermost open list or dict (under the last key read), or as the result.
  void add(const py::object& value) {
    if (open_.empty()) {
      result_ = value;
    } else if (PyList_Check(open_.back().ptr())) {
      if (PyList_Append(open_.back().ptr(), value.ptr()) != 0) throw py::error_already_set();
    } else {
      if (PyDict_SetItem(open_.back().ptr(), keys_.back().ptr(), value.ptr()) != 0) throw py::error_already_set();
      keys_.pop_back();
    }
  }
  void open(const py::object& container) {
    add(container);
    open_.push_back(container);
  }

  std::vector<py::object> open_;  // the open lists and dicts, innermost last
  std::vector<py::object> keys_;  // the key of each open dict's member being read
  py::object result_;
};

}  // namespace

void register_json(py::module_& m) {
  m.def(
      "json_loads",
      [](py::bytes data, const std::string& source, const std::string& op) {
        PythonObjects objects;
        read_json(std::string_view(data), objects, source, op.c_str());
        return objects.result();
      },
      py::arg("data"), py::arg("source"), py::arg("op"));
}

}  // namespace cvcore::bindings
