// The implicit-im2col GEMM, per image and group (any geometry), and its stacked form for batches of
// small images. A = the weights [out/groups][in/groups * kh * kw] read in place (OIHW rows), B = the
// im2col matrix packed panel by panel from a zero-padded copy of the image (the image itself without
// padding), C = the output planes (bias and activation fused). Every output element is reduced the
// same way whatever the split, so results do not depend on the thread count.
#include <cstring>
#include <numeric>

#include "cpu/conv/drivers.hpp"
#include "cpu/conv/layout.hpp"
#include "cpu/gemm.hpp"
#include "cpu/parallel.hpp"

namespace cvcore::cpu {
namespace {

// A thread's buffers: its packed-B panel and, for whole images, its padded image.
struct GemmBuffers {
  float* bpack;
  float* xp;
};

}  // namespace

void conv2d_gemm(const ConvProblem& p, float* y) {
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  const int64_t cpg = g.in_channels / g.groups, M = g.out_channels / g.groups;
  const int64_t K = cpg * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t Hp = g.in_h + g.pad_top + g.pad_bottom, Wp = g.in_w + g.pad_left + g.pad_right;
  const bool pad = padded(g);
  const int64_t plane = Hp * Wp, image = g.in_channels * plane;

  // Offsets of B's rows (channel, ky, kx) and columns (oy, ox) in the padded image.
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, cpg, plane, Wp, 1, 0, k_off, n_off);

  // Many images (e.g. a batch of crops): each thread takes whole images, padded into its own buffer,
  // with no GEMM cut smaller than an image. Otherwise, per image, each group's GEMM is cut into
  // `pieces` blocks so that groups * pieces is a multiple of the thread count; four times as many when
  // that adds little traffic (cut along the columns, each piece packing only its own; or a 1x1
  // convolution whose B, read in place by every piece cut along the rows, is the smaller operand), so
  // that the share of a thread that starts late (a worker waking up) is taken by the others.
  const int threads = p.threads;
  const bool by_image = threads > 1 && (g.batch >= 4 * threads || (g.batch >= threads && g.batch % threads == 0));
  const bool in_place_b = !pad && g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1;
  int64_t pieces = by_image ? 1 : threads / std::gcd(g.groups, int64_t{threads});
  if (!by_image && threads > 1 && ((in_place_b && N <= M) || ceil_div(N, k.width) >= 4 * (4 * pieces))) pieces *= 4;
  const int64_t items = g.groups * pieces;
  // Item `it` (group, piece) of image n, read from src (its padded copy, or the image).
  const auto item = [&](const float* src, int64_t n, int64_t it, float* bpack) {
    const int64_t grp = it / pieces;
    Range rows, cols;
    gemm_split(M, N, pieces, it % pieces, k, &rows, &cols);
    if (rows.begin >= rows.end || cols.begin >= cols.end) return;
    const ConvGemm gemm{M,
                        N,
                        K,
                        p.w + grp * M * K,
                        K,
                        y + (n * g.out_channels + grp * M) * N,
                        N,
                        p.bias ? p.bias + grp * M : nullptr,
                        {p.act.kind, p.act.slope ? p.act.slope + grp * M : nullptr,
                         p.act.residual ? p.act.residual + (n * g.out_channels + grp * M) * N : nullptr},
                        src + grp * cpg * plane,
                        src + image,
                        k_off,
                        n_off,
                        g.out_w,
                        g.stride_w,
                        // stride_h * Wp == out_w, without the product (out_w <= Wp at stride_w 1)
                        g.stride_w == 1 && g.stride_h == 1 && Wp == g.out_w};
    k.conv_gemm(gemm, rows.begin, rows.end, cols.begin, cols.end, bpack);
  };
  const auto image_of = [&](int64_t n) { return p.x + n * g.in_channels * g.in_h * g.in_w; };

  if (by_image) {
    parallel_for(
        g.batch, threads, conv_share(g, g.batch),
        [&] {
          return GemmBuffers{gemm_pack_buffer(k),
                             pad ? scratch_array<float>(ScratchSlot::conv_input, static_cast<size_t>(image)) : nullptr};
        },
        [&](GemmBuffers& b, int64_t n) {
          if (pad) pad_channels(g, image_of(n), b.xp, Hp, Wp, 0, g.in_channels);
          for (int64_t it = 0; it < items; ++it) item(pad ? b.xp : image_of(n), n, it, b.bpack);
        });
    return;
  }
  float* xp = pad ? scratch_array<float>(ScratchSlot::conv_input, static_cast<size_t>(image)) : nullptr;
  for (int64_t n = 0; n < g.batch; ++n) {
    if (pad)
      parallel_for(threads, threads, elements(2.0 * double(image) / threads), [&](int64_t i) {
        const Range cr = split_range(g.in_channels, threads, i);
        pad_channels(g, image_of(n), xp, Hp, Wp, cr.begin, cr.end);
      });
    parallel_for(
        items, threads, conv_share(g, g.batch * items), [&] { return gemm_pack_buffer(k); },
        [&](float* bpack, int64_t it) { item(pad ? xp : image_of(n), n, it, bpack); });
  }
}

namespace {

// Images per chunk of the stacked GEMM: at most kStackColumns columns, in a number of chunks that is a
// multiple of the thread count where the batch allows, so that every thread gets as many (143 images
// on 2 threads: 4 chunks of 36, not 50 + 50 + 43).
int64_t stack_chunk_images(const ConvGeometry& g, int threads) {
  const int64_t chunks = ceil_div(ceil_div(g.batch, kStackColumns / (g.out_h * g.out_w)), threads) * threads;
  return ceil_div(g.batch, min64(chunks, g.batch));
}

// A thread's buffers for the stacked GEMM: its packed-B panel and its chunk's output.
struct StackBuffers {
  float* bpack;
  float* cbuf;
};

// Runs the stacked GEMM chunk by chunk: the images of a chunk side by side (columns: image, pixel) as
// one GEMM into the thread's buffer, far fewer and fuller panels than one small GEMM per image.
// emit(i0, ni, cbuf, cols) then takes the chunk's images i0 .. i0 + ni - 1, computed into
// cbuf[o * cols + i * N + p] (cols = ni * N), on the same thread.
template <typename Emit>
void stacked_chunks(const ConvProblem& p, Emit emit) {
  const ConvGeometry& g = p.g;
  const Kernels& k = *p.k;
  const int64_t M = g.out_channels, K = g.in_channels * g.kernel_h * g.kernel_w, N = g.out_h * g.out_w;
  const int64_t W = g.in_w, plane = g.in_h * W, image = g.in_channels * plane;
  const int64_t per_chunk = stack_chunk_images(g, p.threads), chunks = ceil_div(g.batch, per_chunk);
  // B's row offsets (channel, ky, kx) and column offsets (image in the chunk, oy, ox), from the
  // chunk's first image.
  int64_t* k_off = scratch_array<int64_t>(ScratchSlot::conv_offsets, static_cast<size_t>(K + per_chunk * N));
  int64_t* n_off = k_off + K;
  conv_offsets(g, g.in_channels, plane, W, per_chunk, image, k_off, n_off);
  parallel_for(
      chunks, p.threads, conv_share(g, chunks),
      [&] {
        return StackBuffers{gemm_pack_buffer(k), scratch_array<float>(ScratchSlot::conv_stack,
                                                                       static_cast<size_t>(M * per_chunk * N))};
      },
      [&](StackBuffers& b, int64_t ch) {
        const int64_t i0 = ch * per_chunk, ni = min64(per_chunk, g.batch - i0), cols = ni * N;
        const ConvGemm gemm{M,       cols,    K,       p.w,       K,       b.cbuf,    cols,
                            p.bias,  p.act,   p.x + i0 * image,   p.x + g.batch * image, k_off,
                            n_off,   g.out_w, g.stride_w,         false};
        k.conv_gemm(gemm, 0, M, 0, cols, b.bpack);
        emit(i0, ni, b.cbuf, cols);
      });
}

}  // namespace

void conv2d_gemm_stacked(const ConvProblem& p, float* y) {
  const int64_t M = p.g.out_channels, N = p.g.out_h * p.g.out_w;
  stacked_chunks(p, [&](int64_t i0, int64_t ni, const float* cbuf, int64_t cols) {
    for (int64_t i = 0; i < ni; ++i)
      for (int64_t o = 0; o < M; ++o)
        std::memcpy(y + ((i0 + i) * M + o) * N, cbuf + o * cols + i * N, sizeof(float) * N);
  });
}

// Each chunk's output, still in the thread's buffer (channel-major: plane o * ni + i is image i's
// channel o), is pooled into a second buffer and its planes copied to their NCHW places, so the
// full-size output never reaches memory.
void conv2d_gemm_stacked_max_pool(const ConvProblem& p, const PoolGeometry& pool, float* y) {
  const int64_t M = p.g.out_channels, pooled = pool.out_h * pool.out_w;
  stacked_chunks(p, [&](int64_t i0, int64_t ni, const float* cbuf, int64_t) {
    float* pbuf = scratch_array<float>(ScratchSlot::conv_band, static_cast<size_t>(M * ni * pooled));
    PoolGeometry pg = pool;
    pg.planes = M * ni;
    max_pool2d(pg, cbuf, pbuf, nullptr, 1);
    for (int64_t i = 0; i < ni; ++i)
      for (int64_t o = 0; o < M; ++o)
        std::memcpy(y + ((i0 + i) * M + o) * pooled, pbuf + (o * ni + i) * pooled, sizeof(float) * pooled);
  });
}

}  // namespace cvcore::cpu
