// Depthwise convolution (groups == in_channels): a direct stencil on one zero-padded plane, kWidth
// outputs of a row at once with every tap accumulated in a register (stride 1: unaligned loads;
// stride 2: even-element loads). A row's last partial vector is recomputed overlapping the previous
// one. Planes of narrow rows (a MobileNet's 28x28 to 7x7 maps: stride 1 and rows narrower than two
// vectors, or stride 2 and narrower than one) run as one flat row instead: the outputs of every
// position of the padded rows (those past a row's end computed and dropped) into ws, whole vectors at
// a time, then the rows copied out. KH, KW > 0 fix the kernel
// size at compile time so that the weights stay in registers (3x3, and MobileNetV3's 5x5); 0 reads it
// from g.
template <int KH, int KW>
static void depthwise_plane_sized(const ConvGeometry& g, const float* xp, int64_t Wp, const float* w, float bias,
                                  Epilogue act, float slope, float* y, float* ws) {
  const int64_t kh = KH ? KH : g.kernel_h, kw = KW ? KW : g.kernel_w;
  // (A row step only with a second kernel row: a lone one may come with any dilation.)
  const int64_t sw = g.stride_w, dh = kh > 1 ? g.dilation_h * Wp : 0, dw = g.dilation_w;
  constexpr int kTaps = KH * KW > 0 ? KH * KW : 1;
  Vec wr[kTaps];
  if constexpr (KH * KW > 0)
    for (int t = 0; t < kTaps; ++t) wr[t] = vset1(w[t]);
  const bool vectorised = (sw == 1 || sw == 2) && g.out_w >= kWidth;
  auto stencil = [&](const float* base, int64_t step) {  // kWidth outputs at base, `step` apart
    Vec acc = vset1(bias);
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        const float* p = base + ky * dh + kx * dw;
        Vec wv;
        if constexpr (KH * KW > 0)
          wv = wr[ky * kw + kx];
        else
          wv = vset1(w[ky * kw + kx]);
        acc = vfma(wv, step == 1 ? vloadu(p) : vload_even(p), acc);
      }
    return apply_act(acc, act, vset1(slope));
  };

  // Output t = oy * Wp + ox of the flat row reads its window at s * t (stride s on both axes); the run
  // ends at the last real output, whose window ends inside the padded plane (stride 2: its pairs' last
  // element one float past, in the slack).
  const int64_t span = (g.out_h - 1) * Wp + g.out_w;
  const bool flat = g.stride_h == sw && ((sw == 1 && g.out_w < 2 * kWidth) || (sw == 2 && g.out_w < kWidth));
  if (flat && span >= kWidth) {
    int64_t t = 0;
    for (; t + kWidth <= span; t += kWidth) vstoreu(ws + t, stencil(xp + sw * t, sw));
    if (t < span) vstoreu(ws + span - kWidth, stencil(xp + sw * (span - kWidth), sw));
    for (int64_t oy = 0; oy < g.out_h; ++oy) std::memcpy(y + oy * g.out_w, ws + oy * Wp, sizeof(float) * g.out_w);
    return;
  }

  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    const float* rows = xp + oy * g.stride_h * Wp;
    float* out = y + oy * g.out_w;
    if (vectorised) {
      auto outputs = [&](int64_t ox) { vstoreu(out + ox, stencil(rows + ox * sw, sw)); };
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

static void depthwise_plane(const ConvGeometry& g, const float* xp, int64_t Wp, const float* w, float bias,
                            Epilogue act, float slope, float* y, float* ws) {
  if (g.kernel_h == 3 && g.kernel_w == 3)
    depthwise_plane_sized<3, 3>(g, xp, Wp, w, bias, act, slope, y, ws);
  else if (g.kernel_h == 5 && g.kernel_w == 5)
    depthwise_plane_sized<5, 5>(g, xp, Wp, w, bias, act, slope, y, ws);
  else
    depthwise_plane_sized<0, 0>(g, xp, Wp, w, bias, act, slope, y, ws);
}
