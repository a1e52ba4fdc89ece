// A small packet vocabulary, specialised by the ISA flags of the translation unit that includes it.
// Every kernel is written once against these verbs. Include only inside the per-ISA namespace
// `cvcore::cpu::CVCORE_ISA_NS` (kernels_<isa>.cpp sets it) so that the same inline names compiled
// with different flags never meet at link time.
#pragma once
// (kernels.inl includes <immintrin.h> outside the namespace.)

#if defined(__AVX512F__)
struct Vec {
  __m512 v;
};
constexpr int kWidth = 16;
static inline Vec vzero() { return {_mm512_setzero_ps()}; }
static inline Vec vset1(float x) { return {_mm512_set1_ps(x)}; }
static inline Vec vloadu(const float* p) { return {_mm512_loadu_ps(p)}; }
static inline void vstoreu(float* p, Vec a) { _mm512_storeu_ps(p, a.v); }
// p[0], ..., p[kWidth - 1] as floats.
static inline Vec vload_u8(const uint8_t* p) {
  return {_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))))};
}
static inline Vec vadd(Vec a, Vec b) { return {_mm512_add_ps(a.v, b.v)}; }
static inline Vec vmul(Vec a, Vec b) { return {_mm512_mul_ps(a.v, b.v)}; }
static inline Vec vfma(Vec a, Vec b, Vec c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
// vmax(a, b) / vmin(a, b) return b when either is NaN (the x86 rule); callers put the value that
// must propagate NaN second.
static inline Vec vmax(Vec a, Vec b) { return {_mm512_max_ps(a.v, b.v)}; }
static inline Vec vmin(Vec a, Vec b) { return {_mm512_min_ps(a.v, b.v)}; }
static inline float vsum(Vec a) { return _mm512_reduce_add_ps(a.v); }
// p[0], p[2], ..., p[2 * (kWidth - 1)]; reads p[0 .. 2 * kWidth - 1].
static inline Vec vload_even(const float* p) {
  const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  return {_mm512_permutex2var_ps(_mm512_loadu_ps(p), idx, _mm512_loadu_ps(p + 16))};
}
// base[idx[0]], ..., base[idx[kWidth - 1]].
static inline Vec vgather(const float* base, const int32_t* idx) {
  return {_mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4)};
}
// even = a[0], a[2], ..., b[0], b[2], ...; odd = a[1], a[3], ..., b[1], b[3], ...
static inline void vdeinterleave(Vec a, Vec b, Vec* even, Vec* odd) {
  const __m512i e = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i o = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  even->v = _mm512_permutex2var_ps(a.v, e, b.v);
  odd->v = _mm512_permutex2var_ps(a.v, o, b.v);
}
// rows[i][j] <- rows[j][i]: a kWidth x kWidth transpose.
static inline void vtranspose(Vec* rows) {
  alignas(64) float t[16][16];
  for (int i = 0; i < 16; ++i) _mm512_store_ps(t[i], rows[i].v);
  const __m512i column = _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240);
  for (int j = 0; j < 16; ++j) rows[j].v = _mm512_i32gather_ps(column, &t[0][j], 4);
}
// p[2 * i] = a[i], p[2 * i + 1] = b[i] for i < kWidth (writes 2 * kWidth floats).
static inline void vstore_interleave(float* p, Vec a, Vec b) {
  const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  _mm512_storeu_ps(p, _mm512_permutex2var_ps(a.v, lo, b.v));
  _mm512_storeu_ps(p + 16, _mm512_permutex2var_ps(a.v, hi, b.v));
}
// Elementwise math verbs (math.inl).
static inline Vec vsub(Vec a, Vec b) { return {_mm512_sub_ps(a.v, b.v)}; }
static inline Vec vdiv(Vec a, Vec b) { return {_mm512_div_ps(a.v, b.v)}; }
static inline Vec vxor(Vec a, Vec b) {
  return {_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a.v), _mm512_castps_si512(b.v)))};
}
static inline Vec vor(Vec a, Vec b) {
  return {_mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a.v), _mm512_castps_si512(b.v)))};
}
static inline Vec vabs(Vec a) { return {_mm512_abs_ps(a.v)}; }
// a & -0.0f: the sign bit alone.
static inline Vec vsignbit(Vec a) {
  return {_mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(INT32_MIN)))};
}
// Nearest integer, ties to even (|a| < 2^22 for the generic version).
static inline Vec vround(Vec a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
// a * 2^n for integral n in [-160, 160], rounded once (gradual underflow, overflow to inf).
static inline Vec vldexp(Vec a, Vec n) { return {_mm512_scalef_ps(a.v, n.v)}; }
// hi + lo == a * b exactly (hi = a * b rounded), for finite products that do not underflow.
static inline Vec vtwo_prod(Vec a, Vec b, Vec* lo) {
  const __m512 hi = _mm512_mul_ps(a.v, b.v);
  lo->v = _mm512_fmsub_ps(a.v, b.v, hi);
  return {hi};
}
// Comparisons (false when either side is NaN) and a lane select.
typedef __mmask16 Mask;
static inline Mask vlt(Vec a, Vec b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ); }
static inline Mask vle(Vec a, Vec b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LE_OQ); }
static inline Mask veq(Vec a, Vec b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ); }
// m ? a : b lane by lane.
static inline Vec vselect(Mask m, Vec a, Vec b) { return {_mm512_mask_blend_ps(m, b.v, a.v)}; }
#elif defined(__AVX2__) && defined(__FMA__)
struct Vec {
  __m256 v;
};
constexpr int kWidth = 8;
static inline Vec vzero() { return {_mm256_setzero_ps()}; }
static inline Vec vset1(float x) { return {_mm256_set1_ps(x)}; }
static inline Vec vloadu(const float* p) { return {_mm256_loadu_ps(p)}; }
static inline void vstoreu(float* p, Vec a) { _mm256_storeu_ps(p, a.v); }
static inline Vec vload_u8(const uint8_t* p) {
  return {_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))))};
}
static inline Vec vadd(Vec a, Vec b) { return {_mm256_add_ps(a.v, b.v)}; }
static inline Vec vmul(Vec a, Vec b) { return {_mm256_mul_ps(a.v, b.v)}; }
static inline Vec vfma(Vec a, Vec b, Vec c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
static inline Vec vmax(Vec a, Vec b) { return {_mm256_max_ps(a.v, b.v)}; }
static inline Vec vmin(Vec a, Vec b) { return {_mm256_min_ps(a.v, b.v)}; }
static inline float vsum(Vec a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
static inline Vec vload_even(const float* p) {
  const __m256 t = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
  return {_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)))};
}
static inline void vdeinterleave(Vec a, Vec b, Vec* even, Vec* odd) {
  constexpr int order = _MM_SHUFFLE(3, 1, 2, 0);  // (a0 a2) (b0 b2) (a4 a6) (b4 b6) -> a's, then b's
  const __m256 e = _mm256_shuffle_ps(a.v, b.v, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 o = _mm256_shuffle_ps(a.v, b.v, _MM_SHUFFLE(3, 1, 3, 1));
  even->v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), order));
  odd->v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), order));
}
// rows[i][j] <- rows[j][i]: a kWidth x kWidth transpose.
static inline void vtranspose(Vec* r) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0].v, r[1].v), t1 = _mm256_unpackhi_ps(r[0].v, r[1].v);
  const __m256 t2 = _mm256_unpacklo_ps(r[2].v, r[3].v), t3 = _mm256_unpackhi_ps(r[2].v, r[3].v);
  const __m256 t4 = _mm256_unpacklo_ps(r[4].v, r[5].v), t5 = _mm256_unpackhi_ps(r[4].v, r[5].v);
  const __m256 t6 = _mm256_unpacklo_ps(r[6].v, r[7].v), t7 = _mm256_unpackhi_ps(r[6].v, r[7].v);
  constexpr int lo = _MM_SHUFFLE(1, 0, 1, 0), hi = _MM_SHUFFLE(3, 2, 3, 2);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, lo), u1 = _mm256_shuffle_ps(t0, t2, hi);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, lo), u3 = _mm256_shuffle_ps(t1, t3, hi);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, lo), u5 = _mm256_shuffle_ps(t4, t6, hi);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, lo), u7 = _mm256_shuffle_ps(t5, t7, hi);
  r[0].v = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1].v = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2].v = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3].v = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4].v = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5].v = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6].v = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7].v = _mm256_permute2f128_ps(u3, u7, 0x31);
}
// p[2 * i] = a[i], p[2 * i + 1] = b[i] for i < kWidth (writes 2 * kWidth floats).
static inline void vstore_interleave(float* p, Vec a, Vec b) {
  const __m256 lo = _mm256_unpacklo_ps(a.v, b.v), hi = _mm256_unpackhi_ps(a.v, b.v);
  _mm256_storeu_ps(p, _mm256_permute2f128_ps(lo, hi, 0x20));
  _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
}
// base[idx[0]], ..., base[idx[kWidth - 1]]. Scalar loads: AVX2 gathers are slow on AMD Zen.
static inline Vec vgather(const float* base, const int32_t* idx) {
  return {_mm256_setr_ps(base[idx[0]], base[idx[1]], base[idx[2]], base[idx[3]], base[idx[4]], base[idx[5]],
                         base[idx[6]], base[idx[7]])};
}
static inline Vec vsub(Vec a, Vec b) { return {_mm256_sub_ps(a.v, b.v)}; }
static inline Vec vdiv(Vec a, Vec b) { return {_mm256_div_ps(a.v, b.v)}; }
static inline Vec vxor(Vec a, Vec b) { return {_mm256_xor_ps(a.v, b.v)}; }
static inline Vec vor(Vec a, Vec b) { return {_mm256_or_ps(a.v, b.v)}; }
static inline Vec vabs(Vec a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.f), a.v)}; }
static inline Vec vsignbit(Vec a) { return {_mm256_and_ps(_mm256_set1_ps(-0.f), a.v)}; }
static inline Vec vround(Vec a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
// Two steps of 2^(n/2) so that results in the subnormal range are rounded once.
static inline Vec vldexp(Vec a, Vec n) {
  const __m256i ni = _mm256_cvtps_epi32(n.v), n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return {_mm256_mul_ps(_mm256_mul_ps(a.v, s1), s2)};
}
static inline Vec vtwo_prod(Vec a, Vec b, Vec* lo) {
  const __m256 hi = _mm256_mul_ps(a.v, b.v);
  lo->v = _mm256_fmsub_ps(a.v, b.v, hi);
  return {hi};
}
struct Mask {
  __m256 m;
};
static inline Mask vlt(Vec a, Vec b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ)}; }
static inline Mask vle(Vec a, Vec b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LE_OQ)}; }
static inline Mask veq(Vec a, Vec b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ)}; }
static inline Vec vselect(Mask m, Vec a, Vec b) { return {_mm256_blendv_ps(b.v, a.v, m.m)}; }
#else
// Portable baseline: GCC/Clang vector extensions (SSE2 on x86-64, NEON or scalar elsewhere).
typedef float Vec4 __attribute__((vector_size(16), aligned(4)));
struct Vec {
  Vec4 v;
};
constexpr int kWidth = 4;
static inline Vec vzero() { return {Vec4{0.f, 0.f, 0.f, 0.f}}; }
static inline Vec vset1(float x) { return {Vec4{x, x, x, x}}; }
static inline Vec vloadu(const float* p) {
  Vec4 r;
  __builtin_memcpy(&r, p, sizeof(r));
  return {r};
}
static inline void vstoreu(float* p, Vec a) { __builtin_memcpy(p, &a.v, sizeof(a.v)); }
static inline Vec vload_u8(const uint8_t* p) { return {Vec4{float(p[0]), float(p[1]), float(p[2]), float(p[3])}}; }
static inline Vec vadd(Vec a, Vec b) { return {a.v + b.v}; }
static inline Vec vmul(Vec a, Vec b) { return {a.v * b.v}; }
static inline Vec vfma(Vec a, Vec b, Vec c) { return {a.v * b.v + c.v}; }
static inline Vec vmax(Vec a, Vec b) { return {a.v > b.v ? a.v : b.v}; }
static inline Vec vmin(Vec a, Vec b) { return {a.v < b.v ? a.v : b.v}; }
static inline float vsum(Vec a) { return (a.v[0] + a.v[1]) + (a.v[2] + a.v[3]); }
static inline Vec vload_even(const float* p) { return {Vec4{p[0], p[2], p[4], p[6]}}; }
static inline void vdeinterleave(Vec a, Vec b, Vec* even, Vec* odd) {
  even->v = Vec4{a.v[0], a.v[2], b.v[0], b.v[2]};
  odd->v = Vec4{a.v[1], a.v[3], b.v[1], b.v[3]};
}
// rows[i][j] <- rows[j][i]: a kWidth x kWidth transpose.
static inline void vtranspose(Vec* rows) {
  Vec t[4];
  for (int i = 0; i < 4; ++i) t[i] = {Vec4{rows[0].v[i], rows[1].v[i], rows[2].v[i], rows[3].v[i]}};
  for (int i = 0; i < 4; ++i) rows[i] = t[i];
}
// p[2 * i] = a[i], p[2 * i + 1] = b[i] for i < kWidth (writes 2 * kWidth floats).
static inline void vstore_interleave(float* p, Vec a, Vec b) {
  for (int i = 0; i < 4; ++i) p[2 * i] = a.v[i], p[2 * i + 1] = b.v[i];
}
// base[idx[0]], ..., base[idx[kWidth - 1]].
static inline Vec vgather(const float* base, const int32_t* idx) {
  return {Vec4{base[idx[0]], base[idx[1]], base[idx[2]], base[idx[3]]}};
}
typedef int32_t Vec4i __attribute__((vector_size(16)));
static inline Vec vsub(Vec a, Vec b) { return {a.v - b.v}; }
static inline Vec vdiv(Vec a, Vec b) { return {a.v / b.v}; }
static inline Vec vxor(Vec a, Vec b) { return {(Vec4)((Vec4i)a.v ^ (Vec4i)b.v)}; }
static inline Vec vor(Vec a, Vec b) { return {(Vec4)((Vec4i)a.v | (Vec4i)b.v)}; }
static inline Vec vabs(Vec a) { return {(Vec4)((Vec4i)a.v & INT32_MAX)}; }
static inline Vec vsignbit(Vec a) { return {(Vec4)((Vec4i)a.v & INT32_MIN)}; }
// 1.5 * 2^23: adding and subtracting it rounds to an integer (ties to even) for |a| < 2^22.
static inline Vec vround(Vec a) {
  const Vec4 magic = {12582912.f, 12582912.f, 12582912.f, 12582912.f};
  return {(a.v + magic) - magic};
}
static inline Vec vldexp(Vec a, Vec n) {
  const Vec4i ni = __builtin_convertvector(n.v, Vec4i), n1 = ni >> 1, n2 = ni - n1;
  return {a.v * (Vec4)((n1 + 127) << 23) * (Vec4)((n2 + 127) << 23)};
}
// Without a fused multiply-add: the product is exact in double.
static inline Vec vtwo_prod(Vec a, Vec b, Vec* lo) {
  Vec hi;
  for (int i = 0; i < 4; ++i) {
    const double p = double(a.v[i]) * double(b.v[i]);
    hi.v[i] = float(p);
    lo->v[i] = float(p - double(hi.v[i]));
  }
  return hi;
}
struct Mask {
  Vec4i m;
};
static inline Mask vlt(Vec a, Vec b) { return {a.v < b.v}; }
static inline Mask vle(Vec a, Vec b) { return {a.v <= b.v}; }
static inline Mask veq(Vec a, Vec b) { return {a.v == b.v}; }
static inline Vec vselect(Mask m, Vec a, Vec b) { return {m.m ? a.v : b.v}; }
#endif
