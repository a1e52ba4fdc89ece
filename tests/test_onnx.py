"""cvcore.onnx: graphs built with onnx.helper, run by cvcore and compared with onnxruntime (the engine
whose semantics ONNX users rely on) and, for the plan, with what the runner says it executed."""

import threading

import numpy as np
import pytest

import cvcore
import cvcore.onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def make_model(nodes, inputs, outputs, initializers=(), opset=17):
    """An ONNX model's bytes: inputs as (name, shape) float32 (shape entries may be strings: symbolic
    sizes), outputs as (name[, shape[, element type]]), initializers as {name: array}."""
    def info(name, shape, elem=TensorProto.FLOAT):
        return helper.make_tensor_value_info(name, elem, shape)

    graph = helper.make_graph(
        nodes, "g", [info(*i) for i in inputs], [info(*(tuple(o) + (None,))[:2], *o[2:]) for o in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in dict(initializers).items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model.SerializeToString()


def reference(model_bytes, feeds):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def assert_close(actual, expected, rtol=2e-6):
    """Equal within float32 rounding of the sums, relative to the largest magnitude."""
    expected = np.asarray(expected)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    scale = max(float(np.abs(expected).max(initial=0.0)), 1e-30)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * scale * 10)


rng = np.random.default_rng(0)


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    previous = cvcore.get_num_threads()
    cvcore.set_num_threads(request.param)
    yield request.param
    cvcore.set_num_threads(previous)


def run_both(model_bytes, feeds, **load_args):
    model = cvcore.onnx.load(model_bytes, **load_args)
    got = model.run(feeds)
    expected = reference(model_bytes, feeds)
    return model, list(got.values()), expected


# --- A small network end to end, and what its plan says.

def conv_net(opset=17):
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c1", "g", "b", "m", "v"], ["bn"], name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         group=2),
        helper.make_node("Clip", ["c2", "lo", "hi"], ["r2"], name="relu6"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fw", "fb"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["prob"], name="softmax", axis=-1),
    ]
    init = {"w1": randn(16, 3, 3, 3, scale=0.3), "g": rng.uniform(0.5, 1.5, 16).astype(np.float32),
            "b": randn(16, scale=0.1), "m": randn(16, scale=0.1), "v": rng.uniform(0.5, 2, 16).astype(np.float32),
            "w2": randn(32, 8, 3, 3, scale=0.2), "b2": randn(32, scale=0.1),
            "lo": np.array(0, np.float32), "hi": np.array(6, np.float32),
            "fw": randn(10, 32, scale=0.3), "fb": randn(10, scale=0.1)}
    return make_model(nodes, [("x", ["N", 3, 32, 32])], [("prob",), ("logits",)], init, opset)


def test_conv_net_matches_onnxruntime(threads):
    x = randn(2, 3, 32, 32)
    model, got, expected = run_both(conv_net(), {"x": x}, input_shapes=(2, 3, 32, 32))
    for g, e in zip(got, expected):
        assert_close(g, e)


def test_plan_fuses_and_reuses_memory():
    model = cvcore.onnx.load(conv_net(), input_shapes={"x": (1, 3, 32, 32)})
    lines = str(model).splitlines()
    # Batch norm and ReLU in the first conv's pass, the clip (0, 6) in the second's.
    assert lines[0].startswith("conv2d 3x3") and "+relu " in lines[0] and "[conv1, bn1, relu1]" in lines[0]
    assert "+relu6" in lines[2] and "[conv2, relu6]" in lines[2]
    assert len(lines) == 7  # 6 steps (flatten is a view) and the memory line
    assert "output 1" in lines[4] and "output 0" in lines[5]
    # The largest activation (16 x 16 x 16 floats) and the pooled map live at once; the rest reuse them.
    assert model.memory_bytes == 16 * 16 * 16 * 4 + 16 * 8 * 8 * 4
    assert [o.name for o in model.outputs] == ["prob", "logits"]
    assert model.outputs[0].shape == (1, 10) and model.outputs[0].dtype == np.float32
    assert model.inputs[0].shape == (1, 3, 32, 32)


def test_other_shapes_are_planned_on_first_use():
    net = conv_net()
    model = cvcore.onnx.load(net, input_shapes=(1, 3, 32, 32))
    x = randn(3, 3, 32, 32)
    got = model.run({"x": x})
    assert got["prob"].shape == (3, 10)
    assert model.inputs[0].shape == (3, 3, 32, 32)
    assert_close(got["logits"], reference(net, {"x": x})[1])
    # A batch element gives the same result alone.
    np.testing.assert_array_equal(model.run({"x": x[1:2]})["logits"], got["logits"][1:2])


def test_results_do_not_depend_on_the_thread_count():
    model = cvcore.onnx.load(conv_net(), input_shapes=(4, 3, 32, 32))
    x = randn(4, 3, 32, 32)
    previous = cvcore.get_num_threads()
    try:
        cvcore.set_num_threads(1)
        one = model(x)
        cvcore.set_num_threads(2)
        two = model(x)
    finally:
        cvcore.set_num_threads(previous)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_calls_from_several_threads():
    model = cvcore.onnx.load(conv_net(), input_shapes=(1, 3, 32, 32))
    xs = [randn(1, 3, 32, 32) for _ in range(4)]
    expected = [model(x)[1] for x in xs]
    results = [None] * 4

    def work(i):
        for _ in range(5):
            results[i] = model(xs[i])[1]

    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for r, e in zip(results, expected):
        np.testing.assert_array_equal(r, e)


def test_call_returns_a_tuple_for_several_outputs_and_an_array_for_one():
    x = randn(1, 3, 8, 8)
    single = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 3, 8, 8])], [("y",)])
    y = cvcore.onnx.load(single)(x)
    assert isinstance(y, np.ndarray)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    two = cvcore.onnx.load(conv_net(), input_shapes=(1, 3, 32, 32))(randn(1, 3, 32, 32))
    assert isinstance(two, tuple) and len(two) == 2


def test_inputs_of_other_real_dtypes_are_converted():
    single = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 4])], [("y",)])
    x = np.array([[-1.5, 0.0, 2.0, 3.25]])
    np.testing.assert_array_equal(cvcore.onnx.load(single)(x), np.maximum(x, 0).astype(np.float32))
    np.testing.assert_array_equal(cvcore.onnx.load(single)(x[:, ::-1]), np.maximum(x[:, ::-1], 0).astype(np.float32))


# --- Operators alone, with their attributes.

CONV_CASES = [
    dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    dict(kernel_shape=[3, 3], pads=[0, 1, 2, 0], strides=[2, 1]),
    dict(kernel_shape=[3, 3], auto_pad="SAME_UPPER", strides=[2, 2]),
    dict(kernel_shape=[4, 4], auto_pad="SAME_LOWER", strides=[3, 3]),
    dict(kernel_shape=[3, 3], auto_pad="VALID", dilations=[2, 2]),
    dict(kernel_shape=[1, 1]),
    dict(kernel_shape=[5, 5], pads=[2, 2, 2, 2], group=8),
    dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2, strides=[2, 2]),
]


@pytest.mark.parametrize("attrs", CONV_CASES, ids=[str(i) for i in range(len(CONV_CASES))])
@pytest.mark.parametrize("bias", [False, True])
def test_conv(attrs, bias, threads):
    groups = attrs.get("group", 1)
    kh, kw = attrs["kernel_shape"]
    init = {"w": randn(8, 8 // groups, kh, kw, scale=0.2)}
    inputs = ["x", "w"]
    if bias:
        init["b"] = randn(8)
        inputs.append("b")
    model = make_model([helper.make_node("Conv", inputs, ["y"], **attrs)], [("x", [2, 8, 13, 11])], [("y",)], init)
    x = randn(2, 8, 13, 11)
    _, got, expected = run_both(model, {"x": x})
    assert_close(got[0], expected[0])


POOL_CASES = [
    ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("MaxPool", dict(kernel_shape=[2, 2], strides=[2, 2])),
    ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)),
    ("MaxPool", dict(kernel_shape=[5, 5], strides=[1, 1], pads=[2, 2, 2, 2])),  # YOLO's SPPF
    ("MaxPool", dict(kernel_shape=[3, 3], auto_pad="SAME_UPPER", strides=[1, 1])),
    ("MaxPool", dict(kernel_shape=[2, 2], dilations=[2, 2])),
    ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)),
    ("AveragePool", dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)),
    ("GlobalAveragePool", {}),
    ("GlobalMaxPool", {}),
]


@pytest.mark.parametrize("op,attrs", POOL_CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(POOL_CASES)])
def test_pool(op, attrs, threads):
    model = make_model([helper.make_node(op, ["x"], ["y"], **attrs)], [("x", [2, 3, 13, 10])], [("y",)])
    _, got, expected = run_both(model, {"x": randn(2, 3, 13, 10)})
    assert_close(got[0], expected[0])


ACTIVATIONS = [
    ("Relu", {}, 14), ("LeakyRelu", dict(alpha=0.1), 14), ("Elu", dict(alpha=0.5), 14), ("Selu", {}, 14),
    ("Sigmoid", {}, 14), ("Tanh", {}, 14), ("Softplus", {}, 14), ("HardSwish", {}, 14), ("Mish", {}, 18),
    ("Gelu", {}, 20), ("Gelu", dict(approximate="tanh"), 20),
]


@pytest.mark.parametrize("op,attrs,opset", ACTIVATIONS, ids=[f"{a[0]}{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation(op, attrs, opset, threads):
    model = make_model([helper.make_node(op, ["x"], ["y"], **attrs)], [("x", [2, 3, 5, 7])], [("y",)], opset=opset)
    x = randn(2, 3, 5, 7, scale=3)
    _, got, expected = run_both(model, {"x": x})
    # Both within a few float32 ulp of the exact function; near zero onnxruntime's approximations differ
    # from the exact value by more than cvcore's.
    np.testing.assert_allclose(got[0], expected[0], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("slope_shape", [(3, 1, 1), (1, 3, 1, 1), (1,)])
def test_prelu(slope_shape):
    slope = randn(*slope_shape)
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], [("x", [2, 3, 4, 4])], [("y",)], {"s": slope})
    _, got, expected = run_both(model, {"x": randn(2, 3, 4, 4)})
    np.testing.assert_array_equal(got[0], expected[0])


@pytest.mark.parametrize("opset", [6, 11, 13])
def test_clip_bounds_from_attributes_or_inputs(opset):
    if opset < 11:
        node = helper.make_node("Clip", ["x"], ["y"], min=0.0, max=6.0)
        init = {}
    else:
        node = helper.make_node("Clip", ["x", "lo", "hi"], ["y"])
        init = {"lo": np.array(0, np.float32), "hi": np.array(6, np.float32)}
    model = make_model([node], [("x", [2, 8])], [("y",)], init, opset=max(opset, 7))
    x = randn(2, 8, scale=5)
    _, got, expected = run_both(model, {"x": x})
    np.testing.assert_array_equal(got[0], expected[0])


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("opset,axis", [(11, 1), (11, 2), (11, -1), (13, 1), (13, -1), (13, 0)])
def test_softmax_axes_and_opset_semantics(op, opset, axis):
    # Before opset 13 the input is seen as 2-D (the axes before `axis`, the others); since, one axis.
    model = make_model([helper.make_node(op, ["x"], ["y"], axis=axis)], [("x", [2, 3, 4])], [("y",)], opset=opset)
    _, got, expected = run_both(model, {"x": randn(2, 3, 4, scale=3)})
    np.testing.assert_allclose(got[0], expected[0], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("trans_b,alpha,beta,c_shape", [(1, 1.0, 1.0, (5,)), (0, 1.0, 1.0, (1, 5)),
                                                        (1, 0.5, 2.0, (5,)), (0, 1.0, 1.0, None),
                                                        (1, 1.0, 0.5, ())])
def test_gemm(trans_b, alpha, beta, c_shape):
    b = randn(5, 6) if trans_b else randn(6, 5)
    init = {"b": b}
    inputs = ["a", "b"]
    if c_shape is not None:
        init["c"] = randn(*c_shape)
        inputs.append("c")
    node = helper.make_node("Gemm", inputs, ["y"], transB=trans_b, alpha=alpha, beta=beta)
    model = make_model([node], [("a", [3, 6])], [("y",)], init)
    _, got, expected = run_both(model, {"a": randn(3, 6)})
    assert_close(got[0], expected[0])


def test_matmul_with_a_constant_matrix():
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", [2, 3, 6])], [("y",)],
                       {"b": randn(6, 4)})
    _, got, expected = run_both(model, {"a": randn(2, 3, 6)})
    assert_close(got[0], expected[0])


def test_views_and_folded_shape_computations():
    # x -> Shape -> Gather(0) -> Unsqueeze -> Concat with [-1] -> Reshape: the exporters' flatten, folded
    # while planning; Squeeze / Unsqueeze / Identity / Dropout are views of the same bytes.
    nodes = [
        helper.make_node("Relu", ["x"], ["r"]),
        helper.make_node("Shape", ["r"], ["shape"]),
        helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(np.array(0, np.int64))),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
        helper.make_node("Constant", [], ["axes"], value_ints=[0]),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"]),
        helper.make_node("Cast", ["batch1"], ["batch2"], to=TensorProto.INT64),
        helper.make_node("Reshape", ["r", "flat_shape"], ["flat"]),
        helper.make_node("Unsqueeze", ["flat", "axes2"], ["u"]),
        helper.make_node("Squeeze", ["u", "axes2"], ["s"]),
        helper.make_node("Identity", ["s"], ["i"]),
        helper.make_node("Dropout", ["i"], ["d"]),
        helper.make_node("Sigmoid", ["d"], ["y"]),
        helper.make_node("ConstantOfShape", ["batch2"], ["ones"],
                         value=numpy_helper.from_array(np.array([1.5], np.float32))),
        helper.make_node("Range", ["start", "limit", "delta"], ["range"]),
    ]
    init = {"flat_shape": np.array([0, -1], np.int64), "axes2": np.array([1], np.int64),
            "start": np.array(1, np.int64), "limit": np.array(10, np.int64), "delta": np.array(3, np.int64)}
    model_bytes = make_model(nodes, [("x", [2, 3, 4, 5])], [("y",), ("ones",), ("range", None, TensorProto.INT64),
                                                             ("shape", None, TensorProto.INT64)], init, opset=13)
    model, got, expected = run_both(model_bytes, {"x": randn(2, 3, 4, 5)})
    np.testing.assert_allclose(got[0], expected[0], rtol=2e-7)  # sigmoid: within an ulp
    for g, e in zip(got[1:], expected[1:]):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(g, e)
    # Two steps: relu and sigmoid; the other outputs are constants copied into the results.
    steps = str(model).splitlines()[:-1]
    assert [s.split()[0] for s in steps] == ["relu", "sigmoid", "copy", "copy", "copy"]


def test_scalar_constants_keep_rank_0():
    # A Gather with a scalar index gives a scalar, which Unsqueeze makes (1,): the Resize sizes of
    # RetinaFace's FPN, Concat(Slice(Shape(x), 0, 2), Cast(Concat(Unsqueeze(Gather(Shape(y), 2)), ...))).
    def scalar(name, value):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(value, np.int64)))

    def vector(name, values, dtype=np.int64):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(values, dtype)))

    nodes = [scalar("two", 2), scalar("three", 3), vector("start", [0]), vector("end", [2]),
             vector("empty", [], np.float32),
             helper.make_node("Shape", ["x"], ["x_shape"]), helper.make_node("Shape", ["y"], ["y_shape"]),
             helper.make_node("Slice", ["x_shape", "start", "end", "start"], ["batch_channels"]),
             helper.make_node("Gather", ["y_shape", "two"], ["height"], axis=0),
             helper.make_node("Gather", ["y_shape", "three"], ["width"], axis=0),
             helper.make_node("Unsqueeze", ["height"], ["height1"], axes=[0]),
             helper.make_node("Unsqueeze", ["width"], ["width1"], axes=[0]),
             helper.make_node("Concat", ["height1", "width1"], ["hw"], axis=0),
             helper.make_node("Cast", ["hw"], ["hw64"], to=TensorProto.INT64),
             helper.make_node("Concat", ["batch_channels", "hw64"], ["sizes"], axis=0),
             helper.make_node("Resize", ["x", "empty", "empty", "sizes"], ["up"], mode="nearest",
                              coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
             helper.make_node("Add", ["up", "y"], ["out"])]
    model = make_model(nodes, [("x", [1, 2, 3, 5]), ("y", [1, 2, 6, 10])], [("out",), ("height", None, TensorProto.INT64)],
                       opset=11)
    _, got, expected = run_both(model, {"x": randn(1, 2, 3, 5), "y": randn(1, 2, 6, 10)})
    assert got[1].shape == expected[1].shape == ()
    np.testing.assert_array_equal(got[1], expected[1])
    assert_close(got[0], expected[0])


def test_unsqueeze_and_squeeze_axes_attribute_before_opset_13():
    nodes = [helper.make_node("Unsqueeze", ["x"], ["u"], axes=[0, 3]),
             helper.make_node("Relu", ["u"], ["r"]),
             helper.make_node("Squeeze", ["r"], ["y"], axes=[0])]
    model = make_model(nodes, [("x", [2, 3])], [("y",)], opset=11)
    _, got, expected = run_both(model, {"x": randn(2, 3)})
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[0].shape == (2, 3, 1)


def test_an_output_that_is_an_input_or_listed_twice_is_copied():
    nodes = [helper.make_node("Identity", ["x"], ["same"]), helper.make_node("Relu", ["x"], ["y"])]
    model = cvcore.onnx.load(make_model(nodes, [("x", [2, 2])], [("same",), ("y",), ("y",)]))
    x = randn(2, 2)
    same, y, y2 = model(x)
    np.testing.assert_array_equal(same, x)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(y2, y)
    assert not np.shares_memory(y, y2) and not np.shares_memory(same, x)


def test_old_exports_with_weights_among_the_inputs():
    # Opset 9 exporters list the initializers among the graph inputs too: they are constants.
    w = randn(4, 3, 1, 1)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[1, 1])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 5, 5]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 1, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [numpy_helper.from_array(w, "w")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    proto.ir_version = 4
    model = cvcore.onnx.load(proto)
    assert [i.name for i in model.inputs] == ["x"]
    x = randn(1, 3, 5, 5)
    assert_close(model(x), reference(proto.SerializeToString(), {"x": x})[0])


def test_load_from_a_file(tmp_path):
    path = tmp_path / "net.onnx"
    path.write_bytes(conv_net())
    model = cvcore.onnx.load(path, input_shapes={"x": [1, 3, 32, 32]})
    assert model(randn(1, 3, 32, 32))[0].shape == (1, 10)
    assert "cvcore.onnx.Model" in repr(model)


# --- Errors name what is wrong.

def relu_model(**kw):
    return make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 3])], [("y",)], **kw)


@pytest.mark.parametrize("nodes,init,message", [
    ([helper.make_node("Einsum", ["x"], ["y"], name="e1", equation="ii")], {},
     r"onnx node 'e1' \(Einsum, opset 17\): operator Einsum is not supported"),
    ([helper.make_node("Conv", ["x", "w"], ["y"], name="c", kernel_shape=[1, 1], foo=1)],
     {"w": np.zeros((3, 3, 1, 1), np.float32)}, r"onnx node 'c' \(Conv, opset 17\): attribute 'foo' is not supported"),
    ([helper.make_node("Conv", ["x", "x"], ["y"], name="c")], {},
     r"onnx node 'c' \(Conv, opset 17\): input 1 \('x', the weights\) must be known when the model is planned"),
    ([helper.make_node("MaxPool", ["x"], ["y"], name="p", kernel_shape=[3, 3], pads=[0, 0, 1, 1])], {},
     r"onnx node 'p' \(MaxPool, opset 17\): pads \(0, 0, 1, 1\) are not supported"),
    ([helper.make_node("MaxPool", ["x"], ["y", "i"], name="p", kernel_shape=[3, 3])], {},
     r"onnx node 'p' \(MaxPool, opset 17\): output 1 \('i'\) is not supported"),
    ([helper.make_node("Conv", ["x", "w"], ["y"], name="c", kernel_shape=[1, 1], group=2)],
     {"w": np.zeros((3, 3, 1, 1), np.float32)}, r"onnx node 'c' \(Conv, opset 17\): conv2d: .*group"),
    ([helper.make_node("Relu", ["nowhere"], ["y"])], {},
     r"onnx node #0 \(Relu, opset 17\): input 'nowhere' is neither a graph input"),
    ([helper.make_node("Clip", ["x", "x"], ["y"], name="clip")], {},
     r"onnx node 'clip' \(Clip, opset 17\): input 1 \('x', min\) must be known when the model is planned"),
    ([helper.make_node("Resize", ["x", "", "s"], ["y"], name="r", mode="cubic")],
     {"s": np.array([1, 1, 2, 2], np.float32)}, r"onnx node 'r' \(Resize, opset 17\): mode 'cubic' is not supported"),
    ([helper.make_node("Add", ["x", "b"], ["y"], name="a")], {"b": np.zeros((2, 1, 1), np.float32)},
     r"onnx node 'a' \(Add, opset 17\): add: .*\(1, 3, 8, 8\).*\(2, 1, 1\)"),
])
def test_unsupported_nodes_are_errors_at_load(nodes, init, message):
    model = make_model(nodes, [("x", [1, 3, 8, 8])], [("y",)], init)
    with pytest.raises(ValueError, match=message):
        cvcore.onnx.load(model)


def test_errors_of_the_model_and_its_inputs(tmp_path):
    with pytest.raises(ValueError, match="opset 5 is not supported"):
        cvcore.onnx.load(relu_model(opset=5))
    custom = make_model([helper.make_node("Relu", ["x"], ["y"], domain="com.example")], [("x", [1, 3])], [("y",)])
    with pytest.raises(ValueError, match="operators of domain 'com.example' are not supported"):
        cvcore.onnx.load(custom)
    with pytest.raises(ValueError, match="the bytes are not an ONNX model"):
        cvcore.onnx.load(b"\x08\x07garbage\xff\xff")
    with pytest.raises(FileNotFoundError, match="no such file"):
        cvcore.onnx.load(tmp_path / "missing.onnx")
    with pytest.raises(TypeError, match="model must be a path, bytes or an onnx.ModelProto, got int"):
        cvcore.onnx.load(3)
    symbolic = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", ["N", 3])], [("y",)])
    with pytest.raises(ValueError, match=r"input 'x' has shape \(-1, 3\) with sizes left open"):
        cvcore.onnx.load(symbolic)
    with pytest.raises(ValueError, match=r"input_shapes names 'z', which is not an input"):
        cvcore.onnx.load(symbolic, input_shapes={"z": (1, 3)})
    model = cvcore.onnx.load(relu_model())
    with pytest.raises(ValueError, match=r"input 'x' must have shape \(1, 3\) \(-1: any size\), got \(1, 4\)"):
        model(np.zeros((1, 4), np.float32))
    with pytest.raises(TypeError, match=r"input 'x' must be a real numeric array"):
        model(np.array([["a", "b", "c"]]))
    with pytest.raises(ValueError, match=r"missing \['x'\], unknown \['z'\]"):
        model.run({"z": np.zeros((1, 3), np.float32)})
    fp16 = make_model([helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[1, 1])], [("x", [1, 3, 2, 2])],
                      [("y",)], {"w": np.zeros((3, 3, 1, 1), np.float16)})
    with pytest.raises(ValueError, match="initializer 'w' has data type FLOAT16"):
        cvcore.onnx.load(fp16)


def test_profile_times_every_step():
    model = cvcore.onnx.load(conv_net(), input_shapes=(1, 3, 32, 32))
    profile = model.profile(randn(1, 3, 32, 32), repeat=3)
    assert [step for step, _ in profile] == str(model).splitlines()[:-1]
    assert all(ms >= 0 for _, ms in profile)
    with pytest.raises(ValueError, match="repeat must be an int in"):
        model.profile(randn(1, 3, 32, 32), repeat=0)


def test_max_pooling_fused_into_the_convolution(threads):
    # MTCNN's and VGG's pattern: conv -> activation -> max pool without padding, in one pass.
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3]),
             helper.make_node("PRelu", ["c", "s"], ["a"], name="prelu"),
             helper.make_node("MaxPool", ["a"], ["y"], name="pool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)]
    init = {"w": randn(10, 3, 3, 3), "b": randn(10), "s": randn(10, 1, 1, scale=0.3)}
    model_bytes = make_model(nodes, [("x", [2, 3, 23, 17])], [("y",)], init)
    model, got, expected = run_both(model_bytes, {"x": randn(2, 3, 23, 17)})
    assert_close(got[0], expected[0])
    assert str(model).splitlines()[0].startswith("conv2d 3x3 +prelu +max_pool2d 3x3  [conv, prelu, pool]")


# --- Elementwise arithmetic, tensor manipulation and upsampling.

@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
@pytest.mark.parametrize("a_shape,b_shape,constant", [
    ((2, 3, 4, 5), (2, 3, 4, 5), False), ((2, 3, 4, 5), (1, 3, 1, 1), True), ((2, 3, 4, 5), (5,), True),
    ((1, 3, 1, 5), (2, 1, 4, 1), False), ((2, 3, 4, 5), (), True)])
def test_binary(op, a_shape, b_shape, constant, threads):
    init = {"b": randn(*b_shape) + 3} if constant else {}
    inputs = [("a", list(a_shape))] + ([] if constant else [("b", list(b_shape))])
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])], inputs, [("y",)], init)
    feeds = {"a": randn(*a_shape)}
    if not constant:
        feeds["b"] = randn(*b_shape) + 3
    _, got, expected = run_both(model, feeds)
    np.testing.assert_array_equal(got[0], expected[0])


def basic_block(downsample):
    """A ResNet basic block (batch norms folded): conv-relu-conv, + the shortcut, relu."""
    cin, cout, stride = (8, 16, 2) if downsample else (16, 16, 1)
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                              strides=[stride, stride]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    init = {"w1": randn(cout, cin, 3, 3, scale=0.2), "b1": randn(cout, scale=0.1),
            "w2": randn(cout, cout, 3, 3, scale=0.2), "b2": randn(cout, scale=0.1)}
    shortcut = "x"
    if downsample:
        nodes.append(helper.make_node("Conv", ["x", "wd", "bd"], ["down"], name="down", kernel_shape=[1, 1],
                                      strides=[2, 2]))
        init.update(wd=randn(cout, cin, 1, 1, scale=0.3), bd=randn(cout, scale=0.1))
        shortcut = "down"
    nodes += [helper.make_node("Add", ["c2", shortcut], ["s"], name="add"),
              helper.make_node("Relu", ["s"], ["y"], name="relu2")]
    return make_model(nodes, [("x", [1, cin, 12, 12])], [("y",)], init)


@pytest.mark.parametrize("downsample", [False, True])
def test_resnet_block_adds_the_shortcut_in_the_convolution(downsample, threads):
    model, got, expected = run_both(basic_block(downsample), {"x": randn(1, 8 if downsample else 16, 12, 12)})
    assert_close(got[0], expected[0])
    lines = str(model).splitlines()
    # The addition and the relu after it are in the pass of the convolution computed last.
    last = "down" if downsample else "conv2"
    assert any(f"+residual +relu  [{last}, add, relu2]" in line for line in lines), lines
    assert not any(line.startswith("add") for line in lines)


def test_mobilenet_v2_inverted_residual(threads):
    nodes = [helper.make_node("Conv", ["x", "w1"], ["e"], kernel_shape=[1, 1]),
             helper.make_node("Clip", ["e", "lo", "hi"], ["e6"]),
             helper.make_node("Conv", ["e6", "wd"], ["d"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=48),
             helper.make_node("Clip", ["d", "lo", "hi"], ["d6"]),
             helper.make_node("Conv", ["d6", "w2", "b2"], ["p"], kernel_shape=[1, 1]),
             helper.make_node("Add", ["x", "p"], ["y"])]
    init = {"w1": randn(48, 8, 1, 1, scale=0.3), "wd": randn(48, 1, 3, 3, scale=0.3), "w2": randn(8, 48, 1, 1, scale=0.2),
            "b2": randn(8, scale=0.1), "lo": np.array(0, np.float32), "hi": np.array(6, np.float32)}
    model, got, expected = run_both(make_model(nodes, [("x", [1, 8, 14, 14])], [("y",)], init), {"x": randn(1, 8, 14, 14)})
    assert_close(got[0], expected[0])
    assert len(str(model).splitlines()) == 4  # three convolutions and the memory line


def test_yolo_neck_with_silu_resize_concat_and_sppf(threads):
    def conv_silu(x, w, out):
        return [helper.make_node("Conv", [x, w], [out + "_c"], kernel_shape=[1, 1]),
                helper.make_node("Sigmoid", [out + "_c"], [out + "_s"]),
                helper.make_node("Mul", [out + "_c", out + "_s"], [out])]
    nodes = conv_silu("x", "w1", "a")
    nodes += [helper.make_node("MaxPool", ["a"], ["m1"], kernel_shape=[5, 5], pads=[2, 2, 2, 2]),
              helper.make_node("MaxPool", ["m1"], ["m2"], kernel_shape=[5, 5], pads=[2, 2, 2, 2]),
              helper.make_node("MaxPool", ["m2"], ["m3"], kernel_shape=[5, 5], pads=[2, 2, 2, 2]),
              helper.make_node("Concat", ["a", "m1", "m2", "m3"], ["sppf"], axis=1)]
    nodes += conv_silu("sppf", "w2", "b")
    nodes += [helper.make_node("Resize", ["b", "", "scales"], ["up"], mode="nearest"),
              helper.make_node("Concat", ["up", "skip"], ["cat"], axis=1)]
    nodes += conv_silu("cat", "w3", "y")
    init = {"w1": randn(8, 4, 1, 1, scale=0.4), "w2": randn(8, 32, 1, 1, scale=0.3), "w3": randn(6, 12, 1, 1, scale=0.3),
            "scales": np.array([1, 1, 2, 2], np.float32)}
    model_bytes = make_model(nodes, [("x", [1, 4, 6, 5]), ("skip", [1, 4, 12, 10])], [("y",)], init)
    model, got, expected = run_both(model_bytes, {"x": randn(1, 4, 6, 5), "skip": randn(1, 4, 12, 10)})
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-6)
    steps = [line.split()[0] for line in str(model).splitlines()[:-1]]
    assert steps.count("silu") == 3 and "mul" not in steps and "sigmoid" not in steps


def test_retinaface_style_head(threads):
    # conv -> Transpose(0, 2, 3, 1) -> Reshape(N, -1, 2) -> Softmax(-1), with the batch size taken from
    # the input's Shape (folded while planning).
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
             helper.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 3, 1]),
             helper.make_node("Shape", ["c"], ["shape"]),
             helper.make_node("Gather", ["shape", "zero"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]),
             helper.make_node("Concat", ["n1", "rest"], ["new_shape"], axis=0),
             helper.make_node("Reshape", ["t", "new_shape"], ["r"]),
             helper.make_node("Softmax", ["r"], ["y"], axis=-1)]
    init = {"w": randn(4, 3, 1, 1), "zero": np.array(0, np.int64), "axes": np.array([0], np.int64),
            "rest": np.array([-1, 2], np.int64)}
    model_bytes = make_model(nodes, [("x", ["N", 3, 5, 6])], [("y",)], init, opset=13)
    model, got, expected = run_both(model_bytes, {"x": randn(2, 3, 5, 6)}, input_shapes=(2, 3, 5, 6))
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6, atol=1e-7)
    assert got[0].shape == (2, 60, 2)


@pytest.mark.parametrize("opset,node,init", [
    (13, helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"]),
     {"s": np.array([1, -1], np.int64), "e": np.array([2**62, -2**62], np.int64), "a": np.array([1, 3], np.int64),
      "st": np.array([1, -2], np.int64)}),
    (9, helper.make_node("Slice", ["x"], ["y"], starts=[0, 1], ends=[1, 3], axes=[0, 2]), {}),
    (13, helper.make_node("Pad", ["x", "p", "v"], ["y"], mode="constant"),
     {"p": np.array([0, 1, 2, 0, 0, 0, 1, 3], np.int64), "v": np.array(1.5, np.float32)}),
    (13, helper.make_node("Pad", ["x", "p"], ["y"], mode="reflect"), {"p": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)}),
    (13, helper.make_node("Pad", ["x", "p"], ["y"], mode="edge"), {"p": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)}),
    (13, helper.make_node("Transpose", ["x"], ["y"], perm=[0, 3, 1, 2]), {}),
    (13, helper.make_node("Transpose", ["x"], ["y"]), {}),
    (13, helper.make_node("HardSigmoid", ["x"], ["y"]), {}),
    (13, helper.make_node("HardSigmoid", ["x"], ["y"], alpha=0.25, beta=0.4), {}),
    (13, helper.make_node("Clip", ["x", "lo", "hi"], ["y"]), {"lo": np.array(-0.5, np.float32), "hi": np.array(0.75, np.float32)}),
    (13, helper.make_node("Clip", ["x", "", "hi"], ["y"]), {"hi": np.array(0.5, np.float32)}),
    (11, helper.make_node("Resize", ["x", "roi", "scales"], ["y"], mode="linear",
                          coordinate_transformation_mode="align_corners"),
     {"roi": np.array([], np.float32), "scales": np.array([1, 1, 2, 1.5], np.float32)}),
    (13, helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear"), {"sizes": np.array([2, 3, 7, 9], np.int64)}),
    (13, helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                          coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
     {"sizes": np.array([2, 3, 3, 2], np.int64)}),
    (9, helper.make_node("Upsample", ["x", "scales"], ["y"], mode="nearest"), {"scales": np.array([1, 1, 2, 3], np.float32)}),
])
def test_manipulation_operators(opset, node, init, threads):
    model = make_model([node], [("x", [2, 3, 4, 5])], [("y",)], init, opset=opset)
    _, got, expected = run_both(model, {"x": randn(2, 3, 4, 5)})
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("opset,attrs,split", [(13, {}, [2, 3]), (11, dict(split=[1, 4]), None),
                                              (18, dict(num_outputs=2), None)])
def test_split(opset, attrs, split):
    inputs = ["x"] + (["split"] if split else [])
    init = {"split": np.array(split, np.int64)} if split else {}
    node = helper.make_node("Split", inputs, ["y0", "y1"], axis=-1, **attrs)
    model = make_model([node], [("x", [2, 3, 5])], [("y0",), ("y1",)], init, opset=opset)
    _, got, expected = run_both(model, {"x": randn(2, 3, 5)})
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("attrs", [dict(kernel_shape=[2, 2], strides=[2, 2]),
                                   dict(kernel_shape=[4, 4], strides=[2, 2], pads=[1, 1, 1, 1]),
                                   dict(kernel_shape=[3, 3], strides=[2, 2], output_padding=[1, 1], pads=[1, 1, 1, 1]),
                                   dict(kernel_shape=[3, 3], strides=[2, 2], output_shape=[11, 13]),
                                   dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
                                   dict(kernel_shape=[3, 3], group=2, dilations=[2, 2])])
def test_conv_transpose(attrs, threads):
    init = {"w": randn(4, 6 // attrs.get("group", 1), *attrs["kernel_shape"], scale=0.3), "b": randn(6)}
    model = make_model([helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)], [("x", [1, 4, 6, 7])],
                       [("y",)], init)
    _, got, expected = run_both(model, {"x": randn(1, 4, 6, 7)})
    assert_close(got[0], expected[0])


def test_winograd_where_it_is_faster_and_only_when_asked():
    # A 3x3 stride-1 convolution of <= 128 channels on a 28x28 output runs by Winograd F(2x2, 3x3) unless
    # winograd=False; a small map or a deep layer stays direct.
    def net(channels, size):
        node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        return make_model([node], [("x", [1, channels, size, size])], [("y",)],
                          {"w": randn(channels, channels, 3, 3, scale=0.1)})
    big = net(16, 28)
    x = randn(1, 16, 28, 28)
    fast, exact = cvcore.onnx.load(big), cvcore.onnx.load(big, winograd=False)
    assert " winograd" in str(fast).splitlines()[0] and "winograd" not in str(exact)
    expected = reference(big, {"x": x})[0]
    assert_close(exact(x), expected)
    np.testing.assert_allclose(fast(x), expected, rtol=0, atol=1e-5 * np.abs(expected).max())
    assert "winograd" not in str(cvcore.onnx.load(net(16, 27)))
    assert "winograd" not in str(cvcore.onnx.load(net(160, 28)))
    with pytest.raises(TypeError, match="winograd must be a bool"):
        cvcore.onnx.load(big, winograd="yes")
