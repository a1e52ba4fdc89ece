// CUDA runtime queries. Kernels for the ops come with the CUDA backend issue; this file makes the
// backend's build, link and device discovery real from the start.
#include <cuda_runtime.h>

namespace cvcore::cuda {

int device_count() {
  int n = 0;
  // No driver or no GPU is not an error for the caller: there are simply no devices.
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error state
    return 0;
  }
  return n;
}

}  // namespace cvcore::cuda
