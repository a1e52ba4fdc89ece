// Devices: where an array's data lives and an op runs, and the CUDA backend's availability.
#pragma once

#include <string>

namespace cvcore {

// Every op runs on the device of its arrays, which must all be on one (ValueError otherwise). CPU
// kernels exist for every op; an op given CUDA arrays throws BackendError saying why it cannot run
// there (this build has no CUDA backend, no CUDA device is usable, or the op has no CUDA kernel yet).
enum class Device { cpu, cuda };

// "cpu" or "cuda", and its inverse (ValueError naming `op`, the argument "device", the names and the
// one received).
const char* device_name(Device device);
Device parse_device(const std::string& name, const char* op);

// True when this build includes the CUDA backend.
bool cuda_built();
// Number of CUDA devices usable now (0 without a driver or GPU, or in a build without CUDA).
int cuda_device_count();

}  // namespace cvcore
