// Lane-batched convolution of batches of small images (a detector's crops): groups of kWidth images
// transposed so that image i of a group sits in lane i of every vector (x_l[c][y][x][lane]),
// convolved by the direct lane kernel or by Winograd in the lanes, optionally max-pooled in the lanes
// while the rows are in the cache, and transposed back. Each image's outputs are the bits it gets
// alone. A few images past the last full group (a quarter of a group at most) take the single-image
// paths: a partial group costs as much as a full one.
//
// Two schedulers: with about four groups per thread or more, each thread takes whole groups
// (by_group); with fewer, the team loads every group first and computes them together in units of a
// group's tile rows (Winograd) or channel blocks (direct), so that no thread waits long for another's
// last group, and the images past the last group are one more unit (by_team).
#include <cstring>
#include <optional>

#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/parallel.hpp"
#include "cpu/scratch.hpp"

namespace cvcore::cpu {
namespace {

constexpr size_t kLaneTeamFloats = size_t(8) << 20;  // the groups a team computes together: at most 32 MB

// The direct kernel's plan, its packed weights, slopes and offsets in the packed_weights scratch.
LanePlan prepare_lanes(const ConvProblem& p) {
  const ConvGeometry& g = p.g;
  const int64_t W = p.k->width;
  LanePlan c;
  c.M = g.out_channels;
  c.K = g.in_channels * g.kernel_h * g.kernel_w;
  c.nv = g.out_w >= 3 && g.out_w % 3 == 0 ? 3 : min64(g.out_w, 2);
  const TileRows t = tile_rows(c.M, static_cast<int>(c.nv), p.k->tile_accumulators);
  c.blocks = t.blocks;
  c.mr = t.mr;
  // One buffer: the packed weights, the slopes, then the offsets on an 8-byte boundary.
  const int64_t padded_m = c.blocks * c.mr, floats = padded_m * (c.K + 1);
  float* packed = scratch_array<float>(ScratchSlot::packed_weights, static_cast<size_t>(floats + 1 + 2 * c.K));
  float* slopes = packed + padded_m * c.K;
  int64_t* offsets = reinterpret_cast<int64_t*>(packed + floats + (floats & 1));
  pack_channel_blocks(p.w, c.M, c.K, t, packed);
  pad_per_channel(p.act.slope, c.M, t, slopes);
  // Tap k's offset in x_l: its offset in one image's planes, times the lanes.
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 0, 0, offsets, nullptr);
  for (int64_t k = 0; k < c.K; ++k) offsets[k] *= W;
  c.wp = packed;
  c.sp = slopes;
  c.off = offsets;
  c.bias = p.bias;
  c.act = p.act.kind;
  return c;
}

// A group's buffers: its lane-batched input (and a vector of slack, which Winograd's last column may
// read), the convolution's output and, with pooling, the pooled output.
struct GroupBuffers {
  float* x_l;
  float* c_l;
  float* p_l;
};

// A batch in groups: the sizes, the kernel's plan, and how one group is loaded, computed and stored.
struct LaneBatch {
  const ConvProblem& p;
  const PoolGeometry* pool;
  int64_t images, groups;  // images in the groups
  int64_t width, image, plane, pooled_plane, out;
  size_t floats;  // a group's buffers
  std::optional<WinogradPlan> wino;
  std::optional<LanePlan> direct;

  LaneBatch(const ConvProblem& p_, const PoolGeometry* pool_, int64_t images_)
      : p(p_), pool(pool_), images(images_) {
    const ConvGeometry& g = p.g;
    width = p.k->width;
    groups = ceil_div(images, width);
    image = g.in_channels * g.in_h * g.in_w;
    plane = g.out_h * g.out_w;
    pooled_plane = pool ? pool->out_h * pool->out_w : plane;
    out = g.out_channels * pooled_plane;
    floats = static_cast<size_t>((image + 1 + g.out_channels * plane + (pool ? out : 0)) * width);
  }

  // One of the two, prepared once.
  void prepare(LaneAlgorithm algorithm) {
    if (algorithm == LaneAlgorithm::direct)
      direct.emplace(prepare_lanes(p));
    else
      wino.emplace(prepare_winograd(p, p.g, true, algorithm == LaneAlgorithm::winograd3 ? 3 : 2));
  }

  GroupBuffers buffers(float* buf) const {
    float* c_l = buf + (image + 1) * width;
    return {buf, c_l, c_l + p.g.out_channels * plane * width};
  }
  int64_t images_of(int64_t grp) const { return min64(width, images - grp * width); }
  void load(int64_t grp, const GroupBuffers& b) const {
    p.k->to_lanes(p.x + grp * width * image, images_of(grp), image, b.x_l);
    std::memset(b.x_l + image * width, 0, sizeof(float) * width);
  }
  void store(int64_t grp, const GroupBuffers& b, float* y) const {
    p.k->from_lanes(pool ? b.p_l : b.c_l, images_of(grp), out, y + grp * width * out);
  }

  // The convolution's rows of one group in order, by rows(r0, r1) (which computes at least rows
  // [r0, r1) and returns the end of what it computed), and with pooling each pooled row of the
  // `channels` planes at c_l into p_l as soon as its window's rows are there (still in the cache).
  template <typename Rows>
  void rows_then_pool(int64_t channels, const float* c_l, float* p_l, Rows rows) const {
    if (!pool) {
      rows(0, p.g.out_h);
      return;
    }
    for (int64_t py = 0, done = 0; py < pool->out_h; ++py) {
      const int64_t need = min64(p.g.out_h, py * pool->stride_h + pool->kernel_h);
      if (need > done) done = rows(done, need);
      p.k->max_pool_lanes(*pool, channels, c_l, p_l, py, py + 1);
    }
  }

  // Direct: output channel blocks [b0, b1) of one group.
  void direct_blocks(const GroupBuffers& b, int64_t b0, int64_t b1) const {
    const int64_t m0 = b0 * direct->mr, channels = min64(b1 * direct->mr, p.g.out_channels) - m0;
    const int64_t lane_plane = plane * width, lane_pooled = pool ? pool->out_h * pool->out_w * width : 0;
    rows_then_pool(channels, b.c_l + m0 * lane_plane, b.p_l + m0 * lane_pooled, [&](int64_t oy0, int64_t oy1) {
      for (int64_t blk = b0; blk < b1; ++blk) p.k->lane_rows(*direct, p.g, b.x_l, blk, oy0, oy1, b.c_l);
      return oy1;
    });
  }

  // Winograd: tile row ty of one group.
  void winograd_row(const GroupBuffers& b, int64_t ty, float* ws) const {
    (wino->m == 3 ? p.k->winograd3_lane_row : p.k->winograd2_lane_row)(*wino, p.g, b.x_l, ty, b.c_l, ws);
  }

  // Winograd: one whole group, whole tile rows at a time.
  void winograd_group(const GroupBuffers& b, float* ws) const {
    rows_then_pool(p.g.out_channels, b.c_l, b.p_l, [&](int64_t oy0, int64_t oy1) {
      int64_t oy = oy0;  // a multiple of m: every call ends on a tile row's end (or the map's)
      for (; oy < oy1; oy = min64(p.g.out_h, oy + wino->m)) winograd_row(b, oy / wino->m, ws);
      return oy;
    });
  }

  float* workspace() const {
    return wino ? scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(wino->workspace_floats()))
                : nullptr;
  }
};

struct ThreadBuffers {
  float* group;
  float* ws;
};

void by_group(const LaneBatch& lb, float* y) {
  parallel_for(
      lb.groups, lb.p.threads, conv_share(lb.p.g, lb.groups),
      [&] { return ThreadBuffers{scratch_array<float>(ScratchSlot::lanes, lb.floats), lb.workspace()}; },
      [&](ThreadBuffers& t, int64_t grp) {
        const GroupBuffers b = lb.buffers(t.group);
        lb.load(grp, b);
        if (lb.wino)
          lb.winograd_group(b, t.ws);
        else
          lb.direct_blocks(b, 0, lb.direct->blocks);
        lb.store(grp, b, y);
      });
}

// tail: the images past the last group (or null), computed by single_images into y_tail as one unit,
// in a scratch frame of its own: its paths take scratch buffers that the team's hold on that thread.
void by_team(const LaneBatch& lb, const ConvProblem* tail, float* y_tail, ConvImages single_images, float* y) {
  const ConvGeometry& g = lb.p.g;
  float* buf = scratch_array<float>(ScratchSlot::lanes, lb.floats * static_cast<size_t>(lb.groups));
  const auto group = [&](int64_t grp) { return lb.buffers(buf + lb.floats * static_cast<size_t>(grp)); };
  for (int64_t grp = 0; grp < lb.groups; ++grp) lb.load(grp, group(grp));
  const int64_t per_group = lb.wino ? ceil_div(g.out_h, lb.wino->m) : lb.direct->blocks;
  const int64_t tail_units = tail ? 1 : 0, units = tail_units + lb.groups * per_group;
  parallel_for(
      units, lb.p.threads, conv_share(g, units), [&] { return lb.workspace(); },
      [&](float* ws, int64_t u) {
        if (u < tail_units) {
          const ScratchFrame frame;
          single_images(*tail, lb.pool, y_tail);
          return;
        }
        u -= tail_units;
        const int64_t part = u % per_group;
        if (lb.wino)
          lb.winograd_row(group(u / per_group), part, ws);
        else
          lb.direct_blocks(group(u / per_group), part, part + 1);
      },
      // Consecutive units (a group's rows or blocks) to the same thread, which then keeps the group in
      // its cache; one unit at a time when the tail's unit, heavier than the others, needs balancing.
      tail ? Schedule::dynamic : Schedule::guided);
  if (lb.wino && lb.pool) {
    const int64_t lane_plane = lb.plane * lb.width, lane_pooled = lb.pooled_plane * lb.width;
    parallel_for(lb.groups * g.out_channels, lb.p.threads, elements(4.0 * double(lane_plane)), [&](int64_t u) {
      const GroupBuffers b = group(u / g.out_channels);
      const int64_t m = u % g.out_channels;
      lb.p.k->max_pool_lanes(*lb.pool, 1, b.c_l + m * lane_plane, b.p_l + m * lane_pooled, 0, lb.pool->out_h);
    });
  }
  for (int64_t grp = 0; grp < lb.groups; ++grp) lb.store(grp, group(grp), y);
}

}  // namespace

void conv2d_lanes(const ConvProblem& p, LaneAlgorithm algorithm, const PoolGeometry* pool, float* y,
                  ConvImages single_images) {
  const ConvGeometry& g = p.g;
  const int64_t W = p.k->width, rest = g.batch % W;
  // The images past the last full group, when they take the single-image paths.
  const int64_t tail_batch = g.batch > W && rest > 0 && 4 * rest <= W ? rest : 0;
  LaneBatch lb(p, pool, g.batch - tail_batch);
  ConvProblem tail = p;
  tail.g.batch = tail_batch;
  tail.x = p.x + lb.images * lb.image;
  float* y_tail = y + lb.images * lb.out;
  const bool team = p.threads > 1 && lb.groups < 4 * p.threads && lb.groups * lb.floats <= kLaneTeamFloats;
  lb.prepare(algorithm);
  if (!team) {
    by_group(lb, y);
    if (tail_batch > 0) single_images(tail, pool, y_tail);
    return;
  }
  tail.threads = 1;
  by_team(lb, tail_batch > 0 ? &tail : nullptr, y_tail, single_images, y);
}

}  // namespace cvcore::cpu
