// AVX-512F kernels (compiled with -mavx512f -mfma when the compiler supports it; run only after
// runtime.cpp checked the CPU).
#define CVCORE_ISA avx512
#include "kernels.inl"
