// conv2d on the CPU. Three paths:
//  - depthwise (groups == in_channels == out_channels / multiplier): a direct stencil per plane;
//  - everything else: per image and group, the GEMM engine with
//      A = weights [out/groups][in/groups * kh * kw] read in place (OIHW rows),
//      B = the implicit im2col matrix [in/groups * kh * kw][out_h * out_w], packed panel by panel
//          straight from a zero-padded copy of the image (never materialised whole); with stride
//          1, a full register tile within one row is not packed at all but read in place,
//      C = the output planes [out/groups][out_h * out_w] (NCHW rows, bias and activation fused).
//    1x1 stride-1 convolutions need no padding copy and pack contiguous rows.

// Copies channels [c0, c1) of one image into the zero-padded buffer xp (C x Hp x Wp).
static void pad_channels(const ConvGeometry& g, const float* x, float* xp, int64_t Hp, int64_t Wp, int64_t c0,
                         int64_t c1) {
  for (int64_t c = c0; c < c1; ++c) {
    const float* src = x + c * g.in_h * g.in_w;
    float* dst = xp + c * Hp * Wp;
    std::memset(dst, 0, sizeof(float) * g.pad_top * Wp);
    for (int64_t h = 0; h < g.in_h; ++h) {
      float* row = dst + (g.pad_top + h) * Wp;
      std::memset(row, 0, sizeof(float) * g.pad_left);
      std::memcpy(row + g.pad_left, src + h * g.in_w, sizeof(float) * g.in_w);
      std::memset(row + g.pad_left + g.in_w, 0, sizeof(float) * (Wp - g.pad_left - g.in_w));
    }
    const int64_t rows_below = Hp - g.pad_top - g.in_h;
    std::memset(dst + (g.pad_top + g.in_h) * Wp, 0, sizeof(float) * rows_below * Wp);
  }
}

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
// (channel, ky, kx) and n over output pixels (oy, ox). A panel's columns are cut into runs that stay
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
  // the packer prefetches (P-Net's 32-to-6 head: 12 -> 9 ms on a 321x572 map).
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
      // hardware prefetchers track when the image is larger than L2.
      const float* next = s + runs[count - 1].off + runs[count - 1].len * stride_w;
      __builtin_prefetch(next);
      __builtin_prefetch(next + 16);
      __builtin_prefetch(next + 32);
      __builtin_prefetch(next + 48);
      for (int j = nr; j < kNR; ++j) d[j] = 0.f;
    }
  }
};

// Depthwise: out channel oc reads input channel oc / multiplier. One plane at a time: pad it into a
// per-thread buffer, then compute kWidth outputs of a row at once with every tap accumulated in a
// register (stride 1: unaligned loads; stride 2: even-element loads). A row's last partial vector is
// recomputed overlapping the previous one. KH, KW > 0 fix the kernel size at compile time so that
// the weights stay in registers (3x3); 0 reads it from g.
template <int KH, int KW>
static void depthwise_plane(const ConvGeometry& g, const float* x, const float* w, float bias, float* y,
                            float* xp, int64_t Hp, int64_t Wp, Epilogue act, float slope) {
  ConvGeometry one = g;
  one.in_channels = 1;
  pad_channels(one, x, xp, Hp, Wp, 0, 1);
  const int64_t kh = KH ? KH : g.kernel_h, kw = KW ? KW : g.kernel_w;
  const int64_t sw = g.stride_w, dh = g.dilation_h * Wp, dw = g.dilation_w;
  constexpr int kTaps = KH * KW > 0 ? KH * KW : 1;
  Vec wr[kTaps];
  if constexpr (KH * KW > 0)
    for (int t = 0; t < kTaps; ++t) wr[t] = vset1(w[t]);
  const bool vectorised = (sw == 1 || sw == 2) && g.out_w >= kWidth;

  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    const float* rows = xp + oy * g.stride_h * Wp;
    float* out = y + oy * g.out_w;
    if (vectorised) {
      auto outputs = [&](int64_t ox) {
        Vec acc = vset1(bias);
        const float* base = rows + ox * sw;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            const float* p = base + ky * dh + kx * dw;
            Vec wv;
            if constexpr (KH * KW > 0)
              wv = wr[ky * kw + kx];
            else
              wv = vset1(w[ky * kw + kx]);
            acc = vfma(wv, sw == 1 ? vloadu(p) : vload_even(p), acc);
          }
        vstoreu(out + ox, apply_act(acc, act, vset1(slope)));
      };
      int64_t ox = 0;
      for (; ox + kWidth <= g.out_w; ox += kWidth) outputs(ox);
      if (ox < g.out_w) outputs(g.out_w - kWidth);
      continue;
    }
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float acc = bias;
      for (int64_t ky = 0; ky < kh; ++ky) {
        const float* r = rows + ky * dh + ox * sw;
        for (int64_t kx = 0; kx < kw; ++kx) acc += w[ky * kw + kx] * r[kx * dw];
      }
      out[ox] = apply_act(acc, act, slope);
    }
  }
}

static void conv2d_depthwise(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                             OutputAct act, int threads) {
  const int64_t Hp = g.in_h + g.pad_top + g.pad_bottom, Wp = g.in_w + g.pad_left + g.pad_right;
  const int64_t mult = g.out_channels / g.in_channels;
  const int64_t planes = g.batch * g.out_channels, ksize = g.kernel_h * g.kernel_w;
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1 && planes > 1)
  {
    float* xp = nullptr;
    try {
      // Slack: even-element loads of stride-2 rows read up to 2 * kWidth floats past a row.
      xp = scratch_array<float>(ScratchSlot::plane, static_cast<size_t>(Hp * Wp + 2 * kWidth));
    } catch (...) {
#pragma omp atomic write
      failed = true;
    }
    for_each_unit(planes, [&](int64_t p) {
      if (!xp) return;
      const int64_t n = p / g.out_channels, oc = p % g.out_channels;
      const float* plane = x + (n * g.in_channels + oc / mult) * g.in_h * g.in_w;
      const float b = bias ? bias[oc] : 0.f, slope = act.slope ? act.slope[oc] : 0.f;
      float* out = y + p * g.out_h * g.out_w;
      if (g.kernel_h == 3 && g.kernel_w == 3)
        depthwise_plane<3, 3>(g, plane, w + oc * ksize, b, out, xp, Hp, Wp, act.kind, slope);
      else
        depthwise_plane<0, 0>(g, plane, w + oc * ksize, b, out, xp, Hp, Wp, act.kind, slope);
    });
  }
  if (failed) throw std::bad_alloc();
}

// B's row offsets k_off (channel < channels, ky, kx) and column offsets n_off (image < images, oy,
// ox) for input planes of `plane` floats with rows of `row` floats and images `image` floats apart.
// (The geometry is copied to locals: stores through int64_t pointers could alias its fields.)
static void conv_offsets(const ConvGeometry& g, int64_t channels, int64_t plane, int64_t row, int64_t images,
                         int64_t image, int64_t* k_off, int64_t* n_off) {
  const int64_t kh = g.kernel_h, kw = g.kernel_w, dy = g.dilation_h * row, dx = g.dilation_w;
  const int64_t oh = g.out_h, ow = g.out_w, sy = g.stride_h * row, sx = g.stride_w;
  for (int64_t c = 0, k = 0; c < channels; ++c)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) k_off[k++] = c * plane + ky * dy + kx * dx;
  for (int64_t i = 0, n = 0; i < images; ++i)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) n_off[n++] = i * image + oy * sy + ox * sx;
}

static bool padded(const ConvGeometry& g) { return g.pad_top || g.pad_left || g.pad_bottom || g.pad_right; }

static void conv2d_gemm(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                        OutputAct act, int threads) {
  const int64_t cpg = g.in_channels / g.groups, M = g.out_channels / g.groups;
  const int64_t K = cpg * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t Hp = g.in_h + g.pad_top + g.pad_bottom, Wp = g.in_w + g.pad_left + g.pad_right;
  const bool pad = padded(g);
  const int64_t plane = Hp * Wp;

  // Offsets of B's rows (channel, ky, kx) and columns (oy, ox) in the padded image.
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, cpg, plane, Wp, 1, 0, k_off, n_off);
  float* xp =
      pad ? scratch_array<float>(ScratchSlot::conv_input, static_cast<size_t>(g.in_channels * plane)) : nullptr;
  const int64_t image = g.in_channels * plane;

  // Many images (e.g. a batch of crops): each thread takes whole images, padded into its own buffer,
  // with no barriers and no GEMM cut smaller than an image. Otherwise, per image, each group's GEMM
  // is cut into `pieces` blocks so that groups * pieces is a multiple of the thread count (lcm),
  // shared out in contiguous runs. Either way every output element is computed the same way.
  const bool by_image = threads > 1 && (g.batch >= 4 * threads || (g.batch >= threads && g.batch % threads == 0));
  int64_t a = g.groups, b = threads;
  while (b) {
    const int64_t t = a % b;
    a = b;
    b = t;
  }
  const int64_t pieces = by_image ? 1 : threads / a, items = g.groups * pieces;
  bool failed = false;

#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* bpack = gemm_pack_buffer();
    float* xp_mine = xp;
    if (by_image && pad) {
      try {
        xp_mine = scratch_array<float>(ScratchSlot::conv_input, static_cast<size_t>(image));
      } catch (...) {
        xp_mine = nullptr;
      }
    }
    const bool ready = bpack && (!pad || xp_mine);
    if (!ready) {
#pragma omp atomic write
      failed = true;
    }
    const Range images = by_image ? split_range(g.batch, thread_count(), thread_index()) : Range{0, g.batch};
    for (int64_t n = images.begin; n < images.end; ++n) {
      const float* img = x + n * g.in_channels * g.in_h * g.in_w;
      if (pad && by_image) {
        if (ready) pad_channels(g, img, xp_mine, Hp, Wp, 0, g.in_channels);
      } else if (pad) {
        const Range cr = split_range(g.in_channels, thread_count(), thread_index());
        pad_channels(g, img, xp, Hp, Wp, cr.begin, cr.end);
#pragma omp barrier
      }
      const float* src = pad ? xp_mine : img;
      const Range items_mine = by_image ? Range{0, items} : split_range(items, thread_count(), thread_index());
      for (int64_t it = items_mine.begin; ready && it < items_mine.end; ++it) {
        const int64_t grp = it / pieces;
        Range rows, cols;
        gemm_split(M, N, pieces, it % pieces, &rows, &cols);
        if (rows.begin >= rows.end || cols.begin >= cols.end) continue;
        const GemmProblem prob{M, N, K, w + grp * M * K, K, y + (n * g.out_channels + grp * M) * N, N,
                               bias ? bias + grp * M : nullptr, nullptr, act.kind,
                               act.slope ? act.slope + grp * M : nullptr, nullptr};
        ConvPackB pack{src + grp * cpg * plane, src + image, k_off, n_off, g.out_w, g.stride_w,
                       g.stride_w == 1 && g.stride_h * Wp == g.out_w};
        gemm_block(prob, rows.begin, rows.end, cols.begin, cols.end, pack, bpack);
      }
      if (pad && !by_image) {
#pragma omp barrier
      }
    }
  }
  if (failed) throw std::bad_alloc();
}

// Batches of small unpadded images (e.g. a detector's crops): the images of a chunk side by side as
// one GEMM (columns: image, pixel) into a per-thread buffer, then copied to the NCHW output. Far
// fewer and fuller panels than one small GEMM per image; each element is computed as there.
constexpr int64_t kStackColumns = 4096;

static bool stackable(const ConvGeometry& g, int threads) {
  const int64_t N = g.out_h * g.out_w;
  return !padded(g) && g.groups == 1 && g.batch >= 2 && g.batch >= threads && N <= kStackColumns / 4;
}

// Images per chunk: at most kStackColumns columns, in a number of chunks that is a multiple of the
// thread count where the batch allows, so that every thread gets as many (143 crops on 2 threads:
// 4 chunks of 36, not 50 + 50 + 43).
static int64_t stack_chunk_images(const ConvGeometry& g, int threads) {
  const int64_t chunks = ceil_div(ceil_div(g.batch, kStackColumns / (g.out_h * g.out_w)), threads) * threads;
  return ceil_div(g.batch, min64(chunks, g.batch));
}

// Runs the stacked GEMM chunk by chunk; emit(i0, ni, cbuf, cols) then takes the chunk's images
// i0 .. i0 + ni - 1, computed into cbuf[o * cols + i * N + p] (cols = ni * N), on the same thread.
template <typename Emit>
static void conv_stacked_chunks(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                OutputAct act, int threads, Emit emit) {
  const int64_t M = g.out_channels, K = g.in_channels * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t W = g.in_w, plane = g.in_h * W, image = g.in_channels * plane;
  const int64_t per_chunk = stack_chunk_images(g, threads), chunks = ceil_div(g.batch, per_chunk);
  // B's row offsets (channel, ky, kx) and column offsets (image in the chunk, oy, ox), from the
  // chunk's first image.
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + per_chunk * N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, g.in_channels, plane, W, per_chunk, image, k_off, n_off);
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* bpack = gemm_pack_buffer();
    float* cbuf = nullptr;
    try {
      cbuf = scratch_array<float>(ScratchSlot::conv_stack, static_cast<size_t>(M * per_chunk * N));
    } catch (...) {
    }
    if (!bpack || !cbuf) {
#pragma omp atomic write
      failed = true;
    }
    bool ready = bpack && cbuf;  // this thread's buffers, and every chunk emitted so far
    for_each_unit(chunks, [&](int64_t ch) {
      if (!ready) return;
      const int64_t i0 = ch * per_chunk, ni = min64(per_chunk, g.batch - i0), cols = ni * N;
      const GemmProblem prob{M, cols, K, w, K, cbuf, cols, bias, nullptr, act.kind, act.slope, nullptr};
      ConvPackB pack{x + i0 * image, x + g.batch * image, k_off, n_off, g.out_w, g.stride_w, false};
      gemm_block(prob, 0, M, 0, cols, pack, bpack);
      if (!emit(i0, ni, cbuf, cols)) {
        ready = false;
#pragma omp atomic write
        failed = true;
      }
    });
  }
  if (failed) throw std::bad_alloc();
}

static void conv2d_gemm_stacked(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                                OutputAct act, int threads) {
  const int64_t M = g.out_channels, N = g.out_h * g.out_w;
  conv_stacked_chunks(g, x, w, bias, act, threads, [&](int64_t i0, int64_t ni, const float* cbuf, int64_t cols) {
    for (int64_t i = 0; i < ni; ++i)
      for (int64_t o = 0; o < M; ++o)
        std::memcpy(y + ((i0 + i) * M + o) * N, cbuf + o * cols + i * N, sizeof(float) * N);
    return true;
  });
}

// Small reductions (first layers: 3 input channels, K = 27): the GEMM's per-tile bookkeeping and
// K chunking cost as much as the 27 multiply-adds, so a direct loop takes over. Per output row, tiles
// of NR = NV vectors of pixels (the last one overlapping the previous) by MR output channels hold
// every product in registers; B is read in place from the input row, A from weights packed k-major
// per channel block (one pointer for all broadcasts). Each output element is reduced as in the GEMM
// (k in order from zero, then the bias), so results are identical to that path.
constexpr int64_t kSmallK = 32;   // largest K = in_channels * kh * kw taken by this path
constexpr int kSmallMaxMR = 12;   // channel rows per tile
constexpr int64_t kSmallMaxM = 64;
#if defined(__AVX512F__)
constexpr int kSmallAcc = 24;  // accumulators in the register tile
#else
constexpr int kSmallAcc = 12;
#endif

static bool small_k(const ConvGeometry& g) {
  return g.groups == 1 && !padded(g) && g.stride_w == 1 && g.out_w >= kWidth &&
         g.in_channels * g.kernel_h * g.kernel_w <= kSmallK && g.out_channels <= kSmallMaxM;
}

// One tile: out[r * plane + v * kWidth + lane] for r < rows (<= MR), from B rows base + off[k] and
// weights wp[k * MR + r]; bias and slope have MR entries (bias null: no bias).
template <int MR, int NV>
__attribute__((always_inline)) static inline void small_k_tile(int64_t K, const float* wp, const float* base,
                                                               const int64_t* off, const float* bias,
                                                               const float* slope, Epilogue act, float* out,
                                                               int64_t plane, int rows) {
  Vec acc[MR][NV];
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) acc[r][v] = vzero();
#pragma GCC unroll 3
  for (int64_t k = 0; k < K; ++k) {
    const float* p = base + off[k];
    Vec b[NV];
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) b[v] = vloadu(p + v * kWidth);
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      const Vec a = vset1(wp[k * MR + r]);
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v) acc[r][v] = vfma(a, b[v], acc[r][v]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) {
    if (r >= rows) break;
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) {
      Vec x = acc[r][v];
      if (bias) x = vadd(vset1(bias[r]), x);
      vstoreu(out + r * plane + v * kWidth, apply_act(x, act, vset1(slope[r])));
    }
  }
}

// The register tile's channel blocks for M output channels at nv vectors of pixels per tile:
// `blocks` blocks of mr channels, as even as the accumulators allow.
struct TileRows {
  int64_t blocks, mr;
};

// Most channel rows of a register tile of nv vectors of pixels.
constexpr int max_tile_rows(int nv) { return kSmallMaxMR < kSmallAcc / nv ? kSmallMaxMR : kSmallAcc / nv; }

static TileRows tile_rows(int64_t M, int nv) {
  const int64_t blocks = ceil_div(M, max_tile_rows(nv));
  return {blocks, ceil_div(M, blocks)};
}

// Weights (M, K) k-major per block of mr channels, as small_k_tile broadcasts them:
// dst[(blk * K + k) * mr + r] = w[(blk * mr + r) * K + k], zero for channels past M.
static void pack_channel_blocks(const float* w, int64_t M, int64_t K, TileRows t, float* dst) {
  for (int64_t blk = 0; blk < t.blocks; ++blk)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t r = 0; r < t.mr; ++r) {
        const int64_t m = blk * t.mr + r;
        dst[(blk * K + k) * t.mr + r] = m < M ? w[m * K + k] : 0.f;
      }
}

// dst[m] = v[m] for the blocks * mr padded channels: zero past M, or everywhere when v is null.
static void pad_per_channel(const float* v, int64_t M, TileRows t, float* dst) {
  for (int64_t m = 0; m < t.blocks * t.mr; ++m) dst[m] = v && m < M ? v[m] : 0.f;
}

struct SmallKConv;
using SmallKRows = void (*)(const SmallKConv&, const ConvGeometry&, const float*, int64_t, int64_t, int64_t, float*,
                            int64_t);

// A small-K convolution prepared once per call: the tile shape, the packed weights, bias and slopes.
struct SmallKConv {
  int64_t M, K, blocks, mr;  // output channels in blocks of mr
  SmallKRows rows_kernel;
  const float* bias;  // bp, or null when the convolution has none
  Epilogue act;
  alignas(64) float wp[kSmallK * (kSmallMaxM + kSmallMaxMR)];
  float bp[kSmallMaxM + kSmallMaxMR], sp[kSmallMaxM + kSmallMaxMR];
  int64_t off[kSmallK];

  // nv: vectors of pixels per register tile (0: chosen from the row width).
  SmallKConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a, int nv = 0);

  // Output rows [r0, r1) of image n: channel m's row oy at out + m * plane + (oy - r0) * out_w.
  void rows(const ConvGeometry& g, const float* x, int64_t n, int64_t r0, int64_t r1, float* out,
            int64_t plane) const {
    rows_kernel(*this, g, x, n, r0, r1, out, plane);
  }
};

// SmallKConv::rows with the tile shape fixed at compile time (the tile inlined in its loops).
template <int MR, int NV>
struct SmallKRowsKernel {
  static void run(const SmallKConv& c, const ConvGeometry& g, const float* x, int64_t n, int64_t r0, int64_t r1,
                  float* out, int64_t plane) {
    constexpr int64_t nr = NV * kWidth;
    for (int64_t oy = r0; oy < r1; ++oy) {
      const float* in = x + (n * g.in_channels * g.in_h + oy * g.stride_h) * g.in_w;
      float* o = out + (oy - r0) * g.out_w;
      for (int64_t ox = 0; ox < g.out_w; ox += nr) {
        const int64_t at = min64(ox, g.out_w - nr);  // the last tile overlaps the previous one
        for (int64_t blk = 0; blk < c.blocks; ++blk)
          small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in + at, c.off, c.bias ? c.bias + blk * MR : nullptr,
                               c.sp + blk * MR, c.act, o + blk * MR * plane + at, plane,
                               static_cast<int>(min64(MR, c.M - blk * MR)));
      }
    }
  }
};

// Kernel<MR, NV> for a runtime mr in [1, max_tile_rows(NV)] (the register tile's rows fixed at
// compile time).
template <template <int, int> class Kernel, int NV, int MR = max_tile_rows(NV)>
static decltype(&Kernel<1, NV>::run) tile_kernel_for(int mr) {
  if constexpr (MR == 0) {
    return nullptr;
  } else {
    return mr == MR ? &Kernel<MR, NV>::run : tile_kernel_for<Kernel, NV, MR - 1>(mr);
  }
}

SmallKConv::SmallKConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a, int nv) {
  M = g.out_channels;
  K = g.in_channels * g.kernel_h * g.kernel_w;
  // Two vectors of pixels per tile on rows wide enough that the overlapping last tile costs little.
  if (nv == 0) nv = g.out_w >= 8 * kWidth ? 2 : 1;
  const TileRows t = tile_rows(M, nv);
  blocks = t.blocks;
  mr = t.mr;
  const int rows = static_cast<int>(mr);
  rows_kernel = nv == 2 ? tile_kernel_for<SmallKRowsKernel, 2>(rows) : tile_kernel_for<SmallKRowsKernel, 1>(rows);
  pack_channel_blocks(w, M, K, t, wp);
  pad_per_channel(b, M, t, bp);
  pad_per_channel(a.slope, M, t, sp);
  bias = b ? bp : nullptr;
  act = a.kind;
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 0, 0, off, nullptr);  // rows of B only (no images)
}

static void conv2d_small_k(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                           OutputAct act, int threads) {
  const SmallKConv conv(g, w, bias, act);
  const int64_t plane = g.out_h * g.out_w;
  parallel_for(g.batch * g.out_h, threads, [&](int64_t row) {
    const int64_t n = row / g.out_h, oy = row % g.out_h;
    conv.rows(g, x, n, oy, oy + 1, y + n * g.out_channels * plane + oy * g.out_w, plane);
  });
}

// Winograd F(2x2, 3x3) (Lavin & Gray 2016) for 3x3, stride-1 convolutions, on request
// (Conv2dParams::winograd): each 2x2 block of outputs is A^T [sum_c (G g_c G^T) .* (B^T d_c B)] A of the
// 4x4 input patches d_c under it, 16 multiplies per channel pair instead of 36. Tiles sit at even
// rows and columns of the whole output, so every value is computed the same way whatever the bands,
// blocks or threads. Per block of tiles along a tile row: the input transform (four rows combined
// along y a vector of columns at a time, then along x on even and odd columns), 16 GEMMs
// [M x C] x [C x tiles] on the small-K register tile, then the output transform with the bias and
// activation. The transforms use only 0, +-1 and +-1/2: the error stays about twice the direct sum's.
static bool winograd(const ConvGeometry& g) {
  return g.winograd && g.groups == 1 && g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
         g.dilation_h == 1 && g.dilation_w == 1;
}

constexpr int kWinogradPoints = 16;              // a 4x4 patch of transformed values per tile
constexpr int64_t kWinogradKernels = 1;          // WeightKey::kind of the transformed kernels
constexpr int64_t kWinogradBlockFloats = 32 << 10;  // the transformed inputs of one block (128 KB)

struct WinogradConv;
using WinogradGemm = void (*)(const WinogradConv&, const float* v, int64_t blk, int64_t t, float* y);

// Lane-batched (`lanes`, x_l as in conv2d_lanes, unpadded): one tile per vector, kWidth images in
// its lanes, a whole tile row per block; with m = 2 the same operations in the same order as for one
// image, so each image's outputs are the bits of the single-image path. Lanes also run F(3x3, 3x3)
// (m = 3, on maps whose sides are multiples of 3; see winograd3).
struct WinogradConv {
  int64_t M, C, blocks, mr, nr;  // output channels in blocks of mr; nr floats (tiles, or lanes of tiles) per tile
  int64_t tiles;                 // floats per channel of a block's inputs: tiles along a tile row (lanes: times kWidth)
  int64_t m, points;             // outputs per tile side (2 or 3); transformed values per tile, (m + 2)^2
  bool lanes;
  WinogradGemm gemm;
  const float* u;      // G g G^T per point, k-major per block of mr channels: [points][blocks][C][mr] (kept
                       // per thread: prepared_weights)
  const int64_t* off;  // c * tiles: row c of a point's [C][tiles] inputs (packed_weights scratch)
  const float* bias;
  OutputAct act;

  // threads: for the weight transform (G g G^T of every kernel).
  WinogradConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a, int threads, bool lanes = false,
               int m = 2);
  // A row of a block's input (with slack), as read by the input transform.
  int64_t row_floats() const { return lanes ? (m * (tiles / kWidth) + 2) * kWidth : 2 * tiles + 2 * kWidth; }
  int64_t workspace_floats() const { return 8 * row_floats() + points * (C * tiles + mr * nr) + 2 * kWidth; }
  // Output rows [r0, r1) of image n: channel m's row oy at out + m * plane + (oy - r0) * out_w.
  // ws: workspace_floats() floats of the calling thread.
  void rows(const ConvGeometry& g, const float* x, int64_t n, int64_t r0, int64_t r1, float* out, int64_t plane,
            float* ws) const;
  // Lanes: output rows m ty .. m ty + m - 1 (those inside the map) of every channel of a group, from
  // its lane-batched input x_l (with kWidth floats of slack after it) into c_l (out_h x out_w planes).
  // ws: workspace_floats() floats of the calling thread.
  void lane_tile_row(const ConvGeometry& g, const float* x_l, int64_t ty, float* c_l, float* ws) const;

 private:
  void transform_input(const ConvGeometry& g, const float* x, int64_t n, int64_t ty, int64_t tx0, int64_t used,
                       float* ws, float* v) const;
  void transform_output(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx, int64_t r0,
                        int64_t r1, float* out, int64_t plane, float* tmp) const;
  void transform_lanes(const ConvGeometry& g, const float* x_l, int64_t ty, float* ws, float* v) const;
  void transform_lanes3(const ConvGeometry& g, const float* x_l, int64_t ty, float* ws, float* v) const;
  void output_lanes(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx, float* c_l) const;
  void output_lanes3(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx, float* c_l) const;
};

// The GEMMs of one register tile, one per point e (channels blk * mr.., tiles t.. t + nr of the block):
// y[(e * mr + r) * nr + i] = sum_c u[e][blk * mr + r][c] * v[e][c][t + i], a buffer that stays in L1.
template <int MR, int NV>
struct WinogradGemmKernel {
  static void run(const WinogradConv& c, const float* v, int64_t blk, int64_t t, float* y) {
    static const float no_slope[kSmallMaxMR] = {};
    constexpr int64_t nr = NV * kWidth;
    for (int e = 0; e < c.points; ++e)
      small_k_tile<MR, NV>(c.C, c.u + (e * c.blocks + blk) * c.C * MR, v + e * c.C * c.tiles + t, c.off, nullptr,
                           no_slope, Epilogue::none, y + e * MR * nr, nr, MR);
  }
};

WinogradConv::WinogradConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a, int threads, bool lanes_,
                           int m_) {
  M = g.out_channels;
  C = g.in_channels;
  m = m_;
  points = (m + 2) * (m + 2);
  lanes = lanes_;
  const int64_t tile_cols = ceil_div(g.out_w, m);
  // Lanes: register tiles of nv whole tiles that divide the row when they can (the last one
  // overlaps the previous otherwise).
  int nv = lanes ? (tile_cols % 3 == 0 ? 3 : (tile_cols % 2 == 0 ? 2 : 1)) : 1;
  if (!lanes && tile_cols >= 4 * kWidth) {
    // 2 or 3 vectors of tiles, whichever pads the row's tiles and the channel blocks least.
    const auto padded = [&](int v) {
      return ceil_div(tile_cols, v * kWidth) * v * kWidth * tile_rows(M, v).blocks * tile_rows(M, v).mr;
    };
    nv = padded(3) < padded(2) ? 3 : 2;
  }
  nr = nv * kWidth;
  const TileRows t = tile_rows(M, nv);
  blocks = t.blocks;
  mr = t.mr;
  const int rows = static_cast<int>(mr);
  gemm = nv == 3   ? tile_kernel_for<WinogradGemmKernel, 3>(rows)
         : nv == 2 ? tile_kernel_for<WinogradGemmKernel, 2>(rows)
                   : tile_kernel_for<WinogradGemmKernel, 1>(rows);
  if (lanes) {
    tiles = tile_cols * kWidth;
  } else {
    tiles = max64(nr, kWinogradBlockFloats / (kWinogradPoints * C) / nr * nr);
    tiles = min64(tiles, ceil_div(tile_cols, nr) * nr);
  }
  bias = b;
  act = a;
  // G g G^T in double; zero rows past M. F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
  // (points 0, 1, -1, inf); F(3x3): points 0, 1, -1, 2, inf. Kept per thread for the next call with
  // the same weights (prepared_weights): a layer called on every image or batch of crops transforms
  // its kernels once.
  const size_t weights = static_cast<size_t>(points * blocks * C * mr);
  static const double G2[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
  static const double G3[5][3] = {
      {.5, 0, 0}, {-.5, -.5, -.5}, {-1. / 6, 1. / 6, -1. / 6}, {1. / 6, 1. / 3, 2. / 3}, {0, 0, 1}};
  const double(*G)[3] = m == 3 ? G3 : G2;
  const int n = static_cast<int>(m + 2);
  const WeightKey key{w, kWinogradKernels, kWidth, m, blocks, mr, C};
  u = prepared_weights(key, w, static_cast<size_t>(M * C * 9), weights, ScratchSlot::prepared, [&](float* uw) {
    // Per channel c and block of mr output channels, vectors over the block's channels (the stored
    // order); over the threads when there are many (a few thousand kernels take tens of microseconds).
    parallel_for(blocks * C, blocks * mr * C >= 1024 ? threads : 1, [&](int64_t unit) {
      const int64_t blk = unit / C, c = unit % C;
      double k[9][kSmallMaxMR];  // g, tap-major (zero past M)
      for (int64_t r = 0; r < mr; ++r) {
        const bool real = blk * mr + r < M;
        for (int t = 0; t < 9; ++t) k[t][r] = real ? w[((blk * mr + r) * C + c) * 9 + t] : 0.0;
      }
      double gk[5][3][kSmallMaxMR];  // G g
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < 3; ++j)
          for (int64_t r = 0; r < mr; ++r)
            gk[i][j][r] = G[i][0] * k[j][r] + G[i][1] * k[3 + j][r] + G[i][2] * k[6 + j][r];
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          float* u_ij = uw + ((i * n + j) * blocks * C + blk * C + c) * mr;
          for (int64_t r = 0; r < mr; ++r)
            u_ij[r] = static_cast<float>(gk[i][0][r] * G[j][0] + gk[i][1][r] * G[j][1] + gk[i][2][r] * G[j][2]);
        }
    });
  });
  int64_t* offsets = scratch_array<int64_t>(ScratchSlot::packed_weights, static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) offsets[c] = c * tiles;
  off = offsets;
}

// F(2x2, 3x3)'s input transform of 4 values along one axis: out = B^T d, with
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] (the same operations on either axis and path).
static inline void winograd2_points(Vec d0, Vec d1, Vec d2, Vec d3, Vec out[4]) {
  out[0] = vsub(d0, d2);
  out[1] = vadd(d1, d2);
  out[2] = vsub(d2, d1);
  out[3] = vsub(d1, d3);
}

// The input transform's pass along y: rows w[r * stride + i] of B^T d for the 4 input rows d, floats
// i < n.
static inline void winograd_rows_y(const float* const* d, int64_t n, float* w, int64_t stride) {
  for (int64_t i = 0; i < n; i += kWidth) {
    Vec out[4];
    winograd2_points(vloadu(d[0] + i), vloadu(d[1] + i), vloadu(d[2] + i), vloadu(d[3] + i), out);
    for (int r = 0; r < 4; ++r) vstoreu(w + r * stride + i, out[r]);
  }
}

// v[e][c][t] = (B^T d B)[e] for the used tiles of tile row ty from tile tx0, d the 4x4 input patch
// (zeros outside the image); B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
void WinogradConv::transform_input(const ConvGeometry& g, const float* x, int64_t n, int64_t ty, int64_t tx0,
                                   int64_t used, float* ws, float* v) const {
  const int64_t R = row_floats(), cols = ceil_div(2 * used + 3, kWidth) * kWidth;  // what the x pass reads
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
    winograd_rows_y(head, inside, wrows, R);
    winograd_rows_y(tail, cols - inside, wrows + inside, R);
    for (int r = 0; r < 4; ++r) {
      const float* wr = wrows + r * R;
      float* vr = v + (r * 4 * C + c) * tiles;  // points e = 4 r + j, j = 0..3
      for (int64_t t = 0; t < used; t += kWidth) {
        Vec out[4];  // columns 2 t' .. 2 t' + 3 of tiles t' = t .. t + kWidth - 1
        winograd2_points(vload_even(wr + 2 * t), vload_even(wr + 2 * t + 1), vload_even(wr + 2 * t + 2),
                         vload_even(wr + 2 * t + 3), out);
        for (int j = 0; j < 4; ++j) vstoreu(vr + j * C * tiles + t, out[j]);
      }
    }
  }
}

// out[k][j]: the 2x2 outputs (A^T P A)[k][j] (A^T = [1 1 1 0; 0 1 -1 -1]) of the points
// p[e * stride], plus the bias when `has_bias`, activated.
static inline void winograd_outputs(const float* p, int64_t stride, bool has_bias, Vec bm, Epilogue kind, Vec slope,
                                    Vec out[2][2]) {
  Vec z[2][4];
  for (int j = 0; j < 4; ++j) {
    const Vec p0 = vloadu(p + j * stride), p1 = vloadu(p + (4 + j) * stride);
    const Vec p2 = vloadu(p + (8 + j) * stride), p3 = vloadu(p + (12 + j) * stride);
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

// The 2x2 outputs A^T Y A (A^T = [1 1 1 0; 0 1 -1 -1]) of one register tile (y as WinogradGemmKernel
// leaves it: channels blk * mr.., tiles tx.. of tile row ty) plus the bias, activated, stored where
// they fall in rows [r0, r1) and inside the map.
void WinogradConv::transform_output(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx,
                                    int64_t r0, int64_t r1, float* out, int64_t plane, float* tmp) const {
  const int64_t OW = g.out_w;
  for (int64_t r = 0; r < mr && blk * mr + r < M; ++r) {
    const int64_t m = blk * mr + r;
    const Vec bm = vset1(bias ? bias[m] : 0.0f), slope = vset1(act.slope ? act.slope[m] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      const int64_t ox = 2 * (tx + i), valid = min64(2 * kWidth, OW - ox);
      if (valid <= 0) break;
      Vec o2[2][2];
      winograd_outputs(y + r * nr + i, mr * nr, bias != nullptr, bm, act.kind, slope, o2);
      for (int k = 0; k < 2; ++k) {
        const int64_t oy = 2 * ty + k;
        if (oy < r0 || oy >= r1) continue;
        const Vec even = o2[k][0], odd = o2[k][1];
        float* o = out + m * plane + (oy - r0) * OW + ox;
        if (valid == 2 * kWidth) {
          vstore_interleave(o, even, odd);
        } else {
          vstore_interleave(tmp, even, odd);
          std::memcpy(o, tmp, sizeof(float) * valid);
        }
      }
    }
  }
}

void WinogradConv::rows(const ConvGeometry& g, const float* x, int64_t n, int64_t r0, int64_t r1, float* out,
                        int64_t plane, float* ws) const {
  const int64_t tile_cols = ceil_div(g.out_w, 2);
  float* v = ws + 8 * row_floats();
  float* y = v + points * C * tiles;
  float* tmp = y + points * mr * nr;
  for (int64_t ty = r0 / 2; 2 * ty < r1; ++ty)
    for (int64_t tx0 = 0; tx0 < tile_cols; tx0 += tiles) {
      const int64_t used = ceil_div(min64(tiles, tile_cols - tx0), nr) * nr;
      transform_input(g, x, n, ty, tx0, used, ws, v);
      for (int64_t t = 0; t < used; t += nr)
        for (int64_t blk = 0; blk < blocks; ++blk) {
          gemm(*this, v, blk, t, y);
          transform_output(g, y, blk, ty, tx0 + t, r0, r1, out, plane, tmp);
        }
    }
}

// Lanes: v[e][c][tx * kWidth + lane] = (B^T d B)[e] of tile (ty, tx), d its 4x4 patch of lane
// vectors, as transform_input computes it. Input rows past the map read zeros, and the column past
// a row (odd out_w) reads the next row or x_l's slack: row 3 of a patch reaches only the tile's
// output row 1, column 3 only its output column 1, which are then past the map and not stored.
void WinogradConv::transform_lanes(const ConvGeometry& g, const float* x_l, int64_t ty, float* ws, float* v) const {
  const int64_t H = g.in_h, W = g.in_w, R = row_floats(), tile_cols = tiles / kWidth;
  float* wrows = ws;          // 4 rows combined along y: 2 * tile_cols + 2 columns, R floats
  float* zeros = ws + 4 * R;  // rows past the input
  if (2 * ty + 3 >= H) std::memset(zeros, 0, sizeof(float) * R);
  for (int64_t c = 0; c < C; ++c) {
    const float* d[4];
    for (int r = 0; r < 4; ++r) d[r] = 2 * ty + r < H ? x_l + (c * H + 2 * ty + r) * W * kWidth : zeros;
    winograd_rows_y(d, R, wrows, R);
    for (int r = 0; r < 4; ++r) {
      const float* wr = wrows + r * R;
      float* vr = v + (r * 4 * C + c) * tiles;  // points e = 4 r + j, j = 0..3
      for (int64_t tx = 0; tx < tile_cols; ++tx) {
        const float* q = wr + 2 * tx * kWidth;
        Vec out[4];
        winograd2_points(vloadu(q), vloadu(q + kWidth), vloadu(q + 2 * kWidth), vloadu(q + 3 * kWidth), out);
        for (int j = 0; j < 4; ++j) vstoreu(vr + j * C * tiles + tx * kWidth, out[j]);
      }
    }
  }
}

// Lanes: the outputs of channels blk * mr.. for the register tile's tiles from tx (y as
// WinogradGemmKernel leaves it), those inside the map, into c_l.
void WinogradConv::output_lanes(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx,
                                float* c_l) const {
  const int64_t OH = g.out_h, OW = g.out_w;
  for (int64_t r = 0; r < mr && blk * mr + r < M; ++r) {
    const int64_t m = blk * mr + r;
    const Vec bm = vset1(bias ? bias[m] : 0.0f), slope = vset1(act.slope ? act.slope[m] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      Vec o2[2][2];
      winograd_outputs(y + r * nr + i, mr * nr, bias != nullptr, bm, act.kind, slope, o2);
      const int64_t ox = 2 * (tx + i / kWidth);
      for (int k = 0; k < 2 && 2 * ty + k < OH; ++k) {
        float* o = c_l + ((m * OH + 2 * ty + k) * OW + ox) * kWidth;
        vstoreu(o, o2[k][0]);
        if (ox + 1 < OW) vstoreu(o + kWidth, o2[k][1]);
      }
    }
  }
}

// F(3x3, 3x3) in the lanes, points 0, 1, -1, 2, inf: v[e][c][tx * kWidth + lane] = (B^T d B)[e] of
// tile (ty, tx), d its 5x5 patch (the map's sides are multiples of 3: every patch lies inside), with
// B^T = [2 -1 -2 1 0; 0 -2 -1 1 0; 0 2 -3 1 0; 0 -1 0 1 0; 0 2 -1 -2 1], rows then columns.
static inline void winograd3_points(const Vec d[5], Vec out[5]) {
  const Vec a = vsub(d[3], d[1]);
  out[0] = vfma(vset1(2.f), vsub(d[0], d[2]), a);
  out[1] = vsub(a, vadd(d[1], d[2]));
  out[2] = vfma(vset1(3.f), vsub(d[1], d[2]), a);
  out[3] = a;
  out[4] = vfma(vset1(-2.f), a, vsub(d[4], d[2]));
}

void WinogradConv::transform_lanes3(const ConvGeometry& g, const float* x_l, int64_t ty, float* ws, float* v) const {
  const int64_t H = g.in_h, W = g.in_w, R = row_floats(), tile_cols = tiles / kWidth;
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
        for (int j = 0; j < 5; ++j) vstoreu(v + ((r * 5 + j) * C + c) * tiles + tx * kWidth, out[j]);
      }
  }
}

// A^T = [1 1 1 1 0; 0 1 -1 2 0; 0 1 1 4 1] of 5 values.
static inline void winograd3_outputs(const Vec p[5], Vec out[3]) {
  const Vec s = vadd(p[1], p[2]);
  out[0] = vadd(vadd(s, p[0]), p[3]);
  out[1] = vfma(vset1(2.f), p[3], vsub(p[1], p[2]));
  out[2] = vadd(vfma(vset1(4.f), p[3], s), p[4]);
}

// The 3x3 outputs of channels blk * mr.. for the register tile's tiles from tx, into c_l.
void WinogradConv::output_lanes3(const ConvGeometry& g, const float* y, int64_t blk, int64_t ty, int64_t tx,
                                 float* c_l) const {
  const int64_t OH = g.out_h, OW = g.out_w;
  for (int64_t r = 0; r < mr && blk * mr + r < M; ++r) {
    const int64_t o = blk * mr + r;
    const Vec bo = vset1(bias ? bias[o] : 0.0f), slope = vset1(act.slope ? act.slope[o] : 0.0f);
    for (int64_t i = 0; i < nr; i += kWidth) {
      Vec z[3][5];  // A^T along y, for each column of points
      for (int j = 0; j < 5; ++j) {
        Vec p[5], out[3];
        for (int k = 0; k < 5; ++k) p[k] = vloadu(y + ((k * 5 + j) * mr + r) * nr + i);
        winograd3_outputs(p, out);
        for (int k = 0; k < 3; ++k) z[k][j] = out[k];
      }
      const int64_t ox = 3 * (tx + i / kWidth);
      for (int k = 0; k < 3; ++k) {
        Vec out[3];
        winograd3_outputs(z[k], out);
        float* dst = c_l + ((o * OH + 3 * ty + k) * OW + ox) * kWidth;
        for (int j = 0; j < 3; ++j) {
          const Vec v = bias ? vadd(bo, out[j]) : out[j];
          vstoreu(dst + j * kWidth, apply_act(v, act.kind, slope));
        }
      }
    }
  }
}

void WinogradConv::lane_tile_row(const ConvGeometry& g, const float* x_l, int64_t ty, float* c_l, float* ws) const {
  float* v = ws + 8 * row_floats();
  float* y = v + points * C * tiles;
  if (m == 3)
    transform_lanes3(g, x_l, ty, ws, v);
  else
    transform_lanes(g, x_l, ty, ws, v);
  const int64_t tile_cols = tiles / kWidth, nv = nr / kWidth;
  for (int64_t t = 0; t < tile_cols; t += nv) {
    const int64_t at = min64(t, tile_cols - nv);  // the last register tile overlaps the previous one
    for (int64_t blk = 0; blk < blocks; ++blk) {
      gemm(*this, v, blk, at * kWidth, y);
      if (m == 3)
        output_lanes3(g, y, blk, ty, at, c_l);
      else
        output_lanes(g, y, blk, ty, at, c_l);
    }
  }
}

static void conv2d_winograd(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                            OutputAct act, int threads) {
  const WinogradConv conv(g, w, bias, act, threads);
  const int64_t plane = g.out_h * g.out_w, tile_rows = ceil_div(g.out_h, 2);
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1 && g.batch * tile_rows > 1)
  {
    float* ws = nullptr;
    try {
      ws = scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(conv.workspace_floats()));
    } catch (...) {
#pragma omp atomic write
      failed = true;
    }
    for_each_unit(g.batch * tile_rows, [&](int64_t u) {
      if (!ws) return;
      const int64_t n = u / tile_rows, r0 = u % tile_rows * 2, r1 = min64(g.out_h, r0 + 2);
      conv.rows(g, x, n, r0, r1, y + n * g.out_channels * plane + r0 * g.out_w, plane, ws);
    });
  }
  if (failed) throw std::bad_alloc();
}

// Batches of small images (a detector's crops) at stride 1 without padding: kWidth images side by
// side in the lanes of every vector ("lane-batched": x_l[c][y][x][lane]), so that a direct
// convolution reads whole vectors in place, with no packing and no partial tiles, on the small-K
// register tile (MR channels x NV pixels; each pixel is a vector of kWidth images). Per group of
// kWidth images: transpose in, convolve (k in order from zero, then the bias: each element as the
// GEMM paths compute it), optionally max-pool in lanes by PyTorch's rule, transpose out.
constexpr int64_t kLaneMaxImageFloats = 64 << 10;  // C * H * W and O * Ho * Wo of one image

static bool lane_sized(const ConvGeometry& g) {
  return g.groups == 1 && !padded(g) && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
         g.dilation_w == 1 && g.in_channels * g.in_h * g.in_w <= kLaneMaxImageFloats &&
         g.out_channels * g.out_h * g.out_w <= kLaneMaxImageFloats;
}

// Winograd on such images with both output sides multiples of 3 runs F(3x3, 3x3) (25 multiplies per
// 3x3 outputs and channel pair instead of 81, and no tile past the map), always in the lanes: kWidth
// images per vector in batches, and below kWidth images each image's tile columns side by side
// (conv2d_winograd3_columns), every tile computed the same way, so that each image's result is the
// same alone or batched.
static bool winograd3(const ConvGeometry& g) {
  return winograd(g) && lane_sized(g) && g.out_h % 3 == 0 && g.out_w % 3 == 0;
}

static bool lane_batched(const ConvGeometry& g) { return lane_sized(g) && g.batch >= kWidth; }

struct LaneConv;
using LaneRows = void (*)(const LaneConv&, const ConvGeometry&, const float* in, int64_t blk, int64_t oy0, int64_t oy1,
                         float* out);

// A lane-batched convolution prepared once per call: tile shape, packed weights, padded slopes.
struct LaneConv {
  int64_t M, K, blocks, mr, nv;
  LaneRows rows;
  const float* wp;     // k-major per block of mr channels (zero rows past M): [blocks][K][mr]
  const int64_t* off;  // ((c * H + ky) * W + kx) * kWidth: tap k's offset in x_l
  const float* sp;     // slopes, blocks * mr of them (zeros without prelu)
  const float* bias;
  Epilogue act;

  LaneConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a);
};

template <int MR, int NV>
struct LaneRowsKernel {
  static void run(const LaneConv& c, const ConvGeometry& g, const float* in, int64_t blk, int64_t oy0, int64_t oy1,
                  float* out) {
    const int64_t plane = g.out_h * g.out_w * kWidth;
    for (int64_t oy = oy0; oy < oy1; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ox += NV) {
        const int64_t at = min64(ox, g.out_w - NV);  // the last tile overlaps the previous one
        small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in + (oy * g.in_w + at) * kWidth, c.off,
                             c.bias ? c.bias + blk * MR : nullptr, c.sp + blk * MR, c.act,
                             out + (oy * g.out_w + at) * kWidth, plane, static_cast<int>(min64(MR, c.M - blk * MR)));
      }
  }
};

LaneConv::LaneConv(const ConvGeometry& g, const float* w, const float* b, OutputAct a) {
  M = g.out_channels;
  K = g.in_channels * g.kernel_h * g.kernel_w;
  nv = g.out_w >= 3 && g.out_w % 3 == 0 ? 3 : min64(g.out_w, 2);
  const TileRows t = tile_rows(M, static_cast<int>(nv));
  blocks = t.blocks;
  mr = t.mr;
  const int r = static_cast<int>(mr);
  rows = nv == 3 ? tile_kernel_for<LaneRowsKernel, 3>(r)
                 : (nv == 2 ? tile_kernel_for<LaneRowsKernel, 2>(r) : tile_kernel_for<LaneRowsKernel, 1>(r));
  const int64_t padded_m = blocks * mr;
  float* packed = scratch_array<float>(ScratchSlot::packed_weights, static_cast<size_t>(padded_m * (K + 1) + 2 * K));
  float* slopes = packed + padded_m * K;
  int64_t* offsets = reinterpret_cast<int64_t*>(slopes + padded_m + (padded_m & 1));
  pack_channel_blocks(w, M, K, t, packed);
  pad_per_channel(a.slope, M, t, slopes);
  // Tap k's offset in x_l: its offset in one image's planes, times the lanes.
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 0, 0, offsets, nullptr);
  for (int64_t k = 0; k < K; ++k) offsets[k] *= kWidth;
  wp = packed;
  sp = slopes;
  off = offsets;
  bias = b;
  act = a.kind;
}

// x_l[i][lane] = x[lane][i] for i < count, lanes past `images` zero: kWidth x kWidth blocks
// transposed in registers (the rest element by element).
static void to_lanes(const float* x, int64_t images, int64_t count, float* x_l) {
  int64_t i = 0;
  if (images == kWidth) {
    for (; i + kWidth <= count; i += kWidth) {
      Vec block[kWidth];
      for (int lane = 0; lane < kWidth; ++lane) block[lane] = vloadu(x + lane * count + i);
      vtranspose(block);
      for (int j = 0; j < kWidth; ++j) vstoreu(x_l + (i + j) * kWidth, block[j]);
    }
  }
  for (; i < count; ++i)
    for (int64_t lane = 0; lane < kWidth; ++lane) x_l[i * kWidth + lane] = lane < images ? x[lane * count + i] : 0.f;
}

// y[lane][i] = y_l[i][lane] for lanes < images.
static void from_lanes(const float* y_l, int64_t images, int64_t count, float* y) {
  int64_t i = 0;
  if (images == kWidth) {
    for (; i + kWidth <= count; i += kWidth) {
      Vec block[kWidth];
      for (int j = 0; j < kWidth; ++j) block[j] = vloadu(y_l + (i + j) * kWidth);
      vtranspose(block);
      for (int lane = 0; lane < kWidth; ++lane) vstoreu(y + lane * count + i, block[lane]);
    }
  }
  for (; i < count; ++i)
    for (int64_t lane = 0; lane < images; ++lane) y[lane * count + i] = y_l[i * kWidth + lane];
}

// Rows [py0, py1) of the max pooling of lane-batched planes (no padding, dilation 1): each output is
// its window's maximum in row-major order by max_tap, lane by lane as max_pool2d computes each image.
static void max_pool_lanes(const PoolGeometry& pool, int64_t planes, const float* x_l, float* y_l, int64_t py0,
                           int64_t py1) {
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = x_l + p * pool.in_h * pool.in_w * kWidth;
    float* out = y_l + p * pool.out_h * pool.out_w * kWidth;
    for (int64_t py = py0; py < py1; ++py) {
      const int64_t y0 = py * pool.stride_h, y1 = min64(y0 + pool.kernel_h, pool.in_h);
      for (int64_t px = 0; px < pool.out_w; ++px) {
        const int64_t x0 = px * pool.stride_w, x1 = min64(x0 + pool.kernel_w, pool.in_w);
        Vec m = vloadu(in + (y0 * pool.in_w + x0) * kWidth);
        for (int64_t yy = y0; yy < y1; ++yy)
          for (int64_t xx = yy == y0 ? x0 + 1 : x0; xx < x1; ++xx)
            m = max_tap(m, vloadu(in + (yy * pool.in_w + xx) * kWidth));
        vstoreu(out + (py * pool.out_w + px) * kWidth, m);
      }
    }
  }
}

// The convolution's rows of one lane-batched group in order, by rows(r0, r1) (which computes at least
// rows [r0, r1) and returns the end of what it computed), and with pooling each pooled row of the
// `channels` planes at c_l into p_l as soon as its window's rows are there (still in the cache).
template <typename Rows>
static void lane_rows_then_pool(const ConvGeometry& g, const PoolGeometry* pool, int64_t channels, const float* c_l,
                                float* p_l, Rows rows) {
  if (!pool) {
    rows(0, g.out_h);
    return;
  }
  for (int64_t py = 0, done = 0; py < pool->out_h; ++py) {
    const int64_t need = min64(g.out_h, py * pool->stride_h + pool->kernel_h);
    if (need > done) done = rows(done, need);
    max_pool_lanes(*pool, channels, c_l, p_l, py, py + 1);
  }
}

// Output channel blocks [b0, b1) of one lane-batched group (pooled when pool is not null).
static void lane_group_blocks(const LaneConv& conv, const ConvGeometry& g, const PoolGeometry* pool, const float* x_l,
                              float* c_l, float* p_l, int64_t b0, int64_t b1) {
  const int64_t plane = g.out_h * g.out_w * kWidth;
  const int64_t m0 = b0 * conv.mr, channels = min64(b1 * conv.mr, g.out_channels) - m0;
  const int64_t pooled_plane = pool ? pool->out_h * pool->out_w * kWidth : 0;
  lane_rows_then_pool(g, pool, channels, c_l + m0 * plane, p_l + m0 * pooled_plane, [&](int64_t oy0, int64_t oy1) {
    for (int64_t blk = b0; blk < b1; ++blk) conv.rows(conv, g, x_l, blk, oy0, oy1, c_l + blk * conv.mr * plane);
    return oy1;
  });
}

// One lane-batched group by Winograd (wc prepared for lanes), whole tile rows at a time.
static void lane_group_winograd(const WinogradConv& wc, const ConvGeometry& g, const PoolGeometry* pool,
                                const float* x_l, float* c_l, float* p_l, float* ws) {
  lane_rows_then_pool(g, pool, g.out_channels, c_l, p_l, [&](int64_t oy0, int64_t oy1) {
    int64_t oy = oy0;  // a multiple of wc.m: every call ends on a tile row's end (or the map's)
    for (; oy < oy1; oy = min64(g.out_h, oy + wc.m)) wc.lane_tile_row(g, x_l, oy / wc.m, c_l, ws);
    return oy;
  });
}

static void conv2d(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                   OutputAct act, int threads);
static bool conv2d_max_pool(const ConvGeometry& g, const PoolGeometry& pool, const float* x, const float* w,
                            const float* bias, float* y, OutputAct act, int threads);

// F(3x3) (winograd3) on a few images: kWidth tile columns of an image side by side in the lanes, lane l
// holding the 5-column strip under tile column t0 + l of every row (a lane-batched "image" of width 5
// whose one tile column is that tile), so that each tile is computed exactly as in a batch of images.
// Units of an image's kWidth tile columns go over the threads.
static void conv2d_winograd3_columns(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                     float* y, OutputAct act, int threads) {
  ConvGeometry strip = g;
  strip.in_w = 5;
  strip.out_w = 3;
  const WinogradConv wc(strip, w, bias, act, threads, true, 3);
  const int64_t C = g.in_channels, H = g.in_h, W = g.in_w, M = g.out_channels, OH = g.out_h, OW = g.out_w;
  const int64_t passes = ceil_div(OW / 3, kWidth), units = g.batch * passes;
  const size_t in_floats = static_cast<size_t>((C * H * 5 + 1) * kWidth);
  const size_t out_floats = static_cast<size_t>(M * OH * 3 * kWidth);
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1 && units > 1)
  {
    float *buf = nullptr, *ws = nullptr;
    try {
      buf = scratch_array<float>(ScratchSlot::lanes, in_floats + out_floats);
      ws = scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(wc.workspace_floats()));
    } catch (...) {
#pragma omp atomic write
      failed = true;
    }
    for_each_unit(units, [&](int64_t u) {
      if (!buf || !ws) return;
      const int64_t n = u / passes, t0 = u % passes * kWidth, lanes = min64(kWidth, OW / 3 - t0);
      float* x_l = buf;
      float* c_l = buf + in_floats;
      // x_l[((c * H + r) * 5 + j) * kWidth + l] = x[n, c, r, 3 (t0 + l) + j], zero past the last tile.
      std::memset(x_l, 0, sizeof(float) * in_floats);
      for (int64_t cr = 0; cr < C * H; ++cr) {
        const float* row = x + (n * C * H + cr) * W + 3 * t0;
        float* dst = x_l + cr * 5 * kWidth;
        for (int64_t l = 0; l < lanes; ++l)
          for (int j = 0; j < 5; ++j) dst[j * kWidth + l] = row[3 * l + j];
      }
      for (int64_t ty = 0; ty < OH / 3; ++ty) wc.lane_tile_row(strip, x_l, ty, c_l, ws);
      for (int64_t mr = 0; mr < M * OH; ++mr) {
        const float* src = c_l + mr * 3 * kWidth;
        float* row = y + (n * M * OH + mr) * OW + 3 * t0;
        for (int64_t l = 0; l < lanes; ++l)
          for (int j = 0; j < 3; ++j) row[3 * l + j] = src[j * kWidth + l];
      }
    });
  }
  if (failed) throw std::bad_alloc();
}

// conv2d (then max pooling when pool is not null) of a few images by the single-image paths.
static void conv2d_images(const ConvGeometry& g, const PoolGeometry* pool, const float* x, const float* w,
                          const float* bias, float* y, OutputAct act, int threads) {
  if (!pool) return conv2d(g, x, w, bias, y, act, threads);
  if (conv2d_max_pool(g, *pool, x, w, bias, y, act, threads)) return;
  float* full = scratch_array<float>(ScratchSlot::unpooled,
                                     static_cast<size_t>(g.batch * g.out_channels * g.out_h * g.out_w));
  conv2d(g, x, w, bias, full, act, threads);
  PoolGeometry pg = *pool;
  pg.planes = g.batch * g.out_channels;
  max_pool2d(pg, full, y, nullptr, threads);
}

constexpr size_t kLaneTeamFloats = size_t(8) << 20;  // the groups a team computes together: at most 32 MB

// conv2d (then max pooling when pool is not null) of a batch by groups of kWidth lane-batched images;
// by Winograd when asked (Conv2dParams::winograd), else directly. Groups go over the threads; with
// fewer than about four per thread, the team computes them together instead, in units of a group's
// tile rows (Winograd, then its pooled planes) or channel blocks (direct), so that no thread waits
// for another's last group. A few images past the last full group (a quarter of a group at most)
// take the single-image paths (the same results): a partial group costs as much as a full one. A
// team computes them on one helper thread beside the groups' units.
static void conv2d_lanes(const ConvGeometry& g, const PoolGeometry* pool, const float* x, const float* w,
                         const float* bias, float* y, OutputAct act, int threads) {
  const int64_t image = g.in_channels * g.in_h * g.in_w, plane = g.out_h * g.out_w;
  const int64_t pooled_plane = pool ? pool->out_h * pool->out_w : plane, out = g.out_channels * pooled_plane;
  const int64_t rest = g.batch % kWidth;
  ConvGeometry tail = g;  // the images past the last full group, when they take the single-image paths
  tail.batch = g.batch > kWidth && rest > 0 && 4 * rest <= kWidth ? rest : 0;
  const int64_t groups = (g.batch - tail.batch + kWidth - 1) / kWidth;
  const float* x_tail = x + (g.batch - tail.batch) * image;
  float* y_tail = y + (g.batch - tail.batch) * out;
  // A group's x_l (and a vector of slack, which Winograd's last column may read), c_l, p_l.
  const size_t floats = static_cast<size_t>((image + 1 + g.out_channels * plane + (pool ? out : 0)) * kWidth);
  const bool team = threads > 1 && groups < 4 * threads && groups * floats <= kLaneTeamFloats;
  if (tail.batch > 0 && !team) {
    ConvGeometry grouped = g;
    grouped.batch -= tail.batch;
    conv2d_lanes(grouped, pool, x, w, bias, y, act, threads);
    conv2d_images(tail, pool, x_tail, w, bias, y_tail, act, threads);
    return;
  }
  // One of the two, prepared once (Winograd's kernels kept per thread, the direct kernel's packed in
  // the packed_weights scratch).
  std::optional<WinogradConv> wino;
  std::optional<LaneConv> direct;
  if (winograd(g))
    wino.emplace(g, w, bias, act, threads, true, winograd3(g) ? 3 : 2);
  else
    direct.emplace(g, w, bias, act);
  const auto images_of = [&](int64_t grp) { return min64(kWidth, g.batch - tail.batch - grp * kWidth); };
  const size_t ws_floats = wino ? static_cast<size_t>(wino->workspace_floats()) : 0;
  const auto split = [&](float* buf, float** x_l, float** c_l, float** p_l) {
    *x_l = buf;
    *c_l = *x_l + (image + 1) * kWidth;
    *p_l = *c_l + g.out_channels * plane * kWidth;
  };
  const auto load = [&](int64_t grp, float* x_l) {
    to_lanes(x + grp * kWidth * image, images_of(grp), image, x_l);
    std::memset(x_l + image * kWidth, 0, sizeof(float) * kWidth);
  };
  bool failed = false;
  if (team) {
    float* buf = scratch_array<float>(ScratchSlot::lanes, floats * static_cast<size_t>(groups));
    const auto group = [&](int64_t grp, float** x_l, float** c_l, float** p_l) {
      split(buf + floats * static_cast<size_t>(grp), x_l, c_l, p_l);
    };
    for (int64_t grp = 0; grp < groups; ++grp) {
      float *x_l, *c_l, *p_l;
      group(grp, &x_l, &c_l, &p_l);
      load(grp, x_l);
    }
    const int64_t per_group = wino ? ceil_div(g.out_h, wino->m) : direct->blocks;
    bool tail_done = false;
#pragma omp parallel num_threads(threads)
    {
      // The tail on a helper, not the calling thread: the single-image paths use the scratch slots
      // where the caller keeps the groups' buffers and prepared weights. (Before the helper takes
      // its Winograd workspace, which they may also use.)
      if (tail.batch > 0 && thread_index() == 1) {
        try {
          conv2d_images(tail, pool, x_tail, w, bias, y_tail, act, 1);
          tail_done = true;
        } catch (...) {
#pragma omp atomic write
          failed = true;
        }
      }
      float* ws = nullptr;
      if (wino) {
        try {
          ws = scratch_array<float>(ScratchSlot::winograd_work, ws_floats);
        } catch (...) {
#pragma omp atomic write
          failed = true;
        }
      }
      for_each_unit(groups * per_group, [&](int64_t u) {
        float *x_l, *c_l, *p_l;
        group(u / per_group, &x_l, &c_l, &p_l);
        if (!wino)
          lane_group_blocks(*direct, g, pool, x_l, c_l, p_l, u % per_group, u % per_group + 1);
        else if (ws)
          wino->lane_tile_row(g, x_l, u % per_group, c_l, ws);
      });
    }
    if (failed) throw std::bad_alloc();
    if (wino && pool)
      parallel_for(groups * g.out_channels, threads, [&](int64_t u) {
        float *x_l, *c_l, *p_l;
        group(u / g.out_channels, &x_l, &c_l, &p_l);
        const int64_t m = u % g.out_channels;
        max_pool_lanes(*pool, 1, c_l + m * plane * kWidth, p_l + m * pooled_plane * kWidth, 0, pool->out_h);
      });
    for (int64_t grp = 0; grp < groups; ++grp) {
      float *x_l, *c_l, *p_l;
      group(grp, &x_l, &c_l, &p_l);
      from_lanes(pool ? p_l : c_l, images_of(grp), out, y + grp * kWidth * out);
    }
    // A team of one (OpenMP granted fewer threads than asked): the tail after the groups.
    if (tail.batch > 0 && !tail_done) conv2d_images(tail, pool, x_tail, w, bias, y_tail, act, threads);
    return;
  }
#pragma omp parallel num_threads(threads) if (threads > 1 && groups > 1)
  {
    float* buf = nullptr;
    float* ws = nullptr;
    try {
      buf = scratch_array<float>(ScratchSlot::lanes, floats);
      if (wino) ws = scratch_array<float>(ScratchSlot::winograd_work, ws_floats);
    } catch (...) {
#pragma omp atomic write
      failed = true;
    }
    for_each_unit(groups, [&](int64_t grp) {
      if (!buf || (wino && !ws)) return;
      float *x_l, *c_l, *p_l;
      split(buf, &x_l, &c_l, &p_l);
      load(grp, x_l);
      if (wino)
        lane_group_winograd(*wino, g, pool, x_l, c_l, p_l, ws);
      else
        lane_group_blocks(*direct, g, pool, x_l, c_l, p_l, 0, direct->blocks);
      from_lanes(pool ? p_l : c_l, images_of(grp), out, y + grp * kWidth * out);
    });
  }
  if (failed) throw std::bad_alloc();
}

// conv2d then max pooling of a batch of small images on the stacked GEMM: each chunk's output,
// still in the per-thread buffer (channel-major: plane o * ni + i is image i's channel o), is pooled
// into a second buffer and its planes copied to their NCHW places, so the full-size output never
// reaches memory and is never copied whole.
static bool conv2d_max_pool_stacked(const ConvGeometry& g, const PoolGeometry& pool, const float* x, const float* w,
                                    const float* bias, float* y, OutputAct act, int threads) {
  const int64_t M = g.out_channels, pooled = pool.out_h * pool.out_w;
  conv_stacked_chunks(g, x, w, bias, act, threads, [&](int64_t i0, int64_t ni, const float* cbuf, int64_t) {
    float* pbuf = nullptr;
    try {
      pbuf = scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(M * ni * pooled));
    } catch (...) {
      return false;
    }
    PoolGeometry pg = pool;
    pg.planes = M * ni;
    max_pool2d(pg, cbuf, pbuf, nullptr, 1);
    for (int64_t i = 0; i < ni; ++i)
      for (int64_t o = 0; o < M; ++o)
        std::memcpy(y + ((i0 + i) * M + o) * pooled, pbuf + (o * ni + i) * pooled, sizeof(float) * pooled);
    return true;
  });
  return true;
}

// Small-K convolutions followed by 2x2 max pooling at stride 2 (P-Net's first layer), pooled in
// registers: a register tile of 2 * kWidth outputs on each of two rows (small_k_tile: every value
// that of the plain path), then its kWidth windows by max_tap in max_pool2d's order (row-major), while
// the tile is in L1. Rows of at least 2 * kWidth outputs; a last partial window (ceil mode, odd
// sizes) takes its one row or column.
template <int MR, int NV>
struct SmallKPool2Kernel {
  // Pooled rows [py0, py1) of image n into y (N, M, pool.out_h, pool.out_w).
  static void run(const SmallKConv& c, const ConvGeometry& g, const PoolGeometry& pool, const float* x, int64_t n,
                  int64_t py0, int64_t py1, float* y) {
    static_assert(NV == 2, "a tile's two vectors hold kWidth windows");
    constexpr int64_t nr = 2 * kWidth;
    alignas(64) float tile[2][MR][nr];
    const int64_t full = g.out_w / 2, PH = pool.out_h, PW = pool.out_w;
    const auto conv_tiles = [&](int64_t blk, const float* const* in, bool two, int64_t at, int rows) {
      for (int i = 0; i < (two ? 2 : 1); ++i)
        small_k_tile<MR, NV>(c.K, c.wp + blk * c.K * MR, in[i] + at, c.off, c.bias ? c.bias + blk * MR : nullptr,
                             c.sp + blk * MR, c.act, &tile[i][0][0], nr, rows);
    };
    for (int64_t py = py0; py < py1; ++py) {
      const int64_t oy = 2 * py;
      const bool two = oy + 1 < g.out_h;  // (ceil mode, odd height: the last window has one row)
      const float* in[2];
      for (int i = 0; i < 2; ++i)
        in[i] = x + (n * g.in_channels * g.in_h + (two ? oy + i : oy) * g.stride_h) * g.in_w;
      for (int64_t blk = 0; blk < c.blocks; ++blk) {
        const int rows = static_cast<int>(min64(MR, c.M - blk * MR));
        float* out = y + ((n * c.M + blk * MR) * PH + py) * PW;
        for (int64_t p = 0; p < full; p += kWidth) {
          const int64_t at = min64(p, full - kWidth);  // the last tile overlaps the previous one
          conv_tiles(blk, in, two, 2 * at, rows);
          for (int r = 0; r < rows; ++r) {
            Vec even, odd;
            vdeinterleave(vloadu(tile[0][r]), vloadu(tile[0][r] + kWidth), &even, &odd);
            Vec m = max_tap(even, odd);
            if (two) {
              vdeinterleave(vloadu(tile[1][r]), vloadu(tile[1][r] + kWidth), &even, &odd);
              m = max_tap(max_tap(m, even), odd);
            }
            vstoreu(out + r * PH * PW + at, m);
          }
        }
        if (PW > full) {  // ceil mode, odd width: the last window has one column
          conv_tiles(blk, in, two, g.out_w - nr, rows);
          for (int r = 0; r < rows; ++r)
            out[r * PH * PW + full] = two ? max_tap(tile[0][r][nr - 1], tile[1][r][nr - 1]) : tile[0][r][nr - 1];
        }
      }
    }
  }
};

// (For small-K convolutions.)
static bool pooled_in_registers(const ConvGeometry& g, const PoolGeometry& pool) {
  return pool.kernel_h == 2 && pool.kernel_w == 2 && pool.stride_h == 2 && pool.stride_w == 2 &&
         g.out_w >= 2 * kWidth;
}

static void conv2d_pool2_small_k(const ConvGeometry& g, const PoolGeometry& pool, const float* x, const float* w,
                                 const float* bias, float* y, OutputAct act, int threads) {
  const SmallKConv conv(g, w, bias, act, 2);
  const auto run = tile_kernel_for<SmallKPool2Kernel, 2>(static_cast<int>(conv.mr));
  // Bands of pooled rows: about four per thread on each image.
  const int64_t band = max64(1, ceil_div(pool.out_h, 4 * threads)), bands = ceil_div(pool.out_h, band);
  parallel_for(g.batch * bands, threads, [&](int64_t u) {
    const int64_t n = u / bands, p0 = u % bands * band;
    run(conv, g, pool, x, n, p0, min64(pool.out_h, p0 + band), y);
  });
}

// conv2d followed by max pooling (pool: its windows over one output plane), fused for small-K
// convolutions: the convolution's rows go to a per-thread buffer that stays in L2 (whole images of
// a batch of crops, or bands of rows of a large image) and are pooled from there, so the
// full-resolution map never reaches memory; batches of small images pool each chunk of the stacked
// GEMM. Returns false (nothing done) for other convolutions.
constexpr int64_t kBandBytes = 192 << 10;

static bool conv2d_max_pool(const ConvGeometry& g, const PoolGeometry& pool, const float* x, const float* w,
                            const float* bias, float* y, OutputAct act, int threads) {
  if (lane_batched(g)) {
    conv2d_lanes(g, &pool, x, w, bias, y, act, threads);
    return true;
  }
  if (winograd(g)) return false;  // the whole Winograd convolution, then the pooling
  if (!small_k(g)) return stackable(g, threads) && conv2d_max_pool_stacked(g, pool, x, w, bias, y, act, threads);
  if (pooled_in_registers(g, pool)) {
    conv2d_pool2_small_k(g, pool, x, w, bias, y, act, threads);
    return true;
  }
  const SmallKConv conv(g, w, bias, act);
  const int64_t M = g.out_channels, row_bytes = M * g.out_w * static_cast<int64_t>(sizeof(float));
  const int64_t pooled = pool.out_h * pool.out_w, image_bytes = row_bytes * g.out_h;
  // Work units: groups of whole images when one fits the buffer, otherwise bands of pooled rows of
  // one image (a band of b pooled rows needs (b - 1) * stride + kernel rows of the convolution).
  const bool whole = image_bytes <= kBandBytes;
  const int64_t group = whole ? max64(1, min64(kBandBytes / image_bytes, ceil_div(g.batch, threads))) : 1;
  const int64_t band = whole ? pool.out_h : max64(1, (kBandBytes / row_bytes - pool.kernel_h) / pool.stride_h + 1);
  const int64_t bands = ceil_div(pool.out_h, band);
  const int64_t units = whole ? ceil_div(g.batch, group) : g.batch * bands;
  const int64_t buffer_rows = whole ? g.out_h : min64(g.out_h, (band - 1) * pool.stride_h + pool.kernel_h);
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1 && units > 1)
  {
    float* buf = nullptr;
    try {
      buf = scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(group * M * buffer_rows * g.out_w));
    } catch (...) {
#pragma omp atomic write
      failed = true;
    }
    for_each_unit(units, [&](int64_t u) {
      if (!buf) return;
      if (whole) {
        const int64_t n0 = u * group, n1 = min64(g.batch, n0 + group), plane = g.out_h * g.out_w;
        for (int64_t n = n0; n < n1; ++n) conv.rows(g, x, n, 0, g.out_h, buf + (n - n0) * M * plane, plane);
        PoolGeometry pg = pool;
        pg.planes = (n1 - n0) * M;
        max_pool2d(pg, buf, y + n0 * M * pooled, nullptr, 1);
      } else {
        const int64_t n = u / bands, p0 = u % bands * band, p1 = min64(pool.out_h, p0 + band);
        const int64_t r0 = p0 * pool.stride_h, r1 = min64(g.out_h, (p1 - 1) * pool.stride_h + pool.kernel_h);
        const int64_t plane = (r1 - r0) * g.out_w;
        conv.rows(g, x, n, r0, r1, buf, plane);
        PoolGeometry pg = pool;
        pg.planes = 1;
        pg.in_h = r1 - r0;
        pg.out_h = p1 - p0;
        for (int64_t m = 0; m < M; ++m)
          max_pool2d(pg, buf + m * plane, y + (n * M + m) * pooled + p0 * pool.out_w, nullptr, 1);
      }
    });
  }
  if (failed) throw std::bad_alloc();
  return true;
}

// A detector head on a band of the convolution's output: y[p * ldy + j] = sum over k < K, in order
// from zero, of pw[p * K + k] * x[k * cols + j], then + pb[p] (pb may be null): each output as the
// GEMM reduces it when K <= kKC (one chunk), so the fused head gives the 1x1 convolution's bits.
// kHeadRows output channels by two vectors of pixels per register tile, the pixels read in place;
// the last tile overlaps the previous one (bands narrower than a tile go through a copy).
constexpr int kHeadRows = 6;

static void pointwise_head(const float* x, int64_t K, int64_t cols, const float* pw, const float* pb, int64_t P,
                           float* y, int64_t ldy) {
  constexpr int64_t nr = 2 * kWidth;
  alignas(64) float narrow[kHeadRows][nr];
  for (int64_t p0 = 0; p0 < P; p0 += kHeadRows) {
    const int rows = static_cast<int>(min64(kHeadRows, P - p0));
    for (int64_t j0 = 0; j0 < cols; j0 += nr) {
      const int64_t j = cols >= nr ? min64(j0, cols - nr) : 0;
      Vec acc[kHeadRows][2];
      for (int r = 0; r < kHeadRows; ++r) acc[r][0] = acc[r][1] = vzero();
      for (int64_t k = 0; k < K; ++k) {
        const float* row = x + k * cols + j;
        Vec b0, b1;
        if (cols >= nr) {
          b0 = vloadu(row), b1 = vloadu(row + kWidth);
        } else {  // (the band's row is shorter than the tile: its columns, then zeros)
          alignas(64) float tmp[nr] = {};
          std::memcpy(tmp, row, sizeof(float) * cols);
          b0 = vloadu(tmp), b1 = vloadu(tmp + kWidth);
        }
        for (int r = 0; r < kHeadRows; ++r) {
          if (r >= rows) break;
          const Vec a = vset1(pw[(p0 + r) * K + k]);
          acc[r][0] = vfma(a, b0, acc[r][0]);
          acc[r][1] = vfma(a, b1, acc[r][1]);
        }
      }
      for (int r = 0; r < rows; ++r) {
        const Vec bias = vset1(pb ? pb[p0 + r] : 0.0f);
        const Vec v0 = pb ? vadd(bias, acc[r][0]) : acc[r][0], v1 = pb ? vadd(bias, acc[r][1]) : acc[r][1];
        float* out = cols >= nr ? y + (p0 + r) * ldy + j : narrow[r];
        vstoreu(out, v0);
        vstoreu(out + kWidth, v1);
        if (cols < nr) std::memcpy(y + (p0 + r) * ldy, narrow[r], sizeof(float) * cols);
      }
    }
  }
}

// conv2d, then a 1x1 convolution of its activated output (a detector head: pw (P, M), pb (P,) or
// null), fused for one group without padding: each thread takes bands of output rows, computes the
// convolution's band into a buffer that stays in L2 and multiplies it by the 1x1 weights from there,
// so the convolution's output never reaches memory. Both GEMMs reduce each element as the two
// convolutions apart do. Returns false (nothing done) for other convolutions.
constexpr int64_t kPointwiseBandFloats = 32 << 10;  // at most 128 KB of convolution output per band

static bool conv2d_pointwise(const ConvGeometry& g, const float* x, const float* w, const float* bias, OutputAct act,
                             const float* pw, const float* pb, int64_t P, float* y, int threads) {
  if (padded(g) || g.groups != 1 || winograd3(g)) return false;  // (F(3x3) runs in the lanes only)
  const int64_t M = g.out_channels, K = g.in_channels * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t image = g.in_channels * g.in_h * g.in_w;
  // Bands of rows within the buffer, as many on each image as a multiple of the threads (so that with
  // few bands no thread waits long for another's last one); whole Winograd tiles.
  const int64_t fitting = ceil_div(g.out_h, max64(1, kPointwiseBandFloats / (M * g.out_w)));
  int64_t band = ceil_div(g.out_h, ceil_div(fitting, threads) * threads);
  const bool tiles = winograd(g);
  if (tiles) band += band & 1;
  const int64_t bands = ceil_div(g.out_h, band), units = g.batch * bands, max_cols = band * g.out_w;
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, g.in_channels, g.in_h * g.in_w, g.in_w, 1, 0, k_off, n_off);
  const bool rows_contiguous = g.stride_w == 1 && g.stride_h * g.in_w == g.out_w;
  const std::unique_ptr<const WinogradConv> wino(tiles ? new WinogradConv(g, w, bias, act, threads) : nullptr);
  bool failed = false;
#pragma omp parallel num_threads(threads) if (threads > 1 && units > 1)
  {
    float* bpack = gemm_pack_buffer();
    float* buf = nullptr;
    int64_t* band_off = nullptr;  // the buffer's row offsets (M), then 0, 1, ... (its columns)
    float* ws = nullptr;
    try {
      buf = scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(M * max_cols));
      band_off = scratch_array<int64_t>(ScratchSlot::conv_band_offsets, static_cast<size_t>(M + max_cols));
      if (tiles) ws = scratch_array<float>(ScratchSlot::winograd_work, static_cast<size_t>(wino->workspace_floats()));
    } catch (...) {
    }
    if (!bpack || !buf || !band_off || (tiles && !ws)) {
#pragma omp atomic write
      failed = true;
    }
    for (int64_t j = 0; band_off && j < max_cols; ++j) band_off[M + j] = j;
    for_each_unit(units, [&](int64_t u) {
      if (!bpack || !buf || !band_off || (tiles && !ws)) return;
      const int64_t n = u / bands, r0 = u % bands * band, r1 = min64(g.out_h, r0 + band);
      const int64_t n0 = r0 * g.out_w, cols = (r1 - r0) * g.out_w;
      const float* img = x + n * image;
      if (tiles) {
        wino->rows(g, x, n, r0, r1, buf, cols, ws);
      } else {
        const GemmProblem conv{M, cols, K, w, K, buf, cols, bias, nullptr, act.kind, act.slope, nullptr};
        ConvPackB conv_pack{img, img + image, k_off, n_off + n0, g.out_w, g.stride_w, rows_contiguous};
        gemm_block(conv, 0, M, 0, cols, conv_pack, bpack);
      }
      if (M <= kKC) {
        pointwise_head(buf, M, cols, pw, pb, P, y + n * P * N + n0, N);
      } else {
        for (int64_t k = 0; k < M; ++k) band_off[k] = k * cols;
        const GemmProblem head{P, cols, M, pw, M, y + n * P * N + n0, N, pb, nullptr, Epilogue::none, nullptr, nullptr};
        ConvPackB head_pack{buf, buf + M * cols, band_off, band_off + M, cols, 1, true};
        gemm_block(head, 0, P, 0, cols, head_pack, bpack);
      }
    });
  }
  if (failed) throw std::bad_alloc();
  return true;
}

static void conv2d(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                   OutputAct act, int threads) {
  if (lane_batched(g))  // (by Winograd in the lanes when asked)
    conv2d_lanes(g, nullptr, x, w, bias, y, act, threads);
  else if (winograd3(g))
    conv2d_winograd3_columns(g, x, w, bias, y, act, threads);
  else if (winograd(g))
    conv2d_winograd(g, x, w, bias, y, act, threads);
  else if (g.groups > 1 && g.groups == g.in_channels)
    conv2d_depthwise(g, x, w, bias, y, act, threads);
  else if (small_k(g))
    conv2d_small_k(g, x, w, bias, y, act, threads);
  else if (stackable(g, threads))
    conv2d_gemm_stacked(g, x, w, bias, y, act, threads);
  else
    conv2d_gemm(g, x, w, bias, y, act, threads);
}
