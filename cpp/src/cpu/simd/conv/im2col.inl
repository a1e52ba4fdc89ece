// The convolution's GEMM: the engine of gemm.inl with B, the implicit im2col matrix, packed panel
// by panel straight from the (zero-padded) image, never materialised whole. With stride 1, a full
// register tile within one output row is not packed at all but read in place (ConvPackB::direct).

// Copies d[j] = s[j * stride] for j < len, a vector at a time: the last vector may write up to
// kWidth - 1 floats past d + len (the packer fills rows in order, so later runs and rows overwrite
// them, and the panel buffer has that much slack). Vector reads stay below s_end.
static inline void copy_strided(float* d, const float* s, int len, int64_t stride, const float* s_end) {
  int j = 0;
  if (stride == 1) {
    for (; j < len && s + j + kWidth <= s_end; j += kWidth) vstoreu(d + j, vloadu(s + j));
  } else if (stride == 2) {
    for (; j < len && s + 2 * (j + kWidth) <= s_end; j += kWidth) vstoreu(d + j, vload_even(s + 2 * j));
  }
  for (; j < len; ++j) d[j] = s[j * stride];
}

// Packs B panels from the (padded) image: B[k][n] = src[k_off[k] + n_off[n]], where k runs over
// (channel, ky, kx) and n over output pixels (image, oy, ox). A panel's columns are cut into runs that stay
// in one output row, each a contiguous (stride 1) or evenly strided read of one input row.
struct ConvPackB {
  const float* src;      // the group's first input channel
  const float* src_end;  // end of the readable image buffer
  const int64_t* k_off;  // per row of B
  const int64_t* n_off;  // per column of B
  int64_t out_w, stride_w;
  bool rows_contiguous;  // output row oy + 1 starts where row oy ends in every input row (1x1, unpadded)

  // The panel of rows k0.. for columns n..n + kNR read in place: base + off[k] for k < kc, when the
  // columns are one contiguous piece of one row of each input plane (stride 1); null otherwise. 1x1
  // convolutions (rows_contiguous) are packed: each row of B is a stream through a whole plane, which
  // the packer prefetches and the in-place reads would not.
  const float* direct(int64_t k0, int64_t n, const int64_t** off) const {
    if (stride_w != 1 || rows_contiguous || out_w - n % out_w < kNR) return nullptr;
    *off = k_off + k0;
    return src + n_off[n];
  }

  void operator()(int64_t k0, int64_t kc, int64_t n, int nr, float* dst) const {
    struct Run {
      int j, len;
      int64_t off;
    } runs[kNR];
    int count = 0;
    for (int j = 0; j < nr;) {
      const int len = static_cast<int>(min64(nr - j, out_w - (n + j) % out_w));
      runs[count++] = {j, len, n_off[n + j]};
      j += len;
    }
    if (count == 1 && nr == kNR && stride_w == 1) {  // the common case: one contiguous row piece
      const int64_t off = runs[0].off;
      for (int64_t k = 0; k < kc; ++k) {
        const float* s = src + k_off[k0 + k] + off;
        float* d = dst + k * kNR;
#pragma GCC unroll 4
        for (int v = 0; v < kNV; ++v) vstoreu(d + v * kWidth, vloadu(s + v * kWidth));
        __builtin_prefetch(s + kNR);
        __builtin_prefetch(s + kNR + 16);
        __builtin_prefetch(s + kNR + 32);
        __builtin_prefetch(s + kNR + 48);
      }
      return;
    }
    for (int64_t k = 0; k < kc; ++k) {
      const float* s = src + k_off[k0 + k];
      float* d = dst + k * kNR;
      for (int r = 0; r < count; ++r) copy_strided(d + runs[r].j, s + runs[r].off, runs[r].len, stride_w, src_end);
      // The next panel reads on along the same input rows: one stream per row of B, more than the
      // hardware prefetchers track when the image is larger than L2. (A stride past the image's end
      // stops there: a lone output column may come with any stride.)
      const float* last = s + runs[count - 1].off + (runs[count - 1].len - 1) * stride_w;
      const float* next = last + min64(stride_w, src_end - last);
      __builtin_prefetch(next);
      __builtin_prefetch(next + 16);
      __builtin_prefetch(next + 32);
      __builtin_prefetch(next + 48);
      for (int j = nr; j < kNR; ++j) d[j] = 0.f;
    }
  }
};

static void conv_gemm(const ConvGemm& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* bpack) {
  const GemmProblem prob{p.M,        p.N,         p.K,     p.A, p.lda, p.C, p.ldc, p.bias, nullptr, p.act.kind,
                         p.act.slope, nullptr, p.act.residual};
  ConvPackB pack{p.src, p.src_end, p.k_off, p.n_off, p.out_w, p.stride_w, p.rows_contiguous};
  gemm_block(prob, m0, m1, n0, n1, pack, bpack);
}
