// Winograd F(2x2, 3x3): 16 multiplies per 2x2 outputs and channel pair instead of 36. Tiles sit at
// even rows and columns of the whole output, so every value is computed the same way whatever the
// bands, blocks or threads. One image: per block of tiles along a tile row, the input transform
// (four rows combined along y a vector of columns at a time, then along x on even and odd columns),
// the per-point GEMMs, then the output transform with the bias and activation. Lane-batched: one
// tile per vector, kWidth images in its lanes, a whole tile row per block, with the same operations
// in the same order, so that each image's outputs are the bits of the one-image path. The
// transforms use only 0, +-1 and +-1/2: the error stays about twice the direct sum's.

// B^T d of 4 values along one axis, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] (the same
// operations on either axis and path).
static inline void winograd2_points(Vec d0, Vec d1, Vec d2, Vec d3, Vec out[4]) {
  out[0] = vsub(d0, d2);
  out[1] = vadd(d1, d2);
  out[2] = vsub(d2, d1);
  out[3] = vsub(d1, d3);
}

// The input transform's pass along y: rows w[r * stride + i] of B^T d for the 4 input rows d, floats
// i < n.
static inline void winograd2_rows_y(const float* const* d, int64_t n, float* w, int64_t stride) {
  for (int64_t i = 0; i < n; i += kWidth) {
    Vec out[4];
    winograd2_points(vloadu(d[0] + i), vloadu(d[1] + i), vloadu(d[2] + i), vloadu(d[3] + i), out);
    for (int r = 0; r < 4; ++r) vstoreu(w + r * stride + i, out[r]);
  }
}

// v[e][c][t] = (B^T d B)[e] for the used tiles of tile row ty from tile tx0, d the 4x4 input patch
// (zeros outside the image).
static void winograd2_input(const WinogradPlan& p, const ConvGeometry& g, const float* x, int64_t n, int64_t ty,
                            int64_t tx0, int64_t used, float* ws, float* v) {
  const int64_t C = p.C, R = p.row_floats(), cols = ceil_div(2 * used + 3, kWidth) * kWidth;  // what the x pass reads
  const int64_t x0 = 2 * tx0 - g.pad_left, H = g.in_h, W = g.in_w;
  float* copies = ws;         // 4 rows: the input where a row must be padded
  float* wrows = ws + 4 * R;  // 4 rows combined along y
  // Columns [0, inside) of the rows inside the map are read in place; the others (past the map's
  // right edge, or whole rows of padding) from zero-padded copies of just those columns.
  const int64_t inside = x0 >= 0 ? min64(cols, max64(W - x0, 0) / kWidth * kWidth) : 0;
  for (int64_t c = 0; c < C; ++c) {
    const float* plane = x + (n * C + c) * H * W;
    const float* head[4];  // column i < inside of row r at head[r][i]
    const float* tail[4];  // column i >= inside at tail[r][i - inside]
    for (int r = 0; r < 4; ++r) {
      const int64_t y = 2 * ty + r - g.pad_top;
      const bool in = y >= 0 && y < H;
      const int64_t from = in ? inside : 0;  // the copy holds columns [from, cols)
      float* row = copies + r * R;
      head[r] = in && inside > 0 ? plane + y * W + x0 : row;
      tail[r] = row + (inside - from);
      if (from == cols) continue;
      std::memset(row, 0, sizeof(float) * (cols - from));
      if (in) {
        const int64_t a = max64(x0 + from, 0), b = min64(x0 + cols, W);
        if (b > a) std::memcpy(row + (a - x0 - from), plane + y * W + a, sizeof(float) * (b - a));
      }
    }
    winograd2_rows_y(head, inside, wrows, R);
    winograd2_rows_y(tail, cols - inside, wrows + inside, R);
    for (int r = 0; r < 4; ++r) {
      const float* wr = wrows + r * R;
      float* vr = v + (r * 4 * C + c) * p.tiles;  // points e = 4 r + j, j = 0..3
      for (int64_t t = 0; t < used; t += kWidth) {
        Vec out[4];  // columns 2 t' .. 2 t' + 3 of tiles t' = t .. t + kWidth - 1
        winograd2_points(vload_even(wr + 2 * t), vload_even(wr + 2 * t + 1), vload_even(wr + 2 * t + 2),
                         vload_even(wr + 2 * t + 3), out);
        for (int j = 0; j < 4; ++j) vstoreu(vr + j * C * p.tiles + t, out[j]);
      }
    }
  }
}

// out[k][j]: the 2x2 outputs (A^T P A)[k][j] (A^T = [1 1 1 0; 0 1 -1 -1]) of the points
// q[e * stride], plus the bias when `has_bias`, activated.
static inline void winograd2_outputs(const float* q, int64_t stride, bool has_bias, Vec bm, Epilogue kind, Vec slope,
                                     Vec out[2][2]) {
  Vec z[2][4];
  for (int j = 0; j < 4; ++j) {
    const Vec p0 = vloadu(q + j * stride), p1 = vloadu(q + (4 + j) * stride);
    const Vec p2 = vloadu(q + (8 + j) * stride), p3 = vloadu(q + (12 + j) * stride);
    z[0][j] = vadd(vadd(p0, p1), p2);
    z[1][j] = vsub(vsub(p1, p2), p3);
  }
  for (int k = 0; k < 2; ++k) {
    Vec even = vadd(vadd(z[k][0], z[k][1]), z[k][2]), odd = vsub(vsub(z[k][1], z[k][2]), z[k][3]);
    if (has_bias) even = vadd(bm, even), odd = vadd(bm, odd);
    out[k][0] = apply_act(even, kind, slope);
    out[k][1] = apply_act(odd, kind, slope);
  }
}

// The 2x2 outputs of one register tile (y as WinogradGemm leaves it: channels blk * mr.., tiles tx..
// of tile row ty) plus the bias, activated, stored where they fall in rows [r0, r1) and inside the map.
static void winograd2_store(const WinogradPlan& p, const ConvGeometry& g, const float* y, int64_t blk, int64_t ty,
                            int64_t tx, int64_t r0, int64_t r1, float* out, int64_t plane, float* tmp) {
  const int64_t OW = g.out_w, mr = p.mr, nr = p.nr;
  for (int64_t r = 0; r < mr && blk * mr + r < p.M; ++r) {
    const int64_t o = blk * mr + r;
    const Vec bo = vset1(p.bias ? p.bias[o] : 0.0f), slope = vset1(p.act.slope ? p.act.slope[o] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      const int64_t ox = 2 * (tx + i), valid = min64(2 * kWidth, OW - ox);
      if (valid <= 0) break;
      Vec o2[2][2];
      winograd2_outputs(y + r * nr + i, mr * nr, p.bias != nullptr, bo, p.act.kind, slope, o2);
      for (int k = 0; k < 2; ++k) {
        const int64_t oy = 2 * ty + k;
        if (oy < r0 || oy >= r1) continue;
        const Vec even = o2[k][0], odd = o2[k][1];
        float* dst = out + o * plane + (oy - r0) * OW + ox;
        if (valid == 2 * kWidth) {
          vstore_interleave(dst, even, odd);
        } else {
          vstore_interleave(tmp, even, odd);
          std::memcpy(dst, tmp, sizeof(float) * valid);
        }
      }
    }
  }
}

static void winograd2_rows(const WinogradPlan& p, const ConvGeometry& g, const float* x, int64_t n, int64_t r0,
                           int64_t r1, float* out, int64_t plane, float* ws) {
  const WinogradGemmFn gemm = winograd_gemm(p);
  const int64_t tile_cols = ceil_div(g.out_w, 2);
  float* v = ws + 8 * p.row_floats();
  float* y = v + p.points * p.C * p.tiles;
  float* tmp = y + p.points * p.mr * p.nr;
  for (int64_t ty = r0 / 2; 2 * ty < r1; ++ty)
    for (int64_t tx0 = 0; tx0 < tile_cols; tx0 += p.tiles) {
      const int64_t used = ceil_div(min64(p.tiles, tile_cols - tx0), p.nr) * p.nr;
      winograd2_input(p, g, x, n, ty, tx0, used, ws, v);
      for (int64_t t = 0; t < used; t += p.nr)
        for (int64_t blk = 0; blk < p.blocks; ++blk) {
          gemm(p, v, blk, t, y);
          winograd2_store(p, g, y, blk, ty, tx0 + t, r0, r1, out, plane, tmp);
        }
    }
}

// Lanes: v[e][c][tx * kWidth + lane] = (B^T d B)[e] of tile (ty, tx), d its 4x4 patch of lane
// vectors, as winograd2_input computes it. Input rows past the map read zeros, and the column past
// a row (odd out_w) reads the next row or x_l's slack: row 3 of a patch reaches only the tile's
// output row 1, column 3 only its output column 1, which are then past the map and not stored.
static void winograd2_lanes_input(const WinogradPlan& p, const ConvGeometry& g, const float* x_l, int64_t ty,
                                  float* ws, float* v) {
  const int64_t C = p.C, H = g.in_h, W = g.in_w, R = p.row_floats(), tile_cols = p.tiles / kWidth;
  float* wrows = ws;          // 4 rows combined along y: 2 * tile_cols + 2 columns, R floats
  float* zeros = ws + 4 * R;  // rows past the input
  if (2 * ty + 3 >= H) std::memset(zeros, 0, sizeof(float) * R);
  for (int64_t c = 0; c < C; ++c) {
    const float* d[4];
    for (int r = 0; r < 4; ++r) d[r] = 2 * ty + r < H ? x_l + (c * H + 2 * ty + r) * W * kWidth : zeros;
    winograd2_rows_y(d, R, wrows, R);
    for (int r = 0; r < 4; ++r) {
      const float* wr = wrows + r * R;
      float* vr = v + (r * 4 * C + c) * p.tiles;  // points e = 4 r + j, j = 0..3
      for (int64_t tx = 0; tx < tile_cols; ++tx) {
        const float* q = wr + 2 * tx * kWidth;
        Vec out[4];
        winograd2_points(vloadu(q), vloadu(q + kWidth), vloadu(q + 2 * kWidth), vloadu(q + 3 * kWidth), out);
        for (int j = 0; j < 4; ++j) vstoreu(vr + j * C * p.tiles + tx * kWidth, out[j]);
      }
    }
  }
}

// Lanes: the outputs of channels blk * mr.. for the register tile's tiles from tx (y as WinogradGemm
// leaves it), those inside the map, into c_l.
static void winograd2_lanes_store(const WinogradPlan& p, const ConvGeometry& g, const float* y, int64_t blk,
                                  int64_t ty, int64_t tx, float* c_l) {
  const int64_t OH = g.out_h, OW = g.out_w, mr = p.mr, nr = p.nr;
  for (int64_t r = 0; r < mr && blk * mr + r < p.M; ++r) {
    const int64_t o = blk * mr + r;
    const Vec bo = vset1(p.bias ? p.bias[o] : 0.0f), slope = vset1(p.act.slope ? p.act.slope[o] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      Vec o2[2][2];
      winograd2_outputs(y + r * nr + i, mr * nr, p.bias != nullptr, bo, p.act.kind, slope, o2);
      const int64_t ox = 2 * (tx + i / kWidth);
      for (int k = 0; k < 2 && 2 * ty + k < OH; ++k) {
        float* dst = c_l + ((o * OH + 2 * ty + k) * OW + ox) * kWidth;
        vstoreu(dst, o2[k][0]);
        if (ox + 1 < OW) vstoreu(dst + kWidth, o2[k][1]);
      }
    }
  }
}

static void winograd2_lane_row(const WinogradPlan& p, const ConvGeometry& g, const float* x_l, int64_t ty,
                               float* c_l, float* ws) {
  winograd2_lanes_input(p, g, x_l, ty, ws, ws + 8 * p.row_floats());
  winograd_lane_products(p, ws, [&](const float* y, int64_t blk, int64_t tx) {
    winograd2_lanes_store(p, g, y, blk, ty, tx, c_l);
  });
}
