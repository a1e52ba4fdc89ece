#include "cvcore/runtime.hpp"

#include <atomic>
#include <cstdlib>

#include "checks.hpp"
#include "cpu/simd/kernels.hpp"
#include "cvcore/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef CVCORE_VERSION
#define CVCORE_VERSION "unknown"
#endif

namespace cvcore {
namespace {

constexpr detail::Named<Isa> kIsas[] = {{"generic", Isa::generic}, {"avx2", Isa::avx2}, {"avx512", Isa::avx512}};

int default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

std::atomic<int>& thread_setting() {
  static std::atomic<int> n{default_threads()};
  return n;
}

Isa best_supported() {
  Isa best = Isa::generic;
  for (Isa isa : compiled_isas())
    if (isa_supported(isa)) best = isa;
  return best;
}

Isa initial_isa() {
  const char* env = std::getenv("CVCORE_ISA");
  if (env && *env) {
    try {
      const Isa requested = parse_isa(env, "CVCORE_ISA");
      if (isa_supported(requested)) return requested;
    } catch (const Error&) {
      // An unknown name falls back to the best ISA; build_info() shows what runs.
    }
  }
  return best_supported();
}

std::atomic<Isa>& isa_setting() {
  static std::atomic<Isa> isa{initial_isa()};
  return isa;
}

}  // namespace

void set_num_threads(int64_t n) {
  check(n >= 1 && n <= kMaxThreads, "set_num_threads: n must be in [1, ", kMaxThreads, "], got ", n);
  thread_setting() = static_cast<int>(n);
}

int get_num_threads() { return thread_setting(); }

const char* isa_name(Isa isa) { return detail::name_of(kIsas, isa); }

Isa parse_isa(const std::string& name, const char* op) { return detail::parse_named(kIsas, name, op, "isa"); }

std::vector<Isa> compiled_isas() {
  std::vector<Isa> isas{Isa::generic};
#if defined(CVCORE_HAVE_AVX2)
  isas.push_back(Isa::avx2);
#endif
#if defined(CVCORE_HAVE_AVX512)
  isas.push_back(Isa::avx512);
#endif
  return isas;
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::generic: return true;
#if defined(__x86_64__) || defined(__i386__)
    // libgcc's checks include the OS's XSAVE support for the wider registers.
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
#if defined(CVCORE_HAVE_AVX512)
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#else
      return false;
#endif
#else
    default: return false;
#endif
  }
  return false;
}

Isa active_isa() { return isa_setting(); }

void set_isa(Isa isa) {
  bool compiled = false;
  for (Isa c : compiled_isas()) compiled = compiled || c == isa;
  check(compiled, "set_isa: ISA '", isa_name(isa), "' was not compiled into this build");
  check(isa_supported(isa), "set_isa: this CPU does not support ISA '", isa_name(isa), "'");
  isa_setting() = isa;
}

BuildInfo build_info() {
  BuildInfo info;
  info.version = CVCORE_VERSION;
#if defined(__clang__)
  info.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  info.compiler = "gcc " __VERSION__;
#else
  info.compiler = "unknown";
#endif
  for (Isa isa : compiled_isas()) info.isas_compiled.push_back(isa_name(isa));
  info.isa_active = isa_name(active_isa());
#ifdef _OPENMP
  info.openmp = true;
#endif
#ifdef CVCORE_WITH_CUDA
  info.cuda = true;
#endif
  return info;
}

namespace cpu {

const Kernels& active_kernels() {
  switch (active_isa()) {
#if defined(CVCORE_HAVE_AVX512)
    case Isa::avx512: return kernels_avx512;
#endif
#if defined(CVCORE_HAVE_AVX2)
    case Isa::avx2: return kernels_avx2;
#endif
    default: return kernels_generic;
  }
}

}  // namespace cpu
}  // namespace cvcore
