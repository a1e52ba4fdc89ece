// Threads, SIMD dispatch and build information.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cvcore {

// Number of threads every cvcore op may use, the calling thread included (default: OpenMP's default,
// the CPUs this process may run on; 1 without OpenMP). Loops run on cvcore's own worker threads, so
// other libraries' OpenMP settings do not change it. Results never depend on it. ValueError unless
// 1 <= n <= kMaxThreads: a count far beyond any machine's cores would only fail to start its threads.
constexpr int kMaxThreads = 1024;
void set_num_threads(int64_t n);
int get_num_threads();

// Interrupting long calls: a check that ops call from the calling thread about every 100 ms while
// they compute; when it returns true the op stops and throws cvcore::Interrupted. It must be cheap
// and thread-safe. Null (the default) never interrupts. The Python package installs one that
// reports Ctrl-C.
using InterruptCheck = bool (*)();
void set_interrupt_check(InterruptCheck check);
InterruptCheck interrupt_check();

// SIMD instruction sets that kernels are compiled for, best last.
enum class Isa { generic, avx2, avx512 };
const char* isa_name(Isa isa);
// ISAs compiled into this build, and those this CPU can also run.
std::vector<Isa> compiled_isas();
bool isa_supported(Isa isa);
// The ISA whose kernels run. Chosen once: the best supported one, or the CVCORE_ISA environment
// variable ("generic", "avx2", "avx512") when it names a supported ISA.
Isa active_isa();
// Switch kernels (for tests and benchmarks). Throws ValueError if `isa` is not compiled or not
// supported by this CPU.
void set_isa(Isa isa);
// "generic", "avx2" or "avx512"; ValueError naming `op`, the argument "isa", the names and the one
// received otherwise.
Isa parse_isa(const std::string& name, const char* op = "set_isa");

struct BuildInfo {
  std::string version;
  std::string compiler;
  std::vector<std::string> isas_compiled;
  std::string isa_active;
  bool openmp = false;
  bool cuda = false;
};
BuildInfo build_info();

}  // namespace cvcore
