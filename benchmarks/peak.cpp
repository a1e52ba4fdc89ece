// Measured fp32 FMA peak of this CPU: register-only FMA chains (12 AVX2 or 24 AVX-512
// accumulators, enough to cover the FMA latency on two pipes), 1 and 2 threads.
//   g++ -O2 -fopenmp benchmarks/peak.cpp -o /tmp/peak && /tmp/peak
// bench_conv.py --peak-avx2 / --peak-avx512 take these numbers to print % of peak.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>

__attribute__((noinline, target("avx2,fma"))) static float chains_avx2(long iters) {
  __m256 acc[12];
  const __m256 b = _mm256_set1_ps(1.0000001f), c = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(float(i));
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], b, c);
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  return _mm256_cvtss_f32(s);
}

__attribute__((noinline, target("avx512f"))) static float chains_avx512(long iters) {
  __m512 acc[24];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(float(i));
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

template <typename F>
static void report(const char* name, F chains, double flop_per_iter, int threads) {
  const long iters = 20000000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    float sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += chains(iters);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double gflops = flop_per_iter * iters * threads / s / 1e9;
    if (gflops > best) best = gflops;
    if (sink == 42.f) std::printf(" ");  // keeps the result alive
  }
  std::printf("%-7s threads=%d  peak %.1f GFLOP/s\n", name, threads, best);
}

int main() {
  for (int t = 1; t <= 2; ++t) report("avx2", chains_avx2, 12 * 8 * 2, t);
  if (__builtin_cpu_supports("avx512f"))
    for (int t = 1; t <= 2; ++t) report("avx512", chains_avx512, 24 * 16 * 2, t);
}
