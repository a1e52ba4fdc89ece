"""Run trained networks from ONNX files on cvcore's C++ core.

``load(path_or_bytes)`` reads the file with the ``onnx`` package (``pip install "cvcore[onnx]"``),
hands the graph to C++, which checks every node, folds the shape computations exporters emit, fuses
layers (batch norms into the convolutions before them, activations into their producers' epilogues)
and plans the memory once per input shape; ``model(x)`` then runs the whole graph in one C++ call with
the GIL released::

    model = cvcore.onnx.load("resnet18.onnx")
    logits = model(image_batch)                   # NCHW float32
    print(model)                                  # the executed plan

An operator, attribute or opset that cvcore does not run exactly is a ValueError at load naming the
node, its op type, the attribute and the opset: never a silently different result.

``load(..., reader="cvcore")`` reads the file with cvcore's own C++ reader instead (``cvcore::read_onnx``,
the one C++ programs use; no ``onnx`` package needed), which builds the same graph.
"""

import collections
import os

import numpy as np

from . import _cvcore
from ._validation import real_array

__all__ = ["Model", "ValueInfo", "load"]

ValueInfo = collections.namedtuple("ValueInfo", ["name", "shape", "dtype"])
ValueInfo.__doc__ = """A graph input or output: its name, shape (a tuple) and NumPy dtype."""

# ONNX TensorProto element types cvcore holds.
_DTYPES = {1: np.float32, 2: np.uint8, 6: np.int32, 7: np.int64, 11: np.float64}


def _onnx():
    try:
        import onnx
    except ImportError as e:  # the optional extra
        raise ImportError('cvcore.onnx needs the onnx package to read models: pip install "cvcore[onnx]"') from e
    return onnx


def _array(onnx, tensor, what):
    """An ONNX TensorProto as a NumPy array of a dtype cvcore holds."""
    if tensor.data_type not in _DTYPES:
        name = onnx.TensorProto.DataType.Name(tensor.data_type)
        raise ValueError(f"cvcore.onnx.load: {what} has data type {name}, which cvcore does not hold "
                         "(float, double, int32, int64, uint8)")
    # np.asarray, not np.ascontiguousarray, which makes a scalar (a Gather's index) of shape (1,).
    return np.asarray(onnx.numpy_helper.to_array(tensor), dtype=_DTYPES[tensor.data_type], order="C")


def _value_info(onnx, info, what):
    """(name, dtype, shape) of a graph input or output; -1 for a size the graph leaves open."""
    tensor_type = info.type.tensor_type
    if info.type.WhichOneof("value") != "tensor_type":
        raise ValueError(f"cvcore.onnx.load: {what} '{info.name}' is not a tensor")
    elem = tensor_type.elem_type
    if elem not in _DTYPES:
        name = onnx.TensorProto.DataType.Name(elem)
        raise ValueError(f"cvcore.onnx.load: {what} '{info.name}' has data type {name}, which cvcore does not hold")
    shape = [d.dim_value if d.HasField("dim_value") else -1 for d in tensor_type.shape.dim]
    return info.name, np.dtype(_DTYPES[elem]).name, shape


def _attributes(onnx, node, position):
    kinds = {onnx.AttributeProto.INT: "int", onnx.AttributeProto.FLOAT: "float", onnx.AttributeProto.STRING: "string",
             onnx.AttributeProto.INTS: "ints", onnx.AttributeProto.FLOATS: "floats",
             onnx.AttributeProto.STRINGS: "strings", onnx.AttributeProto.TENSOR: "tensor"}
    out = {}
    for a in node.attribute:
        where = f"onnx node '{node.name}'" if node.name else f"onnx node #{position}"
        if a.type not in kinds:
            raise ValueError(f"cvcore.onnx.load: {where} ({node.op_type}): attribute '{a.name}' of type "
                             f"{onnx.AttributeProto.AttributeType.Name(a.type)} is not supported")
        value = onnx.helper.get_attribute_value(a)  # strings stay bytes, as the file has them
        if a.type == onnx.AttributeProto.TENSOR:
            value = _array(onnx, value, f"{where} ({node.op_type}) attribute '{a.name}'")
        out[a.name] = (kinds[a.type], value)
    return out


def _model_proto(onnx, model):
    if isinstance(model, onnx.ModelProto):
        return model
    if isinstance(model, (bytes, bytearray, memoryview)):
        try:
            return onnx.load_model_from_string(bytes(model))
        except Exception as e:  # protobuf's DecodeError and friends
            raise ValueError(f"cvcore.onnx.load: the bytes are not an ONNX model ({e})") from None
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"cvcore.onnx.load: model must be a path, bytes or an onnx.ModelProto, got {type(model).__name__}")
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"cvcore.onnx.load: no such file: {path!r}")
    try:
        return onnx.load(path)
    except Exception as e:
        raise ValueError(f"cvcore.onnx.load: {path!r} is not an ONNX model ({e})") from None


def _graph(onnx, proto):
    """The neutral graph of a ModelProto, as _cvcore.Model takes it: (opset, inputs, outputs,
    initializers, nodes)."""
    opsets = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
    if not opsets:
        raise ValueError("cvcore.onnx.load: the model imports no version of the default operator set")
    graph = proto.graph
    initializers = {t.name: _array(onnx, t, f"initializer '{t.name}'") for t in graph.initializer}
    inputs = [_value_info(onnx, i, "input") for i in graph.input if i.name not in initializers]
    outputs = [_value_info(onnx, o, "output") for o in graph.output]
    nodes = [(n.name, n.op_type, n.domain, list(n.input), list(n.output), _attributes(onnx, n, i))
             for i, n in enumerate(graph.node)]
    return max(opsets), inputs, outputs, initializers, nodes


def _read_with_cvcore(model):
    """The neutral graph of a model file or its bytes, read by cvcore's C++ reader."""
    if isinstance(model, (bytes, bytearray, memoryview)):
        return _cvcore.read_onnx_bytes(bytes(model))
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"cvcore.onnx.load: with reader='cvcore', model must be a path or bytes, got {type(model).__name__}")
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"cvcore.onnx.load: no such file: {path!r}")
    return _cvcore.read_onnx_file(os.fsencode(path))


def load(model, input_shapes=None, reader="onnx", winograd=True):
    """Load an ONNX model and plan it for ``input_shapes``.

    Parameters
    ----------
    model : str, os.PathLike, bytes or onnx.ModelProto
        The model file (external data beside it is read too), its bytes, or a parsed model.
    input_shapes : dict of str to tuple of int, or tuple of int, optional
        The shape of each input whose sizes the graph leaves open (a symbolic batch or image size):
        by input name, or a tuple for a model with one input. Inputs with fixed shapes need none.
        Other shapes are planned on first use.
    reader : {"onnx", "cvcore"}, optional
        What reads the file. ``"onnx"`` (the default): the ``onnx`` package. ``"cvcore"``: cvcore's C++
        reader of the protobuf format (``cvcore::read_onnx``, what C++ programs use), which needs no
        package and builds the same graph; ``model`` is then a path or bytes, and its errors start with
        ``read_onnx`` (``read_onnx_bytes`` for bytes, which cannot name external data files: load
        such a model from its path).
    winograd : bool, optional
        3x3 stride-1 convolutions of one group with at most 128 input channels and outputs of at least
        28x28 run by Winograd F(2x2, 3x3), which is faster there (see ``ops.conv2d(winograd=True)``):
        their results are within about twice the float32 rounding error of the direct sum instead of
        its bits. False: every convolution by its direct algorithm. Default True.

    Returns
    -------
    Model

    Raises
    ------
    ImportError
        The ``onnx`` package is not installed (``reader="onnx"``).
    ValueError
        The file is not an ONNX model, or it holds an operator, attribute, data type or opset that
        cvcore does not run (the message names the node, its op type and the attribute).
    """
    if reader == "onnx":
        onnx = _onnx()
        opset, inputs, outputs, initializers, nodes = _graph(onnx, _model_proto(onnx, model))
    elif reader == "cvcore":
        opset, inputs, outputs, initializers, nodes = _read_with_cvcore(model)
    else:
        raise ValueError(f"cvcore.onnx.load: reader must be 'onnx' or 'cvcore', got {reader!r}")
    if input_shapes is None:
        input_shapes = {}
    elif not isinstance(input_shapes, dict):
        if len(inputs) != 1:
            raise ValueError(f"cvcore.onnx.load: the model has {len(inputs)} inputs: give input_shapes as a dict by name")
        input_shapes = {inputs[0][0]: input_shapes}
    shapes = {}
    for name, shape in input_shapes.items():
        try:
            shapes[name] = [int(d) for d in shape]
        except TypeError:
            raise TypeError(f"cvcore.onnx.load: input_shapes[{name!r}] must be a sequence of ints, got {shape!r}") from None
    if not isinstance(winograd, (bool, np.bool_)):
        raise TypeError(f"cvcore.onnx.load: winograd must be a bool, got {winograd!r}")
    return Model(_cvcore.Model(opset, inputs, outputs, initializers, nodes, shapes, bool(winograd)))


class Model:
    """A loaded ONNX model (``load``). ``model(x)`` runs a one-input model; ``model.run(feeds)`` any.

    Inputs of the float32 inputs may be any real NumPy arrays (converted to float32 once); every
    input must have the graph's rank and its fixed sizes. Calls from several threads at once are safe.
    """

    def __init__(self, native):
        self._native = native

    @property
    def inputs(self):
        """The graph inputs (list of ValueInfo), with the shapes of the last plan."""
        return [ValueInfo(name, shape, dtype) for name, dtype, shape in self._native.inputs]

    @property
    def outputs(self):
        """The graph outputs (list of ValueInfo), with the shapes of the last plan."""
        return [ValueInfo(name, shape, dtype) for name, dtype, shape in self._native.outputs]

    @property
    def memory_bytes(self):
        """The working memory of one run of the last plan, in bytes (intermediate activations, reused by
        lifetime; weights and outputs not included)."""
        return self._native.memory_bytes

    def _arrays(self, values):
        out = []
        for info, x in zip(self._native.inputs, values):
            name, dtype = info[0], info[1]
            arr = real_array("onnx model", f"input '{name}'", x)
            out.append(np.asarray(arr, dtype=dtype, order="C"))
        return out

    def _feed_arrays(self, feeds):
        """The inputs in the graph's order from a dict by name, or from one array for a one-input model."""
        names = [i[0] for i in self._native.inputs]
        if not isinstance(feeds, dict):
            if len(names) != 1:
                raise TypeError(f"onnx model: the model has {len(names)} inputs {names}: give a dict of input "
                                f"name to array, got {type(feeds).__name__}")
            return self._arrays([feeds])
        unknown = sorted(set(feeds) - set(names))
        missing = [n for n in names if n not in feeds]
        if unknown or missing:
            raise ValueError(f"onnx model: feeds must give exactly the inputs {names}; "
                             f"missing {missing}, unknown {unknown}")
        return self._arrays([feeds[n] for n in names])

    def run(self, feeds):
        """Run the model on ``feeds`` (a dict: input name -> array, every input given) and return a dict:
        output name -> array."""
        if not isinstance(feeds, dict):
            raise TypeError(f"onnx model: feeds must be a dict of input name to array, got {type(feeds).__name__}")
        results = self._native.run(self._feed_arrays(feeds))
        return {o[0]: r for o, r in zip(self._native.outputs, results)}

    def __call__(self, x):
        """Run a one-input model on ``x``; returns the output array, or a tuple of them in the graph's
        order when there are several."""
        if len(self._native.inputs) != 1:
            names = [i[0] for i in self._native.inputs]
            raise ValueError(f"onnx model: the model has {len(names)} inputs {names}: use model.run(feeds)")
        results = self._native.run(self._feed_arrays(x))
        return results[0] if len(results) == 1 else tuple(results)

    def profile(self, feeds, repeat=10):
        """Where a run spends its time: runs the model ``repeat`` times on ``feeds`` (a dict as ``run``
        takes, or the array of a one-input model) and returns one (step, median milliseconds) pair per
        step of the plan, the step as ``str(model)`` prints it."""
        if not isinstance(repeat, int) or not 1 <= repeat <= 10000:
            raise ValueError(f"onnx model: repeat must be an int in [1, 10000], got {repeat!r}")
        arrays = self._feed_arrays(feeds)
        times = np.array([self._native.profile(arrays) for _ in range(repeat)])
        steps = self._native.plan_text.splitlines()[:-1]
        return [(step, float(ms)) for step, ms in zip(steps, np.median(times, axis=0) * 1e3)]

    def __str__(self):
        return self._native.plan_text

    def __repr__(self):
        ins = ", ".join(f"{i.name}{tuple(i.shape)}" for i in self.inputs)
        outs = ", ".join(f"{o.name}{tuple(o.shape)}" for o in self.outputs)
        return f"<cvcore.onnx.Model ({ins}) -> ({outs}), {self.memory_bytes} bytes of working memory>"
