// Detection evaluation: COCO-style (below) and PASCAL VOC matching (voc_match, further down).
//
// COCO-style evaluation (bounding boxes), bit for bit pycocotools' COCOeval: per
// (category, image) the detections are stably sorted by decreasing score and cut to the largest
// maxDets, matched greedily to the ground truth at every IoU threshold (crowd boxes: intersection
// over the detection's area, any number of matches), then precision / recall are accumulated per
// (category, area range, maxDets) over all images.
//
// Ground truth and detections are flat arrays in float64 (boxes x, y, w, h); read_coco_records reads
// COCO records (a JSON file, or the Python package's lists of dicts) into such columns. Images and
// categories are given as dense indices (the caller maps COCO ids to positions in the sorted id
// lists); the order of the records within one (image, category) is their order in the arrays, which
// decides ties exactly as pycocotools does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cvcore/json.hpp"
#include "cvcore/tensor.hpp"

namespace cvcore {

struct CocoEvalParams {
  std::vector<double> iou_thresholds;             // T values (pycocotools: linspace(.5, .95, 10))
  std::vector<double> recall_thresholds;          // R values, increasing (linspace(0, 1, 101))
  std::vector<int64_t> max_dets;                  // M values >= 0, increasing; the last cuts per (image, category)
  std::vector<std::array<double, 2>> area_ranges;  // A ranges [lo, hi], both bounds inclusive
};

struct CocoGroundTruth {
  TensorView image, category;  // (G,) int64 indices in [0, num_images) / [0, num_categories)
  TensorView boxes;            // (G, 4) float64 x, y, w, h
  TensorView area;             // (G,) float64: the annotation's `area` (not the box area)
  TensorView crowd;            // (G,) int64: nonzero for iscrowd (such boxes are also ignored)
  TensorView id;               // (G,) int64 annotation ids (a detection matched to id 0 counts as unmatched, as in pycocotools)
};

struct CocoDetections {
  TensorView image, category;  // (D,) int64 indices
  TensorView boxes;            // (D, 4) float64 x, y, w, h (area = w * h)
  TensorView score;            // (D,) float64, no NaN
};

struct CocoEvalResult {
  // pycocotools' eval['precision'] (T, R, K, A, M), eval['recall'] (T, K, A, M) and eval['scores']
  // (T, R, K, A, M) in C order; -1 where a (category, area) has no unignored ground truth.
  std::vector<double> precision, recall, scores;
};

// Evaluates; ValueError / TypeError naming the argument for bad shapes, dtypes, indices out of
// range, NaN scores or non-finite boxes. Parallel over categories; identical for every thread count.
CocoEvalResult coco_evaluate(const CocoGroundTruth& gt, const CocoDetections& dt, int64_t num_images,
                             int64_t num_categories, const CocoEvalParams& params);

// PASCAL VOC matching, the VOC devkit's voc_eval per class: the class's detections in order of
// decreasing score (ties keep the array order), each matched to the ground truth of its image and
// class that it overlaps most (the first of equal overlaps; a NaN overlap counts as the largest, as
// NumPy's argmax). An overlap > iou_threshold with a ground truth not yet taken is a true positive
// (and takes it), with one already taken a false positive, with a "difficult" one neither; anything
// else is a false positive. Boxes are float64 x1, y1, x2, y2; images and classes dense indices.
struct VocGroundTruth {
  TensorView image, label;  // (G,) int64 indices in [0, num_images) / [0, num_classes)
  TensorView boxes;         // (G, 4) float64, finite
  TensorView difficult;     // (G,) uint8: nonzero for a "difficult" box (matched, but counted nowhere)
};

struct VocDetections {
  TensorView image, label;  // (D,) int64 indices
  TensorView boxes;         // (D, 4) float64, finite
  TensorView score;         // (D,) float64, no NaN
};

struct VocMatchParams {
  double iou_threshold = 0.5;
  // The devkit's inclusive pixel coordinates: widths and heights x2 - x1 + 1 (of the boxes and of
  // their intersection), and its arithmetic for boxes that do not intersect (0 over the union, NaN
  // where that is 0). When false, the overlap is torchvision's box_iou (cvcore's, see boxes.hpp), and
  // the coordinates must be within its box_coordinate_limit.
  bool pixel_inclusive = true;
};

struct VocMatchResult {
  std::vector<int64_t> class_start;     // (num_classes + 1,): class k has positions class_start[k] ..
                                        // class_start[k + 1] - 1 of the arrays below
  std::vector<int64_t> order;           // (D,) the detection at each position: by class, then decreasing score
  std::vector<uint8_t> true_positive;   // (D,) per position
  std::vector<uint8_t> false_positive;  // (D,) per position
  std::vector<int64_t> num_positives;   // (num_classes,) ground truth boxes that are not difficult
};

// Matches; ValueError / TypeError / IndexError naming the argument for bad shapes, dtypes, indices out
// of range, non-finite boxes or NaN scores. Parallel over classes; identical for every thread count.
VocMatchResult voc_match(const VocGroundTruth& gt, const VocDetections& dt, int64_t num_images, int64_t num_classes,
                         const VocMatchParams& params);

// COCO records read into columns, with the same rules whether they come from a JSON file
// (read_coco_records) or from other objects walked as JSON events (the Python package's lists of
// dicts). The kinds of records and their fields, in column order:
//
//   detections   image_id, category_id (ids), bbox (box), score (number)
//   annotations  id, image_id, category_id (ids), bbox (box), area (number), iscrowd (id, 0 when absent)
//   images       id (id)
//   categories   id (id)
//
// The records are a JSON array of objects. An id is an integer (a number written without a fraction
// or an exponent, as Python's json reads an int) in int64's range; a number is finite; a box is an
// array of 4 finite numbers x, y, w, h with w, h >= 0 (pycocotools computes areas w * h and corners
// x + w, and sorts the scores); true and false are not numbers. Nothing is converted: 1.5, 1.0 or
// "1" for an id, "0.5" for a score are errors. Other members are skipped whatever their value; of a
// repeated member the last counts (as in Python's json).
enum class CocoRecordKind { detections, annotations, images, categories };

// The kind named "detections", "annotations", "images" or "categories" (ValueError otherwise).
CocoRecordKind parse_coco_record_kind(const std::string& name);

// One column per field: ints for an id, reals for a number (one per record) or a box (4 per record).
struct CocoColumn {
  std::vector<int64_t> ints;
  std::vector<double> reals;
  int reals_per_record = 0;  // 0 for an id, 1 for a number, 4 for a box
};

// The handler that reads records into columns. Its errors (ValueError) name the record, the field and
// the value: "<name>[<i>]: 'score' must be a finite number, got "0.5"" (`name` names the records).
class CocoRecordReader final : public JsonHandler {
 public:
  CocoRecordReader(CocoRecordKind kind, std::string name);

  void null() override;
  void boolean(bool value) override;
  void number(const JsonNumber& number) override;
  void string(std::string_view utf8) override;
  void begin_array() override;
  void end_array() override;
  void begin_object() override;
  bool key(std::string_view utf8) override;
  void end_object() override;
  // A value that JSON has no form for (met in a walk over other objects), described as `what`.
  void unsupported(const std::string& what);

  // The columns of the records read (after the array's end).
  std::vector<CocoColumn> take_columns() { return std::move(columns_); }

  struct Field;  // a field of a kind of records (the tables are in the source)

 private:
  enum class Level { start, records, record, box, done };

  [[noreturn]] void reject(const std::string& value) const;
  std::string record_name() const;

  const Field* fields_;
  size_t num_fields_;
  std::string name_;
  Level level_ = Level::start;
  int64_t record_ = 0;
  const Field* field_ = nullptr;  // the member being read, in a record
  int box_count_ = 0;
  double box_[4] = {0, 0, 0, 0};
  std::vector<int64_t> ints_;     // the record's values, one slot per field
  std::vector<double> reals_;     // 4 per field
  std::vector<char> seen_;
  std::vector<CocoColumn> columns_;
};

// Reads the records of a JSON text (read_json's errors, and the reader's after "<op>: '<source>' line
// <l> column <c>: ").
std::vector<CocoColumn> read_coco_records(std::string_view json, CocoRecordKind kind, const std::string& source,
                                          const std::string& name, const char* op);

// Detection results as columns, one entry per record in file order: COCO ids (not indices), boxes
// x, y, w, h (4 doubles per record).
struct CocoDetectionColumns {
  std::vector<int64_t> image_id, category_id;
  std::vector<double> boxes;
  std::vector<double> score;
};

// Reads a COCO detection results file (the records "detections" above); errors name `source` (the
// file name, when not empty), the line and column, and the record ("records[<i>]").
CocoDetectionColumns read_coco_detections(std::string_view json, const std::string& source = {});

// The same for the file at `path` (ValueError when it cannot be read).
CocoDetectionColumns read_coco_detections_file(const std::string& path);

}  // namespace cvcore
