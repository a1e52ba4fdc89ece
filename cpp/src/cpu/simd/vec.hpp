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
#elif defined(__AVX2__) && defined(__FMA__)
struct Vec {
  __m256 v;
};
constexpr int kWidth = 8;
static inline Vec vzero() { return {_mm256_setzero_ps()}; }
static inline Vec vset1(float x) { return {_mm256_set1_ps(x)}; }
static inline Vec vloadu(const float* p) { return {_mm256_loadu_ps(p)}; }
static inline void vstoreu(float* p, Vec a) { _mm256_storeu_ps(p, a.v); }
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
static inline Vec vadd(Vec a, Vec b) { return {a.v + b.v}; }
static inline Vec vmul(Vec a, Vec b) { return {a.v * b.v}; }
static inline Vec vfma(Vec a, Vec b, Vec c) { return {a.v * b.v + c.v}; }
static inline Vec vmax(Vec a, Vec b) { return {a.v > b.v ? a.v : b.v}; }
static inline Vec vmin(Vec a, Vec b) { return {a.v < b.v ? a.v : b.v}; }
static inline float vsum(Vec a) { return (a.v[0] + a.v[1]) + (a.v[2] + a.v[3]); }
static inline Vec vload_even(const float* p) { return {Vec4{p[0], p[2], p[4], p[6]}}; }
#endif
