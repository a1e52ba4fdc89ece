// Scalar geometry of (x1, y1, x2, y2) boxes shared by the box, NMS and RoI kernels, in
// torchvision's arithmetic order so results match it bit for bit (this code is compiled with
// floating-point contraction off, so no FMA changes the rounding).
// Conventions (documented in the Python API): a box with x2 < x1 or y2 < y1 is empty (area 0);
// an IoU whose union is 0 (two empty boxes) is 0, not NaN. Frontends reject non-finite coordinates
// before these run.
#pragma once

namespace cvcore::cpu {

template <typename T>
static inline T box_area(T x1, T y1, T x2, T y2) {
  const T w = x2 - x1, h = y2 - y1;
  return (w > T(0) && h > T(0)) ? w * h : T(0);
}

// Intersection area of boxes a and b given by their coordinates (the form SoA kernels use).
// Branch-free (every operation always runs, then a select) so that loops over it vectorise.
template <typename T>
static inline T box_intersection(T ax1, T ay1, T ax2, T ay2, T bx1, T by1, T bx2, T by2) {
  const T lx = ax1 > bx1 ? ax1 : bx1, ly = ay1 > by1 ? ay1 : by1;
  const T rx = ax2 < bx2 ? ax2 : bx2, ry = ay2 < by2 ? ay2 : by2;
  const T w = rx - lx, h = ry - ly, wh = w * h;
  return ((w > T(0)) & (h > T(0))) ? wh : T(0);
}

// Intersection area of boxes a and b (each x1, y1, x2, y2).
template <typename T>
static inline T box_intersection(const T* a, const T* b) {
  return box_intersection(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
}

// inter / (area_a + area_b - inter), or 0 when the union is 0 (the division always runs, on a
// safe denominator, so that loops over it vectorise).
template <typename T>
static inline T iou_from_areas(T inter, T area_a, T area_b) {
  const T uni = (area_a + area_b) - inter;
  const T q = inter / (uni > T(0) ? uni : T(1));
  return uni > T(0) ? q : T(0);
}

// inter / min(area_a, area_b) (intersection over the smaller box, MTCNN's "Min"), or 0 when that is 0.
template <typename T>
static inline T iom_from_areas(T inter, T area_a, T area_b) {
  const T m = area_a < area_b ? area_a : area_b;
  const T q = inter / (m > T(0) ? m : T(1));
  return m > T(0) ? q : T(0);
}

// The DIoU penalty rho^2 / (c^2 + 1e-7) of boxes a and b (torchvision's distance_box_iou): rho the
// distance between the centres, c the diagonal of the smallest enclosing box.
template <typename T>
static inline T diou_penalty(T ax1, T ay1, T ax2, T ay2, T bx1, T by1, T bx2, T by2) {
  const T lx = ax1 < bx1 ? ax1 : bx1, ly = ay1 < by1 ? ay1 : by1;
  const T rx = ax2 > bx2 ? ax2 : bx2, ry = ay2 > by2 ? ay2 : by2;
  T cw = rx - lx, ch = ry - ly;
  cw = cw > T(0) ? cw : T(0);
  ch = ch > T(0) ? ch : T(0);
  const T diag = (cw * cw + ch * ch) + T(1e-7);
  const T dx = (ax1 + ax2) / T(2) - (bx1 + bx2) / T(2), dy = (ay1 + ay2) / T(2) - (by1 + by2) / T(2);
  return (dx * dx + dy * dy) / diag;
}

}  // namespace cvcore::cpu
