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

// x - m as hi + lo (lo = 0 where hi is not finite).
static inline Vec minus_max(Vec x, Vec m, Vec* lo) {
  const Vec d = two_sum(x, vneg(m), lo);
  *lo = vselect(vlt(vabs(d), vset1(__builtin_inff())), *lo, vzero());
  return d;
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

// Per lane: from the compensated sum s + c of exp(x - m), the scale applied in the last pass:
// 1 / sum (softmax) or log(sum) (log_softmax), formed in double and rounded once.
static inline Vec finish_sum(Vec s, Vec c, bool log) {
  float sb[kWidth], cb[kWidth];
  vstoreu(sb, s);
  vstoreu(cb, c);
  for (int l = 0; l < kWidth; ++l) {
    const double sum = double(sb[l]) + double(cb[l]);
    sb[l] = float(log ? __builtin_log(sum) : 1.0 / sum);
  }
  return vloadu(sb);
}

// Slices x[k * inner + l], k < axis, for the kWidth lanes l (or one lane): max, then the
// compensated sum of exp(x - max) in k order (softmax stores the exponentials on the way), then
// the output. A NaN anywhere in a slice, +inf, or a slice all -inf makes its sum NaN.
template <bool One>
static void softmax_columns(int64_t axis, int64_t inner, const float* x, float* y, bool log) {
  Vec m = vset1(-__builtin_inff());
  for (int64_t k = 0; k < axis; ++k) m = vmax(m, load_lanes<One>(x + k * inner));
  Vec s = vzero(), c = vzero();
  for (int64_t k = 0; k < axis; ++k) {
    Vec lo, err;
    const Vec d = minus_max(load_lanes<One>(x + k * inner), m, &lo);
    const Vec e = vexp(d, lo);
    s = two_sum(s, e, &err);
    c = vadd(c, err);
    if (!log) store_lanes<One>(y + k * inner, e);
  }
  const Vec scale = finish_sum(s, c, log);
  for (int64_t k = 0; k < axis; ++k) {
    if (log) {
      Vec lo;
      const Vec d = minus_max(load_lanes<One>(x + k * inner), m, &lo);
      store_lanes<One>(y + k * inner, vadd(vsub(d, scale), lo));
    } else {
      store_lanes<One>(y + k * inner, vmul(load_lanes<One>(y + k * inner), scale));
    }
  }
}

static void softmax_lanes(int64_t axis, int64_t inner, int64_t lanes, const float* x, float* y, bool log) {
  int64_t l = 0;
  for (; l + kWidth <= lanes; l += kWidth) softmax_columns<false>(axis, inner, x + l, y + l, log);
  for (; l < lanes; ++l) softmax_columns<true>(axis, inner, x + l, y + l, log);
}

// One contiguous row: packets along the row, the tail padded with -inf (exp gives 0); the lanes'
// compensated sums are added in lane order.
static void softmax_row(int64_t axis, const float* x, float* y, bool log) {
  const int64_t full = axis / kWidth * kWidth, rest = axis - full;
  float buf[kWidth];
  Vec mv = vset1(-__builtin_inff());
  for (int64_t i = 0; i < full; i += kWidth) mv = vmax(mv, vloadu(x + i));
  vstoreu(buf, mv);
  float m = buf[0];
  for (int l = 1; l < kWidth; ++l) m = buf[l] > m ? buf[l] : m;
  for (int64_t i = full; i < axis; ++i) m = x[i] > m ? x[i] : m;
  const Vec mvec = vset1(m);
  Vec s = vzero(), c = vzero();
  const auto accumulate = [&](const float* xp, float* yp) {
    Vec lo, err;
    const Vec d = minus_max(vloadu(xp), mvec, &lo);
    const Vec e = vexp(d, lo);
    s = two_sum(s, e, &err);
    c = vadd(c, err);
    if (!log) vstoreu(yp, e);
  };
  for (int64_t i = 0; i < full; i += kWidth) accumulate(x + i, y + i);
  if (rest) {
    for (int l = 0; l < kWidth; ++l) buf[l] = l < rest ? x[full + l] : -__builtin_inff();
    accumulate(buf, buf);
    if (!log) memcpy(y + full, buf, sizeof(float) * rest);
  }
  float sb[kWidth], cb[kWidth];
  vstoreu(sb, s);
  vstoreu(cb, c);
  double sum = 0.0;
  for (int l = 0; l < kWidth; ++l) sum += double(sb[l]) + double(cb[l]);
  if (log) {
    const Vec lsum = vset1(float(__builtin_log(sum)));
    map_packets(x, y, axis, [&](Vec v) {
      Vec lo;
      const Vec d = minus_max(v, mvec, &lo);
      return vadd(vsub(d, lsum), lo);
    });
  } else {
    const float inv = float(1.0 / sum);
    map_packets(y, y, axis, [inv](Vec v) { return vmul(v, vset1(inv)); });
  }
}
