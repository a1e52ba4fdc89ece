// The CUDA backend: present when cvcore was built with CVCORE_CUDA on.
#pragma once

namespace cvcore {

// True when this build includes the CUDA backend.
bool cuda_built();
// Number of CUDA devices usable now (0 without a driver or GPU, or in a build without CUDA).
int cuda_device_count();

}  // namespace cvcore
