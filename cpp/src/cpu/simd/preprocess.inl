// HWC rows into channel planes (to_blob). Plain loops with the channel count and order fixed at
// compile time for 1 to 4 channels, which the compiler turns into the ISA's shuffles; any other
// count element by element.

// out[c * plane + x] = f(in[x * C + s(c)], c) for x < width, s(c) = C - 1 - c when Swap.
template <int C, bool Swap, typename In, typename Out, typename F>
static void planes_row_fixed(const In* __restrict in, int64_t width, Out* __restrict out, int64_t plane, F f) {
  for (int64_t x = 0; x < width; ++x)
    for (int c = 0; c < C; ++c) out[c * plane + x] = f(in[x * C + (Swap ? C - 1 - c : c)], c);
}

template <typename In, typename Out, typename F>
static void planes_row(const In* in, int64_t width, int64_t channels, bool swap, Out* out, int64_t plane, F f) {
  switch (channels * 2 + (swap ? 1 : 0)) {
    case 2: case 3: return planes_row_fixed<1, false>(in, width, out, plane, f);
    case 4: return planes_row_fixed<2, false>(in, width, out, plane, f);
    case 5: return planes_row_fixed<2, true>(in, width, out, plane, f);
    case 6: return planes_row_fixed<3, false>(in, width, out, plane, f);
    case 7: return planes_row_fixed<3, true>(in, width, out, plane, f);
    case 8: return planes_row_fixed<4, false>(in, width, out, plane, f);
    case 9: return planes_row_fixed<4, true>(in, width, out, plane, f);
    default:
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t s = swap ? channels - 1 - c : c;
        for (int64_t x = 0; x < width; ++x) out[c * plane + x] = f(in[x * channels + s], c);
      }
  }
}

// (pixel - mean[c]) * scale in float32.
template <typename In>
static void blob_row(const In* in, int64_t width, int64_t channels, bool swap, const float* mean, float scale,
                     float* out, int64_t plane) {
  planes_row(in, width, channels, swap, out, plane,
             [mean, scale](In v, int64_t c) { return (static_cast<float>(v) - mean[c]) * scale; });
}

static void planes_row_u8(const uint8_t* in, int64_t width, int64_t channels, bool swap, uint8_t* out, int64_t plane) {
  planes_row(in, width, channels, swap, out, plane, [](uint8_t v, int64_t) { return v; });
}

static void blob_row_u8(const uint8_t* in, int64_t width, int64_t channels, bool swap, const float* mean, float scale,
                        float* out, int64_t plane) {
  blob_row(in, width, channels, swap, mean, scale, out, plane);
}
static void blob_row_f32(const float* in, int64_t width, int64_t channels, bool swap, const float* mean, float scale,
                         float* out, int64_t plane) {
  blob_row(in, width, channels, swap, mean, scale, out, plane);
}
