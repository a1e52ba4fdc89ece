// linear: y[rows, out] = x[rows, in] @ w[out, in]^T + bias. Few rows (a matrix-vector product, bound
// by reading w once): vectorised dot products. Otherwise the GEMM engine with A = x read in place and
// B = w^T packed.

// Packs B[k][j] = w[j][k], i.e. the transposed weights.
struct LinearPackB {
  const float* w;
  int64_t in;

  const float* direct(int64_t, int64_t, const int64_t**) const { return nullptr; }  // always packed

  void operator()(int64_t k0, int64_t kc, int64_t n, int nr, float* dst) const {
    int j = 0;
    // kWidth x kWidth blocks transposed in registers: with few rows the packing is most of the work.
    for (; j + kWidth <= nr; j += kWidth) {
      const float* src = w + (n + j) * in + k0;
      int64_t k = 0;
      for (; k + kWidth <= kc; k += kWidth) {
        Vec block[kWidth];
        for (int r = 0; r < kWidth; ++r) block[r] = vloadu(src + r * in + k);
        vtranspose(block);
        for (int r = 0; r < kWidth; ++r) vstoreu(dst + (k + r) * kNR + j, block[r]);
      }
      for (; k < kc; ++k)
        for (int r = 0; r < kWidth; ++r) dst[k * kNR + j + r] = src[r * in + k];
    }
    for (; j < nr; ++j) {
      const float* src = w + (n + j) * in + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * kNR + j] = src[k];
    }
    for (j = nr; j < kNR; ++j)
      for (int64_t k = 0; k < kc; ++k) dst[k * kNR + j] = 0.f;
  }
};

static inline float dot(const float* a, const float* b, int64_t n) {
  Vec s0 = vzero(), s1 = vzero(), s2 = vzero(), s3 = vzero();
  int64_t i = 0;
  for (; i + 4 * kWidth <= n; i += 4 * kWidth) {
    s0 = vfma(vloadu(a + i), vloadu(b + i), s0);
    s1 = vfma(vloadu(a + i + kWidth), vloadu(b + i + kWidth), s1);
    s2 = vfma(vloadu(a + i + 2 * kWidth), vloadu(b + i + 2 * kWidth), s2);
    s3 = vfma(vloadu(a + i + 3 * kWidth), vloadu(b + i + 3 * kWidth), s3);
  }
  for (; i + kWidth <= n; i += kWidth) s0 = vfma(vloadu(a + i), vloadu(b + i), s0);
  float s = vsum(vadd(vadd(s0, s1), vadd(s2, s3)));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

static void linear_gemm(const LinearGemm& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* bpack) {
  const GemmProblem prob{p.rows, p.out, p.in, p.x, p.in, p.y, p.out, nullptr, p.bias, p.act.kind, nullptr, p.act.slope};
  const LinearPackB pack{p.w, p.in};
  gemm_block(prob, m0, m1, n0, n1, pack, bpack);
}

static void linear_dots(const LinearGemm& p, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j)
    for (int64_t r = 0; r < p.rows; ++r) {
      const float s = dot(p.x + r * p.in, p.w + j * p.in, p.in);
      p.y[r * p.out + j] = apply_act(p.bias ? p.bias[j] + s : s, p.act.kind, p.act.slope ? p.act.slope[j] : 0.f);
    }
}
