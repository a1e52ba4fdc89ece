"""Threads, SIMD dispatch and build information."""

from . import _cvcore
from ._validation import as_int


def set_num_threads(n):
    """Set the number of threads cvcore's ops use (an int in [1, 1024]; ValueError otherwise).

    The calling thread computes too, with up to ``n - 1`` of cvcore's worker threads (work below a few
    tens of microseconds per thread stays on the caller). Other libraries' thread settings
    (``OMP_NUM_THREADS`` changed later, ``torch.set_num_threads``) do not change it. Results are
    identical for every thread count.
    """
    _cvcore.set_num_threads(as_int("set_num_threads", "n", n))


def get_num_threads():
    """The number of threads cvcore's ops use (default: the CPUs OpenMP sees, ``OMP_NUM_THREADS``
    included; 1 in a build without OpenMP)."""
    return _cvcore.get_num_threads()


def build_info():
    """What this build of cvcore contains and runs.

    Returns
    -------
    dict with keys
        ``version`` (str), ``compiler`` (str), ``isas_compiled`` (list of str: SIMD kernel sets in
        the binary, among "generic", "avx2", "avx512"), ``isas_supported`` (those this CPU runs),
        ``isa`` (the one in use: the best supported, or the ``CVCORE_ISA`` environment variable's
        choice when it names a supported one), ``openmp`` (bool), ``cuda`` (bool: the CUDA backend
        was built; see ``cvcore.cuda.is_available()`` for a usable GPU).
    """
    return dict(_cvcore.build_info())


def _set_isa(name):
    """Switch SIMD kernels at run time (for tests and benchmarks); ValueError if unsupported."""
    _cvcore.set_isa(name)
