// Portable kernels: the baseline every x86-64 (or other) CPU runs.
#define CVCORE_ISA_NS generic
#include "kernels.inl"

namespace cvcore::cpu {
const Kernels kernels_generic = {
    Isa::generic, &generic::conv2d, &generic::conv2d_max_pool, &generic::conv2d_pointwise, &generic::linear,
    &generic::activation, &generic::softmax_lanes, &generic::softmax_row, &generic::nearest_lowd_f32,
    &generic::nearest_lowd_f64, &generic::argmin_dots, &generic::max_pool_interior, &generic::max_pool_planes,
    &generic::max_pool_separable, &generic::summed_area_row, &generic::window_means,
    &generic::crop_channel<uint8_t>, &generic::crop_channel<float>,
    &generic::blob_row<uint8_t>, &generic::blob_row<float>, &generic::planes_row_u8};
}
