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
