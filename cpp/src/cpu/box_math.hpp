// Scalar geometry of (x1, y1, x2, y2) boxes shared by the box, NMS and RoI kernels, in
// torchvision's arithmetic order so results match it bit for bit (this code is compiled with
// floating-point contraction off, so no FMA changes the rounding).
// Conventions (documented in the Python API): a box with x2 < x1 or y2 < y1 is empty (area 0);
// an IoU whose union is 0 (two empty boxes) is 0, not NaN. Frontends reject non-finite coordinates
// before these run.
#pragma once

#include <cmath>

namespace cvcore::cpu {

template <typename T>
static inline T box_area(T x1, T y1, T x2, T y2) {
  const T w = x2 - x1, h = y2 - y1;
  return (w > T(0) && h > T(0)) ? w * h : T(0);
}

// Intersection area of boxes a and b (each x1, y1, x2, y2).
template <typename T>
static inline T box_intersection(const T* a, const T* b) {
  const T lx = a[0] > b[0] ? a[0] : b[0], ly = a[1] > b[1] ? a[1] : b[1];
  const T rx = a[2] < b[2] ? a[2] : b[2], ry = a[3] < b[3] ? a[3] : b[3];
  const T w = rx - lx, h = ry - ly;
  return (w > T(0) && h > T(0)) ? w * h : T(0);
}

// inter / (area_a + area_b - inter), or 0 when the union is 0.
template <typename T>
static inline T iou_from_areas(T inter, T area_a, T area_b) {
  const T uni = (area_a + area_b) - inter;
  return uni > T(0) ? inter / uni : T(0);
}

}  // namespace cvcore::cpu

// Value forms of the helpers above for loops over SoA arrays: branch-free (selects, no
// short-circuit, no conditional division) so compilers vectorise them, with the same results.
namespace cvcore::cpu {

// max(v, 0), torchvision's clamp(min=0) on finite values.
template <typename T>
static inline T clamp_min0(T v) {
  return v > T(0) ? v : T(0);
}
template <typename T>
static inline T min2(T a, T b) {
  return a < b ? a : b;
}
template <typename T>
static inline T max2(T a, T b) {
  return a > b ? a : b;
}

// num / den, or 0 when den is not positive (the 0/0 convention of iou_from_areas). The division
// is unconditional so that a vectorised loop needs no masking.
template <typename T>
static inline T ratio_or_zero(T num, T den) {
  const bool positive = den > T(0);
  const T q = num / (positive ? den : T(1));
  return positive ? q : T(0);
}

// Intersection area of (ax1, ay1, ax2, ay2) and (bx1, by1, bx2, by2): box_intersection's value,
// as clamp(min(x2) - max(x1), 0) * clamp(min(y2) - max(y1), 0) (equal for finite coordinates).
template <typename T>
static inline T box_intersection(T ax1, T ay1, T ax2, T ay2, T bx1, T by1, T bx2, T by2) {
  return clamp_min0(min2(ax2, bx2) - max2(ax1, bx1)) * clamp_min0(min2(ay2, by2) - max2(ay1, by1));
}

// Width and height of the smallest box enclosing a and b, each clamped at 0 (GIoU, DIoU).
template <typename T>
static inline T enclosing_extent(T a1, T a2, T b1, T b2) {
  return clamp_min0(max2(a2, b2) - min2(a1, b1));
}

// The aspect angle atan(w / h) of CIoU, with w = x2 - x1 and h = y2 - y1 as given (an inverted
// box has a negative angle, h = 0 gives +-pi/2), and 0 for a point box (w = h = 0) instead of NaN.
template <typename T>
static inline T aspect_angle(T x1, T y1, T x2, T y2) {
  const T w = x2 - x1, h = y2 - y1;
  return (w == T(0) && h == T(0)) ? T(0) : std::atan(w / h);
}

// Intersection over the smaller area (IoM, MTCNN's "Min"), or 0 when that area is 0.
template <typename T>
static inline T iom_value(T inter, T area_a, T area_b) {
  return ratio_or_zero(inter, min2(area_a, area_b));
}

// The DIoU penalty rho^2 / (c^2 + eps) of boxes a and b, as distance_box_iou computes it: rho the
// distance between the centres, c the diagonal of the smallest enclosing box.
template <typename T>
static inline T diou_penalty(T ax1, T ay1, T ax2, T ay2, T bx1, T by1, T bx2, T by2, T eps) {
  const T cw = enclosing_extent(ax1, ax2, bx1, bx2), ch = enclosing_extent(ay1, ay2, by1, by2);
  const T diag = (cw * cw + ch * ch) + eps;
  const T dx = (ax1 + ax2) / T(2) - (bx1 + bx2) / T(2), dy = (ay1 + ay2) / T(2) - (by1 + by2) / T(2);
  return ratio_or_zero(dx * dx + dy * dy, diag);
}

}  // namespace cvcore::cpu
