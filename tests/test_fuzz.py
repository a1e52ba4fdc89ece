"""The error contract, fuzzed: every public function is called with arguments drawn over its whole
space (integers from the edges 0, -1, 1, 2**31, 2**62, 2**63 - 1; NaN and infinities; empty and
odd shapes; non-contiguous, reversed, Fortran-ordered and read-only arrays; every real dtype and
some that are not), and each call either

* raises ValueError, TypeError or IndexError (MemoryError for an output too large to allocate)
  whose message starts with the function's name, as every cvcore message does, or
* returns the result of the NumPy reference (tests/reference/, or the definition written here).

Never a crash or a hang: each example runs with a watchdog (a hang ends the run with a traceback
instead of stalling it) and, outside sanitizer builds, under an address-space limit that turns an
allocation far past the input's size into a MemoryError instead of swapping the machine. Valid
arguments must give the reference's result: an error there is a failure.

Examples are derandomised (the same on every run, so CI is stable) and bounded so that the file
runs in well under a minute; CVCORE_FUZZ=explore draws fresh random examples, ten times as many.

"""

import contextlib
import faulthandler
import math
import os
import pickle
import resource

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cvcore
from cvcore import cluster, detection, image, metrics, nn, ops
from reference import activation as ref_act
from reference import boxes as ref_boxes
from reference import conv as ref_conv
from reference import kmeans as ref_kmeans
from reference import nms as ref_nms
from reference import norm as ref_norm
from reference import pool as ref_pool
from reference import roi as ref_roi

settings.register_profile("ci", max_examples=50, deadline=3000, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])
settings.register_profile("explore", max_examples=500, deadline=3000, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])
PROFILE = settings.get_profile(os.environ.get("CVCORE_FUZZ", "ci"))
# NumPy's warnings on degenerate values (0 * inf, log of 0, overflow to inf), in cvcore's NumPy code
# and in the references, are not errors here: the results are compared.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def fuzz(examples=None):
    """The file's settings, with fewer examples for the costlier functions."""
    scale = PROFILE.max_examples / 50
    return settings(PROFILE, max_examples=max(1, round((examples or 50) * scale)))


# ------------------------------------------------------------------------------------------------
# Values

EDGE_INTS = (0, -1, 1, 2**31, 2**62, 2**63 - 1)
SPECIAL_FLOATS = (math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-30, 1e30, 3.5e38, 1e300)
REAL_DTYPES = (np.float32, np.float64, np.float16, np.int32, np.int64, np.uint8)
# Data of no real dtype: refused with TypeError.
ODD_DTYPES = (np.bool_, np.complex64, np.dtype("U3"), np.dtype(object))

edge_ints = st.sampled_from(EDGE_INTS)
special_floats = st.sampled_from(SPECIAL_FLOATS)
threads = st.sampled_from([1, 2])


def small_ints(lo, hi):
    """A small integer in [lo, hi] (mostly), or an edge value."""
    return st.one_of(*[st.integers(lo, hi)] * 4, edge_ints)


def cheap(*sizes, limit=64):
    """Whether every size is small enough for the loops of the references."""
    return all(abs(v) <= limit for v in sizes)


def real_floats(lo=-100.0, hi=100.0):
    return st.floats(lo, hi, allow_nan=False, width=32)


def elements(dtype, special):
    """Values of `dtype` within [-100, 100] (uint8: [0, 255]); with `special`, also NaN, infinities
    and values near the float32 limits (floating dtypes)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "u":
        return st.integers(0, 255)
    if dtype.kind == "i":
        return st.integers(-100, 100)
    values = st.floats(-100, 100, width=16 if dtype.itemsize == 2 else 32)
    if not special:
        return values
    extreme = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e4] +
                              ([] if dtype.itemsize == 2 else [1e30, -1e30]))
    return st.one_of(values, values, values, extreme)


@st.composite
def laid_out(draw, arr):
    """arr as it is, or the same values in another memory layout: Fortran order, a strided view, a
    reversed view, read-only, or unpickled (whose dtype is equal to the canonical one, not the same
    object)."""
    kind = draw(st.sampled_from(["c", "c", "fortran", "strided", "reversed", "readonly", "unpickled"]))
    if kind == "unpickled":
        return pickle.loads(pickle.dumps(arr))
    if kind == "fortran":
        return np.asfortranarray(arr)
    if kind == "strided" and arr.ndim:
        wide = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), arr.dtype)
        wide[..., ::2] = arr
        return wide[..., ::2]
    if kind == "reversed" and arr.ndim:
        return np.ascontiguousarray(arr[::-1])[::-1]
    if kind == "readonly":
        out = arr.copy()
        out.flags.writeable = False
        return out
    return arr


@st.composite
def arrays(draw, shape, dtypes=REAL_DTYPES, special=True, layout=True):
    """An array of `shape` (a tuple, or a strategy of tuples), of a dtype drawn from `dtypes`."""
    if not isinstance(shape, tuple):
        shape = draw(shape)
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    arr = draw(hnp.arrays(dtype, shape, elements=elements(dtype, special)))
    return draw(laid_out(arr)) if layout else arr


@st.composite
def odd_arrays(draw, shape):
    """An array of `shape` of a dtype that is not a real number (or a list of strings)."""
    dtype = np.dtype(draw(st.sampled_from(ODD_DTYPES)))
    if draw(st.booleans()):
        return np.zeros(shape, dtype)
    return [["a"] * shape[-1]] * (shape[0] if len(shape) > 1 else 1)


def as_f32(x):
    """x as the CNN ops read it: float32 (then float64 for the references)."""
    return np.asarray(x, np.float32).astype(np.float64)


def precision_of(*arrays_):
    """The dtype the ops that keep the caller's precision compute in (cvcore._validation's rule)."""
    wide = any(np.asarray(a).dtype.kind != "f" or np.asarray(a).dtype.itemsize > 4 for a in arrays_)
    return np.float64 if wide else np.float32


# ------------------------------------------------------------------------------------------------
# The contract

_SANITIZED = "libasan" in os.environ.get("LD_PRELOAD", "")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
HEADROOM = 2 << 30  # address space allowed past the process's size during a call
WATCHDOG_S = 120


def _address_space():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * _PAGE
    except OSError:
        return None


@contextlib.contextmanager
def bounded():
    """A watchdog for hangs, and (outside sanitizer builds, which reserve terabytes of shadow memory)
    an address-space limit so that an output far larger than its inputs fails to allocate."""
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = None if _SANITIZED else _address_space()
    if used is not None:
        limit = used + HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        yield
    finally:
        if used is not None:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        faulthandler.cancel_dump_traceback_later()


ERRORS = (ValueError, TypeError, IndexError, MemoryError)


def check(names, call, valid=False):
    """call() under bounded(): its result, or None after an error whose message starts with one of
    `names` (the function's name; a str or a tuple). With `valid`, only MemoryError may be raised."""
    names = (names,) if isinstance(names, str) else names
    with bounded():
        try:
            return call()
        except ERRORS as e:
            message = str(e)
            assert message.startswith(tuple(f"{n}:" for n in names)), (
                f"{type(e).__name__} does not start with {' or '.join(names)}: {message!r}")
            if valid and not isinstance(e, MemoryError):
                raise AssertionError(f"valid arguments refused: {type(e).__name__}: {message}") from e
            return None


def assert_matches(got, want, tol, scale=None, dtype=np.float32):
    """got equals the float64 reference `want` rounded to `dtype`: within tol * scale (the magnitude
    the rounding error is relative to, elementwise; |want| by default) where that is finite,
    non-finite where it is not."""
    got = np.asarray(got)
    with np.errstate(over="ignore", invalid="ignore"):
        want = np.asarray(want, np.float64).astype(dtype).astype(np.float64)
    assert got.shape == want.shape, f"shape {got.shape}, reference {want.shape}"
    got = got.astype(np.float64)
    finite = np.isfinite(want)
    assert not np.isfinite(got[~finite]).any(), f"finite where the reference is not: {got[~finite]}"
    scale = np.abs(want) if scale is None else np.broadcast_to(np.asarray(scale, np.float64), want.shape)
    with np.errstate(invalid="ignore"):
        bad = finite & ~(np.abs(got - want) <= tol * np.where(np.isfinite(scale), scale, 0) + 1e-30)
    assert not bad.any(), f"{bad.sum()} values differ: got {got[bad][:5]}, want {want[bad][:5]}"


@pytest.fixture(autouse=True, scope="module")
def started_threads():
    """The runtime's threads are started before any address-space limit applies, and the thread
    count restored after the module."""
    default = cvcore.get_num_threads()
    cvcore.set_num_threads(2)
    ops.relu(np.zeros(1 << 20, np.float32))
    yield
    cvcore.set_num_threads(default)


# ------------------------------------------------------------------------------------------------
# Activations and softmax

ACTIVATIONS = {
    "relu": ({}, ref_act.relu), "relu6": ({}, ref_act.relu6), "selu": ({}, ref_act.selu),
    "sigmoid": ({}, ref_act.sigmoid), "tanh": ({}, ref_act.tanh), "silu": ({}, ref_act.silu),
    "hardswish": ({}, ref_act.hardswish), "mish": ({}, ref_act.mish),
    "leaky_relu": ({"negative_slope": 0.01}, ref_act.leaky_relu), "elu": ({"alpha": 1.0}, ref_act.elu),
    "softplus": ({"beta": 1.0, "threshold": 20.0}, ref_act.softplus),
    "gelu": ({"approximate": "none"}, ref_act.gelu),
}
# Float32 error of each activation relative to its value (the transcendental ones).
ACTIVATION_TOL = {"gelu": 1e-5, "mish": 1e-5, "softplus": 1e-5, "selu": 1e-5, "elu": 1e-5, "silu": 1e-5,
                  "sigmoid": 1e-5, "tanh": 1e-5}
shapes_any = hnp.array_shapes(min_dims=0, max_dims=7, min_side=0, max_side=3)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@fuzz()
@given(data=st.data())
def test_activations(name, data):
    defaults, reference = ACTIVATIONS[name]
    x = data.draw(st.one_of(arrays(shapes_any), odd_arrays((2, 3))), label="input")
    params = {}
    for param, default in defaults.items():
        if param == "approximate":
            params[param] = data.draw(st.sampled_from(["none", "tanh", "erf", 1]), label=param)
        else:
            params[param] = data.draw(st.one_of(st.just(default), real_floats(-3, 3), special_floats), label=param)
    cvcore.set_num_threads(data.draw(threads))
    got = check(name, lambda: getattr(ops, name)(x, **params))
    if got is None:
        return
    assert got.dtype == np.float32
    assert_matches(got, reference(as_f32(x), **params), ACTIVATION_TOL.get(name, 1e-6))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@fuzz()
@given(data=st.data())
def test_softmax(name, data):
    x = data.draw(arrays(shapes_any), label="input")
    axis = data.draw(st.one_of(st.integers(-3, 3), edge_ints, st.just("1")), label="axis")
    cvcore.set_num_threads(data.draw(threads))
    ndim = max(x.ndim, 1)  # a scalar is a vector of one, as PyTorch takes it
    valid = isinstance(axis, int) and -ndim <= axis < ndim
    got = check(name, lambda: getattr(ops, name)(x, axis=axis), valid=valid)
    if got is None:
        return
    assert valid, f"{name} accepted axis={axis!r} for {x.ndim} dimensions"
    want = getattr(ref_act, name)(as_f32(x).reshape(x.shape or (1,)), axis=axis).reshape(x.shape)
    assert_matches(got, want, 1e-5, scale=np.abs(want) + (1e-6 if name == "softmax" else 1e-5))


@fuzz()
@given(data=st.data())
def test_prelu(data):
    x = data.draw(arrays(hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=3)), label="input")
    channels = x.shape[1] if x.ndim > 1 else 1
    weight = data.draw(st.one_of(arrays((1,), special=False), arrays((channels,), special=False),
                                 arrays((channels + 1,)), st.floats(-2, 2), odd_arrays((1,))), label="weight")
    got = check("prelu", lambda: ops.prelu(x, weight))
    if got is not None:
        w = as_f32(weight).reshape(-1)
        assert w.size in (1, channels), f"prelu accepted {w.size} slopes for {channels} channels"
        if x.size:
            assert_matches(got, ref_act.prelu(as_f32(x), w), 1e-6)
        else:
            assert got.shape == x.shape


# ------------------------------------------------------------------------------------------------
# Convolution and linear

@st.composite
def conv_args(draw):
    n = draw(st.integers(0, 2))
    groups = draw(st.sampled_from([1, 1, 2]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    x = draw(arrays((n, cin, h, w)))
    weight = draw(arrays((cout, cin // groups, kh, kw), special=False))
    bias = draw(st.one_of(st.none(), arrays((cout,), special=False)))
    args = dict(stride=draw(st.one_of(small_ints(1, 3), st.tuples(small_ints(1, 3), small_ints(1, 3)))),
                padding=draw(st.one_of(small_ints(0, 2), st.tuples(small_ints(0, 2), small_ints(0, 2)),
                                       st.sampled_from(["valid", "same", "full"]))),
                dilation=draw(st.one_of(small_ints(1, 2), st.tuples(small_ints(1, 2), small_ints(1, 2)))),
                groups=draw(st.one_of(st.just(groups), edge_ints)))
    act = draw(st.sampled_from([None, None, "relu", "relu6", "prelu", "gelu"]))
    if act is not None:
        args["activation"] = act
    if act == "prelu":
        args["prelu_weight"] = draw(st.one_of(arrays((cout,), special=False), st.floats(-1, 1)))
    args["winograd"] = draw(st.booleans())
    return x, weight, bias, args


def pair_of(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def conv_reference(x, weight, bias, args):
    """(valid, reference) for conv2d's arguments: reference() computes (output, error scale)."""
    stride, dilation = pair_of(args["stride"]), pair_of(args["dilation"])
    k = weight.shape[2:]
    if args["padding"] == "valid":
        pad = (0, 0, 0, 0)
    elif args["padding"] == "same":
        if stride != (1, 1):
            return False, None
        total = [dilation[i] * (k[i] - 1) for i in range(2)]
        pad = (total[0] // 2, total[1] // 2, total[0] - total[0] // 2, total[1] - total[1] // 2)
    elif isinstance(args["padding"], str):
        return False, None
    else:
        ph, pw = pair_of(args["padding"])
        pad = (ph, pw, ph, pw)
    groups = args["groups"]
    if (min(stride + dilation) < 1 or min(pad) < 0 or groups < 1 or x.shape[1] % groups
            or weight.shape[0] % groups or x.shape[1] // groups != weight.shape[1]):
        return False, None
    if args.get("activation") == "gelu":
        return False, None
    sizes = [ref_conv.output_size(x.shape[2 + i], k[i], stride[i], pad[i], pad[i + 2], dilation[i], False)
             for i in range(2)]
    if min(sizes) < 1:
        return False, None
    if 4 * math.prod(d for d in (x.shape[0], weight.shape[0], *sizes) if d) > 2**63 - 1:
        return False, None  # no NumPy array has that shape, even empty: an error, or a MemoryError
    if 4 * x.shape[1] * (x.shape[2] + pad[0] + pad[2]) * (x.shape[3] + pad[1] + pad[3]) > 2**63 - 1:
        return False, None  # the padded image's bytes overflow 64 bits (refused, even for an empty batch)
    return True, lambda: _conv_reference(x, weight, bias, args, stride, pad, dilation, groups)


def _conv_reference(x, weight, bias, args, stride, pad, dilation, groups):
    xf = as_f32(x)
    wf = as_f32(weight)
    out = ref_conv.conv2d(xf, wf, None if bias is None else as_f32(bias), stride, pad, dilation, groups)
    scale = ref_conv.conv2d(np.abs(np.nan_to_num(xf, posinf=0, neginf=0)), np.abs(wf),
                            None if bias is None else np.abs(as_f32(bias)), stride, pad, dilation, groups)
    act = args.get("activation")
    if act == "relu":
        out = np.where(out < 0, 0.0, out)
    elif act == "relu6":
        out = np.clip(out, 0, 6)
    elif act == "prelu":
        slopes = as_f32(args["prelu_weight"]).reshape(-1)
        out = ref_act.prelu(out, slopes if slopes.size > 1 else slopes[:1])
        scale = scale * max(1.0, float(np.abs(slopes).max()))
    return out, scale


@fuzz(100)
@given(data=st.data())
def test_conv2d(data):
    x, weight, bias, args = data.draw(conv_args())
    cvcore.set_num_threads(data.draw(threads))
    if not np.isfinite(as_f32(x)).all():  # Winograd's transforms mix a tile's inputs: NaN reaches neighbours
        args["winograd"] = False
    valid, want = conv_reference(x, weight, bias, args)
    got = check("conv2d", lambda: ops.conv2d(x, weight, bias, **args), valid=valid)
    if got is None:
        return
    assert valid, f"conv2d accepted {args}"
    assume(x.shape[0] == 0 or got.size <= 10**5)  # the reference pads a float64 copy of the input
    out, scale = want()
    assert_matches(got, out, 1e-3 if args["winograd"] else 1e-5, scale=scale)


@fuzz()
@given(data=st.data())
def test_linear(data):
    batch = data.draw(st.one_of(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
                                hnp.array_shapes(min_dims=6, max_dims=8, min_side=1, max_side=2)))
    fin, fout = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 4))
    x = data.draw(st.one_of(arrays(batch + (fin,)), arrays(batch + (fin + 1,)), odd_arrays((2, fin))), label="input")
    weight = data.draw(st.one_of(arrays((fout, fin), special=False), arrays((fout,), special=False)), label="weight")
    bias = data.draw(st.one_of(st.none(), arrays((fout,), special=False), arrays((fout + 1,))), label="bias")
    act = data.draw(st.sampled_from([None, "relu", "relu6", "prelu", "tanh"]))
    slopes = data.draw(st.one_of(st.none(), arrays((1,), special=False), arrays((fout,), special=False)))
    cvcore.set_num_threads(data.draw(threads))
    got = check("linear", lambda: ops.linear(x, weight, bias, activation=act, prelu_weight=slopes))
    if got is None:
        return
    xf, wf = as_f32(x), as_f32(weight)
    assert wf.ndim == 2 and xf.shape[-1] == wf.shape[1] and (act == "prelu") == (slopes is not None)
    out = xf @ wf.T + (0 if bias is None else as_f32(bias))
    scale = np.abs(np.nan_to_num(xf, posinf=0, neginf=0)) @ np.abs(wf).T + (0 if bias is None else np.abs(as_f32(bias)))
    if act == "relu":
        out = np.where(out < 0, 0.0, out)
    elif act == "relu6":
        out = np.clip(out, 0, 6)
    elif act == "prelu":
        s = as_f32(slopes).reshape(-1)
        out = np.where(out > 0, out, out * s)
        scale = scale * max(1.0, float(np.abs(s).max()))
    assert_matches(got, out, 1e-5, scale=scale)


# ------------------------------------------------------------------------------------------------
# Pooling

window = st.one_of(small_ints(1, 3), st.tuples(small_ints(1, 3), small_ints(1, 3)))


@st.composite
def pool_input(draw):
    return draw(arrays(st.tuples(st.integers(0, 2), st.integers(1, 2), st.integers(1, 6), st.integers(1, 6))))


@fuzz(100)
@given(data=st.data())
def test_max_pool2d(data):
    x = data.draw(st.one_of(pool_input(), arrays((2, 3, 3), special=False)), label="input")
    args = dict(kernel_size=data.draw(window), stride=data.draw(st.one_of(st.none(), window)),
                padding=data.draw(st.one_of(small_ints(0, 1), st.tuples(small_ints(0, 1), small_ints(0, 1)))),
                dilation=data.draw(window), ceil_mode=data.draw(st.booleans()),
                return_indices=data.draw(st.booleans()))
    cvcore.set_num_threads(data.draw(threads))
    got = check("max_pool2d", lambda: ops.max_pool2d(x, **args))
    if got is None:
        return
    x4 = as_f32(x if x.ndim == 4 else x[None])
    k, d, p = pair_of(args["kernel_size"]), pair_of(args["dilation"]), pair_of(args["padding"])
    s = k if args["stride"] is None else pair_of(args["stride"])
    assert min(k + d + s) >= 1 and min(p) >= 0 and max(p[0] - k[0] // 2, p[1] - k[1] // 2) <= 0
    assume(cheap(*k, *p))
    out, idx = ref_pool.max_pool2d(x4, k, s, p, d, args["ceil_mode"])
    if x.ndim == 3:
        out, idx = out[0], idx[0]
    if args["return_indices"]:
        got, got_idx = got
        np.testing.assert_array_equal(got_idx, idx)
    assert_matches(got, out, 0)


@fuzz(100)
@given(data=st.data())
def test_avg_pool2d(data):
    x = data.draw(pool_input(), label="input")
    args = dict(kernel_size=data.draw(window), stride=data.draw(st.one_of(st.none(), window)),
                padding=data.draw(st.one_of(small_ints(0, 1), st.tuples(small_ints(0, 1), small_ints(0, 1)))),
                ceil_mode=data.draw(st.booleans()), count_include_pad=data.draw(st.booleans()),
                divisor_override=data.draw(st.one_of(st.none(), small_ints(1, 5))))
    cvcore.set_num_threads(data.draw(threads))
    got = check("avg_pool2d", lambda: ops.avg_pool2d(x, **args))
    if got is None:
        return
    k, p = pair_of(args["kernel_size"]), pair_of(args["padding"])
    s = k if args["stride"] is None else pair_of(args["stride"])
    assume(cheap(*k, *p))
    xf = as_f32(x)
    want = ref_pool.avg_pool2d(xf, k, s, p, args["ceil_mode"], args["count_include_pad"], args["divisor_override"])
    clean = np.nan_to_num(xf, posinf=0, neginf=0)
    scale = np.abs(ref_pool.avg_pool2d(np.abs(clean), k, s, p, args["ceil_mode"], args["count_include_pad"],
                                       args["divisor_override"]))
    assert_matches(got, want, 1e-6, scale=scale)


@pytest.mark.parametrize("name", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
@fuzz()
@given(data=st.data())
def test_adaptive_pool2d(name, data):
    x = data.draw(st.one_of(pool_input(), arrays((2, 3, 3))), label="input")
    size = data.draw(st.one_of(small_ints(0, 4), st.tuples(st.one_of(st.none(), small_ints(0, 4)),
                                                            st.one_of(st.none(), small_ints(0, 4))),
                               st.just("2")), label="output_size")
    cvcore.set_num_threads(data.draw(threads))
    got = check(name, lambda: getattr(ops, name)(x, size))
    if got is None:
        return
    x4 = as_f32(x if x.ndim == 4 else x[None])
    oh, ow = pair_of(size)
    full = (x4.shape[2] if oh is None else oh, x4.shape[3] if ow is None else ow)
    assume(cheap(*full))
    if name == "adaptive_avg_pool2d":
        want = ref_pool.adaptive_avg_pool2d(x4, full)
        scale = ref_pool.adaptive_avg_pool2d(np.abs(np.nan_to_num(x4, posinf=0, neginf=0)), full)
    else:
        want, scale = ref_pool.adaptive_max_pool2d(x4, full)[0], None
    assert_matches(got, want if x.ndim == 4 else want[0], 1e-6,
                   scale=None if scale is None else (scale if x.ndim == 4 else scale[0]))


@fuzz()
@given(data=st.data())
def test_adaptive_avg_pool2d_levels(data):
    x = data.draw(pool_input(), label="input")
    sizes = data.draw(st.one_of(st.lists(st.tuples(small_ints(0, 5), small_ints(0, 5)), max_size=3),
                                st.just(5), st.just([(1, 2, 3)])), label="output_sizes")
    got = check("adaptive_avg_pool2d_levels", lambda: ops.adaptive_avg_pool2d_levels(x, sizes))
    if got is None:
        return
    xf = as_f32(x)
    scale_in = np.abs(np.nan_to_num(xf, posinf=0, neginf=0))
    for out, size in zip(got, sizes):
        assume(cheap(*size))
        assert_matches(out, ref_pool.adaptive_avg_pool2d(xf, size), 1e-6,
                       scale=ref_pool.adaptive_avg_pool2d(scale_in, size))


@fuzz()
@given(data=st.data())
def test_conv_output_size(data):
    size, kernel = data.draw(small_ints(0, 9)), data.draw(small_ints(1, 4))
    stride, padding, dilation = data.draw(small_ints(1, 3)), data.draw(small_ints(0, 2)), data.draw(small_ints(1, 2))
    ceil_mode = data.draw(st.booleans())
    args = dict(stride=stride, padding=padding, dilation=dilation, kernel_size=kernel)
    got = check("conv_output_size", lambda: ops.conv_output_size(size, kernel, stride, padding, dilation, ceil_mode))
    if got is None:
        return
    assert min(size, padding) >= 0 and min(kernel, stride, dilation) >= 1
    assert got == ref_conv.output_size(size, kernel, stride, padding, padding, dilation, ceil_mode)


# ------------------------------------------------------------------------------------------------
# Normalisation

@fuzz()
@given(data=st.data())
def test_batch_norm(data):
    x = data.draw(arrays(hnp.array_shapes(min_dims=2, max_dims=5, min_side=0, max_side=3)), label="input")
    c = x.shape[1]
    length = st.sampled_from([c, c, c, c + 1])
    mean = data.draw(arrays(length.map(lambda n: (n,)), special=False), label="running_mean")
    var = data.draw(arrays((len(mean),), dtypes=(np.float32, np.float64)), label="running_var")
    weight = data.draw(st.one_of(st.none(), arrays((c,), special=False)), label="weight")
    bias = data.draw(st.one_of(st.none(), arrays((c,), special=False)), label="bias")
    eps = data.draw(st.one_of(st.just(1e-5), special_floats, st.floats(-1, 1)), label="eps")
    cvcore.set_num_threads(data.draw(threads))
    got = check("batch_norm", lambda: ops.batch_norm(x, mean, var, weight, bias, eps=eps))
    if got is None:
        return
    args = (as_f32(x), as_f32(mean), as_f32(var), None if weight is None else as_f32(weight),
            None if bias is None else as_f32(bias), eps)
    # NaN statistics propagate and a zero variance without eps divides by zero, as the formula says.
    assert not (as_f32(var) < 0).any() and 0 <= eps < np.inf
    assert_matches(got, ref_norm.batch_norm(*args), 1e-5, scale=ref_norm.batch_norm_bound(*args))


@fuzz()
@given(data=st.data())
def test_fold_batch_norm(data):
    o = data.draw(st.integers(1, 3))
    conv_w = data.draw(arrays(st.tuples(st.sampled_from([o, o, o + 1]), st.integers(1, 2), st.integers(1, 2),
                                        st.integers(1, 2)), special=False), label="conv_weight")
    conv_b = data.draw(st.one_of(st.none(), arrays((o,), special=False)), label="conv_bias")
    mean = data.draw(arrays((o,), special=False), label="running_mean")
    var = data.draw(arrays((o,), dtypes=(np.float32,)), label="running_var")
    eps = data.draw(st.one_of(st.just(1e-5), special_floats), label="eps")
    got = check("fold_batch_norm", lambda: ops.fold_batch_norm(conv_w, conv_b, mean, var, None, None, eps))
    if got is None:
        return
    fw, fb = ref_norm.fold_batch_norm(as_f32(conv_w), None if conv_b is None else as_f32(conv_b), as_f32(mean),
                                     as_f32(var), None, None, eps)
    assert_matches(got[0], fw, 1e-5)
    assert_matches(got[1], fb, 1e-5, scale=np.abs(fb) + np.abs(as_f32(mean)) * np.abs(fw).max(initial=0) + 1e-6)


# ------------------------------------------------------------------------------------------------
# Boxes and NMS

@st.composite
def boxes(draw, n=None, special=True, dtypes=(np.float32, np.float64, np.float16, np.int32, np.int64)):
    """(n, 4) x1, y1, x2, y2 (some inverted or empty), or (rarely) another shape."""
    n = draw(st.integers(0, 6)) if n is None else n
    shape = draw(st.sampled_from([(n, 4)] * 8 + [(n, 5), (4,), (n, 4, 1), (1,) * 6 + (n, 4)]))
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    xy = draw(hnp.arrays(dtype, shape, elements=elements(dtype, special)))
    if shape == (n, 4) and draw(st.booleans()):  # mostly proper boxes
        with np.errstate(invalid="ignore", over="ignore"):
            xy[:, 2:] = xy[:, :2] + np.abs(xy[:, 2:])
    return draw(laid_out(xy))


PAIRWISE = {"box_iou": "iou", "generalized_box_iou": "giou", "distance_box_iou": "diou", "complete_box_iou": "ciou"}


def boxes_finite(*arrays_):
    return all(np.isfinite(np.asarray(a, np.float64)).all() for a in arrays_)


@pytest.mark.parametrize("name", list(PAIRWISE))
@fuzz()
@given(data=st.data())
def test_pairwise_box_iou(name, data):
    b1, b2 = data.draw(boxes(), label="boxes1"), data.draw(boxes(), label="boxes2")
    kwargs = {}
    if name in ("distance_box_iou", "complete_box_iou"):
        kwargs["eps"] = data.draw(st.one_of(st.just(1e-7), special_floats), label="eps")
    cvcore.set_num_threads(data.draw(threads))
    got = check(name, lambda: getattr(ops, name)(b1, b2, **kwargs))
    if got is None:
        return
    assert boxes_finite(b1, b2), f"{name} accepted non-finite boxes"
    dtype = precision_of(b1, b2)
    want = ref_boxes.pairwise(PAIRWISE[name], np.asarray(b1, dtype), np.asarray(b2, dtype), kwargs.get("eps", 1e-7))
    assert got.dtype == dtype
    # Within [-1, 1], except DIoU / CIoU of point boxes, whose distance term divides by eps.
    assert_matches(got, want, 1e-4 if dtype == np.float32 else 1e-9, scale=np.maximum(np.abs(want), 1.0), dtype=dtype)


@fuzz()
@given(data=st.data())
def test_box_area_convert_clip_remove(data):
    b = data.draw(boxes(), label="boxes")
    which = data.draw(st.sampled_from(["box_area", "box_convert", "clip_boxes", "remove_small_boxes"]))
    cvcore.set_num_threads(data.draw(threads))
    dtype = precision_of(b)
    bf = np.asarray(b, dtype)
    if which == "box_area":
        got = check(which, lambda: ops.box_area(b))
        if got is not None:
            assert_matches(got, ref_boxes.box_area(bf), 1e-6 if dtype == np.float32 else 1e-12, dtype=dtype)
    elif which == "box_convert":
        fmts = st.sampled_from(["xyxy", "xywh", "cxcywh", "xy", None])
        fin, fout = data.draw(fmts, label="in_fmt"), data.draw(fmts, label="out_fmt")
        got = check(which, lambda: ops.box_convert(b, fin, fout))
        if got is not None:
            want = ref_boxes.box_convert(bf, fin, fout)
            assert_matches(got, want, 1e-6 if dtype == np.float32 else 1e-12,
                           scale=np.abs(bf).max(initial=0) if boxes_finite(bf) else None, dtype=dtype)
    elif which == "clip_boxes":
        size = data.draw(st.one_of(st.tuples(small_ints(0, 50), small_ints(0, 50)),
                                   st.tuples(special_floats, st.floats(0, 9)), st.just((3,))), label="size")
        got = check(which, lambda: ops.clip_boxes(b, size))
        if got is not None:
            assert_matches(got, ref_boxes.clip_boxes(bf, *size), 0, dtype=dtype)
    else:
        min_size = data.draw(st.one_of(st.floats(0, 5), special_floats, st.just(-1.0)), label="min_size")
        got = check(which, lambda: ops.remove_small_boxes(b, min_size))
        if got is not None:
            np.testing.assert_array_equal(got, ref_boxes.remove_small_boxes(bf, min_size))


@fuzz(100)
@given(data=st.data())
def test_nms_family(data):
    n = data.draw(st.integers(0, 8))
    b = data.draw(boxes(n), label="boxes")
    s = data.draw(st.one_of(arrays((n,), dtypes=(np.float32, np.float64, np.int32)), arrays((n + 1,))), label="scores")
    which = data.draw(st.sampled_from(["nms", "batched_nms", "soft_nms"]))
    iou = data.draw(st.one_of(st.floats(-0.5, 1.5), special_floats), label="iou_threshold")
    max_output = data.draw(st.one_of(st.none(), small_ints(0, 5)), label="max_output")
    cvcore.set_num_threads(data.draw(threads))
    dtype = precision_of(b, s)
    if which == "soft_nms":
        sigma = data.draw(st.one_of(st.floats(0.1, 2), special_floats), label="sigma")
        thr = data.draw(st.one_of(st.floats(0, 0.5), special_floats), label="score_threshold")
        method = data.draw(st.sampled_from(["gaussian", "linear", "hard"]), label="method")
        got = check(which, lambda: ops.soft_nms(b, s, iou, sigma, thr, method, max_output=max_output))
        if got is not None:
            idx, scores = ref_nms.soft_nms(np.asarray(b, dtype), np.asarray(s, dtype), iou, sigma, thr, method,
                                           max_output)
            np.testing.assert_array_equal(got[0], idx)
            np.testing.assert_array_equal(got[1], np.asarray(scores, dtype))
        return
    thr = data.draw(st.one_of(st.none(), st.floats(0, 1), special_floats), label="score_threshold")
    metric = data.draw(st.sampled_from(["iou", "iom", "diou", "giou"]), label="metric")
    bf, sf = np.asarray(b, dtype), np.asarray(s, dtype)
    if which == "nms":
        got = check(which, lambda: ops.nms(b, s, iou, score_threshold=thr, max_output=max_output, metric=metric))
        if got is not None:
            want = ref_nms.nms(bf, sf, iou, thr, max_output, metric)
    else:
        ids = data.draw(st.one_of(hnp.arrays(np.int64, (n,), elements=st.sampled_from([0, 1, -2**63, 2**63 - 1])),
                                  arrays((n,), dtypes=(np.uint8, np.int32, np.float32))), label="class_ids")
        got = check(which, lambda: ops.batched_nms(b, s, ids, iou, score_threshold=thr, max_output=max_output,
                                                   metric=metric))
        if got is not None:
            want = ref_nms.batched_nms(bf, sf, np.asarray(ids), iou, thr, max_output, metric)
    if got is not None:
        assert boxes_finite(b) and not np.isnan(np.asarray(s, np.float64)).any()
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------------------------------------
# RoI pooling

@st.composite
def rois(draw, batch):
    k = draw(st.integers(0, 3))
    index = st.one_of(st.integers(0, max(batch - 1, 0)), st.sampled_from([-1, batch, 2**31, 0.5]))
    rows = draw(st.lists(st.tuples(index, real_floats(-2, 8), real_floats(-2, 8), real_floats(-2, 8),
                                   real_floats(-2, 8)), min_size=k, max_size=k))
    arr = np.array(rows, np.float64).reshape(k, 5)
    if k and draw(st.booleans()):
        arr[draw(st.integers(0, k - 1)), draw(st.integers(1, 4))] = draw(special_floats)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with np.errstate(over="ignore"):
        return draw(laid_out(arr.astype(dtype)))


@pytest.mark.parametrize("name", ["roi_align", "crop_resize", "roi_pool"])
@fuzz(60)
@given(data=st.data())
def test_roi(name, data):
    x = data.draw(arrays(st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 5), st.integers(1, 5))),
                  label="input")
    b = data.draw(rois(x.shape[0]), label="boxes")
    size = data.draw(st.one_of(small_ints(1, 3), st.tuples(small_ints(1, 3), small_ints(1, 3))), label="output_size")
    scale = data.draw(st.one_of(st.just(1.0), st.floats(0, 2), special_floats), label="spatial_scale")
    kwargs = {"spatial_scale": scale}
    if name != "roi_pool":
        kwargs["sampling_ratio"] = data.draw(st.one_of(st.integers(-1, 3), edge_ints), label="sampling_ratio")
        kwargs["aligned"] = data.draw(st.booleans(), label="aligned")
    cvcore.set_num_threads(data.draw(threads))
    got = check(name, lambda: getattr(ops, name)(x, b, size, **kwargs))
    if got is None:
        return
    ph, pw = pair_of(size)
    assume(cheap(ph, pw, limit=8) and cheap(kwargs.get("sampling_ratio", 0), limit=8))
    # A sample with bilinear weight 0 on a NaN or infinite pixel gives NaN here, 0 in torchvision
    # (which skips samples outside the map): compared on finite maps only.
    assume(np.isfinite(as_f32(x)).all())
    if name == "roi_pool":
        want, _ = ref_roi.roi_pool(as_f32(x), b, (ph, pw), scale)
    else:
        want = ref_roi.roi_align(as_f32(x), b, (ph, pw), scale, kwargs["sampling_ratio"], kwargs["aligned"])
    clean = np.nan_to_num(as_f32(x), posinf=0, neginf=0)
    assert_matches(got, want, 1e-5, scale=np.abs(clean).max(initial=0) + 1e-6)


# ------------------------------------------------------------------------------------------------
# Detection

@fuzz()
@given(data=st.data())
def test_yolo_decode(data):
    levels = data.draw(st.integers(1, 2))
    na, nc = data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))
    outputs = [data.draw(arrays((1, na * (5 + nc) + data.draw(st.sampled_from([0, 0, 1])), 2, 2)))
               for _ in range(levels)]
    anchors = [data.draw(st.one_of(arrays((na, 2), dtypes=(np.float32, np.float64), special=False).map(np.abs),
                                   arrays((na * 2 + 1,)), st.just([[np.nan, 1.0]] * na))) for _ in range(levels)]
    strides = data.draw(st.lists(st.one_of(st.sampled_from([8, 16.0]), special_floats, small_ints(1, 32)),
                                 min_size=levels, max_size=levels + data.draw(st.sampled_from([0, 0, 1]))))
    style = data.draw(st.sampled_from(["v5", "v3", "v8"]))
    got = check("yolo_decode", lambda: detection.yolo_decode(outputs, anchors, strides, style))
    if got is None:
        return
    boxes_, scores = got
    classes = {np.shape(o)[1] // max(na, 1) - 5 for o in outputs}
    assert len(classes) == 1 and min(classes) >= 1 and na >= 1
    assert boxes_.shape == (1, levels * na * 4, 4) and scores.shape == (1, levels * na * 4, classes.pop())
    assert all(np.isfinite(float(s)) and float(s) > 0 for s in strides)
    assert all((np.asarray(a, np.float64) > 0).all() and np.asarray(a).size > 0 for a in anchors)


@fuzz()
@given(data=st.data())
def test_box_coders(data):
    n = data.draw(st.integers(0, 4))
    a = data.draw(boxes(n), label="boxes")
    b = data.draw(st.one_of(boxes(n), boxes(n + 1)), label="priors")
    which = data.draw(st.sampled_from(["ssd", "rcnn"]))
    coeffs = data.draw(st.one_of(st.none(), st.lists(st.one_of(st.floats(0.05, 10), special_floats), min_size=1,
                                                    max_size=5)), label="variances / weights")
    if which == "ssd":
        kw = {} if coeffs is None else {"variances": coeffs}
        enc = check("ssd_encode", lambda: detection.ssd_encode(a, b, **kw))
        dec = check("ssd_decode", lambda: detection.ssd_decode(a, b, **kw))
    else:
        kw = {} if coeffs is None else {"weights": coeffs}
        enc = check("rcnn_encode", lambda: detection.rcnn_encode(a, b, **kw))
        dec = check("rcnn_decode", lambda: detection.rcnn_decode(a, b, **kw))
    for out in (enc, dec):
        if out is not None:
            assert out.shape == np.broadcast_shapes(np.shape(a), np.shape(b))
            assert out.dtype == precision_of(a, b)


@fuzz()
@given(data=st.data())
def test_anchor_points_and_free_decode(data):
    levels = data.draw(st.integers(0, 2))
    shapes = data.draw(st.lists(st.tuples(small_ints(0, 3), small_ints(0, 3)), min_size=levels, max_size=levels))
    strides = data.draw(st.lists(st.one_of(st.sampled_from([8, 16]), special_floats), min_size=levels,
                                 max_size=levels + data.draw(st.sampled_from([0, 0, 1]))))
    owned = [h * w for h, w in shapes if min(h, w) >= 0]
    # A valid feature map of 2**62 cells is a (legitimately) huge output: MemoryError.
    got = check("anchor_points", lambda: detection.anchor_points(shapes, strides))
    if got is not None:
        pts, stride_of = got
        assert len(pts) == len(stride_of) == sum(owned)
        assert all(math.isfinite(s) and s > 0 for s in strides)
    a = data.draw(arrays((1, sum(owned) if sum(owned) < 100 else 1, 4)), label="distances")
    got = check("yolo_anchor_free_decode", lambda: detection.yolo_anchor_free_decode(a, shapes, strides))
    if got is not None:
        assert got.shape == a.shape


@fuzz(15)
@given(data=st.data())
def test_ssd_priors(data):
    k = data.draw(st.integers(0, 2))
    lengths = st.sampled_from([k, k, k, k + 1])
    args = dict(image_size=data.draw(st.one_of(st.just(300), special_floats, edge_ints)),
                feature_maps=data.draw(st.lists(st.one_of(st.integers(1, 3), st.just(2.5), edge_ints), min_size=k,
                                                max_size=k)),
                steps=data.draw(lengths.flatmap(lambda m: st.lists(st.one_of(st.integers(1, 64), special_floats),
                                                                   min_size=m, max_size=m))),
                min_sizes=[30.0] * k, max_sizes=[60.0] * k,
                aspect_ratios=data.draw(st.lists(st.lists(st.one_of(st.sampled_from([2, 3]), special_floats),
                                                          max_size=2), min_size=k, max_size=k)))
    got = check("ssd_priors", lambda: detection.ssd_priors(**args))
    if got is not None:
        per_map = [f * f * (2 + 2 * len(r)) for f, r in zip(args["feature_maps"], args["aspect_ratios"])]
        assert got.shape == (sum(per_map), 4) and ((got >= 0) & (got <= 1)).all()


@fuzz(30)
@given(data=st.data())
def test_point_coders(data):
    n, k = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 3))
    points = data.draw(st.one_of(arrays((n, k, 2)), arrays((n, 2 * k)), arrays((n, 3))), label="points / offsets")
    priors = data.draw(st.one_of(boxes(n), boxes(n + 1)), label="priors")
    variance = data.draw(st.one_of(st.just(0.1), st.floats(0.05, 10), special_floats), label="variance")
    enc = check("ssd_encode_points", lambda: detection.ssd_encode_points(points, priors, variance))
    dec = check("ssd_decode_points", lambda: detection.ssd_decode_points(points, priors, variance))
    lead = np.shape(priors)[:-1]
    if enc is not None:
        assert enc.shape == np.broadcast_shapes(np.shape(points)[:-2], lead) + (2 * np.shape(points)[-2],)
        assert enc.dtype == precision_of(points, priors)
    if dec is not None:
        assert dec.shape == np.broadcast_shapes(np.shape(points)[:-1], lead) + (np.shape(points)[-1] // 2, 2)
        assert dec.dtype == precision_of(points, priors)


@fuzz(15)
@given(data=st.data())
def test_retinaface_priors(data):
    levels = data.draw(st.integers(0, 2))
    size = data.draw(st.one_of(small_ints(1, 40), st.tuples(small_ints(1, 40), small_ints(1, 40)), st.just(2.5),
                               st.just((3, 4, 5))), label="image_size")
    steps = data.draw(st.lists(st.one_of(st.integers(1, 16), st.just(0), edge_ints), min_size=levels, max_size=levels))
    min_sizes = data.draw(st.lists(st.lists(st.one_of(st.floats(1, 64), special_floats), max_size=2),
                                   min_size=levels, max_size=levels + data.draw(st.sampled_from([0, 0, 1]))))
    got = check("retinaface_priors", lambda: detection.retinaface_priors(size, steps, min_sizes))
    if got is not None:
        h, w = (size, size) if isinstance(size, int) else size
        assert got.shape == (sum(-(-h // s) * -(-w // s) * len(m) for s, m in zip(steps, min_sizes)), 4)
        assert np.isfinite(got).all() and (got > 0).all()


@fuzz()
@given(data=st.data())
def test_letterbox_resize_normalize(data):
    img = data.draw(st.one_of(arrays(st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4)), special=False),
                              arrays(st.tuples(st.integers(0, 3), st.integers(0, 3))), odd_arrays((2, 2, 3))),
                    label="image")
    which = data.draw(st.sampled_from(["letterbox", "resize_bilinear", "normalize"]))
    if which == "letterbox":
        shape = data.draw(st.one_of(small_ints(1, 8), st.tuples(small_ints(1, 8), small_ints(1, 8)), st.just("8")))
        color = data.draw(st.one_of(st.just((114, 114, 114)), st.lists(st.one_of(st.integers(-1, 256), special_floats),
                                                                       max_size=5)), label="color")
        got = check("letterbox", lambda: detection.letterbox(img, shape, color, data.draw(st.booleans()),
                                                             data.draw(small_ints(1, 64)), data.draw(st.booleans())))
        if got is not None:
            out, ratio, pad = got
            assert out.dtype == np.asarray(img).dtype and out.shape[2:] == np.asarray(img).shape[2:]
    elif which == "resize_bilinear":
        size = data.draw(st.one_of(small_ints(1, 8), st.tuples(small_ints(1, 8), small_ints(1, 8))), label="size")
        got = check("resize_bilinear", lambda: detection.resize_bilinear(img, size))
        if got is not None:
            assert got.shape[:2] == pair_of(size) and got.dtype == np.asarray(img).dtype
    else:
        c = np.shape(img)[-1] if np.ndim(img) else 1
        mean = data.draw(st.one_of(st.floats(-5, 5), st.lists(st.floats(-5, 5), min_size=c, max_size=c + 1),
                                   special_floats))
        std = data.draw(st.one_of(st.floats(0.5, 5), st.lists(st.floats(0.5, 5), min_size=c, max_size=c + 1),
                                  special_floats))
        got = check("normalize", lambda: detection.normalize(img, mean, std))
        if got is not None:
            with np.errstate(all="ignore"):
                want = (np.asarray(img, np.float32) - np.float32(mean)) / np.float32(std)
            assert_matches(got, want, 1e-6)


@fuzz()
@given(data=st.data())
def test_to_blob_and_scale_boxes(data):
    img = data.draw(st.one_of(arrays(st.tuples(st.integers(0, 4), st.integers(1, 4), st.integers(1, 4)),
                                     dtypes=(np.uint8, np.float32, np.float64, np.int32)),
                              arrays((1, 2, 3, 3)), odd_arrays((2, 2, 3))), label="images")
    size = data.draw(st.one_of(st.none(), st.tuples(small_ints(1, 5), small_ints(1, 5)), st.just((3,)), st.just(4)))
    scale = data.draw(st.one_of(st.just(1.0), st.floats(-2, 2), special_floats), label="scale")
    mean = data.draw(st.one_of(st.just(0.0), st.lists(st.floats(-5, 5), max_size=4), special_floats), label="mean")
    dtype = data.draw(st.sampled_from([np.float32, np.uint8, np.float64]), label="dtype")
    cvcore.set_num_threads(data.draw(threads))
    got = check("to_blob", lambda: detection.to_blob(img, scale, size, mean, data.draw(st.booleans()), dtype))
    if got is not None:
        assert got.ndim == 4 and got.dtype == dtype
    b = data.draw(boxes(), label="boxes")
    ratio = data.draw(st.one_of(st.floats(0.1, 4), special_floats, st.just((2.0, 2.0))), label="ratio")
    pad = data.draw(st.one_of(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), st.tuples(special_floats, st.just(0.0)),
                              st.just((1.0,))), label="pad")
    shape = data.draw(st.one_of(st.tuples(small_ints(1, 9), small_ints(1, 9), st.just(3)), st.just(9)), label="shape")
    got = check("scale_boxes", lambda: detection.scale_boxes(b, ratio, pad, shape))
    if got is not None:
        assert got.shape == np.shape(b) and got.dtype == precision_of(b)


@fuzz()
@given(data=st.data())
def test_postprocess(data):
    n, a, c = data.draw(st.integers(0, 2)), data.draw(st.integers(0, 6)), data.draw(st.integers(0, 3))
    b = data.draw(arrays((n, a, 4), dtypes=(np.float32, np.float64)), label="boxes")
    s = data.draw(st.one_of(arrays((n, a, c), dtypes=(np.float32, np.float64), special=False).map(np.abs),
                            arrays((n, a + 1, c))), label="scores")
    kwargs = dict(score_threshold=data.draw(st.one_of(st.floats(0, 1), special_floats)),
                  iou_threshold=data.draw(st.one_of(st.floats(0, 1), special_floats)),
                  pre_nms_top_k=data.draw(st.one_of(st.none(), small_ints(0, 5))),
                  max_detections=data.draw(st.one_of(st.none(), small_ints(0, 5))),
                  class_agnostic=data.draw(st.booleans()), multi_label=data.draw(st.booleans()))
    cvcore.set_num_threads(data.draw(threads))
    got = check("postprocess", lambda: detection.postprocess(b, s, **kwargs))
    if got is not None:
        assert len(got) == n
        for det in got:
            assert np.isfinite(det.boxes).all() and (det.scores > kwargs["score_threshold"]).all()
            assert kwargs["max_detections"] is None or len(det) <= kwargs["max_detections"]


@fuzz(20)
@given(data=st.data())
def test_anchor_clustering(data):
    wh = data.draw(st.one_of(arrays(st.tuples(st.integers(0, 12), st.just(2)), dtypes=(np.float64, np.int32),
                                    special=False).map(lambda v: np.abs(v) + 1),
                             arrays((5, 2)), arrays((3, 3))), label="wh")
    if data.draw(st.booleans()):
        anchors = data.draw(st.one_of(arrays((2, 2), special=False).map(np.abs), arrays((0, 2))), label="anchors")
        thr = data.draw(st.one_of(st.just(4.0), st.floats(0, 8), special_floats), label="thr")
        got = check("anchor_quality", lambda: detection.anchor_quality(wh, anchors, thr))
        if got is not None:
            assert all(0 <= v <= 2 for v in got[:3]) and got[3] >= 0
        return
    k = data.draw(small_ints(1, 4), label="n_anchors")
    img_size = data.draw(small_ints(1, 640), label="img_size")
    max_iter = data.draw(small_ints(1, 50), label="max_iter")
    n_init = data.draw(small_ints(1, 3), label="n_init")
    got = check(("kmeans_anchors", "kmeans"), lambda: detection.kmeans_anchors(wh, k, img_size, max_iter=max_iter,
                                                                               n_init=n_init))
    if got is not None:
        assert got.anchors.shape == (k, 2) and (got.anchors > 0).all()


@fuzz(8)
@given(data=st.data())
def test_mtcnn(data):
    kwargs = dict(min_face_size=data.draw(st.one_of(st.just(20.0), st.floats(0, 100), special_floats, edge_ints)),
                  scale_factor=data.draw(st.one_of(st.just(0.709), st.floats(0, 1), special_floats)),
                  thresholds=data.draw(st.one_of(st.just((0.6, 0.7, 0.7)),
                                                 st.lists(st.one_of(st.floats(0, 1), special_floats), max_size=4))))
    detector = check("MTCNN", lambda: detection.MTCNN(**kwargs))
    if detector is None:
        return
    img = data.draw(st.one_of(arrays(st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(3)),
                                     dtypes=(np.uint8,), layout=True),
                              arrays((4, 4)), arrays((4, 4, 3), dtypes=(np.float32,))), label="image")
    got = check("MTCNN.detect", lambda: detector.detect(img))
    if got is not None:
        b, p, marks = got
        assert b.shape == (len(p), 4) and marks.shape == (len(p), 5, 2)


@fuzz(6)
@given(data=st.data())
def test_retinaface(data):
    kwargs = dict(score_threshold=data.draw(st.one_of(st.just(0.9), st.floats(-1, 2), special_floats, edge_ints)),
                  nms_threshold=data.draw(st.one_of(st.just(0.4), st.floats(0, 1), special_floats)),
                  mean=data.draw(st.one_of(st.just((123, 117, 104)), st.lists(st.one_of(st.floats(0, 255), special_floats),
                                                                               max_size=4))))
    detector = check("RetinaFace", lambda: detection.RetinaFace(**kwargs))
    if detector is None:
        return
    for _ in range(3):
        img = data.draw(st.one_of(arrays(st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(3)),
                                         dtypes=(np.uint8,), layout=True),
                                  arrays((4, 4)), arrays((4, 4, 4), dtypes=(np.uint8,)),
                                  arrays((4, 4, 3), dtypes=(np.float32,))), label="image")
        got = check("RetinaFace.detect", lambda: detector.detect(img))
        if got is not None:
            b, p, marks = got
            assert b.shape == (len(p), 4) and marks.shape == (len(p), 5, 2) and (p > kwargs["score_threshold"]).all()


# ------------------------------------------------------------------------------------------------
# Clustering

@fuzz(60)
@given(data=st.data())
def test_kmeans(data):
    n, d = data.draw(st.integers(0, 8)), data.draw(st.integers(0, 3))
    X = data.draw(st.one_of(arrays((n, d)), arrays((n,)), odd_arrays((2, 2))), label="X")
    k = data.draw(small_ints(1, 4), label="n_clusters")
    init = data.draw(st.sampled_from(["k-means++", "random", "array", "bad"]), label="init")
    init = arrays((k if 0 < k < 9 else 2, d), special=False) if init == "array" else st.just(init)
    init = data.draw(init)
    max_iter, n_init = data.draw(small_ints(1, 20), label="max_iter"), data.draw(small_ints(1, 3), label="n_init")
    tol = data.draw(st.one_of(st.just(1e-4), special_floats, st.just(-1.0)), label="tol")
    metric = data.draw(st.sampled_from(["euclidean", "iou", "cosine"]), label="metric")
    weights = data.draw(st.one_of(st.none(), arrays((n,), dtypes=(np.float64,))), label="sample_weight")
    seed = data.draw(st.one_of(st.integers(0, 9), st.just(-1), st.just("a")), label="random_state")
    cvcore.set_num_threads(data.draw(threads))
    got = check("kmeans", lambda: cluster.kmeans(X, k, init=init, max_iter=max_iter, n_init=n_init, tol=tol,
                                                 metric=metric, sample_weight=weights, random_state=seed))
    if got is None:
        return
    centers, labels, inertia, _ = got
    Xf = np.asarray(X, centers.dtype)
    dist = ref_kmeans.distance(Xf.astype(np.float64), centers.astype(np.float64), metric)
    # Every label is a nearest centre (ties either way), and the inertia is that of the labels.
    best = dist.min(axis=1)
    chosen = dist[np.arange(len(labels)), labels]
    assert np.allclose(chosen, best, rtol=1e-4, atol=1e-4 * (1 + np.abs(Xf).max()) ** 2)
    w = np.ones(len(labels)) if weights is None else np.asarray(weights, np.float64)
    assert math.isclose(inertia, float((w * chosen).sum()), rel_tol=1e-3, abs_tol=1e-3)


def assert_distances(got, want):
    """Euclidean distances equal the reference's, except that float32 kernels square in float32: a
    distance past 1e18 may overflow to inf there (scikit-learn upcasts float32 to float64 for them)."""
    keep = want < 1e18 if got.dtype == np.float32 else np.ones(want.shape, bool)
    assert got.shape == want.shape
    assert_matches(got[keep], want[keep], 1e-3, scale=want[keep] + 1e-2, dtype=got.dtype)


@fuzz()
@given(data=st.data())
def test_fitted_estimators(data):
    n, d = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    X = data.draw(arrays((n, d), dtypes=(np.float32, np.float64), special=False), label="X")
    query = data.draw(st.one_of(arrays((3, d)), arrays((2, d + 1)), arrays((0, d)), odd_arrays((2, d))), label="query")
    if data.draw(st.booleans()):
        km = cluster.KMeans(1, random_state=0).fit(X)
        which = data.draw(st.sampled_from(["predict", "transform", "score"]))
        got = check(f"KMeans.{which}", lambda: getattr(km, which)(query))
        if got is not None and which == "transform":
            centers = km.cluster_centers_.astype(np.float64)
            want = np.sqrt(ref_kmeans.sq_distance(np.asarray(query, got.dtype).astype(np.float64), centers))
            assert_distances(got, want)
        return
    k = data.draw(small_ints(1, 4), label="n_neighbors")
    weights = data.draw(st.sampled_from(["uniform", "distance", "cosine"]), label="weights")
    y = data.draw(st.one_of(st.lists(st.integers(0, 2), min_size=n, max_size=n), st.just([0])), label="y")
    clf = check("KNeighborsClassifier.fit", lambda: cluster.KNeighborsClassifier(k, weights=weights).fit(X, y))
    if clf is None:
        return
    got = check("KNeighborsClassifier.kneighbors", lambda: clf.kneighbors(query))
    if got is not None:
        dist, idx = got
        want_d, want_i = ref_kmeans.knn(np.asarray(X, np.float64), np.asarray(query, dist.dtype).astype(np.float64), k)
        assert_distances(dist, want_d)
        assert idx.shape == want_i.shape


# ------------------------------------------------------------------------------------------------
# Metrics

@fuzz()
@given(data=st.data())
def test_classification_metrics(data):
    n = data.draw(st.integers(0, 6))
    labels = st.one_of(st.integers(0, 3), st.sampled_from([2**63 - 1, -1]))
    y_true = data.draw(st.one_of(st.lists(labels, min_size=n, max_size=n), st.lists(st.sampled_from(["a", None]))))
    y_pred = data.draw(st.one_of(st.lists(labels, min_size=n, max_size=n), st.lists(labels, max_size=2)))
    which = data.draw(st.sampled_from(["confusion_matrix", "precision_recall_fscore",
                                       "precision_recall_fscore_from_counts"]))
    if which == "confusion_matrix":
        got = check(which, lambda: metrics.confusion_matrix(y_true, y_pred))
        if got is not None:
            assert got.sum() == len(y_true) == len(y_pred)
    elif which == "precision_recall_fscore":
        kwargs = dict(average=data.draw(st.sampled_from([None, "micro", "macro", "weighted", "samples"])),
                      beta=data.draw(st.one_of(st.just(1.0), st.floats(0, 3), special_floats, st.just("1"))),
                      zero_division=data.draw(st.sampled_from([0, 1, math.nan, 2, "warn"])))
        check(which, lambda: metrics.precision_recall_fscore(y_true, y_pred, **kwargs))
    else:
        count = st.one_of(arrays((n,), dtypes=(np.int64, np.float64)), st.integers(-1, 5))
        counts = [data.draw(count) for _ in range(3)]
        got = check(which, lambda: metrics.precision_recall_fscore_from_counts(*counts))
        if got is not None:
            assert all(((v >= 0) & (v <= 1) | np.isnan(v)).all() for v in got)


@fuzz()
@given(data=st.data())
def test_average_precision_and_voc(data):
    n = data.draw(st.integers(0, 5))
    rec = data.draw(st.one_of(arrays((n,), dtypes=(np.float64,), special=False).map(lambda v: np.sort(np.abs(v) % 1)),
                              arrays((n,))), label="recall")
    prec = data.draw(st.one_of(arrays((n,), dtypes=(np.float64,), special=False).map(lambda v: np.abs(v) % 1),
                               arrays((n + 1,))), label="precision")
    method = data.draw(st.sampled_from(["voc", "voc07", "coco", "11"]), label="method")
    got = check("average_precision", lambda: metrics.average_precision(rec, prec, method))
    if got is not None:
        assert 0 <= got <= 1 + 1e-12
    images = data.draw(st.integers(0, 2))
    two_boxes, labels = boxes(2, dtypes=(np.float64,)), st.lists(st.integers(0, 1), min_size=2, max_size=2)
    gt = [{"boxes": data.draw(two_boxes), "labels": data.draw(labels)} for _ in range(images)]
    dets = [{"boxes": data.draw(two_boxes), "scores": data.draw(arrays((2,), dtypes=(np.float64,))), "labels": [0, 1]}
            for _ in range(images)]
    if images and data.draw(st.booleans()):
        del (gt if data.draw(st.booleans()) else dets)[0]["boxes"]
    iou = data.draw(st.one_of(st.just(0.5), special_floats, st.floats(0, 1)), label="iou_threshold")
    got = check(("voc_evaluate", "voc_match"), lambda: metrics.voc_evaluate(gt, dets, iou, data.draw(
        st.sampled_from(["voc", "voc07", "coco"])), data.draw(st.booleans())))
    if got is not None:
        per_class, mean = got
        assert all(0 <= v <= 1 + 1e-12 for v in per_class.values())  # VOC07 sums eleven 1/11ths


# ------------------------------------------------------------------------------------------------
# Images

@fuzz()
@given(data=st.data())
def test_draw_and_png(data, tmp_path_factory):
    img = data.draw(st.one_of(arrays(st.tuples(st.integers(1, 5), st.integers(1, 5), st.just(3)), dtypes=(np.uint8,)),
                              arrays((3, 3)), arrays((2, 2, 3), dtypes=(np.float32,))), label="image")
    b = data.draw(boxes(), label="boxes")
    points = data.draw(st.one_of(st.none(), arrays(st.tuples(st.integers(0, 2), st.just(5), st.just(2)))))
    color = data.draw(st.one_of(st.just((255, 0, 0)), st.lists(st.one_of(st.integers(-1, 256), special_floats),
                                                               max_size=4)), label="color")
    thickness = data.draw(st.one_of(small_ints(1, 3), st.just(1.5)), label="thickness")
    got = check("draw_detections", lambda: image.draw_detections(img, b, points, color, thickness=thickness))
    if got is None:
        return
    assert got.shape == img.shape and got.dtype == np.uint8
    path = tmp_path_factory.mktemp("png") / "x.png"
    image.write_png(path, got)
    data_ = path.read_bytes()
    np.testing.assert_array_equal(image.read_png(data_), got)
    # Damaged files: a ValueError naming read_png, or the same pixels (a change the format ignores).
    cut = data.draw(st.integers(0, len(data_)))
    flip = data.draw(st.integers(0, len(data_) - 1))
    damaged = bytearray(data_[:cut] + data_[cut + 1:] if data.draw(st.booleans()) else data_)
    if data.draw(st.booleans()):
        damaged[flip % len(damaged)] ^= 1 << data.draw(st.integers(0, 7))
    check("read_png", lambda: image.read_png(bytes(damaged)))


# ------------------------------------------------------------------------------------------------
# nn layers and models, the runtime, the command line

LAYERS = {
    "Conv2d": lambda v: nn.Conv2d(v[0], v[1], v[2], stride=v[3], padding=v[4], dilation=v[5], groups=v[6]),
    "Linear": lambda v: nn.Linear(v[0], v[1]),
    "BatchNorm2d": lambda v: nn.BatchNorm2d(v[0]),
    "MaxPool2d": lambda v: nn.MaxPool2d(v[2], stride=v[3], padding=v[4], dilation=v[5]),
    "AvgPool2d": lambda v: nn.AvgPool2d(v[2], stride=v[3], padding=v[4]),
    "AdaptiveAvgPool2d": lambda v: nn.AdaptiveAvgPool2d(v[2]),
    "PReLU": lambda v: nn.PReLU(v[0]),
    "Flatten": lambda v: nn.Flatten(v[3] - 2),
    "Dropout": lambda v: nn.Dropout(v[4] / 2),
}


@pytest.mark.parametrize("name", list(LAYERS))
@fuzz(20)
@given(data=st.data())
def test_layers(name, data):
    values = data.draw(st.tuples(small_ints(1, 3), small_ints(1, 3), small_ints(1, 3), small_ints(1, 2),
                                 small_ints(0, 1), small_ints(1, 2), small_ints(1, 1)))
    window = dict(stride=values[3], padding=values[4], dilation=values[5], kernel_size=values[2])
    layer = check(name, lambda: LAYERS[name](values))
    if layer is None:
        return
    shape = data.draw(st.tuples(st.integers(0, 2), st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)))
    x = data.draw(arrays(shape if name != "Linear" else shape[:1] + (values[0],)), label="input")
    # output_shape computes window sizes with ops.conv_output_size, whose messages name it and the argument.
    expected = check((name, "conv2d", "linear", "batch_norm", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
                      "prelu", "summary", "conv_output_size"), lambda: layer.output_shape(x.shape))
    got = check((name, "conv2d", "linear", "batch_norm", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "prelu"),
                lambda: layer(x))
    if got is not None and expected is not None:
        assert tuple(np.shape(got)) == tuple(expected)


@fuzz(15)
@given(data=st.data())
def test_summary_and_threads(data):
    shape = data.draw(st.lists(small_ints(0, 40), min_size=0, max_size=5), label="input_shape")
    check(("summary", "Conv2d", "MaxPool2d", "Linear", "Flatten", "AdaptiveAvgPool2d"),
          lambda: nn.summary(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()), shape,
                             verbose=False))
    n = data.draw(st.one_of(edge_ints, st.integers(-3, 1100), st.just(2**70), st.just(1.0), st.just(True)), label="n")
    default = cvcore.get_num_threads()
    try:
        accepted = check("set_num_threads", lambda: cvcore.set_num_threads(n) or True)
        assert bool(accepted) == (type(n) is int and 1 <= n <= 1024)
        assert cvcore.get_num_threads() == (n if accepted else default)
    finally:
        cvcore.set_num_threads(default)


@fuzz(20)
@given(data=st.data())
def test_kmeans_plusplus_and_fuse(data):
    n, d = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 3))
    X = data.draw(st.one_of(arrays((n, d)), odd_arrays((2, 2))), label="X")
    k = data.draw(small_ints(1, 4), label="n_clusters")
    trials = data.draw(st.one_of(st.none(), small_ints(1, 3)), label="n_local_trials")
    got = check("kmeans_plusplus", lambda: cluster.kmeans_plusplus(X, k, random_state=0, n_local_trials=trials))
    if got is not None:
        centers, indices = got
        np.testing.assert_array_equal(centers, np.asarray(X, centers.dtype)[indices])
        assert len(np.unique(indices)) == k or not np.isfinite(np.asarray(X, np.float64)).all() or len(
            np.unique(np.asarray(X), axis=0)) < k
    # fuse(): a conv, its batch norm and an activation folded into one layer give the same outputs.
    channels = data.draw(st.integers(1, 3))
    model = nn.Sequential(nn.Conv2d(channels, 2, data.draw(st.integers(1, 3)), padding=1, seed=1),
                          nn.BatchNorm2d(2), data.draw(st.sampled_from([nn.ReLU(), nn.ReLU6(), nn.Identity()])))
    bn = model[1]
    bn.running_var[:] = data.draw(arrays((2,), dtypes=(np.float32,), special=False).map(np.abs))
    bn.running_mean[:] = data.draw(arrays((2,), dtypes=(np.float32,), special=False))
    x = data.draw(arrays(st.tuples(st.integers(0, 2), st.just(channels), st.integers(1, 5), st.integers(1, 5)),
                         special=False), label="input")
    fused = check("fuse", lambda: nn.fuse(model))
    want = check(("conv2d", "batch_norm"), lambda: model(x), valid=True)
    if fused is not None and want is not None:
        got = fused(x)
        scale = np.abs(want).max(initial=0) + 1
        assert_matches(got, want, 1e-4, scale=scale)


# A COCO field's value of another type or out of range.
ODD_COCO_VALUES = (1.5, "1", None, 2**70, -1, math.nan, math.inf, True, [1])


@fuzz(30)
@given(data=st.data())
def test_coco_evaluator(data, tmp_path_factory):
    """COCOEvaluator and its detection-file reader: well-formed records, then at most one field replaced
    by a value of another type or out of range, or removed, and the detections written as JSON, as
    written or damaged."""
    ids, count = st.integers(1, 3), st.integers(0, 3)
    box = st.lists(st.floats(0, 50), min_size=4, max_size=4)
    images = [{"id": data.draw(ids), "width": 64, "height": 64} for _ in range(data.draw(count))]
    cats = [{"id": data.draw(ids), "name": "c"} for _ in range(data.draw(count))]
    anns = [{"id": i + 1, "image_id": data.draw(ids), "category_id": data.draw(ids), "bbox": data.draw(box),
             "area": data.draw(st.floats(1, 100)), "iscrowd": data.draw(st.sampled_from([0, 1]))}
            for i in range(data.draw(count))]
    dets = [{"image_id": data.draw(ids), "category_id": data.draw(ids), "bbox": data.draw(box),
             "score": data.draw(st.floats(0, 1))} for _ in range(data.draw(count))]
    records = images + cats + anns + dets
    if records and data.draw(st.booleans()):
        record = data.draw(st.sampled_from(records))
        key = data.draw(st.sampled_from(sorted(record)))
        odd = data.draw(st.sampled_from(ODD_COCO_VALUES + (([0, 0, -1, 1], [math.nan] * 4, ["1"] * 4, [0] * 5)
                                                            if key == "bbox" else ())))
        if data.draw(st.booleans()):
            record[key] = odd
        else:
            del record[key]
    max_dets = data.draw(st.one_of(st.just((1, 10, 100)), st.lists(st.one_of(small_ints(0, 100), st.just(1.5)),
                                                                  max_size=3)), label="max_dets")
    gt = {"images": images, "categories": cats, "annotations": anns}
    if data.draw(st.booleans()):
        import json

        text = json.dumps(dets, allow_nan=True)
        if data.draw(st.booleans()):
            cut = data.draw(st.integers(0, len(text)))
            damage = data.draw(st.sampled_from(["", "\x00", "NaN", "01", "\\u12", "\x01", "\udcff"]))
            text = text[:cut] + damage + text[cut:]
        path = tmp_path_factory.mktemp("coco") / "dets.json"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        dets = str(path)
    evaluator = check("COCOEvaluator", lambda: metrics.COCOEvaluator(gt, dets, max_dets))
    if evaluator is not None:
        result = check("COCOEvaluator", lambda: evaluator.evaluate())
        if result is not None:
            assert np.all((result.precision == -1) | ((result.precision >= 0) & (result.precision <= 1)))


@fuzz(4)
@given(data=st.data())
def test_cli(data):
    import contextlib
    import io

    from cvcore import cli

    shape = data.draw(st.lists(st.one_of(st.integers(0, 64), edge_ints), min_size=0, max_size=5), label="input_shape")
    arch = data.draw(st.sampled_from(["vgg16", "vgg16_bn"]))
    out = io.StringIO()
    with bounded(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = cli.main(["summary", arch, "--num-classes", str(data.draw(small_ints(1, 10))), "--input-shape",
                             *map(str, shape)])
            assert code == 0 and "total" in out.getvalue().lower()
        except SystemExit as e:  # argparse's usage errors (2), or the command's message
            assert e.code == 2 or str(e.code).startswith("cvcore summary: "), e.code
