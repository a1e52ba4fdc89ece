// Detection evaluation frontends (COCO evaluation, VOC matching): validate the flat record arrays
// once, then run the CPU kernels; and the reader of COCO records (the JSON events of a file or of a
// walk over other objects, cvcore/json.hpp; the records' rules here).
#include "cvcore/cocoeval.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "checks.hpp"
#include "cvcore/boxes.hpp"
#include "cpu/cocoeval.hpp"
#include "cvcore/runtime.hpp"

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

// A value as messages show it: JSON text, cut to about 40 characters (at a character's start).
std::string shown(std::string text) {
  constexpr size_t kShown = 40;
  if (text.size() <= kShown) return text;
  size_t cut = kShown - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

}  // namespace

struct CocoRecordReader::Field {
  enum class Type { id, number, box };
  const char* name;
  Type type;
  bool required;  // an absent optional field reads as 0
};

namespace {

using Field = CocoRecordReader::Field;
using FieldType = Field::Type;

constexpr Field kDetectionFields[] = {{"image_id", FieldType::id, true},
                                      {"category_id", FieldType::id, true},
                                      {"bbox", FieldType::box, true},
                                      {"score", FieldType::number, true}};
constexpr Field kAnnotationFields[] = {{"id", FieldType::id, true},         {"image_id", FieldType::id, true},
                                       {"category_id", FieldType::id, true}, {"bbox", FieldType::box, true},
                                       {"area", FieldType::number, true},    {"iscrowd", FieldType::id, false}};
constexpr Field kIdFields[] = {{"id", FieldType::id, true}};

constexpr detail::Named<CocoRecordKind> kRecordKinds[] = {{"detections", CocoRecordKind::detections},
                                                          {"annotations", CocoRecordKind::annotations},
                                                          {"images", CocoRecordKind::images},
                                                          {"categories", CocoRecordKind::categories}};

template <size_t N>
std::pair<const Field*, size_t> table(const Field (&fields)[N]) {
  return {fields, N};
}

std::pair<const Field*, size_t> fields_of(CocoRecordKind kind) {
  switch (kind) {
    case CocoRecordKind::detections: return table(kDetectionFields);
    case CocoRecordKind::annotations: return table(kAnnotationFields);
    default: return table(kIdFields);
  }
}

}  // namespace

CocoRecordKind parse_coco_record_kind(const std::string& name) {
  return detail::parse_named(kRecordKinds, name, "read_coco_records", "kind");
}

CocoRecordReader::CocoRecordReader(CocoRecordKind kind, std::string name) : name_(std::move(name)) {
  std::tie(fields_, num_fields_) = fields_of(kind);
  ints_.resize(num_fields_);
  reals_.resize(4 * num_fields_);
  seen_.resize(num_fields_);
  columns_.resize(num_fields_);
  for (size_t f = 0; f < num_fields_; ++f)
    columns_[f].reals_per_record = fields_[f].type == FieldType::id ? 0 : fields_[f].type == FieldType::number ? 1 : 4;
}

std::string CocoRecordReader::record_name() const { return name_ + "[" + std::to_string(record_) + "]"; }

// Rejects `value` (as messages show it) where it was met.
void CocoRecordReader::reject(const std::string& value) const {
  const std::string got = ", got " + shown(value);
  switch (level_) {
    case Level::start: throw ValueError(name_ + " must be an array (a list) of records" + got);
    case Level::records: throw ValueError(record_name() + " must be an object" + got);
    case Level::box:
      throw ValueError(record_name() + ": '" + field_->name + "'[" + std::to_string(box_count_) +
                       "] must be a finite number" + got);
    default: break;
  }
  const char* expected = field_->type == FieldType::id       ? "an integer"
                         : field_->type == FieldType::number ? "a finite number"
                                                             : "an array of 4 numbers [x, y, w, h]";
  throw ValueError(record_name() + ": '" + field_->name + "' must be " + expected + got);
}

void CocoRecordReader::null() { reject("null"); }

void CocoRecordReader::boolean(bool value) { reject(value ? "true" : "false"); }

void CocoRecordReader::string(std::string_view utf8) { reject("\"" + std::string(utf8) + "\""); }

void CocoRecordReader::unsupported(const std::string& what) { reject(what); }

void CocoRecordReader::number(const JsonNumber& number) {
  if (level_ == Level::box) {
    if (box_count_ == 4) throw ValueError(record_name() + ": '" + field_->name + "' must have 4 numbers, got more than 4");
    if (!std::isfinite(number.value)) reject(number_text(number));
    box_[box_count_++] = number.value;
  } else if (level_ != Level::record || field_->type == FieldType::box) {
    reject(number_text(number));
  } else if (field_->type == FieldType::id) {
    const size_t f = static_cast<size_t>(field_ - fields_);
    if (!number.integer) reject(number_text(number));
    if (!number.in_int64)
      throw ValueError(record_name() + ": '" + field_->name + "' must be an integer in int64's range, got " +
                       shown(number_text(number)));
    ints_[f] = number.int_value, seen_[f] = 1;
  } else {
    const size_t f = static_cast<size_t>(field_ - fields_);
    if (!std::isfinite(number.value)) reject(number_text(number));
    reals_[4 * f] = number.value, seen_[f] = 1;
  }
}

void CocoRecordReader::begin_array() {
  if (level_ == Level::start) {
    level_ = Level::records;
  } else if (level_ == Level::record && field_->type == FieldType::box) {
    level_ = Level::box, box_count_ = 0;
  } else {
    reject("an array");
  }
}

void CocoRecordReader::end_array() {
  if (level_ == Level::records) {
    level_ = Level::done;
    return;
  }
  // The end of a box.
  const std::string field = record_name() + ": '" + field_->name + "'";
  if (box_count_ != 4) throw ValueError(field + " must have 4 numbers, got " + std::to_string(box_count_));
  if (!(box_[2] >= 0 && box_[3] >= 0)) {
    std::string box;
    for (double v : box_) box += (box.empty() ? "[" : ", ") + number_text(JsonNumber{{}, v});
    throw ValueError(field + " must have w, h >= 0, got " + box + "]");
  }
  const size_t f = static_cast<size_t>(field_ - fields_);
  std::copy(box_, box_ + 4, reals_.begin() + 4 * f);
  seen_[f] = 1;
  level_ = Level::record;
}

void CocoRecordReader::begin_object() {
  if (level_ != Level::records) reject("an object");
  level_ = Level::record;
  std::fill(seen_.begin(), seen_.end(), 0);
}

bool CocoRecordReader::key(std::string_view utf8) {
  for (size_t f = 0; f < num_fields_; ++f)
    if (utf8 == fields_[f].name) {
      field_ = fields_ + f;
      return true;
    }
  return false;
}

void CocoRecordReader::end_object() {
  for (size_t f = 0; f < num_fields_; ++f) {
    if (!seen_[f] && fields_[f].required)
      throw ValueError(record_name() + ": '" + fields_[f].name + "' is missing");
    CocoColumn& column = columns_[f];
    if (fields_[f].type == FieldType::id)
      column.ints.push_back(seen_[f] ? ints_[f] : 0);
    else if (fields_[f].type == FieldType::number)
      column.reals.push_back(seen_[f] ? reals_[4 * f] : 0.0);
    else
      column.reals.insert(column.reals.end(), reals_.begin() + 4 * f, reals_.begin() + 4 * f + 4);
  }
  ++record_;
  level_ = Level::records;
}

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
  check(params.iou_threshold >= 0 && params.iou_threshold <= 1, op, ": iou_threshold must be in [0, 1], got ",
        params.iou_threshold);
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

std::vector<CocoColumn> read_coco_records(std::string_view json, CocoRecordKind kind, const std::string& source,
                                          const std::string& name, const char* op) {
  CocoRecordReader reader(kind, name);
  read_json(json, reader, source, op);
  return reader.take_columns();
}

CocoDetectionColumns read_coco_detections(std::string_view json, const std::string& source) {
  std::vector<CocoColumn> c = read_coco_records(json, CocoRecordKind::detections, source, "records", kReadOp);
  return CocoDetectionColumns{std::move(c[0].ints), std::move(c[1].ints), std::move(c[2].reals), std::move(c[3].reals)};
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
