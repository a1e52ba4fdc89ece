// Detection evaluation frontends (COCO evaluation, VOC matching): validate the flat record arrays
// once, then run the CPU kernels; and the reader of detection files (JSON tokens from json.hpp, the
// records' rules here).
#include "cvcore/cocoeval.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "checks.hpp"
#include "cvcore/boxes.hpp"
#include "cpu/cocoeval.hpp"
#include "cvcore/runtime.hpp"
#include "json.hpp"

namespace cvcore {
namespace {

constexpr const char* kOp = "coco_evaluate";

// A (n,) int64 vector of values in [0, limit) named `name`.
void check_indices(const char* op, const TensorView& t, int64_t n, int64_t limit, const char* name) {
  detail::check_array(t, op, name, DType::int64, 1);
  check(t.shape[0] == n, op, ": ", name, " must have ", n, " elements, got ", t.shape[0]);
  const int64_t* p = t.ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    check<IndexError>(p[i] >= 0 && p[i] < limit, op, ": ", name, "[", i, "] must be in [0, ", limit, "), got ", p[i]);
}

void check_vector(const char* op, const TensorView& t, int64_t n, DType dtype, const char* name) {
  detail::check_array(t, op, name, dtype, 1);
  check(t.shape[0] == n, op, ": ", name, " must have ", n, " elements, got ", t.shape[0]);
}

// A float64 vector without NaN.
void check_no_nan(const char* op, const TensorView& t, const char* name) {
  for (int64_t i = 0; i < t.numel(); ++i)
    check(!std::isnan(t.ptr<double>()[i]), op, ": ", name, " must not be NaN, got NaN in record ", i);
}

// (n, 4) float64 boxes with finite values, of magnitude <= limit when limit > 0; returns n.
int64_t check_boxes(const char* op, const TensorView& t, const char* name, double limit = 0) {
  detail::check_array(t, op, name, DType::float64, 2);
  check(t.shape[1] == 4, op, ": ", name, " must have shape (N, 4), got ", t.shape_text());
  const double* p = t.ptr<double>();
  for (int64_t i = 0; i < 4 * t.shape[0]; ++i) {
    check(std::isfinite(p[i]), op, ": ", name, " must be finite, got ", p[i], " in record ", i / 4);
    check(limit <= 0 || std::fabs(p[i]) <= limit, op, ": ", name, " coordinates must have magnitude <= ", limit,
          " (as for box_iou), got ", p[i], " in record ", i / 4);
  }
  return t.shape[0];
}

void check_params(const CocoEvalParams& p) {
  check(!p.iou_thresholds.empty(), kOp, ": iou_thresholds must not be empty");
  for (double t : p.iou_thresholds)
    check(std::isfinite(t) && t >= 0 && t <= 1, kOp, ": iou_thresholds must be in [0, 1], got ", t);
  check(!p.recall_thresholds.empty(), kOp, ": recall_thresholds must not be empty");
  for (size_t i = 0; i < p.recall_thresholds.size(); ++i) {
    check(std::isfinite(p.recall_thresholds[i]), kOp, ": recall_thresholds must be finite");
    check(i == 0 || p.recall_thresholds[i] >= p.recall_thresholds[i - 1], kOp,
          ": recall_thresholds must be increasing");
  }
  check(!p.max_dets.empty(), kOp, ": max_dets must not be empty");
  for (size_t i = 0; i < p.max_dets.size(); ++i) {
    check(p.max_dets[i] >= 0, kOp, ": max_dets must be >= 0, got ", p.max_dets[i]);
    check(i == 0 || p.max_dets[i] >= p.max_dets[i - 1], kOp, ": max_dets must be increasing");
  }
  check(!p.area_ranges.empty(), kOp, ": area_ranges must not be empty");
  for (const auto& r : p.area_ranges)
    check(!std::isnan(r[0]) && !std::isnan(r[1]), kOp, ": area_ranges must not hold NaN");
}

constexpr const char* kReadOp = "read_coco_detections";

// The records of a detection file into columns. Errors name the source, the record and the byte:
// "<op>: record <i> of '<source>': <what> (byte <offset>)".
class DetectionReader {
 public:
  explicit DetectionReader(const std::string& source) : source_(source) {}

  CocoDetectionColumns read(std::string_view bytes) {
    CocoDetectionColumns out;
    try {
      const detail::Utf8Text text(bytes);
      converted_from_ = text.converted_from();
      detail::JsonCursor cursor(text.text());
      read_array(cursor, out);
    } catch (const detail::JsonSyntaxError& e) {
      fail(e.offset, "invalid JSON: " + e.what);
    }
    return out;
  }

 private:
  [[noreturn]] void fail(size_t offset, const std::string& what) const {
    std::string where = record_ >= 0 ? "record " + std::to_string(record_) : std::string();
    if (!source_.empty()) where += (record_ >= 0 ? " of '" : "'") + source_ + "'";
    if (where.empty()) where = "the text";
    std::string at = "byte " + std::to_string(offset);
    if (converted_from_) at += std::string(" of the text converted from ") + converted_from_ + " to UTF-8";
    throw ValueError(std::string(kReadOp) + ": " + where + ": " + what + " (" + at + ")");
  }

  void read_array(detail::JsonCursor& c, CocoDetectionColumns& out) {
    if (c.peek() != '[') fail(c.offset(), "must be a JSON array of detection records, got " + c.describe());
    c.consume('[');
    if (!c.consume(']')) {
      for (record_ = 0;; ++record_) {
        read_record(c, out);
        if (c.consume(',')) continue;
        c.expect(']', "',' or ']'");
        break;
      }
    }
    record_ = -1;
    if (!c.at_end()) c.fail("expected the end of the text after the array, got " + c.describe());
  }

  void read_record(detail::JsonCursor& c, CocoDetectionColumns& out) {
    const size_t start = c.offset();
    if (!c.consume('{')) fail(start, "must be an object, got " + c.describe());
    int64_t image = 0, category = 0;
    double score = 0, box[4] = {0, 0, 0, 0};
    unsigned seen = 0;  // bit f: kFields[f] was read
    if (!c.consume('}')) {
      do {
        const std::string_view key = c.string();
        c.expect(':', "':'");
        if (key == "image_id") {
          image = id(c, "image_id"), seen |= 1;
        } else if (key == "category_id") {
          category = id(c, "category_id"), seen |= 2;
        } else if (key == "bbox") {
          read_box(c, box), seen |= 4;
        } else if (key == "score") {
          score = number(c, "score"), seen |= 8;
        } else {
          c.skip_value();
        }
      } while (c.consume(','));
      c.expect('}', "',' or '}'");
    }
    static const char* const kFields[4] = {"image_id", "category_id", "bbox", "score"};
    for (int f = 0; f < 4; ++f)
      if (!(seen >> f & 1)) fail(start, std::string("'") + kFields[f] + "' is missing");
    out.image_id.push_back(image);
    out.category_id.push_back(category);
    out.boxes.insert(out.boxes.end(), box, box + 4);
    out.score.push_back(score);
  }

  // A number; `field` (and `index` >= 0, an element of it) names it in errors.
  double number(detail::JsonCursor& c, const char* field, int index = -1) {
    const size_t at = c.offset();
    detail::JsonNumber n;
    if (!c.number(&n)) {
      const std::string name = index < 0 ? field : std::string(field) + "[" + std::to_string(index) + "]";
      fail(at, name + " must be a number, got " + c.describe());
    }
    return n.value;
  }

  int64_t id(detail::JsonCursor& c, const char* field) {
    const size_t at = c.offset();
    detail::JsonNumber n;
    int64_t value = 0;
    if (!c.number(&n)) fail(at, std::string(field) + " must be an integer, got " + c.describe());
    if (!detail::integral_value(n, &value))
      fail(at, std::string(field) + " must be an integer in int64's range, got " + std::string(n.text));
    return value;
  }

  void read_box(detail::JsonCursor& c, double* box) {
    const size_t at = c.offset();
    if (!c.consume('[')) fail(at, "bbox must be an array of 4 numbers, got " + c.describe());
    int count = 0;
    if (!c.consume(']')) {
      do {
        if (count == 4) fail(at, "bbox must have 4 numbers, got more");
        box[count] = number(c, "bbox", count);
        ++count;
      } while (c.consume(','));
      c.expect(']', "',' or ']'");
    }
    if (count != 4) fail(at, "bbox must have 4 numbers, got " + std::to_string(count));
  }

  const std::string& source_;
  const char* converted_from_ = nullptr;
  int64_t record_ = -1;  // the record being read, -1 outside the array's records
};

}  // namespace

CocoEvalResult coco_evaluate(const CocoGroundTruth& gt, const CocoDetections& dt, int64_t num_images,
                             int64_t num_categories, const CocoEvalParams& params) {
  detail::require_cpu(kOp, {{"gt_image", gt.image}, {"gt_category", gt.category}, {"gt_boxes", gt.boxes},
                            {"gt_area", gt.area}, {"gt_crowd", gt.crowd}, {"gt_id", gt.id}, {"dt_image", dt.image},
                            {"dt_category", dt.category}, {"dt_boxes", dt.boxes}, {"dt_score", dt.score}});
  check(num_images >= 0 && num_categories >= 0, kOp, ": num_images and num_categories must be >= 0, got ",
        num_images, " and ", num_categories);
  check_params(params);
  const int64_t G = check_boxes(kOp, gt.boxes, "gt_boxes"), D = check_boxes(kOp, dt.boxes, "dt_boxes");
  check_indices(kOp, gt.image, G, num_images, "gt_image");
  check_indices(kOp, gt.category, G, num_categories, "gt_category");
  check_vector(kOp, gt.area, G, DType::float64, "gt_area");
  check_vector(kOp, gt.crowd, G, DType::int64, "gt_crowd");
  check_vector(kOp, gt.id, G, DType::int64, "gt_id");
  check_no_nan(kOp, gt.area, "gt_area");
  check_indices(kOp, dt.image, D, num_images, "dt_image");
  check_indices(kOp, dt.category, D, num_categories, "dt_category");
  check_vector(kOp, dt.score, D, DType::float64, "dt_score");
  check_no_nan(kOp, dt.score, "dt_score");

  const int64_t T = static_cast<int64_t>(params.iou_thresholds.size()),
                R = static_cast<int64_t>(params.recall_thresholds.size()),
                A = static_cast<int64_t>(params.area_ranges.size()), M = static_cast<int64_t>(params.max_dets.size());
  const int64_t cells = checked_mul(checked_mul(checked_mul(checked_mul(T, R, kOp), num_categories, kOp), A, kOp), M,
                                    kOp);
  CocoEvalResult result;
  result.precision.assign(static_cast<size_t>(cells), -1.0);
  result.scores.assign(static_cast<size_t>(cells), -1.0);
  result.recall.assign(static_cast<size_t>(T * num_categories * A * M), -1.0);
  const cpu::BoxRecords g{G, gt.image.ptr<int64_t>(), gt.category.ptr<int64_t>(), gt.boxes.ptr<double>()};
  const cpu::BoxRecords d{D, dt.image.ptr<int64_t>(), dt.category.ptr<int64_t>(), dt.boxes.ptr<double>()};
  cpu::coco_evaluate(g, gt.area.ptr<double>(), gt.crowd.ptr<int64_t>(), gt.id.ptr<int64_t>(), d,
                     dt.score.ptr<double>(), num_images, num_categories, params, get_num_threads(), result);
  return result;
}

VocMatchResult voc_match(const VocGroundTruth& gt, const VocDetections& dt, int64_t num_images, int64_t num_classes,
                         const VocMatchParams& params) {
  constexpr const char* op = "voc_match";
  detail::require_cpu(op, {{"gt_image", gt.image}, {"gt_label", gt.label}, {"gt_boxes", gt.boxes},
                           {"gt_difficult", gt.difficult}, {"dt_image", dt.image}, {"dt_label", dt.label},
                           {"dt_boxes", dt.boxes}, {"dt_score", dt.score}});
  check(num_images >= 0 && num_classes >= 0, op, ": num_images and num_classes must be >= 0, got ", num_images,
        " and ", num_classes);
  // torchvision's overlap is box_iou's, on its domain (where no area overflows).
  const double limit = params.pixel_inclusive ? 0.0 : box_coordinate_limit(DType::float64);
  const int64_t G = check_boxes(op, gt.boxes, "gt_boxes", limit), D = check_boxes(op, dt.boxes, "dt_boxes", limit);
  check_indices(op, gt.image, G, num_images, "gt_image");
  check_indices(op, gt.label, G, num_classes, "gt_label");
  check_vector(op, gt.difficult, G, DType::uint8, "gt_difficult");
  check_indices(op, dt.image, D, num_images, "dt_image");
  check_indices(op, dt.label, D, num_classes, "dt_label");
  check_vector(op, dt.score, D, DType::float64, "dt_score");
  check_no_nan(op, dt.score, "dt_score");
  VocMatchResult result;
  const cpu::BoxRecords g{G, gt.image.ptr<int64_t>(), gt.label.ptr<int64_t>(), gt.boxes.ptr<double>()};
  const cpu::BoxRecords d{D, dt.image.ptr<int64_t>(), dt.label.ptr<int64_t>(), dt.boxes.ptr<double>()};
  cpu::voc_match(g, gt.difficult.ptr<uint8_t>(), d, dt.score.ptr<double>(), num_classes, params, get_num_threads(),
                 result);
  return result;
}

CocoDetectionColumns read_coco_detections(std::string_view json, const std::string& source) {
  return DetectionReader(source).read(json);
}

CocoDetectionColumns read_coco_detections_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  check(file.is_open(), kReadOp, ": cannot open '", path, "'");
  std::ostringstream data;
  data << file.rdbuf();
  check(!file.bad(), kReadOp, ": cannot read '", path, "'");
  return read_coco_detections(data.str(), path);
}

}  // namespace cvcore
