# Resolves CVCORE_CUDA (AUTO / ON / OFF) into CVCORE_WITH_CUDA and enables the CUDA language.
# AUTO turns CUDA on whenever nvcc is found, even on a machine without a GPU: whether a device is
# present is decided at run time (cvcore.cuda.is_available()), never by the build flag.
string(TOUPPER "${CVCORE_CUDA}" _cvcore_cuda)
if(NOT _cvcore_cuda MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "CVCORE_CUDA must be AUTO, ON or OFF, got '${CVCORE_CUDA}'")
endif()

set(CVCORE_WITH_CUDA OFF)
if(NOT _cvcore_cuda STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Turing (the oldest CUDA 13 supports) and Hopper SASS; PTX of the last one for newer GPUs.
      set(CMAKE_CUDA_ARCHITECTURES "75-real;90")
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(CVCORE_WITH_CUDA ON)
  elseif(_cvcore_cuda STREQUAL "ON")
    message(FATAL_ERROR "CVCORE_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
message(STATUS "cvcore: CUDA backend ${CVCORE_WITH_CUDA} (CVCORE_CUDA=${CVCORE_CUDA})")
