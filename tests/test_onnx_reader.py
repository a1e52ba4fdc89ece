"""cvcore's C++ ONNX reader (cvcore::read_onnx, `cvcore.onnx.load(..., reader="cvcore")`) against the
Python loader (the `onnx` package): the same graph, bit for bit, from models built with onnx.helper and
from hand-encoded protobuf; malformed bytes are a ValueError saying where, never a crash."""

import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cvcore
import cvcore.onnx
from cvcore import _cvcore

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

rng = np.random.default_rng(17)


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# --- The protobuf wire format, for what onnx.helper cannot write (unpacked fields, groups, damage).

def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, v = v & 0x7F, v >> 7
        out.append(byte | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(number, wire, payload):
    """One field: wire 0 takes an int, 1 and 5 their 8 / 4 bytes, 2 the bytes it delimits."""
    tag = varint(number << 3 | wire)
    if wire == 0:
        return tag + varint(payload)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


def with_initializer(model_bytes, tensor_bytes):
    """The model with one more initializer: a second ModelProto.graph field, which protobuf merges
    into the first."""
    return model_bytes + field(7, 2, field(5, 2, tensor_bytes))


# --- Both loaders.

def python_graph(source):
    """The graph the onnx package's loader passes to C++ (opset, inputs, outputs, initializers, nodes)."""
    return cvcore.onnx._graph(onnx, cvcore.onnx._model_proto(onnx, source))


def cvcore_graph(source):
    if isinstance(source, bytes):
        return _cvcore.read_onnx_bytes(source)
    return _cvcore.read_onnx_file(os.fsencode(source))


def same(a, b):
    """Equality down to the bits: arrays by dtype, shape and bytes, floats by their bits, and the same
    Python types throughout."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and a.tobytes() == b.tobytes())
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def assert_same_graph(source):
    """Both loaders give the same graph from `source` (bytes or a path); returns it."""
    expected, got = python_graph(source), cvcore_graph(source)
    for part, e, g in zip(["opset", "inputs", "outputs", "initializers", "nodes"], expected, got):
        assert same(e, g), f"{part}: the onnx package's loader gives {e!r}, cvcore's reader {g!r}"
    return got


def make_model(nodes, inputs, outputs, initializers=(), opsets=(("", 17),), ir_version=8, graph_inputs=()):
    """A ModelProto: inputs and outputs as (name, shape[, element type]), initializers as {name: array}
    or a list of TensorProtos, graph_inputs as ValueInfoProtos listed after the inputs."""
    def info(name, shape, elem=TensorProto.FLOAT):
        return helper.make_tensor_value_info(name, elem, shape)

    tensors = ([numpy_helper.from_array(np.asarray(v), k) for k, v in initializers.items()]
               if isinstance(initializers, dict) else list(initializers))
    graph = helper.make_graph(nodes, "g", [info(*i) for i in inputs] + list(graph_inputs),
                              [info(*o) for o in outputs], tensors)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    model.ir_version = ir_version
    return model


def conv_net():
    """A network the runner runs, whose attributes have every kind it reads: ints (pads), int (group,
    Cast's to), float (alpha), string (auto_pad), tensor (Constant), floats (Constant value_floats)."""
    nodes = [
        helper.make_node("Constant", [], ["w1"], name="weights1",
                         value=numpy_helper.from_array(randn(8, 3, 3, 3, scale=0.3), "w1")),
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("LeakyRelu", ["c1"], ["a1"], name="leaky", alpha=0.1),
        helper.make_node("Conv", ["a1", "w2"], ["c2"], name="conv2", kernel_shape=[3, 3], auto_pad="SAME_UPPER",
                         group=2),
        helper.make_node("Constant", [], ["scale"], value_floats=[0.5]),
        helper.make_node("PRelu", ["c2", "scale"], ["a2"], name="prelu"),
        helper.make_node("GlobalAveragePool", ["a2"], ["gap"]),
        helper.make_node("Constant", [], ["shape"], name="shape", value_ints=[0, -1]),
        helper.make_node("Reshape", ["gap", "shape"], ["flat"], name="reshape"),
        helper.make_node("Gemm", ["flat", "fw", "fb"], ["logits"], name="fc", transB=1, alpha=0.75),
    ]
    init = {"b1": randn(8, scale=0.1), "w2": randn(8, 4, 3, 3, scale=0.2), "fw": randn(5, 8), "fb": randn(5)}
    return make_model(nodes, [("x", ["N", 3, 16, 16])], [("logits", ["N", 5])], init)


def assert_same_runs(source, x, **load_args):
    """The models both loaders build give the same outputs, bit for bit."""
    results = [cvcore.onnx.load(source, reader=reader, **load_args)(x) for reader in ("onnx", "cvcore")]
    assert results[0].dtype == results[1].dtype and results[0].shape == results[1].shape
    assert results[0].tobytes() == results[1].tobytes()
    return results[1]


def test_conv_net_reads_and_runs_the_same(tmp_path, threads):
    model = conv_net()
    data = model.SerializeToString()
    graph = assert_same_graph(data)
    assert graph[0] == 17 and graph[1] == [("x", "float32", [-1, 3, 16, 16])]
    assert graph[2] == [("logits", "float32", [-1, 5])]
    assert [n[0] for n in graph[4]] == ["weights1", "conv1", "leaky", "conv2", "", "prelu", "", "shape", "reshape",
                                       "fc"]
    assert graph[4][3][5]["auto_pad"] == ("string", b"SAME_UPPER")
    assert graph[4][2][5]["alpha"] == ("float", float(np.float32(0.1)))
    path = tmp_path / "net.onnx"
    path.write_bytes(data)
    assert same(cvcore_graph(str(path)), graph)
    x = randn(2, 3, 16, 16)
    y = assert_same_runs(str(path), x, input_shapes=(2, 3, 16, 16))
    assert y.shape == (2, 5) and np.isfinite(y).all()
    np.testing.assert_array_equal(cvcore.onnx.load(data, input_shapes=(2, 3, 16, 16), reader="cvcore")(x), y)


def test_every_attribute_kind_and_value():
    floats = np.array([0.1, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38, np.nan], np.float32)
    tensors = {"t_" + np.dtype(d).name: np.arange(-3, 3).astype(d).reshape(2, 3)
               for d in (np.float32, np.uint8, np.int32, np.int64, np.float64)}
    node = helper.make_node(
        "Custom", ["a", "", "b"], ["c", "d"], name="every kind", domain="test.domain",
        i=-(2**63), j=2**63 - 1, zero=0, f=0.1, nan=float("nan"), s=b"\xff\x00bytes",
        empty_string=b"", ints=[-1, 0, 2**40, -(2**63)], floats=floats.tolist(),
        strings=[b"a", b"", "\u00e9".encode()], **{k: numpy_helper.from_array(v, k) for k, v in tensors.items()})
    node.attribute.append(helper.make_attribute("empty_ints", [], attr_type=onnx.AttributeProto.INTS))
    node.attribute.append(helper.make_attribute("empty_floats", [], attr_type=onnx.AttributeProto.FLOATS))
    model = make_model([node], [("a", [1])], [("c", [1])], opsets=[("", 17), ("test.domain", 1)])
    graph = assert_same_graph(model.SerializeToString())
    attributes = graph[4][0][5]
    assert graph[4][0][:5] == ("every kind", "Custom", "test.domain", ["a", "", "b"], ["c", "d"])
    assert attributes["i"] == ("int", -(2**63)) and attributes["j"] == ("int", 2**63 - 1)
    assert attributes["s"] == ("string", b"\xff\x00bytes") and attributes["empty_string"] == ("string", b"")
    assert attributes["ints"] == ("ints", [-1, 0, 2**40, -(2**63)])
    assert attributes["strings"] == ("strings", [b"a", b"", b"\xc3\xa9"])
    assert attributes["empty_ints"] == ("ints", []) and attributes["empty_floats"] == ("floats", [])
    kind, values = attributes["floats"]
    assert kind == "floats"
    np.testing.assert_array_equal(np.array(values, np.float64), floats.astype(np.float64))
    for name, array in tensors.items():
        kind, value = attributes[name]
        assert kind == "tensor" and value.dtype == array.dtype
        np.testing.assert_array_equal(value, array)


def typed_tensor(name, dtype, values, dims):
    """A TensorProto with its values in the typed field of its data type (not raw_data)."""
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    return helper.make_tensor(name, elem, dims, np.asarray(values).ravel().tolist(), raw=False)


DTYPE_VALUES = {
    np.float32: [0.0, -0.0, 1.5, np.inf, -np.inf, 1e-45, -3.4028235e38],
    np.float64: [0.0, -0.0, 0.1, np.inf, 5e-324, -1.7976931348623157e308],
    np.int32: [0, -1, 2**31 - 1, -(2**31), 7],
    np.int64: [0, -1, 2**63 - 1, -(2**63), 2**40],
    np.uint8: [0, 1, 127, 128, 255],
}


@pytest.mark.parametrize("dtype", list(DTYPE_VALUES), ids=lambda d: np.dtype(d).name)
def test_every_dtype_from_raw_data_and_typed_fields(dtype):
    values = np.array(DTYPE_VALUES[dtype], dtype)
    init = [
        numpy_helper.from_array(values, "raw"),                                      # raw_data
        typed_tensor("typed", dtype, values, values.shape),                          # float_data, int32_data, ...
        numpy_helper.from_array(np.array(values[1], dtype), "raw_scalar"),
        typed_tensor("typed_scalar", dtype, values[1:2], []),
        numpy_helper.from_array(np.zeros((0, 3), dtype), "raw_empty"),
        typed_tensor("typed_empty", dtype, [], [2, 0]),
    ]
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])], init)
    graph = assert_same_graph(model.SerializeToString())
    tensors = graph[3]
    for name in ("raw", "typed"):
        assert tensors[name].dtype == dtype
        assert tensors[name].tobytes() == values.tobytes()
    assert tensors["raw_scalar"].shape == () and tensors["raw_scalar"] == values[1]
    assert tensors["typed_scalar"].shape == () and tensors["typed_scalar"] == values[1]
    assert tensors["raw_empty"].shape == (0, 3) and tensors["typed_empty"].shape == (2, 0)


# One tensor of each typed field, hand-encoded: (data type, field number, wire type, encode one value).
UNPACKED = {
    np.float32: (1, 4, 5, lambda v: struct.pack("<f", v)),
    np.float64: (11, 10, 1, lambda v: struct.pack("<d", v)),
    np.int32: (6, 5, 0, int),
    np.int64: (7, 7, 0, int),
    np.uint8: (2, 5, 0, int),
}


@pytest.mark.parametrize("dtype", list(UNPACKED), ids=lambda d: np.dtype(d).name)
def test_typed_fields_unpacked_and_in_several_runs(dtype):
    """Repeated numbers one field each (the unpacked form protobuf also accepts), and packed runs split
    over several fields, mixed."""
    data_type, number, wire, encode = UNPACKED[dtype]
    values = np.array(DTYPE_VALUES[dtype], dtype)
    items = [field(number, wire, encode(v.item())) for v in values]
    packed = b"".join(varint(int(v)) if wire == 0 else encode(v.item()) for v in values[2:])
    dims = field(1, 2, varint(1) + varint(len(values)))  # packed dims, 1 x n
    unpacked = field(8, 2, b"unpacked") + field(2, 0, data_type) + dims + b"".join(items)
    mixed = field(8, 2, b"mixed") + field(1, 0, 1) + field(1, 0, len(values)) + field(2, 0, data_type) \
        + b"".join(items[:2]) + field(number, 2, packed)
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    data = with_initializer(with_initializer(model.SerializeToString(), unpacked), mixed)
    tensors = assert_same_graph(data)[3]
    for name in ("unpacked", "mixed"):
        assert tensors[name].dtype == dtype and tensors[name].shape == (1, len(values))
        assert tensors[name].tobytes() == values.tobytes()


def test_int32_data_is_cut_to_the_data_type():
    """int32_data holds uint8 values as int32 (the low 8 bits are kept, as NumPy's astype does in the onnx
    package) and int32 values as varints of any width (the low 32 bits)."""
    u8 = field(8, 2, b"u8") + field(1, 0, 3) + field(2, 0, 2) + field(5, 2, varint(263) + varint(-1) + varint(255))
    i32 = field(8, 2, b"i32") + field(1, 0, 2) + field(2, 0, 6) + field(5, 2, varint(2**32 + 5) + varint(-(2**31)))
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    tensors = assert_same_graph(with_initializer(with_initializer(model.SerializeToString(), u8), i32))[3]
    np.testing.assert_array_equal(tensors["u8"], np.array([7, 255, 255], np.uint8))
    np.testing.assert_array_equal(tensors["i32"], np.array([5, -(2**31)], np.int32))


def test_raw_data_present_but_empty_wins_over_the_typed_field():
    """An empty raw_data field is raw data (protobuf's presence), as onnx's to_array reads it."""
    empty = field(8, 2, b"e") + field(1, 0, 0) + field(2, 0, 1) + field(4, 5, struct.pack("<f", 1.0)) + field(9, 2, b"")
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    tensors = assert_same_graph(with_initializer(model.SerializeToString(), empty))[3]
    assert tensors["e"].shape == (0,) and tensors["e"].dtype == np.float32


def test_external_data(tmp_path, threads):
    model = conv_net()
    path = tmp_path / "model" / "net.onnx"
    path.parent.mkdir()
    onnx.save(onnx.ModelProto.FromString(model.SerializeToString()), str(path), save_as_external_data=True, all_tensors_to_one_file=True, location="weights.bin",
              size_threshold=0, convert_attribute=True)
    # Every initializer and the Constant's tensor are in weights.bin, at their offsets.
    stored = onnx.load(str(path), load_external_data=False)
    assert all(t.data_location == TensorProto.EXTERNAL for t in stored.graph.initializer)
    assert stored.graph.node[0].attribute[0].t.data_location == TensorProto.EXTERNAL
    graph = assert_same_graph(str(path))
    np.testing.assert_array_equal(graph[3]["w2"], numpy_helper.to_array(model.graph.initializer[1]))
    x = randn(1, 3, 16, 16)
    direct = cvcore.onnx.load(model.SerializeToString(), input_shapes=(1, 3, 16, 16))(x)
    assert assert_same_runs(str(path), x, input_shapes=(1, 3, 16, 16)).tobytes() == direct.tobytes()
    # A path relative to the working directory finds the data beside the model too.
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert same(cvcore_graph(os.path.join("model", "net.onnx")), graph)
    finally:
        os.chdir(cwd)
    # The bytes alone do not say where the model's directory is.
    with pytest.raises(ValueError, match=r"^read_onnx_bytes: initializer 'b1' has its data in the external file "
                                         r"'weights.bin', which read_onnx_bytes cannot find: read the model from its "
                                         r"file with read_onnx$"):
        cvcore.onnx.load(path.read_bytes(), reader="cvcore")


def external_model(tmp_path, entries, data=b"\0" * 16, name="w"):
    """A model whose initializer `w` (4 float32) has these external_data entries; the data file is
    data.bin beside it."""
    (tmp_path / "data.bin").write_bytes(data)
    tensor = helper.make_tensor(name, TensorProto.FLOAT, [4], [0.0] * 4)
    del tensor.float_data[:]
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in entries:
        tensor.external_data.add(key=key, value=value)
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])], [tensor])
    path = tmp_path / "m.onnx"
    path.write_bytes(model.SerializeToString())
    return str(path)


def test_external_data_offset_and_length(tmp_path):
    values = np.array([1.5, -2, 3, 4e-3], np.float32)
    data = b"\1" * 8 + values.tobytes() + b"\2" * 5
    path = external_model(tmp_path, [("location", "data.bin"), ("offset", "8"), ("length", "16"), ("checksum", "x")],
                          data)
    np.testing.assert_array_equal(assert_same_graph(path)[3]["w"], values)
    # Without a length: to the end of the file.
    path = external_model(tmp_path, [("location", "./data.bin"), ("offset", "4")], b"\0" * 4 + values.tobytes())
    np.testing.assert_array_equal(assert_same_graph(path)[3]["w"], values)


@pytest.mark.parametrize("entries, message", [
    ([("location", "data.bin"), ("offset", "4")], r"has 12 bytes of external data for shape \(4,\) of FLOAT \(16 bytes\)"),
    ([("location", "data.bin"), ("offset", "17")], r"the offset of its external data \(17\) is past the end of '.*data.bin' \(16 bytes\)"),
    ([("location", "data.bin"), ("offset", "8"), ("length", "16")], r"its external data \(16 bytes from offset 8\) runs past the end of '.*data.bin' \(16 bytes\)"),
    ([("location", "data.bin"), ("offset", "-1")], r"the offset of its external data '-1' is not a non-negative integer"),
    ([("location", "data.bin"), ("length", "99999999999999999999")], r"the length of its external data '99999999999999999999' is not a non-negative integer"),
    ([("location", "missing.bin")], r"its external data file '.*missing.bin' is not a regular file"),
    ([("location", ".")], r"its external data file '.*' is not a regular file"),
    ([("location", "../data.bin")], r"the location of its external data '../data.bin' points outside the model's directory"),
    ([("location", "a/../../data.bin")], r"points outside the model's directory"),
    ([("location", "/etc/passwd")], r"the location of its external data '/etc/passwd' is not a relative path"),
    ([("offset", "0")], r"has external data with no location"),
])
def test_external_data_errors(tmp_path, entries, message):
    path = external_model(tmp_path, entries)
    with pytest.raises(ValueError, match=r"^read_onnx: '.*m.onnx': initializer 'w'[ :]"):
        cvcore_graph(path)
    with pytest.raises(ValueError, match=message):
        cvcore_graph(path)
    with pytest.raises(Exception):  # the onnx package refuses them too
        python_graph(path)


def test_external_data_may_not_be_a_symbolic_link(tmp_path):
    (tmp_path / "real.bin").write_bytes(b"\0" * 16)
    path = external_model(tmp_path, [("location", "link.bin")])
    os.symlink(tmp_path / "real.bin", tmp_path / "link.bin")
    with pytest.raises(ValueError, match=r"initializer 'w': its external data file '.*link.bin' is a symbolic link"):
        cvcore_graph(path)
    with pytest.raises(Exception, match="symbolic link"):
        python_graph(path)


def test_dynamic_and_unknown_dimensions(threads):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, None, "width"]),
              helper.make_tensor_value_info("no_shape", TensorProto.FLOAT, None)]
    model = make_model([helper.make_node("Relu", ["x"], ["y"])], [], [("y", ["batch", 3, None, "width"])],
                       graph_inputs=inputs)
    graph = assert_same_graph(model.SerializeToString())
    assert graph[1] == [("x", "float32", [-1, 3, -1, -1]), ("no_shape", "float32", [])]
    assert graph[2] == [("y", "float32", [-1, 3, -1, -1])]
    one_input = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", ["n", 3, None, 5])], [("y", None)])
    x = randn(2, 3, 4, 5)
    np.testing.assert_array_equal(assert_same_runs(one_input.SerializeToString(), x, input_shapes=x.shape),
                                  np.maximum(x, 0))


def test_a_dimension_given_by_value_then_by_name_is_open():
    """dim_value and dim_param are one protobuf oneof: the last one given counts."""
    dim = field(1, 0, 7) + field(2, 2, b"n")
    tensor_type = field(1, 0, TensorProto.FLOAT) + field(2, 2, field(1, 2, dim) + field(1, 2, field(1, 0, 4)))
    value_info = field(1, 2, b"z") + field(2, 2, field(1, 2, tensor_type))
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    graph = assert_same_graph(model.SerializeToString() + field(7, 2, field(11, 2, value_info)))
    assert graph[1][1] == ("z", "float32", [-1, 4])


def test_weights_among_the_inputs(threads):
    """Opset 9 exporters list the initializers among the graph inputs: they are not runtime inputs."""
    weights = {"w": randn(4, 3, 1, 1), "b": randn(4)}
    listed = [helper.make_tensor_value_info(k, TensorProto.FLOAT, v.shape) for k, v in weights.items()]
    model = make_model([helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[1, 1]),
                        helper.make_node("Relu", ["y"], ["z"])],
                       [("x", [1, 3, 5, 5])], [("z", [1, 4, 5, 5])], weights, opsets=[("", 9)], ir_version=3,
                       graph_inputs=listed)
    data = model.SerializeToString()
    graph = assert_same_graph(data)
    assert graph[0] == 9 and [i[0] for i in graph[1]] == ["x"]
    x = randn(1, 3, 5, 5)
    y = assert_same_runs(data, x)
    expected = np.maximum(np.einsum("oi,nihw->nohw", weights["w"][:, :, 0, 0], x) + weights["b"][:, None, None], 0)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)


def test_the_default_domains_highest_opset_counts():
    model = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1])], [("y", [1])],
                       opsets=[("com.microsoft", 30), ("", 11), ("ai.onnx", 13), ("ai.onnx.ml", 99)])
    assert assert_same_graph(model.SerializeToString())[0] == 13
    model = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1])], [("y", [1])],
                       opsets=[("ai.onnx", 13), ("", 7)])
    assert assert_same_graph(model.SerializeToString())[0] == 13


def test_unknown_fields_and_groups_are_skipped():
    model = conv_net()
    model.doc_string = "documentation"
    model.graph.value_info.append(helper.make_tensor_value_info("c1", TensorProto.FLOAT, None))
    model.metadata_props.add(key="k", value="v")
    data = model.SerializeToString()
    group = field(99, 3, b"") + field(1, 0, 5) + field(2, 3, b"") + field(3, 5, b"abcd") + field(2, 4, b"") \
        + field(99, 4, b"")
    unknown = field(1000, 0, 2**64 - 1) + field(1001, 1, b"12345678") + field(1002, 2, b"xyz") + group
    assert same(assert_same_graph(unknown + data + unknown), cvcore_graph(data))


def test_a_singular_message_given_twice_is_merged():
    """Protobuf merges a message field that occurs again: the second graph adds its nodes and outputs,
    the attribute's second tensor fills in its data."""
    first = make_model([helper.make_node("Relu", ["x"], ["y"])], [("x", [2])], [("y", [2])])
    second = helper.make_graph([helper.make_node("Relu", ["y"], ["z"])], "", [],
                               [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])])
    graph = assert_same_graph(first.SerializeToString() + field(7, 2, second.SerializeToString()))
    assert [n[1] for n in graph[4]] == ["Relu", "Relu"] and [o[0] for o in graph[2]] == ["y", "z"]


@pytest.mark.parametrize("case", ["float16", "string_tensor", "graph_attribute", "sparse_attribute", "tensors_attribute",
                                  "type_proto_attribute", "undefined_attribute", "input_dtype", "sequence_input",
                                  "no_opset", "typed_count", "raw_size", "segment", "undefined_tensor"])
def test_errors_say_the_same_as_the_python_loader(case):
    """Both loaders refuse these with the same message (after the name of the function)."""
    relu = helper.make_node("Relu", ["x"], ["y"], name="r")
    inputs, nodes, init, opsets = [("x", [1])], [relu], [], [("", 17)]
    if case == "float16":
        init = {"h": np.zeros(2, np.float16)}
    elif case == "string_tensor":
        init = [helper.make_tensor("s", TensorProto.STRING, [1], [b"a"])]
    elif case == "graph_attribute":
        body = helper.make_graph([], "body", [], [])
        nodes = [helper.make_node("If", ["c"], ["y"], name="branch", then_branch=body, else_branch=body)]
    elif case == "sparse_attribute":
        sparse = helper.make_sparse_tensor(helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]),
                                           helper.make_tensor("i", TensorProto.INT64, [1], [0]), [3])
        nodes = [helper.make_node("Constant", [], ["y"], sparse_value=sparse)]
    elif case == "tensors_attribute":
        relu.attribute.append(helper.make_attribute("ts", [helper.make_tensor("t", TensorProto.FLOAT, [1], [1.0])]))
    elif case == "type_proto_attribute":
        relu.attribute.append(helper.make_attribute("tp", helper.make_tensor_type_proto(TensorProto.FLOAT, [1])))
    elif case == "undefined_attribute":
        relu.attribute.add(name="u")
    elif case == "input_dtype":
        inputs = [("x", [1], TensorProto.INT8)]
    elif case == "sequence_input":
        inputs = []
    elif case == "no_opset":
        opsets = [("com.microsoft", 1)]
    elif case == "typed_count":
        init = [helper.make_tensor("t", TensorProto.INT64, [2, 2], [1, 2, 3, 4])]
        del init[0].int64_data[-1]
    elif case == "raw_size":
        init = [helper.make_tensor("r", TensorProto.DOUBLE, [3], b"\0" * 24, raw=True)]
        init[0].raw_data = b"\0" * 16
    elif case == "segment":
        tensor = numpy_helper.from_array(np.zeros(2, np.float32), "seg")
        tensor.segment.begin = 0
        init = [tensor]
    elif case == "undefined_tensor":
        nodes = [helper.make_node("Constant", [], ["y"], value=TensorProto())]
    extra = [helper.make_value_info("x", helper.make_sequence_type_proto(
        helper.make_tensor_type_proto(TensorProto.FLOAT, [1])))] if case == "sequence_input" else []
    data = make_model(nodes, inputs, [("y", [1])], init, opsets=opsets, graph_inputs=extra).SerializeToString()
    with pytest.raises(Exception) as python_error:
        python_graph(data)
    with pytest.raises(ValueError, match="^read_onnx_bytes: ") as cvcore_error:
        cvcore_graph(data)
    ours = str(cvcore_error.value)[len("read_onnx_bytes: "):]
    if case in ("typed_count", "raw_size", "segment"):
        # numpy_helper's own errors; cvcore's say what it is.
        expected = {"typed_count": "initializer 't' has 3 values in int64_data for shape (2, 2) (4 values)",
                    "raw_size": "initializer 'r' has 16 bytes of raw_data for shape (3,) of DOUBLE (24 bytes)",
                    "segment": "initializer 'seg' is stored in segments, which cvcore does not read"}[case]
        assert ours == expected
    else:
        assert python_error.type is ValueError
        assert ours == str(python_error.value)[len("cvcore.onnx.load: "):]


# --- Malformed bytes: what is wrong, and where.

def small_model():
    return make_model([helper.make_node("Relu", ["x"], ["y"], name="relu", alpha=0.5)], [("x", [1, 2])], [("y", [1, 2])],
                      {"w": np.arange(4, dtype=np.float32)}).SerializeToString()


@pytest.mark.parametrize("data, message", [
    (b"\x08" + b"\xff" * 10 + b"\x01", r"at byte 1: ModelProto field 1: a varint longer than 10 bytes"),
    (b"\x08\x80", r"at byte 1: ModelProto field 1: a varint cut off by the end of the ModelProto"),
    (b"\x80", r"at byte 0: ModelProto tag: a varint cut off by the end of the ModelProto"),
    (b"\x3a\x02\x0a\x01", r"at byte 2: GraphProto.node: 1 bytes of value, past the end of the GraphProto \(0 bytes left\)"),
    (b"\x3a\x05ab", r"at byte 0: ModelProto.graph: 5 bytes of value, past the end of the ModelProto \(2 bytes left\)"),
    (b"\x3a" + varint(2**64 - 1), r"at byte 0: ModelProto.graph: 18446744073709551615 bytes of value, past the end"),
    (b"\x38\x01", r"at byte 0: ModelProto.graph has wire type varint, expected length-delimited"),
    (b"\x3a\x02\x2a\x05", r"at byte 2: GraphProto.initializer: 5 bytes of value, past the end of the GraphProto \(0 bytes left\)"),
    (b"\x00\x01", r"at byte 0: ModelProto: field number 0 is outside protobuf's range"),
    (b"\x0e", r"at byte 0: ModelProto field 1: wire type 6 does not exist"),
    (b"\x0c", r"at byte 0: ModelProto field 1: an end-group tag without its start-group tag"),
    (b"\x0b\x14", r"at byte 1: ModelProto: group 1 closed by the end-group tag of field 2"),
    (b"\x0b\x08\x01", r"at byte 0: ModelProto field 1: a group not closed before the end of the ModelProto"),
    (b"\x0b" * 101, r"at byte 100: ModelProto: groups nested deeper than 100"),
    (b"\x09\x01\x02", r"at byte 0: ModelProto field 1: 8 bytes of value, past the end of the ModelProto \(2 bytes left\)"),
    (b"\xff\xff\xff\xff\x7f", r"at byte 0: ModelProto: field number 4294967295 is outside protobuf's range"),
])
def test_malformed_bytes_say_what_and_where(data, message):
    with pytest.raises(ValueError, match=r"^read_onnx_bytes: invalid ONNX file " + message):
        _cvcore.read_onnx_bytes(data)


def test_malformed_fields_inside_the_graph():
    attribute = field(1, 2, b"a") + field(20, 0, 1) + field(2, 5, b"\0\0")  # a float cut short
    node = field(4, 2, b"Relu") + field(5, 2, attribute)
    data = field(8, 2, field(2, 0, 17)) + field(7, 2, field(1, 2, node))
    offset = len(data) - 3
    with pytest.raises(ValueError, match=rf"^read_onnx_bytes: invalid ONNX file at byte {offset}: AttributeProto.f: "
                                         r"4 bytes of value, past the end of the AttributeProto \(2 bytes left\)$"):
        _cvcore.read_onnx_bytes(data)
    packed = field(8, 2, b"t") + field(2, 0, 1) + field(4, 2, b"\0" * 6)
    data = field(7, 2, field(5, 2, packed))
    with pytest.raises(ValueError, match=r"at byte 9: TensorProto.float_data: a packed run of 6 bytes is not a whole "
                                         r"number of 4-byte values"):
        _cvcore.read_onnx_bytes(data)
    wrong = field(7, 2, field(5, 2, field(1, 5, b"\0" * 4)))
    with pytest.raises(ValueError, match=r"at byte 4: TensorProto.dims has wire type fixed32, expected varint or "
                                         r"length-delimited \(packed\)"):
        _cvcore.read_onnx_bytes(wrong)


def test_groups_up_to_the_limit_are_skipped():
    data = field(1, 3, b"") * 100 + field(1, 4, b"") * 100 + small_model()
    assert same(_cvcore.read_onnx_bytes(data), _cvcore.read_onnx_bytes(small_model()))


def test_absurd_sizes_are_value_errors():
    huge = field(8, 2, b"t") + field(1, 2, varint(2**40) + varint(2**40)) + field(2, 0, 1) + field(9, 2, b"")
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    with pytest.raises(ValueError, match=r"initializer 't' has shape \(1099511627776, 1099511627776\), whose size "
                                         r"overflows 64 bits"):
        _cvcore.read_onnx_bytes(with_initializer(model.SerializeToString(), huge))
    no_data = field(8, 2, b"t") + field(1, 2, varint(2**20) + varint(2**20)) + field(2, 0, 11)
    with pytest.raises(ValueError, match=r"initializer 't' has 0 values in double_data for shape \(1048576, 1048576\) "
                                         r"\(1099511627776 values\)"):
        _cvcore.read_onnx_bytes(with_initializer(model.SerializeToString(), no_data))
    negative = field(8, 2, b"t") + field(1, 0, -1) + field(2, 0, 1) + field(9, 2, b"\0" * 4)
    with pytest.raises(ValueError, match=r"initializer 't' has a negative dimension in its shape \(-1,\)"):
        _cvcore.read_onnx_bytes(with_initializer(model.SerializeToString(), negative))


FUZZ_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from cvcore import _cvcore
    data = bytes.fromhex(sys.argv[1])
    loaded = refused = 0

    def read(b):
        global loaded, refused
        try:
            _cvcore.read_onnx_bytes(b)
            loaded += 1
        except ValueError as e:
            assert str(e).startswith("read_onnx_bytes: "), str(e)
            refused += 1

    for n in range(len(data) + 1):
        read(data[:n])
    rng = np.random.default_rng(2024)
    for _ in range(3000):
        b = bytearray(data)
        for at in rng.integers(0, len(b), rng.integers(1, 4)):
            b[at] = rng.integers(0, 256)
        read(bytes(b))
    print(json.dumps({"loaded": loaded, "refused": refused}))
""")


def test_truncated_and_damaged_bytes_load_or_raise_value_error():
    """Every prefix of a small model and thousands of seeded byte changes: each loads or raises
    ValueError. In a child process, so that a crash fails the test with its signal."""
    data = small_model()
    run = subprocess.run([sys.executable, "-c", FUZZ_SCRIPT, data.hex()], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"exit status {run.returncode} (a negative one is the signal)\n{run.stderr[-3000:]}"
    counts = json.loads(run.stdout)
    assert counts["loaded"] + counts["refused"] == len(data) + 1 + 3000
    assert counts["loaded"] > 100 and counts["refused"] > 100  # both sides are exercised


def test_damaged_bytes_that_both_loaders_read_give_the_same_graph():
    """Byte changes that protobuf and cvcore both accept give the same graph (where one refuses what the
    other reads, cvcore checks more: wire types of known fields, negative dimensions)."""
    data = conv_net().SerializeToString()
    local = np.random.default_rng(7)
    both = 0
    for _ in range(400):
        b = bytearray(data)
        for at in local.integers(0, len(b), local.integers(1, 3)):
            b[at] = local.integers(0, 256)
        b = bytes(b)
        try:
            expected = python_graph(b)
        except Exception:
            continue
        try:
            got = _cvcore.read_onnx_bytes(b)
        except ValueError:
            continue
        both += 1
        assert same(expected, got), b.hex()
    assert both > 50


# --- cvcore.onnx.load's reader argument.

def test_load_with_cvcore_reader_needs_no_onnx_package(tmp_path, monkeypatch):
    path = tmp_path / "net.onnx"
    onnx.save(conv_net(), str(path))
    expected = cvcore.onnx.load(str(path), input_shapes=(1, 3, 16, 16))

    def no_onnx():
        raise ImportError("no onnx")

    monkeypatch.setattr(cvcore.onnx, "_onnx", no_onnx)
    x = randn(1, 3, 16, 16)
    for source in (str(path), path, path.read_bytes(), bytearray(path.read_bytes()), memoryview(path.read_bytes())):
        model = cvcore.onnx.load(source, input_shapes=(1, 3, 16, 16), reader="cvcore")
        assert model(x).tobytes() == expected(x).tobytes()
        assert str(model) == str(expected) and model.inputs == expected.inputs and model.outputs == expected.outputs
    with pytest.raises(ImportError, match="no onnx"):
        cvcore.onnx.load(str(path))


def test_load_reader_argument_errors(tmp_path):
    model = conv_net()
    with pytest.raises(ValueError, match=r"^cvcore.onnx.load: reader must be 'onnx' or 'cvcore', got 'protobuf'$"):
        cvcore.onnx.load(model, reader="protobuf")
    with pytest.raises(TypeError, match=r"^cvcore.onnx.load: with reader='cvcore', model must be a path or bytes, "
                                        r"got ModelProto$"):
        cvcore.onnx.load(model, reader="cvcore")
    with pytest.raises(FileNotFoundError, match=r"^cvcore.onnx.load: no such file: '.*missing.onnx'$"):
        cvcore.onnx.load(str(tmp_path / "missing.onnx"), reader="cvcore")
    with pytest.raises(ValueError, match=r"^read_onnx: '.*missing.onnx': no such file$"):
        _cvcore.read_onnx_file(os.fsencode(str(tmp_path / "missing.onnx")))
    with pytest.raises(ValueError, match=r"^read_onnx: '.*': not a regular file$"):
        _cvcore.read_onnx_file(os.fsencode(str(tmp_path)))
    with pytest.raises(ValueError, match=r"^read_onnx_bytes: the model imports no version of the default operator "
                                         r"set$"):
        cvcore.onnx.load(b"", reader="cvcore")


def test_names_that_are_not_utf8_are_escaped_in_messages():
    tensor = field(8, 2, b"w\xff\n") + field(1, 0, 2) + field(2, 0, 10) + field(9, 2, b"\0" * 4)
    model = make_model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1])], [("y", [1])])
    with pytest.raises(ValueError, match=r"^read_onnx_bytes: initializer 'w\\xff\\x0a' has data type FLOAT16, "):
        _cvcore.read_onnx_bytes(with_initializer(model.SerializeToString(), tensor))
    node = field(1, 2, b"x") + field(2, 2, b"y") + field(3, 2, b"n\xc3") + field(4, 2, b"Op\xe9")
    graph_attribute = field(5, 2, field(1, 2, b"a") + field(20, 0, 5))
    with pytest.raises(ValueError, match=r"^read_onnx_bytes: onnx node 'n\\xc3' \(Op\\xe9\): attribute 'a' of type "
                                         r"GRAPH is not supported$"):
        _cvcore.read_onnx_bytes(model.SerializeToString() + field(7, 2, field(1, 2, node + graph_attribute)))
    # The graph keeps the bytes: a name that is not UTF-8 is bytes in Python, as protobuf gives it.
    graph = assert_same_graph(model.SerializeToString() + field(7, 2, field(1, 2, node)))
    assert graph[4][1][0] == b"n\xc3" and graph[4][1][1] == b"Op\xe9"
