// linear: y[rows, out] = x[rows, in] @ w[out, in]^T + bias.
// Few rows (a matrix-vector product, bound by reading w once): vectorised dot products, split over
// output features. Otherwise the GEMM engine with A = x read in place and B = w^T packed.

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

static void linear(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* bias,
                   float* y, OutputAct act, int threads) {
  if (rows < kMR || in == 0) {  // also the empty sum (in == 0): bias alone
    parallel_for(out, threads, [&](int64_t j) {
      for (int64_t r = 0; r < rows; ++r) {
        const float s = dot(x + r * in, w + j * in, in);
        y[r * out + j] = apply_act(bias ? bias[j] + s : s, act.kind, act.slope ? act.slope[j] : 0.f);
      }
    });
    return;
  }
  const GemmProblem prob{rows, out, in, x, in, y, out, nullptr, bias, act.kind, nullptr, act.slope};
  const LinearPackB pack{w, in};
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* bpack = gemm_pack_buffer();
    if (!bpack) {
#pragma omp atomic write
      failed = true;
    }
    Range rs, cs;
    gemm_split(rows, out, thread_count(), thread_index(), &rs, &cs);
    if (bpack && rs.begin < rs.end && cs.begin < cs.end) gemm_block(prob, rs.begin, rs.end, cs.begin, cs.end, pack, bpack);
  }
  if (failed) throw std::bad_alloc();
}
