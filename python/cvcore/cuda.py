"""The CUDA backend: whether it was built, and whether a GPU is usable."""

from . import _cvcore


def is_built():
    """True when this cvcore was compiled with its CUDA backend (CMake option CVCORE_CUDA)."""
    return bool(_cvcore.build_info()["cuda"])


def device_count():
    """Number of CUDA devices usable now: 0 without a GPU or driver, or in a build without CUDA."""
    return _cvcore.cuda_device_count()


def is_available():
    """True when the CUDA backend was built and at least one GPU is usable."""
    return is_built() and device_count() > 0
