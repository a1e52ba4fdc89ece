// AVX-512F kernels (compiled with -mavx512f -mfma when the compiler supports it).
#define CVCORE_ISA_NS avx512
#include "kernels.inl"

namespace cvcore::cpu {
const Kernels kernels_avx512 = {
    Isa::avx512, &avx512::conv2d, &avx512::conv2d_max_pool, &avx512::conv2d_pointwise, &avx512::linear,
    &avx512::activation, &avx512::softmax_lanes, &avx512::softmax_row, &avx512::nearest_lowd_f32,
    &avx512::nearest_lowd_f64, &avx512::argmin_dots, &avx512::max_pool_interior, &avx512::max_pool_planes,
    &avx512::max_pool_separable, &avx512::summed_area_row, &avx512::window_means,
    &avx512::crop_channel<uint8_t>, &avx512::crop_channel<float>,
    &avx512::blob_row<uint8_t>, &avx512::blob_row<float>, &avx512::planes_row_u8};
}
