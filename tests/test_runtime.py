"""Runtime: build information, ISA selection, threads, the GIL, the CUDA switch."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import cvcore
from cvcore import _runtime
from cvcore.ops import conv2d


def run_python(code, **env):
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def test_build_info_keys():
    info = cvcore.build_info()
    assert set(info) >= {"version", "compiler", "isas_compiled", "isas_supported", "isa", "openmp", "cuda"}
    assert isinstance(info["cuda"], bool) and isinstance(info["openmp"], bool)
    assert info["isas_compiled"][0] == "generic"


def test_env_forces_generic():
    out = run_python("import cvcore; print(cvcore.build_info()['isa'])", CVCORE_ISA="generic")
    assert out == "generic"


def test_env_unknown_isa_falls_back_to_best():
    best = cvcore.build_info()["isas_supported"][-1]
    out = run_python("import cvcore; print(cvcore.build_info()['isa'])", CVCORE_ISA="sse9")
    assert out == best


def test_set_isa_rejects_unknown():
    with pytest.raises(ValueError, match="isa must be one of"):
        _runtime._set_isa("neon")


def test_threads_roundtrip():
    default = cvcore.get_num_threads()
    try:
        cvcore.set_num_threads(3)
        assert cvcore.get_num_threads() == 3
    finally:
        cvcore.set_num_threads(default)


def test_gil_released_concurrent_calls():
    """Many Python threads calling one op at once get the same results as serial calls."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 40, 40)).astype(np.float32)
    w = rng.standard_normal((24, 16, 3, 3)).astype(np.float32)
    expected = conv2d(x, w, padding=1)
    results = [None] * 6

    def work(i):
        results[i] = conv2d(x, w, padding=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_ctrl_c_stops_a_long_call():
    """SIGINT during one long C++ call (k-means of many iterations, tens of seconds) raises
    KeyboardInterrupt from the call long before it would have finished; the next call works."""
    code = """
import os, signal, threading, time
import numpy as np
import cvcore
from cvcore.cluster import KMeans
# A shell that starts the tests in the background hands its children SIGINT ignored, and Python then
# keeps it ignored; install the handler an interactive Python has.
signal.signal(signal.SIGINT, signal.default_int_handler)
cvcore.set_num_threads(2)
x = np.random.default_rng(0).standard_normal((100_000, 64)).astype(np.float32)
def press_ctrl_c():  # every 0.5 s until the call stops, as a user would
    while not done.wait(0.5):
        os.kill(os.getpid(), signal.SIGINT)
done = threading.Event()
threading.Thread(target=press_ctrl_c, daemon=True).start()
t0 = time.perf_counter()
try:
    KMeans(256, init=x[:256].copy(), n_init=1, max_iter=300, tol=0).fit(x)
    print("finished", time.perf_counter() - t0)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - t0)
done.set()
print(KMeans(2, n_init=1, max_iter=5).fit(x[:100]).inertia_ > 0)
"""
    out = run_python(code).split()
    assert out[0] == "interrupted", out
    assert float(out[1]) < 10, out  # the whole fit takes far longer: it was stopped, not finished
    assert out[2] == "True"


def test_pool_works_in_a_forked_child():
    """A child forked after the parent's threads ran a loop starts its own workers."""
    code = """
import multiprocessing as mp
import numpy as np
import cvcore
from cvcore.ops import conv2d
cvcore.set_num_threads(2)
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 32, 64, 64)).astype(np.float32)
w = rng.standard_normal((32, 32, 3, 3)).astype(np.float32)
expected = conv2d(x, w, padding=1)
def child(q):
    q.put(bool(np.array_equal(conv2d(x, w, padding=1), expected)))
ctx = mp.get_context("fork")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
print(q.get(timeout=60))
p.join(60)
print(p.exitcode)
"""
    assert run_python(code).split() == ["True", "0"]


def test_cuda_queries_consistent():
    assert cvcore.cuda.is_built() == cvcore.build_info()["cuda"]
    count = cvcore.cuda.device_count()
    assert count >= 0
    assert cvcore.cuda.is_available() == (cvcore.cuda.is_built() and count > 0)


def test_large_outputs_reuse_buffers_safely():
    """Outputs of 4 MiB and more come from a cache of released buffers: live ones never alias."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 4, 130, 130)).astype(np.float32)
    w = rng.standard_normal((64, 4, 3, 3)).astype(np.float32)  # output 64*128*128*4 B = 4 MiB
    first = conv2d(x, w)
    expected = first.copy()
    second = conv2d(x, w)
    assert not np.shares_memory(first, second)
    first[...] = 0  # outputs are writable and independent
    np.testing.assert_array_equal(second, expected)
    del first
    third = conv2d(x, w)  # may reuse the released buffer
    np.testing.assert_array_equal(third, expected)
    assert not np.shares_memory(second, third)
