// The GEMM engine shared by conv2d and linear: C[M, N] = A[M, K] * B[K, N] (+ bias, + residual,
// activation).
//
// BLIS structure: B is packed in KC x NR micro-panels (k-major, NR floats per k) by a caller-supplied
// packer, so conv2d can pack straight from the image (implicit im2col) and linear from transposed
// weights. A packer may also serve a full panel in place (`direct`: row k at base + off[k]), which
// stride-1 convolutions do for tiles inside one input row: no packing pass, and the rows the tile
// reads stay in L1 across the MR blocks. A is read in place through MR row pointers (rows of OIHW
// weights or of the input), which costs little against packing and saves a pass over the weights. The
// MR x NR register tile uses 12 (AVX2) or 16 (AVX-512) accumulators. The reduction order of every C
// element depends only on K and KC, never on how the M x N space is split among threads nor on
// whether a panel was packed, so results are identical for any thread count.

#if defined(__AVX512F__)
constexpr int kMR = 8, kNV = 2;  // 16 of the 32 zmm registers accumulate
#else
constexpr int kMR = 4, kNV = 3;  // 12 of the 16 ymm/xmm registers accumulate
#endif
constexpr int kNR = kNV * kWidth;
constexpr int64_t kKC = 576;  // K chunk: B panel KC x NR (55-72 KB) in L1/L2; fewer passes over C
constexpr int64_t kMC = 128;   // the A rows of one block stay in L2
constexpr int64_t kNC = 16 * kNR;  // the packed B block (KC x NC) stays in L2/L3
// The packed-B buffer of one thread, with slack for packers that write a vector past a panel's end.
constexpr int64_t kGemmPackFloats = kKC * kNC + kWidth;

// The epilogue's activation of x; slope is prelu's slope for x (ignored by the others).
static inline float apply_act(float x, Epilogue act, float slope) {
  if (act == Epilogue::relu) return x < 0.f ? 0.f : x;
  if (act == Epilogue::relu6) return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
  if (act == Epilogue::prelu) return x > 0.f ? x : x * slope;
  return x;
}

static inline Vec apply_act(Vec x, Epilogue act, Vec slope) {
  if (act == Epilogue::relu) return vmax(vzero(), x);
  if (act == Epilogue::relu6) return vmin(vset1(6.f), vmax(vzero(), x));
  if (act == Epilogue::prelu) return vselect(vlt(vzero(), x), x, vmul(x, slope));
  return x;
}

// y = act(y + residual) over n floats with one prelu slope.
static void residual_act(float* y, const float* residual, int64_t n, Epilogue act, float slope) {
  int64_t i = 0;
  const Vec s = vset1(slope);
  for (; i + kWidth <= n; i += kWidth) vstoreu(y + i, apply_act(vadd(vloadu(y + i), vloadu(residual + i)), act, s));
  for (; i < n; ++i) y[i] = apply_act(y[i] + residual[i], act, slope);
}

// What to do when a K chunk's partial sums reach C.
struct StoreMode {
  bool first;               // the first K chunk: C = acc (+ bias), otherwise C += acc
  bool last;                // the last K chunk: apply the activation
  const float* bias_row;    // bias per row of C (conv2d: per output channel), or null
  const float* bias_col;    // bias per column of C (linear: per output feature), or null
  Epilogue act;
  const float* slope_row;   // prelu slope per row of C, or null
  const float* slope_col;   // prelu slope per column of C, or null
  const float* residual;    // the last K chunk adds it before the activation (shaped as C, ldc), or null
};

// C[0:mr, 0:nr] (+)= A[0:mr, 0:kc] * Bp[0:kc, 0:NV * kWidth]. a[r] points at row r of A (rows
// past mr repeat a valid row); bp is a packed micro-panel (kNR floats per k, of which the first NV
// vectors are used: NV < kNV serves narrow last panels); the tile is stored with the StoreMode rules.
template <int NV, typename BRow>
static inline void micro_kernel_rows(int64_t kc, const float* const* a, BRow b_row, float* c, int64_t ldc,
                                     int mr, int nr, const StoreMode& mode) {
  Vec acc[kMR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < kMR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = vzero();

#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    Vec b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = vloadu(b_row(k) + v * kWidth);
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {
      const Vec av = vset1(a[r][k]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = vfma(av, b[v], acc[r][v]);
    }
  }

  if (nr == NV * kWidth) {  // full-width tiles store whole vectors, also for the rows of a last block of mr < kMR
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {
      if (r >= mr) break;
      float* cr = c + r * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        Vec x = acc[r][v];
        if (!mode.first) {
          x = vadd(vloadu(cr + v * kWidth), x);
        } else if (mode.bias_row) {
          x = vadd(vset1(mode.bias_row[r]), x);
        } else if (mode.bias_col) {
          x = vadd(vloadu(mode.bias_col + v * kWidth), x);
        }
        if (mode.last) {
          if (mode.residual) x = vadd(x, vloadu(mode.residual + r * ldc + v * kWidth));
          const Vec slope = mode.slope_row   ? vset1(mode.slope_row[r])
                            : mode.slope_col ? vloadu(mode.slope_col + v * kWidth)
                                             : vzero();
          x = apply_act(x, mode.act, slope);
        }
        vstoreu(cr + v * kWidth, x);
      }
    }
    return;
  }
  // Narrow tile: spill the accumulators and apply the same rules element by element.
  alignas(64) float tile[kMR][NV * kWidth];
  for (int r = 0; r < kMR; ++r)
    for (int v = 0; v < NV; ++v) vstoreu(&tile[r][v * kWidth], acc[r][v]);
  for (int r = 0; r < mr; ++r) {
    float* cr = c + r * ldc;
    for (int j = 0; j < nr; ++j) {
      float x = tile[r][j];
      if (!mode.first) {
        x = cr[j] + x;
      } else if (mode.bias_row) {
        x = mode.bias_row[r] + x;
      } else if (mode.bias_col) {
        x = mode.bias_col[j] + x;
      }
      if (mode.last && mode.residual) x = x + mode.residual[r * ldc + j];
      const float slope = mode.slope_row ? mode.slope_row[r] : mode.slope_col ? mode.slope_col[j] : 0.f;
      cr[j] = mode.last ? apply_act(x, mode.act, slope) : x;
    }
  }
}

// B from a packed micro-panel (kNR floats per k).
template <int NV>
static void micro_kernel(int64_t kc, const float* const* a, const float* bp, float* c, int64_t ldc, int mr, int nr,
                         const StoreMode& mode) {
  micro_kernel_rows<NV>(kc, a, [bp](int64_t k) { return bp + k * kNR; }, c, ldc, mr, nr, mode);
}

// B read in place: row k of the panel is base + off[k] (a full kNR-wide tile of a stride-1 conv,
// whose columns are one contiguous piece of an input row).
static void micro_kernel_direct(int64_t kc, const float* const* a, const float* base, const int64_t* off, float* c,
                                int64_t ldc, int mr, const StoreMode& mode) {
  micro_kernel_rows<kNV>(kc, a, [base, off](int64_t k) { return base + off[k]; }, c, ldc, mr, kNR, mode);
}

using MicroKernel = void (*)(int64_t, const float* const*, const float*, float*, int64_t, int, int,
                             const StoreMode&);

// The narrowest kernel covering nr columns.
static inline MicroKernel micro_kernel_for(int nr) {
  if (nr <= kWidth) return &micro_kernel<1>;
  if (kNV > 2 && nr <= 2 * kWidth) return &micro_kernel<(kNV > 2 ? 2 : kNV)>;
  return &micro_kernel<kNV>;
}

struct GemmProblem {
  int64_t M, N, K;
  const float* A;
  int64_t lda;
  float* C;
  int64_t ldc;
  const float* bias_row;
  const float* bias_col;
  Epilogue act;
  const float* slope_row;  // prelu slopes per row / column of C (at most one of them), or null
  const float* slope_col;
  const float* residual = nullptr;  // added before the activation, shaped as C (ldc), or null
};

// Splits K into equal chunks of at most kKC (a function of K alone, for thread invariance).
static inline int64_t k_chunk(int64_t K) {
  const int64_t chunks = ceil_div(K, kKC);
  return ceil_div(K, chunks);
}

// Computes the block C[m0:m1, n0:n1] of problem p on the calling thread. pack_b(k0, kc, n, nr, dst)
// must write the kc x kNR micro-panel of B rows k0.. and columns n..n+nr, zero-filling columns past
// nr; it may write up to kWidth floats past the panel. bpack holds kGemmPackFloats floats.
template <typename PackB>
static void gemm_block(const GemmProblem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1, PackB& pack_b,
                       float* bpack) {
  const int64_t kcmax = k_chunk(p.K);
  const bool single_block = m1 - m0 <= kMC;
  for (int64_t jc = n0; jc < n1; jc += kNC) {
    const int64_t nc = min64(kNC, n1 - jc);
    for (int64_t pc = 0; pc < p.K; pc += kcmax) {
      const int64_t kc = min64(kcmax, p.K - pc);
      StoreMode mode{pc == 0, pc + kc == p.K, nullptr, nullptr, p.act, nullptr, nullptr, nullptr};
      for (int64_t ic = m0; ic < m1; ic += kMC) {
        const int64_t mc_end = min64(ic + kMC, m1);
        for (int64_t j = 0; j < nc; j += kNR) {
          const int nr = static_cast<int>(min64(kNR, nc - j));
          // Each panel is packed right before its first use, so it is hot in L1. With a single
          // block of rows it is used once: one panel buffer then serves all, never leaving L1.
          // A full tile that the packer can serve in place skips packing (stride-1 convolutions).
          const int64_t* direct_off = nullptr;
          const float* direct_base = nr == kNR ? pack_b.direct(pc, jc + j, &direct_off) : nullptr;
          float* bp = single_block ? bpack : bpack + (j / kNR) * kc * kNR;
          if (!direct_base && (single_block || ic == m0)) pack_b(pc, kc, jc + j, nr, bp);
          // An in-place panel reads on along its rows of the image in the next tiles: one stream per
          // row of B, more than the hardware prefetchers track.
          if (direct_base && ic == m0)
            for (int64_t k = 0; k < kc; ++k) __builtin_prefetch(direct_base + direct_off[k] + 4 * kNR);
          for (int64_t i = ic; i < mc_end; i += kMR) {
            const int mr = static_cast<int>(min64(kMR, mc_end - i));
            const float* a[kMR];
            for (int r = 0; r < kMR; ++r) a[r] = p.A + (i + (r < mr ? r : mr - 1)) * p.lda + pc;
            mode.bias_row = p.bias_row ? p.bias_row + i : nullptr;
            mode.bias_col = p.bias_col ? p.bias_col + jc + j : nullptr;
            mode.slope_row = p.slope_row ? p.slope_row + i : nullptr;
            mode.slope_col = p.slope_col ? p.slope_col + jc + j : nullptr;
            mode.residual = p.residual ? p.residual + i * p.ldc + jc + j : nullptr;
            float* c = p.C + i * p.ldc + jc + j;
            if (direct_base)
              micro_kernel_direct(kc, a, direct_base, direct_off, c, p.ldc, mr, mode);
            else
              micro_kernel_for(nr)(kc, a, bp, c, p.ldc, mr, nr, mode);
          }
        }
      }
    }
  }
}
