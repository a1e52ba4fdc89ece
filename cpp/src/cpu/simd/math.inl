// Float32 packet math for the activation and softmax kernels (activation.inl): exp, expm1,
// log1p on [0, 1], tanh, sigmoid and the Gaussian tail, each a fixed sequence of lane-wise packet
// operations, so a lane's result depends on that lane's input alone.
//
// exp reduces x = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite, ln2 in two parts), evaluates a
// degree-6 polynomial for e^r and scales by 2^n in a way that rounds subnormal results once.
// Arguments that must be known beyond float precision (x - max in softmax, x^2 / 2 in gelu, the
// tanh-gelu argument, beta * x in softplus) are carried as unevaluated sums hi + lo.
// The polynomials below are our own near-minimax fits (weighted least squares on Chebyshev nodes
// against 30-digit references). Measured end-to-end errors: python/cvcore/ops/activation.py.

constexpr float kLog2e = 1.44269502163f;
constexpr float kLn2Hi = 0.693145751953125f;  // 16 significant bits: n * kLn2Hi is exact
constexpr float kLn2Lo = 1.428606765330187e-06f;
// exp(x) is 0 below and inf above these (also the clamp that keeps 2^n in vldexp's range).
constexpr float kExpMin = -110.f, kExpMax = 100.f;

static inline Vec vneg(Vec a) { return vxor(a, vset1(-0.f)); }

// s = a + b rounded, *err = (a + b) - s exactly (Knuth's TwoSum; finite a, b).
static inline Vec two_sum(Vec a, Vec b, Vec* err) {
  const Vec s = vadd(a, b), bb = vsub(s, a);
  *err = vadd(vsub(a, vsub(s, bb)), vsub(b, bb));
  return s;
}

// e^r - 1 - r = r^2 q(r) on |r| <= 0.347: relative error of q below 1.3e-7.
static inline Vec exp_q(Vec r) {
  Vec q = vfma(vset1(1.39012712e-3f), r, vset1(8.36314540e-3f));
  q = vfma(q, r, vset1(4.16668542e-2f));
  q = vfma(q, r, vset1(1.66665778e-1f));
  return vfma(q, r, vset1(0.5f));
}

// e^(hi + lo) = p * 2^n (apply with vldexp); hi is clamped to [kExpMin, kExpMax] and a NaN
// passes through p.
struct ExpParts {
  Vec p, n;
};

// hi in [-250, 100], lo finite and small against hi.
static inline ExpParts exp_reduced(Vec hi, Vec lo) {
  const Vec n = vround(vmul(hi, vset1(kLog2e)));
  Vec r = vfma(n, vset1(-kLn2Hi), hi);
  r = vadd(vfma(n, vset1(-kLn2Lo), r), lo);
  // e^r = 1 + (r + r^2 q(r))
  return {vadd(vset1(1.f), vfma(vmul(r, r), exp_q(r), r)), n};
}

static inline Vec exp_clamp(Vec x) { return vmin(vset1(kExpMax), vmax(vset1(kExpMin), x)); }

static inline ExpParts exp_parts(Vec x) {
  const Vec xc = exp_clamp(x);
  const Vec n = vround(vmul(xc, vset1(kLog2e)));
  const Vec r = vfma(n, vset1(-kLn2Lo), vfma(n, vset1(-kLn2Hi), xc));
  return {vadd(vset1(1.f), vfma(vmul(r, r), exp_q(r), r)), n};
}

// lo must be small against hi; it is ignored where hi is infinite or NaN, and where |lo| >= 1: only a
// hi far past the clamp has so large a rounding error (softplus's beta * x of -3.6e27), and there
// e^hi is 0 or infinite whatever lo is, while lo added to the clamped hi would leave the polynomial's
// range (NaN).
static inline ExpParts exp_parts(Vec hi, Vec lo) {
  lo = vselect(vlt(vabs(hi), vset1(1e30f)), lo, vzero());
  lo = vselect(vlt(vabs(lo), vset1(1.f)), lo, vzero());
  return exp_reduced(exp_clamp(hi), lo);
}

static inline Vec vexp(Vec x) {
  const ExpParts e = exp_parts(x);
  return vldexp(e.p, e.n);
}

static inline Vec vexp(Vec hi, Vec lo) {
  const ExpParts e = exp_parts(hi, lo);
  return vldexp(e.p, e.n);
}

// e^x - 1 for x in [-25, 20] (callers clamp; NaN passes), without cancellation:
// 2^n (e^r - 1) + (2^n - 1). The sign of a zero x is kept.
static inline Vec expm1_clamped(Vec x) {
  const Vec n = vround(vmul(x, vset1(kLog2e)));
  Vec r = vfma(n, vset1(-kLn2Hi), x);
  r = vfma(n, vset1(-kLn2Lo), r);
  const Vec q = vfma(vmul(r, r), exp_q(r), r);
  const Vec s = vldexp(vset1(1.f), n);
  return vor(vfma(s, q, vsub(s, vset1(1.f))), vsignbit(x));
}

// log(1 + w) for w in [0, 1] (or NaN): 2 atanh(s) with s = w / (2 + w) in [0, 1/3].
static inline Vec log1p_unit(Vec w) {
  const Vec s = vdiv(w, vadd(vset1(2.f), w)), s2 = vmul(s, s), s_2 = vadd(s, s);
  // atanh(s) / s - 1 = s^2 P(s^2): relative error of P below 1e-8.
  Vec p = vfma(vset1(0.116167672f), s2, vset1(0.108522698f));
  p = vfma(p, s2, vset1(0.142962486f));
  p = vfma(p, s2, vset1(0.199998513f));
  p = vfma(p, s2, vset1(0.333333343f));
  return vfma(vmul(s_2, s2), p, s_2);
}

// log(1 + w) for w >= 0 (or NaN): log1p_unit(w) for w <= 1, which keeps the relative accuracy of
// small w; else 1 + w = 2^e f with f in [1, 2) (binary search on the exponent, for 1 + w < 2^64)
// and log = e ln 2 + log1p_unit(f - 1).
static inline Vec vlog1p_nonneg(Vec w) {
  Vec f = vadd(vset1(1.f), w), e = vzero();
  for (int k = 32; k >= 1; k /= 2) {
    const Mask big = vle(vset1(float(uint64_t(1) << k)), f);
    f = vselect(big, vldexp(f, vset1(float(-k))), f);
    e = vselect(big, vadd(e, vset1(float(k))), e);
  }
  const Vec reduced = vfma(e, vset1(kLn2Hi), vfma(e, vset1(kLn2Lo), log1p_unit(vsub(f, vset1(1.f)))));
  return vselect(vle(w, vset1(1.f)), log1p_unit(w), reduced);
}

// tanh(x) = sign(x) em / (em + 2), em = expm1(2 |x|); |x| >= 9.5 gives +-1.
static inline Vec vtanh(Vec x) {
  const Vec a = vmin(vset1(9.5f), vabs(x));
  const Vec em = expm1_clamped(vadd(a, a));
  return vor(vdiv(em, vadd(em, vset1(2.f))), vsignbit(x));
}

// 1 / (1 + e^-x) from e = e^-|x|: x < 0 ? e / (1 + e) : 1 / (1 + e).
static inline Vec vsigmoid(Vec x) {
  const Vec e = vexp(vor(x, vset1(-0.f)));
  return vdiv(vselect(vlt(x, vzero()), e, vset1(1.f)), vadd(vset1(1.f), e));
}

// m * sigmoid(t) from the parts of e = e^-|t| and the lanes where t < 0:
// t < 0 ? (m e) / (1 + e) : m / (1 + e), with m e rounded once even where it is subnormal.
// m * 2^kExpMin must round to zero (|m| <= 128).
static inline Vec mul_sigmoid(Vec m, ExpParts e, Mask t_negative) {
  const Vec num = vselect(t_negative, vldexp(vmul(e.p, m), e.n), m);
  return vdiv(num, vadd(vset1(1.f), vldexp(e.p, e.n)));
}

// x * sigmoid(x); below kExpMin the product is -0.0 (also at -inf).
static inline Vec vsilu(Vec x) {
  const Vec m = vmax(vset1(kExpMin), x);  // (a NaN stays)
  return mul_sigmoid(m, exp_parts(vor(x, vset1(-0.f))), vlt(x, vzero()));
}

// x / 2 (1 + tanh(u)) = x sigmoid(t), t = 2u = x (k1 + k3 x^2), with t in double-float so that the
// tail e^t keeps its relative accuracy. x is clamped to [-15, 20] where t is formed (beyond, the
// gate is 0 or 1 in float).
static inline Vec vgelu_tanh(Vec x) {
  const Vec k1h = vset1(1.5957691669464111f), k1l = vset1(-4.534068054340423e-08f);
  const Vec k3h = vset1(0.07135481387376785f), k3l = vset1(2.3988324659995897e-09f);
  const Vec xc = vmin(vset1(20.f), vmax(vset1(-15.f), x));
  Vec l, pe, se, wl, tl;
  const Vec h = vtwo_prod(xc, xc, &l);  // x^2 = h + l
  const Vec p = vtwo_prod(k3h, h, &pe);  // k3 x^2 = p + pe
  pe = vfma(k3l, h, vfma(k3h, l, pe));
  const Vec s = two_sum(p, k1h, &se);  // k1 + k3 x^2 = s + se
  se = vadd(se, vadd(pe, k1l));
  const Vec wh = vadd(s, se);
  wl = vsub(se, vsub(wh, s));
  const Vec th = vtwo_prod(xc, wh, &tl);
  tl = vfma(xc, wl, tl);
  // -|t| = -|th| + (th < 0 ? tl : -tl)
  const Vec ah = vor(th, vset1(-0.f)), al = vxor(tl, vsignbit(vneg(th)));
  const Mask neg = vlt(th, vzero());
  return mul_sigmoid(vselect(neg, xc, x), exp_parts(ah, al), neg);
}

// x Phi(x) with Phi the standard normal CDF. With a = min(|x|, 15) and u = 1 / (1 + 0.3 a):
// Phi(-a) = e^(-a^2 / 2) u G(u), G a degree-9 fit (g = -G below) (relative error 3.5e-9 on a in [0, 14.5]);
// then E = -a Phi(-a) (rounded once, also where subnormal) and x Phi(x) = x < 0 ? E : x + E.
static inline Vec vgelu(Vec x) {
  const Vec a = vmin(vset1(15.f), vabs(x));
  const Vec u = vdiv(vset1(1.f), vfma(vset1(0.3f), a, vset1(1.f)));
  Vec g = vfma(vset1(0.0206242073f), u, vset1(-0.112439625f));
  g = vfma(g, u, vset1(0.228223026f));
  g = vfma(g, u, vset1(-0.191797063f));
  g = vfma(g, u, vset1(0.0794338286f));
  g = vfma(g, u, vset1(-0.0961623192f));
  g = vfma(g, u, vset1(-0.078387782f));
  g = vfma(g, u, vset1(-0.110235818f));
  g = vfma(g, u, vset1(-0.119571768f));
  g = vfma(g, u, vset1(-0.119686693f));
  // -a^2 / 2 = h + l exactly; in [-112.5, 0], so e^(h + l) needs no clamp.
  Vec l;
  const Vec h = vtwo_prod(a, vmul(a, vset1(-0.5f)), &l);
  const ExpParts e = exp_reduced(h, l);
  const Vec big_e = vldexp(vmul(e.p, vmul(a, vmul(u, g))), e.n);
  return vselect(vlt(x, vzero()), big_e, vadd(x, big_e));
}

// x tanh(softplus(x)) = x (n / (n + 2)), n = w (w + 2), w = e^x; for x < 0, (x w) (w + 2) / (n + 2)
// with x w rounded once. e^x is taken at min(x, 20) (the gate is 1 in float beyond).
static inline Vec vmish(Vec x) {
  const ExpParts e = exp_parts(vmin(vset1(20.f), x));
  const Vec w = vldexp(e.p, e.n), w2 = vadd(w, vset1(2.f)), n = vmul(w, w2);
  const Vec xw = vldexp(vmul(e.p, vmax(vset1(kExpMin), x)), e.n);
  const Mask neg = vlt(x, vzero());
  const Vec r = vdiv(vselect(neg, vmul(xw, w2), n), vadd(n, vset1(2.f)));
  return vselect(neg, r, vmul(x, r));
}
