// Winograd F(3x3, 3x3), lane-batched, on maps whose output sides are multiples of 3 (every 5x5 patch
// lies inside the input, no tile past the map): 25 multiplies per 3x3 outputs and channel pair
// instead of 81. Points 0, 1, -1, 2, inf; the transforms multiply by 2, 3 and 4 as well, so the
// error is about 3x the direct sum's (up to 11x on small reductions).

// B^T d of 5 values, B^T = [2 -1 -2 1 0; 0 -2 -1 1 0; 0 2 -3 1 0; 0 -1 0 1 0; 0 2 -1 -2 1].
static inline void winograd3_points(const Vec d[5], Vec out[5]) {
  const Vec a = vsub(d[3], d[1]);
  out[0] = vfma(vset1(2.f), vsub(d[0], d[2]), a);
  out[1] = vsub(a, vadd(d[1], d[2]));
  out[2] = vfma(vset1(3.f), vsub(d[1], d[2]), a);
  out[3] = a;
  out[4] = vfma(vset1(-2.f), a, vsub(d[4], d[2]));
}

// v[e][c][tx * kWidth + lane] = (B^T d B)[e] of tile (ty, tx), d its 5x5 patch of lane vectors, rows
// then columns.
static void winograd3_lanes_input(const WinogradPlan& p, const ConvGeometry& g, const float* x_l, int64_t ty,
                                  float* ws, float* v) {
  const int64_t C = p.C, H = g.in_h, W = g.in_w, R = p.row_floats(), tile_cols = p.tiles / kWidth;
  for (int64_t c = 0; c < C; ++c) {
    const float* d = x_l + (c * H + 3 * ty) * W * kWidth;
    for (int64_t i = 0; i < R; i += kWidth) {  // along y, a column (a vector of lanes) at a time
      Vec in[5], out[5];
      for (int r = 0; r < 5; ++r) in[r] = vloadu(d + r * W * kWidth + i);
      winograd3_points(in, out);
      for (int r = 0; r < 5; ++r) vstoreu(ws + r * R + i, out[r]);
    }
    for (int r = 0; r < 5; ++r)
      for (int64_t tx = 0; tx < tile_cols; ++tx) {  // along x
        const float* q = ws + r * R + 3 * tx * kWidth;
        Vec in[5], out[5];
        for (int j = 0; j < 5; ++j) in[j] = vloadu(q + j * kWidth);
        winograd3_points(in, out);
        for (int j = 0; j < 5; ++j) vstoreu(v + ((r * 5 + j) * C + c) * p.tiles + tx * kWidth, out[j]);
      }
  }
}

// A^T = [1 1 1 1 0; 0 1 -1 2 0; 0 1 1 4 1] of 5 values.
static inline void winograd3_outputs(const Vec q[5], Vec out[3]) {
  const Vec s = vadd(q[1], q[2]);
  out[0] = vadd(vadd(s, q[0]), q[3]);
  out[1] = vfma(vset1(2.f), q[3], vsub(q[1], q[2]));
  out[2] = vadd(vfma(vset1(4.f), q[3], s), q[4]);
}

// The 3x3 outputs of channels blk * mr.. for the register tile's tiles from tx (y as WinogradGemm
// leaves it), plus the bias, activated, into c_l.
static void winograd3_lanes_store(const WinogradPlan& p, const ConvGeometry& g, const float* y, int64_t blk,
                                  int64_t ty, int64_t tx, float* c_l) {
  const int64_t OH = g.out_h, OW = g.out_w, mr = p.mr, nr = p.nr;
  for (int64_t r = 0; r < mr && blk * mr + r < p.M; ++r) {
    const int64_t o = blk * mr + r;
    const Vec bo = vset1(p.bias ? p.bias[o] : 0.0f), slope = vset1(p.act.slope ? p.act.slope[o] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      Vec z[3][5];  // A^T along y, for each column of points
      for (int j = 0; j < 5; ++j) {
        Vec q[5], out[3];
        for (int k = 0; k < 5; ++k) q[k] = vloadu(y + ((k * 5 + j) * mr + r) * nr + i);
        winograd3_outputs(q, out);
        for (int k = 0; k < 3; ++k) z[k][j] = out[k];
      }
      const int64_t ox = 3 * (tx + i / kWidth);
      for (int k = 0; k < 3; ++k) {
        Vec out[3];
        winograd3_outputs(z[k], out);
        float* dst = c_l + ((o * OH + 3 * ty + k) * OW + ox) * kWidth;
        for (int j = 0; j < 3; ++j) {
          const Vec v = p.bias ? vadd(bo, out[j]) : out[j];
          vstoreu(dst + j * kWidth, apply_act(v, p.act.kind, slope));
        }
      }
    }
  }
}

static void winograd3_lane_row(const WinogradPlan& p, const ConvGeometry& g, const float* x_l, int64_t ty,
                               float* c_l, float* ws) {
  winograd3_lanes_input(p, g, x_l, ty, ws, ws + 8 * p.row_floats());
  winograd_lane_products(p, ws, [&](const float* y, int64_t blk, int64_t tx) {
    winograd3_lanes_store(p, g, y, blk, ty, tx, c_l);
  });
}
