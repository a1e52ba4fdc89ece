"""Elementwise arithmetic with NumPy broadcasting: ``add``, ``sub``, ``mul``, ``div`` (ONNX's Add, Sub, Mul
and Div on float32).

Each function takes two arrays (or scalars) whose shapes broadcast as NumPy's do (aligned at the last
dimension; each pair of sizes equal or one of them 1) and returns a new float32 array of the broadcast
shape. Every output is the IEEE float32 result of one operation on the two float32 inputs, exactly
NumPy's float32 result: ``div`` is a true division (``x / 0`` is ±inf, ``0 / 0`` NaN), not a
multiplication by a reciprocal. Inputs of other real dtypes are converted to float32 once (so integer
inputs give float32 results, where NumPy would compute in int64 or float64); bool, complex, string and
object data raise TypeError. Arrays have at most 6 dimensions.

``activation`` is applied to each result before it is stored: ``"none"`` (or None), ``"relu"``
(``x < 0 ? 0 : x``: -0.0 and NaN pass through, as :func:`cvcore.ops.relu`) or ``"relu6"``
(``min(max(x, 0), 6)``, same rule). Results are identical for every thread count.
"""

from .. import _cvcore
from .._validation import as_float32, as_str


def _binary(op, a, b, activation, device):
    a = as_float32(op, "a", a)
    b = as_float32(op, "b", b)
    activation = "none" if activation is None else as_str(op, "activation", activation)
    return _cvcore.binary(a, b, op, activation, as_str(op, "device", device))


def add(a, b, activation="none", *, device="cpu"):
    """``a + b`` elementwise with NumPy broadcasting, then ``activation`` (see the module).

    Raises
    ------
    ValueError when the shapes do not broadcast (naming both), for an unknown activation or "prelu";
    TypeError for non-numeric data.
    """
    return _binary("add", a, b, activation, device)


def sub(a, b, activation="none", *, device="cpu"):
    """``a - b`` elementwise with NumPy broadcasting, then ``activation`` (see :func:`add`)."""
    return _binary("sub", a, b, activation, device)


def mul(a, b, activation="none", *, device="cpu"):
    """``a * b`` elementwise with NumPy broadcasting, then ``activation`` (see :func:`add`)."""
    return _binary("mul", a, b, activation, device)


def div(a, b, activation="none", *, device="cpu"):
    """``a / b`` elementwise with NumPy broadcasting (IEEE true division), then ``activation`` (see
    :func:`add`)."""
    return _binary("div", a, b, activation, device)
