// Winograd F(m x m, 3 x 3) (Lavin & Gray 2016) for 3x3, stride-1 convolutions, on request
// (Conv2dParams::winograd): each m x m block of outputs is A^T [sum_c (G g_c G^T) .* (B^T d_c B)] A of
// the (m + 2) x (m + 2) input patches d_c under it. Per block of tiles: the input transform
// (winograd2.inl, winograd3.inl), then one GEMM per point [M x C] x [C x tiles] on the register tile
// (here), then the output transform with the bias and activation.

// The GEMMs of one register tile, one per point e (channels blk * mr.., tiles t.. t + nr of the block):
// y[(e * mr + r) * nr + i] = sum_c u[e][blk * mr + r][c] * v[e][c][t + i], a buffer that stays in L1.
template <int MR, int NV>
struct WinogradGemm {
  static void run(const WinogradPlan& c, const float* v, int64_t blk, int64_t t, float* y) {
    static const float no_slope[kTileMaxRows] = {};
    constexpr int64_t nr = NV * kWidth;
    for (int e = 0; e < c.points; ++e)
      small_k_tile<MR, NV>(c.C, c.u + (e * c.blocks + blk) * c.C * MR, v + e * c.C * c.tiles + t, c.off, nullptr,
                           no_slope, Epilogue::none, y + e * MR * nr, nr, MR);
  }
};

using WinogradGemmFn = void (*)(const WinogradPlan&, const float* v, int64_t blk, int64_t t, float* y);

// The plan's register tile: WinogradGemm<mr, nr / kWidth>.
static WinogradGemmFn winograd_gemm(const WinogradPlan& p) {
  const int64_t nv = p.nr / kWidth;
  return nv == 3   ? tile_kernel_for<WinogradGemm, 3>(p.mr)
         : nv == 2 ? tile_kernel_for<WinogradGemm, 2>(p.mr)
                   : tile_kernel_for<WinogradGemm, 1>(p.mr);
}

// G g G^T in double for input channel c and the output channels of block blk, zero rows past M.
// F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] (points 0, 1, -1, inf); F(3x3): points 0, 1,
// -1, 2, inf.
static void winograd_kernels(const WinogradPlan& p, const float* w, int64_t blk, int64_t c, float* u) {
  static const double G2[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
  static const double G3[5][3] = {
      {.5, 0, 0}, {-.5, -.5, -.5}, {-1. / 6, 1. / 6, -1. / 6}, {1. / 6, 1. / 3, 2. / 3}, {0, 0, 1}};
  const double(*G)[3] = p.m == 3 ? G3 : G2;
  const int n = static_cast<int>(p.m + 2);
  const int64_t mr = p.mr, C = p.C;
  double k[9][kTileMaxRows];  // g, tap-major (zero past M)
  for (int64_t r = 0; r < mr; ++r) {
    const bool real = blk * mr + r < p.M;
    for (int t = 0; t < 9; ++t) k[t][r] = real ? w[((blk * mr + r) * C + c) * 9 + t] : 0.0;
  }
  double gk[5][3][kTileMaxRows];  // G g
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 3; ++j)
      for (int64_t r = 0; r < mr; ++r)
        gk[i][j][r] = G[i][0] * k[j][r] + G[i][1] * k[3 + j][r] + G[i][2] * k[6 + j][r];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      float* u_ij = u + ((i * n + j) * p.blocks * C + blk * C + c) * mr;
      for (int64_t r = 0; r < mr; ++r)
        u_ij[r] = static_cast<float>(gk[i][0][r] * G[j][0] + gk[i][1][r] * G[j][1] + gk[i][2][r] * G[j][2]);
    }
}

// Lanes: the per-point GEMMs of every register tile of one tile row, whose inputs v the input
// transform left in ws, each followed by store(y, blk, tx) of its products y (tiles tx.. of the row).
template <typename Store>
static void winograd_lane_products(const WinogradPlan& p, float* ws, Store store) {
  const WinogradGemmFn gemm = winograd_gemm(p);
  const float* v = ws + 8 * p.row_floats();
  float* y = ws + 8 * p.row_floats() + p.points * p.C * p.tiles;
  const int64_t tile_cols = p.tiles / kWidth, nv = p.nr / kWidth;
  for (int64_t t = 0; t < tile_cols; t += nv) {
    const int64_t at = min64(t, tile_cols - nv);  // the last register tile overlaps the previous one
    for (int64_t blk = 0; blk < p.blocks; ++blk) {
      gemm(p, v, blk, at * kWidth, y);
      store(y, blk, at);
    }
  }
}
