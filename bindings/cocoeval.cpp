#include "cvcore/cocoeval.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

// A view of an array that the Python layer normalised (int64 ids, float64 boxes and values, uint8
// flags). The evaluation runs on the CPU: its Python API has no device.
TensorView host_view(py::handle obj, const char* op, const char* name) { return view(obj, op, name, Device::cpu); }

// A new array of `shape` holding v.
template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<int64_t> shape) {
  py::array_t<T> out(shape);
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
  return out;
}

// The columns of COCO records as arrays: (n,) int64 for an id, (n,) float64 for a number, (n, 4)
// float64 for a box.
py::tuple to_arrays(const std::vector<CocoColumn>& columns) {
  py::tuple out(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const CocoColumn& c = columns[i];
    if (c.reals_per_record == 0) {
      out[i] = to_numpy(c.ints, {static_cast<int64_t>(c.ints.size())});
    } else {
      const int64_t n = static_cast<int64_t>(c.reals.size()) / c.reals_per_record;
      out[i] = c.reals_per_record == 1 ? to_numpy(c.reals, {n}) : to_numpy(c.reals, {n, c.reals_per_record});
    }
  }
  return out;
}

// The JSON events of Python objects, for a CocoRecordReader: lists, tuples and NumPy arrays are arrays,
// dicts objects (members with a key that is not a str are skipped: no field has such a name), ints
// and floats (NumPy's too) numbers, bools and NumPy bools true / false, str strings, None null;
// anything else is unsupported. The reader rejects any nesting deeper than a record's box, which bounds
// the recursion.
struct PythonWalk {
  py::module_ numpy;
  py::object np_bool = numpy.attr("bool_"), np_integer = numpy.attr("integer"), np_floating = numpy.attr("floating");

  void walk(py::handle obj, CocoRecordReader& reader) const {
    PyObject* o = obj.ptr();
    if (PyFloat_Check(o)) {
      JsonNumber n;
      n.value = PyFloat_AS_DOUBLE(o);
      reader.number(n);
    } else if (PyBool_Check(o) || py::isinstance(obj, np_bool)) {
      reader.boolean(PyObject_IsTrue(o) == 1);
    } else if (PyLong_Check(o) || py::isinstance(obj, np_integer)) {
      integer(py::reinterpret_steal<py::object>(PyNumber_Index(o)), reader);
    } else if (py::isinstance(obj, np_floating)) {
      JsonNumber n;
      n.value = PyFloat_AsDouble(o);
      if (PyErr_Occurred()) throw py::error_already_set();
      reader.number(n);
    } else if (PyDict_Check(o)) {
      reader.begin_object();
      PyObject *key, *value;
      Py_ssize_t pos = 0;
      while (PyDict_Next(o, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) continue;
        Py_ssize_t size = 0;
        const char* utf8 = PyUnicode_AsUTF8AndSize(key, &size);
        if (!utf8) {  // a lone surrogate: no field's name either
          PyErr_Clear();
          continue;
        }
        if (reader.key(std::string_view(utf8, static_cast<size_t>(size)))) walk(value, reader);
      }
      reader.end_object();
    } else if (PyList_Check(o) || PyTuple_Check(o) || (py::isinstance<py::array>(obj) && py::reinterpret_borrow<py::array>(obj).ndim() > 0)) {
      reader.begin_array();
      for (py::handle item : obj) walk(item, reader);
      reader.end_array();
    } else if (o == Py_None) {
      reader.null();
    } else if (PyUnicode_Check(o)) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(o, &size);
      if (!utf8) {
        PyErr_Clear();
        reader.unsupported("a str that is not Unicode text");
      }
      reader.string(std::string_view(utf8, static_cast<size_t>(size)));
    } else {
      reader.unsupported(std::string("a value of type ") + Py_TYPE(o)->tp_name);
    }
  }

  // A Python int: exact when it fits int64, else its digits and nearest double for messages.
  static void integer(const py::object& value, CocoRecordReader& reader) {
    if (!value) throw py::error_already_set();
    JsonNumber n;
    n.integer = true;
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    std::string digits;
    if (overflow == 0) {
      n.in_int64 = true, n.int_value = v, n.value = static_cast<double>(v);
    } else {
      try {
        digits = py::str(value);
      } catch (const py::error_already_set&) {  // beyond the digits str() writes
        digits = "an integer of " + py::str(value.attr("bit_length")()).cast<std::string>() + " bits";
      }
      n.text = digits;
      n.value = PyLong_AsDouble(value.ptr());
      if (PyErr_Occurred()) PyErr_Clear(), n.value = overflow * HUGE_VAL;
    }
    reader.number(n);
  }
};

}  // namespace

void register_cocoeval(py::module_& m) {
  m.def(
      "coco_read_records",
      [](py::bytes data, const std::string& kind, const std::string& source, const std::string& name,
         const std::string& op) {
        const std::string_view text = data;
        const CocoRecordKind k = parse_coco_record_kind(kind);
        std::vector<CocoColumn> columns;
        {
          py::gil_scoped_release release;
          columns = read_coco_records(text, k, source, name, op.c_str());
        }
        return to_arrays(columns);
      },
      py::arg("data"), py::arg("kind"), py::arg("source"), py::arg("name"), py::arg("op"));

  m.def(
      "coco_records",
      [](py::handle records, const std::string& kind, const std::string& name, const std::string& op) {
        CocoRecordReader reader(parse_coco_record_kind(kind), name);
        try {
          PythonWalk{py::module_::import("numpy")}.walk(records, reader);
        } catch (const ValueError& e) {
          throw ValueError(op + ": " + e.what());
        }
        return to_arrays(reader.take_columns());
      },
      py::arg("records"), py::arg("kind"), py::arg("name"), py::arg("op"));

  m.def(
      "coco_evaluate",
      [](py::handle gt_image, py::handle gt_category, py::handle gt_boxes, py::handle gt_area, py::handle gt_crowd,
         py::handle gt_id, py::handle dt_image, py::handle dt_category, py::handle dt_boxes, py::handle dt_score,
         int64_t num_images, int64_t num_categories, std::vector<double> iou_thresholds,
         std::vector<double> recall_thresholds, std::vector<int64_t> max_dets,
         std::vector<std::array<double, 2>> area_ranges) {
        constexpr const char* op = "coco_evaluate";
        const CocoGroundTruth gt{host_view(gt_image, op, "gt_image"), host_view(gt_category, op, "gt_category"),
                                 host_view(gt_boxes, op, "gt_boxes"), host_view(gt_area, op, "gt_area"),
                                 host_view(gt_crowd, op, "gt_crowd"), host_view(gt_id, op, "gt_id")};
        const CocoDetections dt{host_view(dt_image, op, "dt_image"), host_view(dt_category, op, "dt_category"),
                                host_view(dt_boxes, op, "dt_boxes"), host_view(dt_score, op, "dt_score")};
        const CocoEvalParams params{std::move(iou_thresholds), std::move(recall_thresholds), std::move(max_dets),
                                    std::move(area_ranges)};
        CocoEvalResult r;
        {
          py::gil_scoped_release release;
          r = coco_evaluate(gt, dt, num_images, num_categories, params);
        }
        const int64_t T = static_cast<int64_t>(params.iou_thresholds.size()),
                      R = static_cast<int64_t>(params.recall_thresholds.size()),
                      A = static_cast<int64_t>(params.area_ranges.size()),
                      M = static_cast<int64_t>(params.max_dets.size());
        return py::make_tuple(to_numpy(r.precision, {T, R, num_categories, A, M}),
                              to_numpy(r.recall, {T, num_categories, A, M}),
                              to_numpy(r.scores, {T, R, num_categories, A, M}));
      },
      py::arg("gt_image"), py::arg("gt_category"), py::arg("gt_boxes"), py::arg("gt_area"), py::arg("gt_crowd"),
      py::arg("gt_id"), py::arg("dt_image"), py::arg("dt_category"), py::arg("dt_boxes"), py::arg("dt_score"),
      py::arg("num_images"), py::arg("num_categories"), py::arg("iou_thresholds"), py::arg("recall_thresholds"),
      py::arg("max_dets"), py::arg("area_ranges"));

  m.def(
      "voc_match",
      [](py::handle gt_image, py::handle gt_label, py::handle gt_boxes, py::handle gt_difficult, py::handle dt_image,
         py::handle dt_label, py::handle dt_boxes, py::handle dt_score, int64_t num_images, int64_t num_classes,
         double iou_threshold, bool pixel_inclusive) {
        constexpr const char* op = "voc_match";
        const VocGroundTruth gt{host_view(gt_image, op, "gt_image"), host_view(gt_label, op, "gt_label"),
                                host_view(gt_boxes, op, "gt_boxes"), host_view(gt_difficult, op, "gt_difficult")};
        const VocDetections dt{host_view(dt_image, op, "dt_image"), host_view(dt_label, op, "dt_label"),
                               host_view(dt_boxes, op, "dt_boxes"), host_view(dt_score, op, "dt_score")};
        VocMatchResult r;
        {
          py::gil_scoped_release release;
          r = voc_match(gt, dt, num_images, num_classes, VocMatchParams{iou_threshold, pixel_inclusive});
        }
        const int64_t D = static_cast<int64_t>(r.order.size());
        return py::make_tuple(to_numpy(r.class_start, {num_classes + 1}), to_numpy(r.true_positive, {D}),
                              to_numpy(r.false_positive, {D}), to_numpy(r.num_positives, {num_classes}));
      },
      py::arg("gt_image"), py::arg("gt_label"), py::arg("gt_boxes"), py::arg("gt_difficult"), py::arg("dt_image"),
      py::arg("dt_label"), py::arg("dt_boxes"), py::arg("dt_score"), py::arg("num_images"), py::arg("num_classes"),
      py::arg("iou_threshold"), py::arg("pixel_inclusive"));
}

}  // namespace cvcore::bindings
