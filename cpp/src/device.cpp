#include "cvcore/device.hpp"

namespace cvcore {

#ifdef CVCORE_WITH_CUDA
namespace cuda {
int device_count();  // src/cuda/device.cu
}
bool cuda_built() { return true; }
int cuda_device_count() { return cuda::device_count(); }
#else
bool cuda_built() { return false; }
int cuda_device_count() { return 0; }
#endif

}  // namespace cvcore
