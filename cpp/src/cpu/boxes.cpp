// Box kernels. The pairwise IoU family is one fused pass per output row: boxes2 is copied once
// into SoA arrays (corners, areas, centres, aspect angles as the op needs), and the loop over a row
// is branch-free (cpu/box_math.hpp's value helpers), so the compiler vectorises it over boxes2. No
// (N, M, 2) temporaries: the only memory traffic per pair is the output write. This file is compiled
// with floating-point contraction off, so every value rounds as in torchvision's op order.
#include "boxes.hpp"

#include <vector>

#include "box_math.hpp"
#include "parallel.hpp"

namespace cvcore::cpu {
namespace {

// boxes2 as SoA: corners and what each op needs per box.
template <typename T>
struct BoxColumns {
  std::vector<T> x1, y1, x2, y2, area, cx, cy, angle;

  BoxColumns(PairwiseIou kind, int64_t m, const T* b) : x1(m), y1(m), x2(m), y2(m), area(m) {
    const bool centres = kind == PairwiseIou::distance || kind == PairwiseIou::complete;
    if (centres) cx.resize(m), cy.resize(m);
    if (kind == PairwiseIou::complete) angle.resize(m);
    for (int64_t j = 0; j < m; ++j) {
      const T* p = b + 4 * j;
      x1[j] = p[0], y1[j] = p[1], x2[j] = p[2], y2[j] = p[3];
      area[j] = box_area(p[0], p[1], p[2], p[3]);
      if (centres) cx[j] = (p[0] + p[2]) / T(2), cy[j] = (p[1] + p[3]) / T(2);
      if (kind == PairwiseIou::complete) angle[j] = aspect_angle(p[0], p[1], p[2], p[3]);
    }
  }
};

// One output row: box a = (ax1, ay1, ax2, ay2) against every column box.
template <typename T, PairwiseIou Kind>
void iou_row(const T* a, const BoxColumns<T>& c, int64_t m, T eps, T* __restrict out) {
  const T ax1 = a[0], ay1 = a[1], ax2 = a[2], ay2 = a[3];
  const T area_a = box_area(ax1, ay1, ax2, ay2);
  const T acx = (ax1 + ax2) / T(2), acy = (ay1 + ay2) / T(2);
  T angle_a = T(0);
  if constexpr (Kind == PairwiseIou::complete) angle_a = aspect_angle(ax1, ay1, ax2, ay2);
  // 4 / pi^2 rounded to T, as torchvision's Python-float factor is.
  const T v_scale = T(0.40528473456935108577551785283891);
  const T* __restrict bx1 = c.x1.data();
  const T* __restrict by1 = c.y1.data();
  const T* __restrict bx2 = c.x2.data();
  const T* __restrict by2 = c.y2.data();
  const T* __restrict barea = c.area.data();
  const T* __restrict bcx = c.cx.data();
  const T* __restrict bcy = c.cy.data();
  const T* __restrict bangle = c.angle.data();
  for (int64_t j = 0; j < m; ++j) {
    const T inter = box_intersection(ax1, ay1, ax2, ay2, bx1[j], by1[j], bx2[j], by2[j]);
    const T uni = (area_a + barea[j]) - inter;
    const T iou = ratio_or_zero(inter, uni);
    if constexpr (Kind == PairwiseIou::iou) {
      out[j] = iou;
    } else {
      const T cw = enclosing_extent(ax1, ax2, bx1[j], bx2[j]);
      const T ch = enclosing_extent(ay1, ay2, by1[j], by2[j]);
      if constexpr (Kind == PairwiseIou::generalized) {
        const T area_c = cw * ch;
        out[j] = iou - ratio_or_zero(area_c - uni, area_c);
      } else {
        const T diag = (cw * cw + ch * ch) + eps;
        const T dx = acx - bcx[j], dy = acy - bcy[j];
        const T diou = iou - ratio_or_zero(dx * dx + dy * dy, diag);
        if constexpr (Kind == PairwiseIou::distance) {
          out[j] = diou;
        } else {
          const T d = angle_a - bangle[j];
          const T v = v_scale * (d * d);
          const T alpha = ratio_or_zero(v, ((T(1) - iou) + v) + eps);
          out[j] = diou - alpha * v;
        }
      }
    }
  }
}

template <typename T, PairwiseIou Kind>
void pairwise(int64_t n, int64_t m, const T* b1, const T* b2, T eps, T* out, int threads) {
  const BoxColumns<T> columns(Kind, m, b2);
  parallel_for(n, threads, elements(4.0 * m), [&](int64_t i) { iou_row<T, Kind>(b1 + 4 * i, columns, m, eps, out + i * m); });
}

template <typename T>
inline void copy4(const T* p, T* q) {
  q[0] = p[0], q[1] = p[1], q[2] = p[2], q[3] = p[3];
}

// (x1, y1, x2, y2) of a box given in `fmt`, as torchvision's *_to_xyxy.
template <typename T>
inline void to_xyxy(BoxFormat fmt, const T* p, T* q) {
  switch (fmt) {
    case BoxFormat::xyxy:
      copy4(p, q);
      break;
    case BoxFormat::xywh:
      q[0] = p[0], q[1] = p[1], q[2] = p[0] + p[2], q[3] = p[1] + p[3];
      break;
    case BoxFormat::cxcywh:
      q[0] = p[0] - T(0.5) * p[2], q[1] = p[1] - T(0.5) * p[3];
      q[2] = p[0] + T(0.5) * p[2], q[3] = p[1] + T(0.5) * p[3];
      break;
  }
}

// A box (x1, y1, x2, y2) in `fmt`, as torchvision's xyxy_to_*.
template <typename T>
inline void from_xyxy(BoxFormat fmt, const T* p, T* q) {
  switch (fmt) {
    case BoxFormat::xyxy:
      copy4(p, q);
      break;
    case BoxFormat::xywh:
      q[0] = p[0], q[1] = p[1], q[2] = p[2] - p[0], q[3] = p[3] - p[1];
      break;
    case BoxFormat::cxcywh:
      q[0] = (p[0] + p[2]) / T(2), q[1] = (p[1] + p[3]) / T(2);
      q[2] = p[2] - p[0], q[3] = p[3] - p[1];
      break;
  }
}

}  // namespace

template <typename T>
void box_area(int64_t n, const T* boxes, T* out) {
  for (int64_t i = 0; i < n; ++i) {
    const T* p = boxes + 4 * i;
    out[i] = box_area(p[0], p[1], p[2], p[3]);
  }
}

template <typename T>
void box_convert(int64_t n, BoxFormat in_fmt, BoxFormat out_fmt, const T* boxes, T* out) {
  for (int64_t i = 0; i < n; ++i) {
    if (in_fmt == out_fmt) {
      copy4(boxes + 4 * i, out + 4 * i);
      continue;
    }
    T xyxy[4] = {};  // (every format writes all four; the init silences -Wuninitialized)
    to_xyxy(in_fmt, boxes + 4 * i, xyxy);
    from_xyxy(out_fmt, xyxy, out + 4 * i);
  }
}

template <typename T>
void clip_boxes(int64_t n, T height, T width, const T* boxes, T* out) {
  for (int64_t i = 0; i < 4 * n; i += 2) {
    out[i] = min2(clamp_min0(boxes[i]), width);
    out[i + 1] = min2(clamp_min0(boxes[i + 1]), height);
  }
}

template <typename T>
int64_t remove_small_boxes(int64_t n, T min_size, const T* boxes, int64_t* keep) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T* p = boxes + 4 * i;
    if (p[2] - p[0] >= min_size && p[3] - p[1] >= min_size) keep[count++] = i;
  }
  return count;
}

template <typename T>
void pairwise_box_iou(PairwiseIou kind, int64_t n, int64_t m, const T* b1, const T* b2, T eps, T* out,
                      int threads) {
  switch (kind) {
    case PairwiseIou::iou:
      return pairwise<T, PairwiseIou::iou>(n, m, b1, b2, eps, out, threads);
    case PairwiseIou::generalized:
      return pairwise<T, PairwiseIou::generalized>(n, m, b1, b2, eps, out, threads);
    case PairwiseIou::distance:
      return pairwise<T, PairwiseIou::distance>(n, m, b1, b2, eps, out, threads);
    case PairwiseIou::complete:
      return pairwise<T, PairwiseIou::complete>(n, m, b1, b2, eps, out, threads);
  }
}

#define CVCORE_BOX_KERNELS(T)                                                                           \
  template void box_area<T>(int64_t, const T*, T*);                                                     \
  template void box_convert<T>(int64_t, BoxFormat, BoxFormat, const T*, T*);                            \
  template void clip_boxes<T>(int64_t, T, T, const T*, T*);                                             \
  template int64_t remove_small_boxes<T>(int64_t, T, const T*, int64_t*);                               \
  template void pairwise_box_iou<T>(PairwiseIou, int64_t, int64_t, const T*, const T*, T, T*, int);
CVCORE_BOX_KERNELS(float)
CVCORE_BOX_KERNELS(double)
#undef CVCORE_BOX_KERNELS

}  // namespace cvcore::cpu
