"""Convert the trained MTCNN weights of the MIT-licensed ``mtcnn`` package (PyPI) into the float32
``.npz`` that :func:`cvcore.detection.mtcnn.load_weights` reads.

    pip download mtcnn==1.0.0 --no-deps -d /tmp/mtcnn    # the wheel holds the weights
    pip install joblib lz4                               # to read them (not needed by cvcore itself)
    python -m cvcore.detection.mtcnn_weights OUT.npz --src /tmp/mtcnn/mtcnn-1.0.0-py3-none-any.whl

``--src`` is the wheel, or a folder holding ``pnet.lz4``, ``rnet.lz4`` and ``onet.lz4`` (the
package's ``assets/weights``); without it the installed ``mtcnn`` package is located without being
imported (importing it would import TensorFlow). This is how ``detection/data/mtcnn.npz`` was made.

The package stores each net as the list of its Keras weights (joblib, lz4-compressed), laid out for
NHWC tensors: conv kernels ``(kH, kW, in, out)``, dense kernels ``(in, out)``, PReLU slopes
``(1, 1, C)`` or ``(C,)``. Its R-Net and O-Net permute the last conv map to (W, H, C) before
flattening it. cvcore computes in NCHW, flattens in (C, H, W) order, and wants OIHW conv kernels
and (out, in) linear weights; :func:`convert` makes those changes.
"""

import argparse
import importlib.util
import io
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

from .mtcnn import ARCHITECTURE, check_weights

NETS = tuple(ARCHITECTURE)


def _keras_shapes(net):
    """(key, Keras shape, kind) of each array of ``net`` in the package's order."""
    out = []
    for kind, name, *dims in ARCHITECTURE[net]:
        key = f"{net}.{name}"
        if kind == "conv":
            cin, cout, k = dims
            out += [(key + ".weight", (k, k, cin, cout), kind), (key + ".bias", (cout,), "bias")]
        elif kind == "fc":
            fin, fout = dims
            out += [(key + ".weight", (fin, fout), kind), (key + ".bias", (fout,), "bias")]
        else:
            out.append((key + ".weight", (dims[0],), kind))
    return out


def convert(keras_weights):
    """The ``mtcnn`` package's weights in cvcore's layout.

    Parameters
    ----------
    keras_weights : mapping
        ``{"pnet": [...], "rnet": [...], "onet": [...]}``, each the list of arrays of that net in
        Keras order (what ``model.get_weights()`` returns and the package's ``*.lz4`` files hold).

    Returns
    -------
    dict of str to ndarray float32
        The keys and shapes of :func:`cvcore.detection.mtcnn.weight_shapes`.

    Raises
    ------
    ValueError when a net is missing or an array count or shape does not match the architecture.
    """
    out = {}
    for net in NETS:
        if net not in keras_weights:
            raise ValueError(f"convert: missing the weights of {net!r}")
        arrays = list(keras_weights[net])
        expected = _keras_shapes(net)
        if len(arrays) != len(expected):
            raise ValueError(f"convert: {net} must have {len(expected)} arrays, got {len(arrays)}")
        channels = None  # output channels of the last conv, for the flatten before the first dense
        for arr, (key, shape, kind) in zip(arrays, expected):
            arr = np.asarray(arr, dtype=np.float32)
            if kind == "prelu":
                arr = arr.reshape(-1) if arr.size == shape[0] else arr
            if arr.shape != shape:
                raise ValueError(f"convert: {key} must have the Keras shape {shape}, got {arr.shape}")
            if kind == "conv":
                arr = arr.transpose(3, 2, 0, 1)  # (kH, kW, in, out) -> (out, in, kH, kW)
                channels = shape[3]
            elif kind == "fc" and channels is not None:
                # Keras flattened the (W, H, C) map: reorder the inputs to (C, H, W).
                side = math.isqrt(shape[0] // channels)
                arr = arr.reshape(side, side, channels, shape[1]).transpose(3, 2, 1, 0).reshape(shape[1], shape[0])
                channels = None
            elif kind == "fc":
                arr = arr.T
            out[key] = np.ascontiguousarray(arr)
    return check_weights(out, "convert")


def _installed_weights_folder():
    spec = importlib.util.find_spec("mtcnn")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the mtcnn package is not installed: pass --src (its wheel or weights folder)")
    return Path(list(spec.submodule_search_locations)[0]) / "assets" / "weights"


def read_package_weights(src=None):
    """The ``mtcnn`` package's weight lists, ``{"pnet": [...], "rnet": [...], "onet": [...]}``.

    Parameters
    ----------
    src : str or path-like, optional
        The package's wheel (``.whl``), or a folder holding ``pnet.lz4``, ``rnet.lz4`` and
        ``onet.lz4``; default the installed package's ``assets/weights``.

    Raises
    ------
    ImportError when joblib is not installed (reading lz4-compressed files also needs ``lz4``);
    FileNotFoundError when a file is missing.
    """
    try:
        import joblib
    except ImportError:
        raise ImportError("reading the mtcnn package's weights needs joblib and lz4: pip install joblib lz4") from None
    src = _installed_weights_folder() if src is None else Path(src)
    if src.is_file() and zipfile.is_zipfile(src):
        with zipfile.ZipFile(src) as wheel:
            names = {Path(n).name: n for n in wheel.namelist() if "/assets/weights/" in n}
            missing = [f"{net}.lz4" for net in NETS if f"{net}.lz4" not in names]
            if missing:
                raise FileNotFoundError(f"{src} has no mtcnn/assets/weights/{missing[0]}")
            return {net: joblib.load(io.BytesIO(wheel.read(names[f"{net}.lz4"]))) for net in NETS}
    for net in NETS:
        if not (src / f"{net}.lz4").is_file():
            raise FileNotFoundError(f"{src / f'{net}.lz4'} does not exist (expected the mtcnn wheel or its "
                                    "assets/weights folder)")
    return {net: joblib.load(src / f"{net}.lz4") for net in NETS}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cvcore.detection.mtcnn_weights",
                                     description="Convert the mtcnn package's trained weights to cvcore's .npz.")
    parser.add_argument("out", help="the .npz file to write")
    parser.add_argument("--src", help="the mtcnn wheel or its assets/weights folder (default: the installed package)")
    args = parser.parse_args(argv)
    weights = convert(read_package_weights(args.src))
    np.savez_compressed(args.out, **weights)
    total = sum(a.size for a in weights.values())
    print(f"wrote {args.out}: {len(weights)} arrays, {total:,} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
