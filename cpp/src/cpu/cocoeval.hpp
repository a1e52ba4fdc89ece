// COCO evaluation kernel on validated input (see cvcore/cocoeval.hpp). No argument checks here.
#pragma once

#include <cstdint>

#include "cvcore/cocoeval.hpp"

namespace cvcore::cpu {

struct CocoRecords {
  int64_t n;
  const int64_t *image, *category;
  const double* boxes;  // x, y, w, h
};

// gt_area / gt_crowd / gt_id per ground-truth record; dt_score per detection. Fills result.
void coco_evaluate(const CocoRecords& gt, const double* gt_area, const int64_t* gt_crowd, const int64_t* gt_id,
                   const CocoRecords& dt, const double* dt_score, int64_t num_images, int64_t num_categories,
                   const CocoEvalParams& params, int threads, CocoEvalResult& result);

}  // namespace cvcore::cpu
