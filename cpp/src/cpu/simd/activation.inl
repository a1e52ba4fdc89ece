// Transcendental activations and (log-)softmax on float32 packets (math.inl). The scalar tail of
// a range goes through the same packet code on a padded copy, so every element is computed by the
// same operations wherever it lies.

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluScaleAlpha = float(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);

// y = f(x) packet by packet over [0, n).
template <typename F>
static inline void map_packets(const float* x, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) vstoreu(y + i, f(vloadu(x + i)));
  if (i < n) {
    float buf[kWidth] = {};
    memcpy(buf, x + i, sizeof(float) * (n - i));
    vstoreu(buf, f(vloadu(buf)));
    memcpy(y + i, buf, sizeof(float) * (n - i));
  }
}

// softplus: z = beta x in double-float, log(1 + e^z) = max(z, 0) + log1p(e^-|z|), then / beta.
static inline Vec vsoftplus(Vec x, const ActivationConsts& c) {
  Vec zl;
  const Vec zh = vtwo_prod(x, vset1(c.beta_hi), &zl);
  zl = vfma(x, vset1(c.beta_lo), zl);
  // -|z| = -|zh| + (zh < 0 ? zl : -zl)
  const Vec e = vexp(vor(zh, vset1(-0.f)), vxor(zl, vsignbit(vneg(zh))));
  Vec y = vadd(vmax(vzero(), zh), vadd(log1p_unit(e), vselect(vlt(vzero(), zh), zl, vzero())));
  if (c.beta_hi != 1.f || c.beta_lo != 0.f) {
    y = vdiv(y, vset1(c.beta_hi));
    if (c.beta_lo != 0.f) y = vfma(y, vset1(-c.beta_lo / c.beta_hi), y);
  }
  return vselect(vlt(vset1(c.linear_from), vmul(x, vset1(c.beta_sign))), x, y);
}

static void activation(Activation kind, const ActivationConsts& c, const float* x, float* y, int64_t n) {
  switch (kind) {
    case Activation::elu: {
      const Vec alpha = vset1(c.alpha);
      return map_packets(x, y, n, [alpha](Vec v) {
        const Vec em = expm1_clamped(vmin(vzero(), vmax(vset1(-25.f), v)));
        return vselect(vlt(vzero(), v), v, vmul(alpha, em));
      });
    }
    case Activation::selu:
      return map_packets(x, y, n, [](Vec v) {
        const Vec em = expm1_clamped(vmin(vzero(), vmax(vset1(-25.f), v)));
        return vselect(vlt(vzero(), v), vmul(vset1(kSeluScale), v), vmul(vset1(kSeluScaleAlpha), em));
      });
    case Activation::sigmoid: return map_packets(x, y, n, vsigmoid);
    case Activation::tanh: return map_packets(x, y, n, vtanh);
    case Activation::gelu: return map_packets(x, y, n, vgelu);
    case Activation::gelu_tanh: return map_packets(x, y, n, vgelu_tanh);
    case Activation::silu: return map_packets(x, y, n, vsilu);
    case Activation::mish: return map_packets(x, y, n, vmish);
    case Activation::softplus: return map_packets(x, y, n, [&c](Vec v) { return vsoftplus(v, c); });
    default: return;
  }
}

// softmax ----------------------------------------------------------------------------------------
// Per slice: m = max, then S = sum of e^(x - m) in slice order, then y = e^(x - m) / S or
// (x - m) - log(S). x - m is carried as hi + lo (TwoSum) so that e^(x - m) keeps its relative
// accuracy far below the maximum; x is first raised to m - (120 + |m|) (where e^(x - m) is 0 in
// float) so that hi and lo are finite. The sum starts at 1 so that every term is at most the running sum
// and Fast2Sum gives each addition's error exactly; S = (s - 1) + c in double. A NaN anywhere in a
// slice, +inf, or a slice all -inf makes S NaN.

// Running state of kWidth slices (or one, broadcast): the shifted maximum and the sums.
struct SoftmaxLanes {
  Vec m, floor, s, c;
};

static inline SoftmaxLanes softmax_start(Vec m) {
  return {m, vsub(m, vadd(vset1(120.f), vabs(m))), vset1(1.f), vzero()};
}

// e^(x - m), added to the sums.
static inline Vec softmax_term(SoftmaxLanes& st, Vec x) {
  Vec lo;
  const Vec d = two_sum(vmax(st.floor, x), vneg(st.m), &lo);  // (vmax keeps a NaN x)
  const ExpParts e = exp_reduced(vmax(vset1(kExpMin), d), lo);
  const Vec v = vldexp(e.p, e.n), t = vadd(st.s, v);
  st.c = vadd(st.c, vsub(v, vsub(t, st.s)));
  st.s = t;
  return v;
}

// (x - m) - log(S) with x - m = hi + lo (lo = 0 where hi is -inf or NaN): both terms are <= 0, so
// the sum keeps the relative accuracy of each.
static inline Vec log_softmax_value(Vec x, Vec m, Vec log_sum) {
  Vec lo;
  const Vec d = two_sum(x, vneg(m), &lo);
  lo = vselect(vlt(vabs(d), vset1(__builtin_inff())), lo, vzero());
  return vadd(vsub(d, log_sum), lo);
}

// Per lane, from S - 1 = (s - 2) + c formed in double: 1 / S (softmax), or log(S) (log_softmax).
static inline Vec softmax_scale(const SoftmaxLanes& st, bool log) {
  float sb[kWidth], cb[kWidth];
  vstoreu(sb, st.s);
  vstoreu(cb, st.c);
  for (int l = 0; l < kWidth; ++l) {
    const double sum_m1 = (double(sb[l]) - 2.0) + double(cb[l]);  // S - 1 (s includes the 1 it started at)
    sb[l] = float(log ? sum_m1 : 1.0 / (1.0 + sum_m1));
  }
  return log ? vlog1p_nonneg(vloadu(sb)) : vloadu(sb);
}

// Packet access to kWidth adjacent slices, or (One) to a single slice broadcast to every lane.
template <bool One>
static inline Vec load_lanes(const float* p) {
  if constexpr (One) return vset1(*p);
  else return vloadu(p);
}
template <bool One>
static inline void store_lanes(float* p, Vec v) {
  if constexpr (One) {
    float buf[kWidth];
    vstoreu(buf, v);
    *p = buf[0];
  } else {
    vstoreu(p, v);
  }
}

// NV packets of adjacent slices x[k * inner + l] (or One slice), walked row by row in k.
template <int NV, bool One>
static void softmax_columns(int64_t axis, int64_t inner, const float* x, float* y, bool log) {
  Vec m[NV];
  for (int v = 0; v < NV; ++v) m[v] = vset1(-__builtin_inff());
  for (int64_t k = 0; k < axis; ++k)
    for (int v = 0; v < NV; ++v) m[v] = vmax(m[v], load_lanes<One>(x + k * inner + v * kWidth));
  SoftmaxLanes st[NV];
  for (int v = 0; v < NV; ++v) st[v] = softmax_start(m[v]);
  for (int64_t k = 0; k < axis; ++k)
    for (int v = 0; v < NV; ++v) {
      const Vec e = softmax_term(st[v], load_lanes<One>(x + k * inner + v * kWidth));
      if (!log) store_lanes<One>(y + k * inner + v * kWidth, e);
    }
  Vec scale[NV];
  for (int v = 0; v < NV; ++v) scale[v] = softmax_scale(st[v], log);
  for (int64_t k = 0; k < axis; ++k)
    for (int v = 0; v < NV; ++v) {
      const int64_t i = k * inner + v * kWidth;
      store_lanes<One>(y + i, log ? log_softmax_value(load_lanes<One>(x + i), m[v], scale[v])
                                  : vmul(load_lanes<One>(y + i), scale[v]));
    }
}

static void softmax_lanes(int64_t axis, int64_t inner, int64_t lanes, const float* x, float* y, bool log) {
  constexpr int kBlock = kSoftmaxLanes / kWidth;
  static_assert(kBlock * kWidth == kSoftmaxLanes, "kSoftmaxLanes is a multiple of every width");
  if (lanes == kSoftmaxLanes) return softmax_columns<kBlock, false>(axis, inner, x, y, log);
  int64_t l = 0;
  for (; l + kWidth <= lanes; l += kWidth) softmax_columns<1, false>(axis, inner, x + l, y + l, log);
  for (; l < lanes; ++l) softmax_columns<1, true>(axis, inner, x + l, y + l, log);
}

// One contiguous row: packets along the row, the tail padded with -inf (e^(x - m) = 0); the lanes'
// sums are added in lane order.
static void softmax_row(int64_t axis, const float* x, float* y, bool log) {
  const int64_t full = axis / kWidth * kWidth, rest = axis - full;
  float buf[kWidth];
  Vec mv = vset1(-__builtin_inff());
  for (int64_t i = 0; i < full; i += kWidth) mv = vmax(mv, vloadu(x + i));
  vstoreu(buf, mv);
  float m = buf[0];
  for (int l = 1; l < kWidth; ++l) m = buf[l] > m ? buf[l] : m;
  for (int64_t i = full; i < axis; ++i) m = x[i] > m ? x[i] : m;
  SoftmaxLanes st = softmax_start(vset1(m));
  for (int64_t i = 0; i < full; i += kWidth) {
    const Vec e = softmax_term(st, vloadu(x + i));
    if (!log) vstoreu(y + i, e);
  }
  if (rest) {
    for (int l = 0; l < kWidth; ++l) buf[l] = l < rest ? x[full + l] : -__builtin_inff();
    vstoreu(buf, softmax_term(st, vloadu(buf)));
    if (!log) memcpy(y + full, buf, sizeof(float) * rest);
  }
  float sb[kWidth], cb[kWidth];
  vstoreu(sb, st.s);
  vstoreu(cb, st.c);
  // S - 1 = sum over lanes of (s - 1 + c), minus 1 (the maximum's term), with TwoSum in double so
  // that it keeps its relative accuracy when S is near 1.
  double hi = 0.0, lo = 0.0;
  for (int l = 0; l < kWidth; ++l) {
    const double t = double(sb[l]) - 1.0, sum = hi + t, bb = sum - hi;
    lo += ((hi - (sum - bb)) + (t - bb)) + double(cb[l]);
    hi = sum;
  }
  const double sum_m1 = (hi - 1.0) + lo;
  if (log) {
    const Vec log_sum = vlog1p_nonneg(vset1(float(sum_m1)));
    map_packets(x, y, axis, [&](Vec v) { return log_softmax_value(v, st.m, log_sum); });
  } else {
    const float inv = float(1.0 / (1.0 + sum_m1));
    map_packets(y, y, axis, [inv](Vec v) { return vmul(v, vset1(inv)); });
  }
}
