// COCO evaluation and VOC matching kernels on validated input (see cvcore/cocoeval.hpp). No argument
// checks here.
#pragma once

#include <cstdint>

#include "cvcore/cocoeval.hpp"

namespace cvcore::cpu {

// n records: image and category (class) indices, 4 box coordinates each.
struct BoxRecords {
  int64_t n;
  const int64_t *image, *category;
  const double* boxes;  // COCO: x, y, w, h; VOC: x1, y1, x2, y2
};

// gt_area / gt_crowd / gt_id per ground-truth record; dt_score per detection. Fills result.
void coco_evaluate(const BoxRecords& gt, const double* gt_area, const int64_t* gt_crowd, const int64_t* gt_id,
                   const BoxRecords& dt, const double* dt_score, int64_t num_images, int64_t num_categories,
                   const CocoEvalParams& params, int threads, CocoEvalResult& result);

// gt_difficult per ground-truth record; dt_score per detection. Fills result.
void voc_match(const BoxRecords& gt, const uint8_t* gt_difficult, const BoxRecords& dt, const double* dt_score,
               int64_t num_classes, const VocMatchParams& params, int threads, VocMatchResult& result);

}  // namespace cvcore::cpu
