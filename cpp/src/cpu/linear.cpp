// linear's driver. Few rows (a matrix-vector product, bound by reading w once): dot products, split
// over output features. Otherwise the GEMM engine (x read in place, w^T packed), split among the
// threads along the features or the rows (gemm_split). Every output is reduced the same way whatever
// the split.
#include "cpu/linear.hpp"

#include "cpu/gemm.hpp"
#include "cpu/parallel.hpp"

namespace cvcore::cpu {

void linear(int64_t rows, int64_t in, int64_t out, const float* x, const float* w, const float* bias, float* y,
            OutputAct act, int threads) {
  const Kernels& k = active_kernels();
  const LinearGemm p{rows, in, out, x, w, bias, y, act};
  if (rows < k.gemm_mr || in == 0) {  // also the empty sum (in == 0): bias alone
    // A unit streams a row of w from memory (its dot products are cheaper than the reads).
    parallel_for(out, threads, elements(double(rows) * double(in) + 1), [&](int64_t j) { k.linear_dots(p, j, j + 1); });
    return;
  }
  parallel_for(
      threads, threads, multiply_adds(double(rows) * double(in) * double(out) / threads), [&] { return gemm_pack_buffer(k); },
      [&](float* bpack, int64_t i) {
        Range rs, cs;
        gemm_split(rows, out, threads, i, k, &rs, &cs);
        if (rs.begin < rs.end && cs.begin < cs.end) k.linear_gemm(p, rs.begin, rs.end, cs.begin, cs.end, bpack);
      });
}

}  // namespace cvcore::cpu
