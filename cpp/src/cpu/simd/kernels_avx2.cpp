// AVX2 + FMA kernels (compiled with -mavx2 -mfma; run only after runtime.cpp checked the CPU).
#define CVCORE_ISA_NS avx2
#include "kernels.inl"

namespace cvcore::cpu {
const Kernels kernels_avx2 = {
    Isa::avx2, &avx2::conv2d, &avx2::conv2d_max_pool, &avx2::conv2d_pointwise, &avx2::linear, &avx2::activation,
    &avx2::softmax_lanes, &avx2::softmax_row, &avx2::nearest_lowd_f32, &avx2::nearest_lowd_f64, &avx2::argmin_dots,
    &avx2::max_pool_interior, &avx2::max_pool_planes, &avx2::max_pool_separable, &avx2::summed_area_row,
    &avx2::window_means,
    &avx2::crop_channel<uint8_t>, &avx2::crop_channel<float>,
    &avx2::blob_row<uint8_t>, &avx2::blob_row<float>, &avx2::planes_row_u8};
}
