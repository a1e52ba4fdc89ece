// Detection evaluation: COCO-style (below) and PASCAL VOC matching (voc_match, further down).
//
// COCO-style evaluation (bounding boxes), bit for bit pycocotools' COCOeval: per
// (category, image) the detections are stably sorted by decreasing score and cut to the largest
// maxDets, matched greedily to the ground truth at every IoU threshold (crowd boxes: intersection
// over the detection's area, any number of matches), then precision / recall are accumulated per
// (category, area range, maxDets) over all images.
//
// Ground truth and detections are flat arrays in float64 (boxes x, y, w, h); read_coco_detections
// reads a detection file into such columns. Images and categories are given as dense indices (the
// caller maps COCO ids to positions in the sorted id lists); the order of the records within one
// (image, category) is their order in the arrays, which decides ties exactly as pycocotools does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// Detection results as columns, one entry per record in file order: COCO ids (not indices), boxes
// x, y, w, h (4 doubles per record).
struct CocoDetectionColumns {
  std::vector<int64_t> image_id, category_id;
  std::vector<double> boxes;
  std::vector<double> score;
};

// Reads a COCO detection results file: a JSON array of objects, of which image_id, category_id,
// bbox [x, y, w, h] and score are kept; other members are skipped, whatever their value, and the
// members may come in any order (a repeated one: the last counts). image_id and category_id are
// integers in int64's range, written with or without a fraction or an exponent (3, 3.0, 3e0);
// bbox holds 4 numbers; numbers are read as Python's float() reads them (NaN, Infinity and
// -Infinity too; a NaN score is the caller's to reject). The text may be UTF-8 (with or without a
// byte order mark), UTF-16 or UTF-32, as Python's json module takes it; some text that is not strict
// JSON passes too (numbers such as 01, 1. or .5; any byte inside strings). A file it cannot read is
// a ValueError naming `source` (the file name, when not empty), the record, what is wrong and its
// byte offset.
CocoDetectionColumns read_coco_detections(std::string_view json, const std::string& source = {});

// The same for the file at `path` (ValueError when it cannot be read).
CocoDetectionColumns read_coco_detections_file(const std::string& path);

}  // namespace cvcore
