// Portable kernels: the baseline every x86-64 (or other) CPU runs.
#define CVCORE_ISA generic
#include "kernels.inl"
