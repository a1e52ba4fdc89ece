"""conv_transpose2d against a NumPy reference written here (each input pixel scatters its kernel), and
against onnxruntime's ConvTranspose on one-node graphs."""

import itertools

import numpy as np
import pytest

from cvcore import ops
from conftest import run_threads


def ref_conv_transpose2d(x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), output_padding=(0, 0), dilation=(1, 1),
                         groups=1):
    """The definition, in float64: for each tap (a, b), every input pixel (i, j) adds x * w into the full
    output at (i * sh + a * dh, j * sw + b * dw); the padding is then cut from the full output."""
    N, C, H, W = x.shape
    Cg, Og, kh, kw = C // groups, w.shape[1], w.shape[2], w.shape[3]
    (sh, sw), (dh, dw), (oph, opw) = stride, dilation, output_padding
    pt, pl, pb, pr = padding
    full_h, full_w = (H - 1) * sh + dh * (kh - 1) + oph + 1, (W - 1) * sw + dw * (kw - 1) + opw + 1
    full = np.zeros((N, groups * Og, full_h, full_w))
    for g in range(groups):
        xg = x[:, g * Cg:(g + 1) * Cg].astype(np.float64)
        wg = w[g * Cg:(g + 1) * Cg].astype(np.float64)
        for a, c in itertools.product(range(kh), range(kw)):
            tap = np.einsum("nchw,co->nohw", xg, wg[:, :, a, c])
            full[:, g * Og:(g + 1) * Og, a * dh:a * dh + (H - 1) * sh + 1:sh, c * dw:c * dw + (W - 1) * sw + 1:sw] += tap
    out = full[:, :, pt:full_h - pb, pl:full_w - pr]
    if b is not None:
        out = out + np.asarray(b, np.float64)[None, :, None, None]
    return out


def assert_close(got, want):
    """Within float32 summation error of the output's magnitude."""
    assert got.shape == want.shape and got.dtype == np.float32
    scale = max(float(np.abs(want).max(initial=0)), 1e-30)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6 * scale)


def _four(p):
    return (p, p, p, p) if isinstance(p, int) else (p[0], p[1], p[0], p[1]) if len(p) == 2 else tuple(p)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


CASES = [
    # (N, C, H, W), (O/groups, kH, kW), stride, padding, output_padding, dilation, groups
    ((2, 4, 5, 6), (3, 3, 3), 1, 0, 0, 1, 1),
    ((2, 4, 5, 6), (3, 3, 3), 2, 1, 1, 1, 1),
    ((1, 3, 7, 5), (2, 2, 2), 2, 0, 0, 1, 1),      # the x2 upsampling of decoders
    ((1, 6, 4, 7), (2, 3, 3), 2, (1, 0), (1, 0), 1, 2),
    ((2, 6, 5, 5), (1, 3, 3), 1, 1, 0, 2, 6),      # depthwise
    ((1, 4, 6, 3), (5, 4, 2), (3, 2), (0, 1, 2, 1), (2, 1), (1, 2), 2),
    ((1, 2, 3, 4), (3, 1, 1), 1, 0, 0, 1, 1),      # 1x1 kernel
    ((1, 2, 1, 1), (3, 3, 3), 2, 0, 1, 1, 1),      # 1x1 input
    ((3, 1, 1, 1), (1, 1, 1), 1, 0, 0, 1, 1),      # 1x1 everything
    ((1, 3, 5, 9), (4, 5, 3), 3, (2, 1), (2, 0), (2, 3), 1),
    ((2, 4, 3, 3), (2, 2, 3), 1, (1, 1, 0, 2), (0, 1), (1, 2), 2),
    ((1, 2, 4, 4), (2, 3, 3), 1, 3, 0, 3, 1),      # padding beyond the kernel's reach of the edge
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("activation", ["none", "relu", "relu6"])
def test_against_reference(isa, threads, rng, case, activation):
    shape, (og, kh, kw), stride, padding, output_padding, dilation, groups = case
    x = rng.standard_normal(shape).astype(np.float32) * 3
    w = rng.standard_normal((shape[1], og, kh, kw)).astype(np.float32)
    b = rng.standard_normal(og * groups).astype(np.float32)
    for bias in (None, b):
        got = ops.conv_transpose2d(x, w, bias, stride, padding, output_padding, groups, dilation, activation=activation)
        want = ref_conv_transpose2d(x, w, bias, _pair(stride), _four(padding), _pair(output_padding), _pair(dilation),
                                    groups)
        if activation != "none":
            want = np.clip(want, 0, 6 if activation == "relu6" else None)
        assert_close(got, want)


def test_every_combination(rng):
    # stride x padding x output_padding x dilation x groups on small odd maps, at the default threads.
    x = rng.standard_normal((2, 4, 3, 5)).astype(np.float32)
    for stride, pad, out_pad, dilation, groups, k in itertools.product([1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2],
                                                                       [1, 2, 4], [1, 2, 3]):
        if out_pad >= stride and out_pad >= dilation:
            continue
        w = rng.standard_normal((4, 3, k, k)).astype(np.float32)
        full = [(n - 1) * stride + dilation * (k - 1) + out_pad + 1 for n in (3, 5)]
        if min(full) - 2 * pad < 1:
            with pytest.raises(ValueError, match=r"conv_transpose2d: output size \(-?\d+, -?\d+\) is too small"):
                ops.conv_transpose2d(x, w, None, stride, pad, out_pad, groups, dilation)
            continue
        got = ops.conv_transpose2d(x, w, None, stride, pad, out_pad, groups, dilation)
        assert_close(got, ref_conv_transpose2d(x, w, None, (stride,) * 2, (pad,) * 4, (out_pad,) * 2, (dilation,) * 2,
                                               groups))


def test_large_map_blocks_and_bands(isa, threads, rng):
    # Many output channels (several blocks of them), a map of several bands of input rows, and a
    # reduction longer than one GEMM K chunk.
    x = rng.standard_normal((1, 600, 37, 41)).astype(np.float32)
    w = (rng.standard_normal((600, 70, 2, 2)) / 25).astype(np.float32)
    b = rng.standard_normal(70).astype(np.float32)
    got = ops.conv_transpose2d(x, w, b, stride=2, padding=(0, 1, 1, 0), output_padding=1)
    assert_close(got, ref_conv_transpose2d(x, w, b, (2, 2), (0, 1, 1, 0), (1, 1)))


def test_thread_counts_agree(rng):
    x = rng.standard_normal((2, 32, 30, 45)).astype(np.float32)
    for w_shape, stride, groups in [((32, 48, 3, 3), 2, 1), ((32, 4, 4, 4), 2, 8), ((32, 1, 3, 3), 1, 32)]:
        w = rng.standard_normal(w_shape).astype(np.float32)
        one, two = run_threads(lambda: ops.conv_transpose2d(x, w, None, stride, 1, groups=groups))
        np.testing.assert_array_equal(one, two)


def test_inputs_converted_batch_of_one_and_empty(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    want = ops.conv_transpose2d(x.astype(np.float32), w.astype(np.float32), stride=2)
    np.testing.assert_array_equal(ops.conv_transpose2d(x, w, stride=2), want)  # float64 in
    xs = np.asfortranarray(x.astype(np.float32))
    xs.flags.writeable = False
    np.testing.assert_array_equal(ops.conv_transpose2d(xs, w.T.copy().T, stride=2), want)
    np.testing.assert_array_equal(ops.conv_transpose2d(x[1], w, stride=2), want[1])  # (C, H, W)
    out = ops.conv_transpose2d(np.zeros((0, 3, 4, 5), np.float32), w, stride=2)
    assert out.shape == (0, 2, 9, 11) and out.dtype == np.float32
    out = ops.conv_transpose2d(x, np.zeros((3, 0, 3, 3)), np.zeros(0))
    assert out.shape == (2, 0, 6, 7)
    nan = x.astype(np.float32)
    nan[0, 0, 1, 1] = np.nan
    got = ops.conv_transpose2d(nan, w, activation="relu")
    assert np.isnan(got[0, :, 1:4, 1:4]).all() and not np.isnan(got[1]).any()


@pytest.mark.parametrize("call, exc, message", [
    (lambda x, w: ops.conv_transpose2d(x, w[:2]), ValueError,
     r"conv_transpose2d: weight.shape\[0\] must be the input channels \(4\), got 2"),
    (lambda x, w: ops.conv_transpose2d(x, w, groups=3), ValueError,
     r"conv_transpose2d: groups \(3\) must divide the input channels \(4\)"),
    (lambda x, w: ops.conv_transpose2d(x, w, groups=0), ValueError, r"conv_transpose2d: groups must be >= 1, got 0"),
    (lambda x, w: ops.conv_transpose2d(x, w, stride=(1, 0)), ValueError,
     r"conv_transpose2d: stride must be >= 1, got \(1, 0\)"),
    (lambda x, w: ops.conv_transpose2d(x, w, dilation=0), ValueError, r"conv_transpose2d: dilation must be >= 1"),
    (lambda x, w: ops.conv_transpose2d(x, w, padding=-1), ValueError,
     r"conv_transpose2d: padding must be >= 0, got \(-1, -1, -1, -1\)"),
    (lambda x, w: ops.conv_transpose2d(x, w, padding=(1, 2, 3)), ValueError,
     r"conv_transpose2d: padding must be an int, a pair \(h, w\) or four values"),
    (lambda x, w: ops.conv_transpose2d(x, w, stride=2, output_padding=2), ValueError,
     r"conv_transpose2d: output_padding must be smaller than either stride or dilation, got output_padding=\(2, 2\) "
     r"with stride=\(2, 2\) and dilation=\(1, 1\)"),
    (lambda x, w: ops.conv_transpose2d(x, w, output_padding=-1), ValueError,
     r"conv_transpose2d: output_padding must be >= 0"),
    (lambda x, w: ops.conv_transpose2d(x, w, padding=4), ValueError,
     r"conv_transpose2d: output size \(-2, -1\) is too small: padding \(4, 4, 4, 4\) removes the whole output"),
    (lambda x, w: ops.conv_transpose2d(x, w, activation="prelu"), ValueError,
     r"conv_transpose2d: activation must be 'none', 'relu' or 'relu6', got 'prelu'"),
    (lambda x, w: ops.conv_transpose2d(x, w, activation="gelu"), ValueError,
     r"conv_transpose2d: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'"),
    (lambda x, w: ops.conv_transpose2d(x, w, np.zeros(3)), ValueError, r"conv_transpose2d: bias must have 2 elements"),
    (lambda x, w: ops.conv_transpose2d(x, w[0]), ValueError, r"conv_transpose2d: weight must have 4 dimensions"),
    (lambda x, w: ops.conv_transpose2d(x[0, 0], w), ValueError, r"conv_transpose2d: input must have 3 or 4 dimensions"),
    (lambda x, w: ops.conv_transpose2d(x[:, :0], w[:0]), ValueError,
     r"conv_transpose2d: input must have at least one channel"),
    (lambda x, w: ops.conv_transpose2d(x[:, :, :0], w), ValueError,
     r"conv_transpose2d: input must have non-empty spatial dimensions"),
    (lambda x, w: ops.conv_transpose2d(x, w[:, :, :0]), ValueError,
     r"conv_transpose2d: kernel_size \(weight.shape\[2:\]\) must be >= 1"),
    (lambda x, w: ops.conv_transpose2d(x.astype(complex), w), TypeError,
     r"conv_transpose2d: input must be a real numeric array"),
    (lambda x, w: ops.conv_transpose2d(x, w, stride=2**62), ValueError, r"conv_transpose2d: .*overflows 64 bits"),
    (lambda x, w: ops.conv_transpose2d(x, w, stride=2**40), ValueError,
     r"conv_transpose2d: the output shape \(1, 2, 3298534883331, 4398046511107\) is too large"),
    (lambda x, w: ops.conv_transpose2d(x, w, stride=1.5), TypeError, r"conv_transpose2d: stride must be an int"),
    (lambda x, w: ops.conv_transpose2d(x, w, activation=1), TypeError, r"conv_transpose2d: activation must be a str"),
    (lambda x, w: ops.conv_transpose2d(x, w, device="cuda"), RuntimeError, r"conv_transpose2d: "),
])
def test_bad_arguments(call, exc, message):
    x = np.ones((1, 4, 4, 5), np.float32)
    w = np.ones((4, 2, 3, 3), np.float32)
    with pytest.raises(exc, match=message):
        call(x, w)


# --- Against onnxruntime. -------------------------------------------------------------------------------------------

def _ort_conv_transpose(x, w, b=None, **attrs):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(w, "w")] + ([numpy_helper.from_array(b, "b")] if b is not None else [])
    node = helper.make_node("ConvTranspose", ["x", "w"] + (["b"] if b is not None else []), ["y"], **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", "h", "w"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


ORT_CASES = [
    # (N, C, H, W), (O/groups, kH, kW), strides, pads (t, l, b, r), output_padding, dilations, group
    ((1, 4, 5, 6), (3, 3, 3), (1, 1), (0, 0, 0, 0), (0, 0), (1, 1), 1),
    ((2, 4, 5, 6), (3, 3, 3), (2, 2), (1, 1, 1, 1), (1, 1), (1, 1), 1),
    ((1, 8, 7, 5), (4, 2, 2), (2, 2), (0, 0, 0, 0), (0, 0), (1, 1), 1),
    ((1, 6, 4, 7), (2, 4, 3), (2, 3), (1, 0, 2, 1), (1, 2), (1, 1), 3),
    ((1, 6, 5, 5), (1, 3, 3), (1, 1), (1, 1, 1, 1), (0, 0), (2, 2), 6),
    ((1, 3, 5, 9), (4, 5, 3), (3, 2), (2, 1, 0, 3), (2, 1), (2, 3), 1),
]


@pytest.mark.parametrize("case", ORT_CASES)
def test_against_onnxruntime(threads, rng, case):
    shape, (og, kh, kw), strides, pads, output_padding, dilations, group = case
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((shape[1], og, kh, kw)).astype(np.float32)
    b = rng.standard_normal(og * group).astype(np.float32)
    want = _ort_conv_transpose(x, w, b, strides=strides, pads=pads, output_padding=output_padding,
                               dilations=dilations, group=group, kernel_shape=[kh, kw])
    got = ops.conv_transpose2d(x, w, b, strides, pads, output_padding, group, dilations)
    assert_close(got, want.astype(np.float64))


def _onnx_padding(in_size, kernel, stride, dilation, output_padding, output_shape, auto_pad):
    """The conversion conv_transpose2d's docstring gives for ONNX's output_shape / auto_pad, per axis:
    (pad_begin, pad_end, output_padding)."""
    total = stride * (in_size - 1) + output_padding + (kernel - 1) * dilation + 1 - output_shape
    if total < 0:
        return 0, 0, output_padding - total
    if auto_pad == "SAME_UPPER":
        return total // 2, total - total // 2, output_padding
    return total - total // 2, total // 2, output_padding


@pytest.mark.parametrize("auto_pad, output_shape", [("NOTSET", (9, 12)), ("NOTSET", (10, 11)), ("NOTSET", (12, 14)),
                                                     ("SAME_UPPER", None), ("SAME_LOWER", None),
                                                     ("SAME_UPPER", (9, 12)), ("SAME_LOWER", (9, 12)),
                                                     ("VALID", None)])
def test_onnx_output_shape_and_auto_pad(rng, auto_pad, output_shape):
    # The docstring's conversion of ONNX's output_shape / auto_pad into padding, checked against onnxruntime.
    x = rng.standard_normal((1, 2, 5, 6)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 4)).astype(np.float32)
    stride = (2, 2)
    attrs = {"strides": stride, "auto_pad": auto_pad}
    if output_shape is not None:
        attrs["output_shape"] = output_shape
    want = _ort_conv_transpose(x, w, **attrs)
    if auto_pad == "VALID":
        padding, output_padding = (0, 0, 0, 0), (0, 0)
    else:
        target = output_shape or (5 * 2, 6 * 2)
        axes = [_onnx_padding(n, k, s, 1, 0, o, auto_pad) for n, k, s, o in zip((5, 6), (3, 4), stride, target)]
        padding = (axes[0][0], axes[1][0], axes[0][1], axes[1][1])
        output_padding = (axes[0][2], axes[1][2])
    got = ops.conv_transpose2d(x, w, None, stride, padding, output_padding)
    assert_close(got, want.astype(np.float64))
