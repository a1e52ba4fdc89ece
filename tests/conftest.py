"""Shared fixtures: every op test runs on each SIMD kernel set this CPU supports and at 1 and 2
threads, and compares against the NumPy references in tests/reference/."""

import numpy as np
import pytest

import cvcore
from cvcore import _runtime

SUPPORTED_ISAS = cvcore.build_info()["isas_supported"]


@pytest.fixture(params=SUPPORTED_ISAS)
def isa(request):
    """Runs the test with each compiled-and-supported ISA's kernels, restoring the default after."""
    default = cvcore.build_info()["isa"]
    _runtime._set_isa(request.param)
    yield request.param
    _runtime._set_isa(default)


@pytest.fixture(params=[1, 2])
def threads(request):
    """Runs the test at 1 and 2 threads, restoring the default after."""
    default = cvcore.get_num_threads()
    cvcore.set_num_threads(request.param)
    yield request.param
    cvcore.set_num_threads(default)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def run_threads(fn, counts=(1, 2)):
    """fn() evaluated at each thread count, restoring the default after."""
    default = cvcore.get_num_threads()
    try:
        results = []
        for n in counts:
            cvcore.set_num_threads(n)
            results.append(fn())
        return results
    finally:
        cvcore.set_num_threads(default)
