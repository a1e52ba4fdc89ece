#include "cvcore/cocoeval.hpp"

#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "common.hpp"

namespace cvcore::bindings {

namespace {

Int64Array int64_array(py::handle obj, const char* name) {
  py::array arr = py::array::ensure(obj);
  if (!arr || arr.dtype().kind() != 'i')
    throw TypeError(std::string("coco_evaluate: ") + name + " must be an integer array");
  return Int64Array::ensure(arr);
}

Float64Array copy_out(const std::vector<double>& v, std::vector<int64_t> shape) {
  Float64Array out = new_float64(shape);
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(double));
  return out;
}

// A reader for COCO detection files: a JSON array of objects, of which image_id, category_id,
// bbox [x, y, w, h] and score are kept (other members are skipped, whatever their value). Anything
// else is a ValueError naming the record and the byte offset; the Python layer then falls back to
// the json module, so this is only a fast path.
class DetectionReader {
 public:
  DetectionReader(const char* p, size_t n) : p_(p), end_(p + n), begin_(p) {}

  void read(std::vector<int64_t>& image, std::vector<int64_t>& category, std::vector<double>& boxes,
            std::vector<double>& score) {
    expect('[');
    if (peek() == ']') {
      ++p_;
      return finish();
    }
    for (int64_t record = 0;; ++record) {
      record_ = record;
      double img = 0, cat = 0, sc = 0, box[4] = {0, 0, 0, 0};
      int seen = 0;
      expect('{');
      if (peek() != '}') {
        for (;;) {
          const std::string key = string();
          expect(':');
          if (key == "image_id") {
            img = number(), seen |= 1;
          } else if (key == "category_id") {
            cat = number(), seen |= 2;
          } else if (key == "score") {
            sc = number(), seen |= 4;
          } else if (key == "bbox") {
            expect('[');
            for (int i = 0; i < 4; ++i) {
              if (i) expect(',');
              box[i] = number();
            }
            expect(']');
            seen |= 8;
          } else {
            skip_value();
          }
          if (peek() == ',') {
            ++p_;
            continue;
          }
          break;
        }
      }
      expect('}');
      if (seen != 15) fail("misses one of image_id, category_id, bbox, score");
      if (img != std::floor(img) || cat != std::floor(cat) || std::fabs(img) > 9e15 || std::fabs(cat) > 9e15)
        fail("has a non-integer image_id or category_id");
      image.push_back(static_cast<int64_t>(img));
      category.push_back(static_cast<int64_t>(cat));
      boxes.insert(boxes.end(), box, box + 4);
      score.push_back(sc);
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect(']');
      return finish();
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError("record " + std::to_string(record_) + " " + what + " (byte " +
                     std::to_string(p_ - begin_) + ")");
  }
  char peek() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    return p_ < end_ ? *p_ : '\0';
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("is not valid here: expected '") + c + "'");
    ++p_;
  }
  void finish() {
    if (peek() != '\0') fail("is followed by more data");
  }
  double number() {
    peek();
    double v = 0;
    const auto r = std::from_chars(p_, end_, v);
    if (r.ec != std::errc() || r.ptr == p_) fail("has a value that is not a number");
    p_ = r.ptr;
    return v;
  }
  std::string string() {
    expect('"');
    std::string s;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ == '\\') {  // escapes are kept verbatim: only the four keys above are compared
        s += *p_++;
        if (p_ == end_) break;
      }
      s += *p_++;
    }
    expect('"');
    return s;
  }
  void skip_value() {
    const char c = peek();
    if (c == '"') {
      string();
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++p_;
      if (peek() == close) {
        ++p_;
        return;
      }
      for (;;) {
        if (c == '{') {
          string();
          expect(':');
        }
        skip_value();
        if (peek() == ',') {
          ++p_;
          continue;
        }
        expect(close);
        return;
      }
    } else if (c == 't' || c == 'f' || c == 'n') {
      const char* word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      const size_t len = std::strlen(word);
      if (static_cast<size_t>(end_ - p_) < len || std::strncmp(p_, word, len) != 0) fail("is not valid JSON");
      p_ += len;
    } else {
      number();
    }
  }

  const char* p_;
  const char* end_;
  const char* begin_;
  int64_t record_ = 0;
};

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<int64_t> shape) {
  py::array_t<T> out(shape);
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
  return out;
}

}  // namespace

void register_cocoeval(py::module_& m) {
  m.def(
      "coco_read_detections",
      [](py::bytes data) {
        const std::string_view text = data;
        std::vector<int64_t> image, category;
        std::vector<double> boxes, score;
        {
          py::gil_scoped_release release;
          DetectionReader(text.data(), text.size()).read(image, category, boxes, score);
        }
        const int64_t n = static_cast<int64_t>(image.size());
        return py::make_tuple(to_numpy(image, {n}), to_numpy(category, {n}), to_numpy(boxes, {n, 4}),
                              to_numpy(score, {n}));
      },
      py::arg("data"));

  m.def(
      "coco_evaluate",
      [](py::handle gt_image, py::handle gt_category, py::handle gt_boxes, py::handle gt_area, py::handle gt_crowd,
         py::handle gt_id, py::handle dt_image, py::handle dt_category, py::handle dt_boxes, py::handle dt_score,
         int64_t num_images, int64_t num_categories, std::vector<double> iou_thresholds,
         std::vector<double> recall_thresholds, std::vector<int64_t> max_dets,
         std::vector<std::array<double, 2>> area_ranges) {
        const Int64Array gi = int64_array(gt_image, "gt_image"), gc = int64_array(gt_category, "gt_category"),
                         gcr = int64_array(gt_crowd, "gt_crowd"), gid = int64_array(gt_id, "gt_id"),
                         di = int64_array(dt_image, "dt_image"), dc = int64_array(dt_category, "dt_category");
        const Float64Array gb = float64_array(gt_boxes, "gt_boxes"), ga = float64_array(gt_area, "gt_area"),
                           db = float64_array(dt_boxes, "dt_boxes"), ds = float64_array(dt_score, "dt_score");
        const CocoGroundTruth gt{view(gi), view(gc), view(gb), view(ga), view(gcr), view(gid)};
        const CocoDetections dt{view(di), view(dc), view(db), view(ds)};
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
        return py::make_tuple(copy_out(r.precision, {T, R, num_categories, A, M}),
                              copy_out(r.recall, {T, num_categories, A, M}),
                              copy_out(r.scores, {T, R, num_categories, A, M}));
      },
      py::arg("gt_image"), py::arg("gt_category"), py::arg("gt_boxes"), py::arg("gt_area"), py::arg("gt_crowd"),
      py::arg("gt_id"), py::arg("dt_image"), py::arg("dt_category"), py::arg("dt_boxes"), py::arg("dt_score"),
      py::arg("num_images"), py::arg("num_categories"), py::arg("iou_thresholds"), py::arg("recall_thresholds"),
      py::arg("max_dets"), py::arg("area_ranges"));
}

}  // namespace cvcore::bindings
