// AVX2 + FMA kernels (compiled with -mavx2 -mfma; run only after runtime.cpp checked the CPU).
#define CVCORE_ISA avx2
#include "kernels.inl"
