#include "cvcore/device.hpp"

#include "checks.hpp"

namespace cvcore {
namespace {

constexpr detail::Named<Device> kDevices[] = {{"cpu", Device::cpu}, {"cuda", Device::cuda}};

}  // namespace

const char* device_name(Device device) { return detail::name_of(kDevices, device); }

Device parse_device(const std::string& name, const char* op) {
  return detail::parse_named(kDevices, name, op, "device");
}

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
