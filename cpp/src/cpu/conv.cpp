// The dispatcher of conv2d on the CPU: which algorithm (cpu/conv/<algorithm>.cpp) computes a given
// convolution, and whether a max pooling or a 1x1 head that follows it is fused. Every path's
// predicate and their order are here and nowhere else.
//
// The convolution alone, first match wins:
//   lanes (direct or Winograd)  lane_batched: at least a vector of small unpadded images, one group,
//                               stride 1 -- no packing, no partial tiles, one image per lane
//   Winograd F(3x3) in columns  winograd3: Winograd asked, small images with output sides multiples of 3
//   Winograd F(2x2)             winograd: asked, 3x3, stride 1, dilation 1, one group
//   depthwise                   groups == in_channels
//   small-K direct              small_k: a reduction too small for the GEMM's bookkeeping
//   stacked GEMM                stackable: several small unpadded images, one group
//   im2col GEMM                 everything else
// A residual (added before the activation) is added by the im2col GEMM as it stores; the other paths
// compute the convolution, then add it in a pass.
// With max pooling: lanes pool in the lanes; small-K convolutions pool in registers (2x2 at stride 2)
// or from a band buffer; stacked GEMMs pool each chunk; the others (Winograd on one image, depthwise,
// the GEMM) compute the whole convolution, then pool it.
// With a 1x1 head: fused band by band for one group without padding (by the GEMM or F(2x2)), except
// F(3x3), which runs in the lanes only; otherwise the whole convolution, then the 1x1 convolution.
#include "cpu/conv.hpp"

#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/scratch.hpp"
#include "cvcore/runtime.hpp"

namespace cvcore::cpu {
namespace {

// Convolutions of fewer multiply-adds (a small pyramid level) run on one thread: waking a second one
// costs more than it saves. Results do not depend on the count.
constexpr double kMinParallelMacs = 1 << 20;

// Input and output images of at most this many floats each are small enough for the lanes.
constexpr int64_t kLaneMaxImageFloats = 64 << 10;

bool winograd(const ConvGeometry& g) {
  return g.winograd && g.groups == 1 && g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
         g.dilation_h == 1 && g.dilation_w == 1;
}

bool depthwise(const ConvGeometry& g) { return g.groups > 1 && g.groups == g.in_channels; }

bool small_k(const ConvGeometry& g, const Kernels& k) {
  return g.groups == 1 && !padded(g) && g.stride_w == 1 && g.out_w >= k.width &&
         g.in_channels * g.kernel_h * g.kernel_w <= kSmallK && g.out_channels <= kSmallMaxM;
}

bool lane_sized(const ConvGeometry& g) {
  return g.groups == 1 && !padded(g) && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
         g.dilation_w == 1 && g.in_channels * g.in_h * g.in_w <= kLaneMaxImageFloats &&
         g.out_channels * g.out_h * g.out_w <= kLaneMaxImageFloats;
}

bool lane_batched(const ConvGeometry& g, const Kernels& k) { return lane_sized(g) && g.batch >= k.width; }

// F(3x3, 3x3) (no tile past the map) runs in the lanes: a vector of images per lane-batched group, or
// below that an image's tile columns side by side, each tile computed the same way, so that each
// image's result is the same alone or batched.
bool winograd3(const ConvGeometry& g) { return winograd(g) && lane_sized(g) && g.out_h % 3 == 0 && g.out_w % 3 == 0; }

bool stackable(const ConvGeometry& g, int threads) {
  return !padded(g) && g.groups == 1 && g.batch >= 2 && g.batch >= threads && g.out_h * g.out_w <= kStackColumns / 4;
}

bool pooled_in_registers(const ConvGeometry& g, const PoolGeometry& pool, const Kernels& k) {
  return pool.kernel_h == 2 && pool.kernel_w == 2 && pool.stride_h == 2 && pool.stride_w == 2 && g.out_w >= 2 * k.width;
}

LaneAlgorithm lane_algorithm(const ConvGeometry& g) {
  if (!winograd(g)) return LaneAlgorithm::direct;
  return winograd3(g) ? LaneAlgorithm::winograd3 : LaneAlgorithm::winograd2;
}

void conv2d_pooled(const ConvProblem& p, const PoolGeometry* pool, float* y);

enum class Path { lanes, winograd3, winograd, depthwise, small_k, stacked, gemm };

// The path of the convolution alone.
Path path_of(const ConvProblem& p) {
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  if (lane_batched(g, k)) return Path::lanes;
  if (winograd3(g)) return Path::winograd3;
  if (winograd(g)) return Path::winograd;
  if (depthwise(g)) return Path::depthwise;
  if (small_k(g, k)) return Path::small_k;
  if (stackable(g, p.threads)) return Path::stacked;
  return Path::gemm;
}

// y = act(y + residual), each plane with its channel's slope.
void add_residual(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const int64_t plane = g.out_h * g.out_w;
  parallel_for(g.batch * g.out_channels, p.threads, elements(plane), [&](int64_t i) {
    const float slope = p.act.slope ? p.act.slope[i % g.out_channels] : 0.f;
    p.k->residual_act(y + i * plane, p.act.residual + i * plane, plane, p.act.kind, slope);
  });
}

// The convolution alone. A residual is added by the im2col GEMM's store, else in a pass after.
void conv2d_alone(const ConvProblem& p, float* y) {
  const Path path = path_of(p);
  if (p.act.residual && path != Path::gemm) {
    ConvProblem plain = p;
    plain.act = {};
    conv2d_alone(plain, y);
    return add_residual(p, y);
  }
  switch (path) {
    case Path::lanes: return conv2d_lanes(p, lane_algorithm(p.g), nullptr, y, &conv2d_pooled);
    case Path::winograd3: return conv2d_winograd3_columns(p, y);
    case Path::winograd: return conv2d_winograd(p, y);
    case Path::depthwise: return conv2d_depthwise(p, y);
    case Path::small_k: return conv2d_small_k(p, y);
    case Path::stacked: return conv2d_gemm_stacked(p, y);
    case Path::gemm: return conv2d_gemm(p, y);
  }
}

// The convolution's own output, for a step that could not be fused: in a scratch buffer that later
// calls reuse (a fresh allocation this large would fault its pages in on every call).
float* unfused_output(const ConvGeometry& g) {
  return scratch_array<float>(ScratchSlot::unfused, static_cast<size_t>(g.batch * g.out_channels * g.out_h * g.out_w));
}

// The convolution, then max pooling when pool is not null.
void conv2d_pooled(const ConvProblem& p, const PoolGeometry* pool, float* y) {
  if (!pool) return conv2d_alone(p, y);
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  if (lane_batched(g, k)) return conv2d_lanes(p, lane_algorithm(g), pool, y, &conv2d_pooled);
  if (!winograd(g)) {
    if (small_k(g, k))
      return pooled_in_registers(g, *pool, k) ? conv2d_small_k_pool2(p, *pool, y)
                                              : conv2d_small_k_max_pool(p, *pool, y);
    if (stackable(g, p.threads)) return conv2d_gemm_stacked_max_pool(p, *pool, y);
  }
  float* full = unfused_output(g);
  conv2d_alone(p, full);
  PoolGeometry whole = *pool;
  whole.planes = g.batch * g.out_channels;
  max_pool2d(whole, full, y, nullptr, p.threads);
}

// The convolution, then the 1x1 head.
void conv2d_then_head(const ConvProblem& p, const PointwiseHead& head, float* y) {
  const ConvGeometry& g = p.g;
  if (!padded(g) && g.groups == 1 && !winograd3(g)) return conv2d_pointwise(p, winograd(g), head, y);
  float* full = unfused_output(g);
  conv2d_alone(p, full);
  ConvProblem one = p;
  one.g = {g.batch, g.out_channels, g.out_h, g.out_w, head.channels, g.out_h, g.out_w, 1, 1, 1, 1, 1, 1,
           0,       0,              0,       0,       1};
  one.x = full;
  one.w = head.weight;
  one.bias = head.bias;
  one.act = {};
  conv2d_alone(one, y);
}

}  // namespace

void conv2d(const ConvGeometry& g, const float* x, const float* w, const float* bias, OutputAct act,
            const PoolGeometry* pool, const PointwiseHead* head, float* y) {
  const double macs = double(g.batch) * double(g.out_channels) * double(g.out_h) * double(g.out_w) *
                      double(g.in_channels / g.groups) * double(g.kernel_h) * double(g.kernel_w);
  const int threads = macs < kMinParallelMacs ? 1 : get_num_threads();
  const ConvProblem p{g, x, w, bias, act, &active_kernels(), threads};
  if (head)
    conv2d_then_head(p, *head, y);
  else
    conv2d_pooled(p, pool, y);
}

}  // namespace cvcore::cpu
