"""MTCNN face detection (Zhang et al., "Joint Face Detection and Alignment using Multi-task Cascaded
Convolutional Networks", 2016) on cvcore's ops, with the trained weights of the MIT-licensed ``mtcnn``
package (converted by :mod:`cvcore.detection.mtcnn_weights`, shipped in ``detection/data``).

The cascade follows the original algorithm as facenet-pytorch implements it:

1. **P-Net** runs on an image pyramid: scales ``12 / min_face_size * scale_factor**k`` while the
   scaled short side is >= 12; each level has sides ``int(size * scale + 1)``, resized by
   area averaging (``adaptive_avg_pool2d``, PyTorch's ``interpolate(mode="area")``). Every output
   cell with face probability ``>= thresholds[0]`` gives a 12x12 window at stride 2, mapped back to
   the image (``floor((2 * cell + 1) / scale)``, ``floor((2 * cell + 12) / scale)``). NMS (IoU 0.5) per
   level, then NMS (IoU 0.7) over all levels, then the window regression (offsets times the window
   size) and squaring around the centre.
2. **R-Net** scores 24x24 crops of those squares: keep probability ``> thresholds[1]``, NMS (IoU 0.7),
   regression (offsets times ``size + 1``), squaring.
3. **O-Net** scores 48x48 crops: keep probability ``> thresholds[2]``, five landmarks (relative
   positions times ``size + 1``, minus 1), regression, NMS with the intersection over the smaller
   box ("Min", areas ``(w + 1) * (h + 1)``) at 0.7.

Each net is a :class:`cvcore.nn.Sequential` built from :data:`ARCHITECTURE` (:func:`build_net`);
:class:`MTCNN` fuses it once with :func:`cvcore.nn.fuse`, so that each conv runs with its PReLU, its
max pooling or the 1x1 output layers in one ``ops.conv2d`` call, and the output layers of R-Net and
O-Net as one ``ops.linear``. Inputs are normalised as ``(pixel - 127.5) * 0.0078125``; :class:`MTCNN`
folds that into the first conv of each net (:func:`fold_normalisation`) and feeds raw pixel values.
Coordinates are those of the reference implementations (boxes are not clipped to the image).

Crops differ from the references on purpose: a crop is cvcore's bilinear ``crop_resize`` (roi_align's
aligned, adaptive sampling, computed separably) of the unrounded box, taken from the pyramid level on
which the box is 2 to 3 times the crop size (area averaging, then bilinear sampling), with zeros
(black) outside the image.
The original resizes an integer crop with ``cv2.resize(INTER_AREA)`` after zero padding;
facenet-pytorch area-resizes the integer crop clipped to the image, which stretches faces on the
border. Boxes and probabilities therefore differ slightly from both (on the benchmark images the
same faces are found, and the boxes overlap facenet-pytorch's with IoU 0.95 on average, 0.88 at
worst).
"""

import os
from pathlib import Path

import numpy as np

from .. import nn, ops
from .._validation import as_float32, check_finite_scalar
from .preprocess import detect_each, to_blob

# Architecture, in the weight order of the ``mtcnn`` package's Keras models: ("conv", name, in, out,
# kernel), ("prelu", name, channels) and ("fc", name, in, out). The first fully connected layer of
# R-Net and O-Net reads the last conv map (64 or 128 channels, 3x3) flattened in (C, H, W) order.
ARCHITECTURE = {
    "pnet": (("conv", "conv1", 3, 10, 3), ("prelu", "prelu1", 10), ("conv", "conv2", 10, 16, 3),
             ("prelu", "prelu2", 16), ("conv", "conv3", 16, 32, 3), ("prelu", "prelu3", 32),
             ("conv", "conv4_1", 32, 4, 1), ("conv", "conv4_2", 32, 2, 1)),
    "rnet": (("conv", "conv1", 3, 28, 3), ("prelu", "prelu1", 28), ("conv", "conv2", 28, 48, 3),
             ("prelu", "prelu2", 48), ("conv", "conv3", 48, 64, 2), ("prelu", "prelu3", 64),
             ("fc", "fc4", 64 * 3 * 3, 128), ("prelu", "prelu4", 128), ("fc", "fc5_1", 128, 4),
             ("fc", "fc5_2", 128, 2)),
    "onet": (("conv", "conv1", 3, 32, 3), ("prelu", "prelu1", 32), ("conv", "conv2", 32, 64, 3),
             ("prelu", "prelu2", 64), ("conv", "conv3", 64, 64, 3), ("prelu", "prelu3", 64),
             ("conv", "conv4", 64, 128, 2), ("prelu", "prelu4", 128), ("fc", "fc5", 128 * 3 * 3, 256),
             ("prelu", "prelu5", 256), ("fc", "fc6_1", 256, 4), ("fc", "fc6_2", 256, 10),
             ("fc", "fc6_3", 256, 2)),
}

# The layers without weights, which ARCHITECTURE leaves out: a max pooling (kernel, stride), with
# Caffe's ceil rounding, after these PReLUs (named pool1, pool2, ... after them).
_MAX_POOLS = {"pnet": {"prelu1": (2, 2)}, "rnet": {"prelu1": (3, 2), "prelu2": (3, 2)},
              "onet": {"prelu1": (3, 2), "prelu2": (3, 2), "prelu3": (2, 2)}}


def weight_shapes():
    """``{key: shape}`` of every array of the three nets, in the ``mtcnn`` package's weight order.

    Keys are ``"<net>.<layer>.weight"`` / ``"<net>.<layer>.bias"``: conv kernels OIHW, fully connected
    weights (out, in), PReLU slopes (C,).
    """
    shapes = {}
    for net, layers in ARCHITECTURE.items():
        for kind, name, *dims in layers:
            key = f"{net}.{name}"
            if kind == "conv":
                cin, cout, k = dims
                shapes[key + ".weight"] = (cout, cin, k, k)
                shapes[key + ".bias"] = (cout,)
            elif kind == "fc":
                fin, fout = dims
                shapes[key + ".weight"] = (fout, fin)
                shapes[key + ".bias"] = (fout,)
            else:
                shapes[key + ".weight"] = (dims[0],)
    return shapes


DEFAULT_WEIGHTS = Path(__file__).parent / "data" / "mtcnn.npz"


def load_weights(path=None):
    """The MTCNN weights as a dict of float32 arrays, checked against :func:`weight_shapes`.

    Parameters
    ----------
    path : str or path-like, optional
        A ``.npz`` file written by ``python -m cvcore.detection.mtcnn_weights``; default the file
        shipped with cvcore (the ``mtcnn`` package's trained weights, MIT licence).

    Raises
    ------
    FileNotFoundError when the file does not exist; ValueError when an array is missing, has the wrong
    shape or is not finite.
    """
    path = DEFAULT_WEIGHTS if path is None else Path(path)
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    return check_weights(arrays, f"load_weights: {path}")


def check_weights(arrays, source):
    """``arrays`` (a mapping) as a dict of C-contiguous float32 arrays after checking every key and shape
    (real dtypes are converted, as the CNN ops convert them)."""
    out = {}
    for key, shape in weight_shapes().items():
        if key not in arrays:
            raise ValueError(f"{source}: missing array {key!r}")
        arr = as_float32(source, key, arrays[key])
        if arr.shape != shape:
            raise ValueError(f"{source}: {key} must have shape {shape}, got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{source}: {key} holds NaN or infinite values")
        out[key] = arr
    extra = sorted(set(arrays) - set(out))
    if extra:
        raise ValueError(f"{source}: unexpected arrays {extra}")
    return out


# ------------------------------------------------------------------------------------------------
# The three networks, as cvcore.nn models, on NCHW float32 batches of normalised pixels.

def build_net(name, weights, winograd=False):
    """One of the nets as a :class:`cvcore.nn.Sequential` with ``weights`` loaded (not fused).

    The layers of :data:`ARCHITECTURE` in order, named as there, with a ceil-mode max pooling after
    some PReLUs (``pool1``, ...), a Flatten (``flatten``) before the first fully connected layer, and
    the output layers, which all read the last PReLU's output, in a :class:`cvcore.nn.Parallel`
    named ``heads``. The net maps (N, 3, H, W) to the tuple of the heads' outputs: P-Net's window
    regression (N, 4, H', W') and class logits (N, 2, H', W'); R-Net's regression (N, 4) and logits
    (N, 2); O-Net's regression (N, 4), landmarks (N, 10) and logits (N, 2). Its state-dict keys are
    the weights' keys without the net's name (``conv1.weight``), the heads' under ``heads.``
    (``heads.fc5_1.weight``).

    Parameters
    ----------
    name : "pnet", "rnet" or "onet"
    weights : mapping
        Arrays with the keys and shapes of :func:`weight_shapes` (other nets' keys are ignored), e.g.
        :func:`load_weights` or :func:`fold_normalisation`'s result.
    winograd : bool
        Set the Conv2d ``winograd`` option on the 3x3 convolutions after the first.

    Raises
    ------
    ValueError for another name; KeyError when a weight of the net is missing.
    """
    if name not in ARCHITECTURE:
        raise ValueError(f"build_net: name must be one of {', '.join(map(repr, ARCHITECTURE))}, got {name!r}")
    table = ARCHITECTURE[name]
    last_prelu = max(i for i, (kind, *_) in enumerate(table) if kind == "prelu")
    body, heads = [], []
    for i, (kind, layer, *dims) in enumerate(table):
        if kind == "conv":
            cin, cout, k = dims
            # The first conv stays direct: its kernel pools as it goes (ops.conv2d's max_pool).
            module = nn.Conv2d(cin, cout, k, winograd=winograd and k == 3 and i > 0, seed=0)
        elif kind == "fc":
            if not any(entry[0] == "fc" for entry in table[:i]):  # the first reads the conv map flattened
                body.append(("flatten", nn.Flatten()))
            module = nn.Linear(*dims, seed=0)
        else:
            module = nn.PReLU(dims[0])
        (heads if i > last_prelu else body).append((layer, module))
        if layer in _MAX_POOLS[name]:
            kernel, stride = _MAX_POOLS[name][layer]
            body.append(("pool" + layer[len("prelu"):], nn.MaxPool2d(kernel, stride, ceil_mode=True)))
    net = nn.Sequential(dict(body + [("heads", nn.Parallel(dict(heads)))]))
    head_names = {layer for layer, _ in heads}
    state, prefix = {}, name + "."
    for key, value in weights.items():
        if key.startswith(prefix):
            key = key[len(prefix):]
            state[("heads." if key.split(".")[0] in head_names else "") + key] = value
    net.load_state_dict(state)
    return net


def _fused_net(name, weights, winograd):
    return nn.fuse(build_net(name, weights, winograd))


def _with_probability(outputs):
    """The net's outputs with the last, the class logits, replaced by the face probability."""
    *rest, logits = outputs
    return (*rest, ops.softmax(logits, axis=1)[:, 1])


# Winograd pays on P-Net levels of at least 2^13 pixels (measured: the README's MTCNN notes); on
# smaller ones its short rows cost what the multiplies it saves do.
_PNET_WINOGRAD_PIXELS = 1 << 13


def _pnet_winograd(x):
    """Whether P-Net's conv2 and conv3 run by Winograd on the batch x."""
    return x.shape[2] * x.shape[3] >= _PNET_WINOGRAD_PIXELS


def pnet(x, weights):
    """P-Net on a batch ``x`` (N, 3, H, W), H, W >= 12.

    Returns the window regression (N, 4, H', W') and the face probability (N, H', W') with
    ``H' = (ceil((H - 2) / 2) - 4)`` (likewise W'): one output per 12x12 window at stride 2.
    """
    return _with_probability(_fused_net("pnet", weights, _pnet_winograd(x))(x))


def rnet(x, weights):
    """R-Net on a batch of crops ``x`` (N, 3, 24, 24): regression (N, 4) and face probability (N,)."""
    return _with_probability(_fused_net("rnet", weights, True)(x))


def onet(x, weights):
    """O-Net on a batch of crops ``x`` (N, 3, 48, 48): regression (N, 4), landmarks (N, 10) as
    ``x1..x5, y1..y5`` relative to the crop, and face probability (N,)."""
    return _with_probability(_fused_net("onet", weights, True)(x))


# ------------------------------------------------------------------------------------------------
# Box helpers (float64, in the reference implementations' pixel conventions).

def fold_normalisation(weights):
    """Weights whose nets take raw pixel values (0..255) instead of normalised ones.

    Each net's first conv absorbs the input normalisation ``(x - 127.5) * 0.0078125``: its kernel is
    scaled by 0.0078125 and its bias lowered by ``127.5 * 0.0078125 * sum(kernel)`` per output
    channel (exact up to float32 rounding, since those convs have no padding). This saves a pass
    over every pyramid level and crop, and lets crops be taken from the raw pixels, where the
    zeros outside the image are black as in the original's zero padding.
    """
    out = dict(weights)
    for net in ARCHITECTURE:
        w = weights[f"{net}.conv1.weight"].astype(np.float64)
        b = weights[f"{net}.conv1.bias"].astype(np.float64)
        out[f"{net}.conv1.weight"] = (w * 0.0078125).astype(np.float32)
        out[f"{net}.conv1.bias"] = (b - 127.5 * 0.0078125 * w.sum(axis=(1, 2, 3))).astype(np.float32)
    return out


_WINDOW_EDGES = np.array([1.0, 1.0, 12.0, 12.0])  # a P-Net cell's 12x12 window, at stride 2


def _square(boxes):
    """Each box grown to a square of side max(w, h) around its centre (MTCNN's ``rerec``)."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    x1 = boxes[:, 0] + (w - side) * 0.5
    y1 = boxes[:, 1] + (h - side) * 0.5
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1)


def _regress(boxes, offsets):
    """R-Net / O-Net box regression: offsets times (size + 1) (MTCNN's ``bbreg``)."""
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    return boxes + offsets * np.stack([w, h, w, h], axis=1)


def _crops(sources, boxes, size):
    """``size`` x ``size`` bilinear crops (raw pixel values) of the boxes, (K, 3, size, size).

    A box ``(x1, y1, x2, y2)`` covers the pixels ``x1 - 1 .. x2 - 1`` (the references crop
    ``img[y1 - 1:y2, x1 - 1:x2]``), i.e. the pixel edges ``[x1 - 1, x2)``. ``sources`` are the image
    and its area-resized pyramid levels, ``(ratio_y, ratio_x, (1, 3, h, w) array)`` by decreasing
    ratio, the image first (ratio 1, its uint8 pixels; the levels are float32). Each box is cropped
    from the coarsest source on which it is still at least ``2 * size`` pixels wide (from the image
    when none is), with ``crop_resize`` (roi_align's adaptive sampling: then 2 x 2 to 3 x 3 samples
    per output cell): area averaging, then bilinear interpolation, at a cost that does not grow with
    the box.
    On photographs the result is within about 1.2x of the error of full-resolution adaptive sampling
    against an exact area resize of the crop, at a fraction of the cost for large boxes. Samples
    outside the image are 0 (black), as the original's zero padding.
    """
    edges = boxes - np.array([1.0, 1.0, 0.0, 0.0])
    side = np.maximum(edges[:, 2] - edges[:, 0], edges[:, 3] - edges[:, 1])
    ratios = np.array([(rx, ry, rx, ry) for ry, rx, _ in sources])
    pick = np.maximum((side[:, None] * ratios[:, :2].min(axis=1) >= 2 * size).sum(axis=1) - 1, 0)
    rois = np.zeros((len(boxes), 5), np.float32)  # (batch index 0, x1, y1, x2, y2) on its source
    rois[:, 1:] = edges * ratios[pick]
    out = np.empty((len(boxes), 3, size, size), np.float32)
    for level in np.unique(pick):
        idx = np.flatnonzero(pick == level)
        out[idx] = ops.crop_resize(sources[level][2], rois[idx], size)
    return out


def _pyramid(height, width, min_face_size, scale_factor):
    """The P-Net scales: ``12 / min_face_size * scale_factor**k`` while the scaled short side >= 12."""
    scales = []
    scale = 12.0 / min_face_size
    short = min(height, width) * scale
    while short >= 12:
        scales.append(scale)
        scale *= scale_factor
        short *= scale_factor
    return scales


def _pack_columns(shapes):
    """Corners (y, x) of rectangles (h, w) packed into columns of a canvas as tall as the tallest, and
    the canvas shape: tallest first, each goes under the first column with room, else starts one."""
    order = sorted(range(len(shapes)), key=lambda i: -shapes[i][0])
    height = shapes[order[0]][0]
    columns = []  # [x, width, height used]
    corners = [None] * len(shapes)
    for i in order:
        h, w = shapes[i]
        col = next((c for c in columns if c[2] + h <= height and w <= c[1]), None)
        if col is None:
            col = [sum(c[1] for c in columns), w, 0]
            columns.append(col)
        corners[i] = (col[2], col[0])
        col[2] += h
    return corners, (height, sum(c[1] for c in columns))


# The largest ratio between pyramid levels: consecutive levels then differ by at least one pixel
# down to P-Net's 12-pixel input (12 * (1 - 11/12) = 1), which bounds the levels and their pixels.
MAX_SCALE_FACTOR = 11 / 12


def _real(name, value, low, high, open_low=False, open_high=False, high_text=None):
    """value as a finite float in the interval from low to high (open or closed at each end; the
    message writes high as high_text when given)."""
    value = check_finite_scalar("MTCNN", name, value)
    if value < low or value > high or (open_low and value == low) or (open_high and value == high):
        interval = f"{'(' if open_low else '['}{low}, {high_text or high}{')' if open_high else ']'}"
        raise ValueError(f"MTCNN: {name} must be in {interval}, got {value!r}")
    return value


class MTCNN:
    """The MTCNN face detector (three-stage cascade), with the ``mtcnn`` package's trained weights.

    Parameters
    ----------
    min_face_size : float
        Smallest face side looked for, in pixels, >= 1 (default 20). The image pyramid starts at scale
        ``12 / min_face_size``, so smaller values cost more (quadratically); the bound keeps the first
        level within 12 times the image's side (P-Net's 12-pixel window covers at least a pixel).
    thresholds : (float, float, float)
        Face-probability thresholds of P-Net (``>=``), R-Net and O-Net (``>``), each in [0, 1].
    scale_factor : float
        Ratio between pyramid levels, in (0, 11/12] (default 0.709, about 1 / sqrt(2)). The bound
        keeps consecutive levels at least a pixel apart down to P-Net's 12-pixel input, and the whole
        pyramid within ``1 / (1 - scale_factor**2)`` (at most about 6.3) times the first level's
        pixels, in at most ``1 + log(12 / short side) / log(scale_factor)`` levels.
    weights : str, path-like or mapping, optional
        A ``.npz`` file (see :func:`load_weights`) or a mapping of arrays with the keys and shapes of
        :func:`weight_shapes`; default the shipped weights.

    Examples
    --------
    >>> from cvcore.detection import MTCNN, sample_image
    >>> boxes, probs, landmarks = MTCNN().detect(sample_image())
    >>> boxes.shape, probs.shape, landmarks.shape
    ((1, 4), (1,), (1, 5, 2))
    """

    def __init__(self, min_face_size=20, thresholds=(0.6, 0.7, 0.7), scale_factor=0.709, weights=None):
        self.min_face_size = _real("min_face_size", min_face_size, 1, np.inf, open_high=True)
        if isinstance(thresholds, (str, bytes)) or not hasattr(thresholds, "__len__") or len(thresholds) != 3:
            raise ValueError(f"MTCNN: thresholds must be three numbers (P-Net, R-Net, O-Net), got {thresholds!r}")
        self.thresholds = tuple(_real(f"thresholds[{i}]", t, 0, 1) for i, t in enumerate(thresholds))
        self.scale_factor = _real("scale_factor", scale_factor, 0, MAX_SCALE_FACTOR, open_low=True, high_text="11/12")
        if weights is None or isinstance(weights, (str, os.PathLike)):
            self.weights = load_weights(weights)
        else:
            self.weights = check_weights(weights, "MTCNN: weights")
        pixel_weights = fold_normalisation(self.weights)
        self._pnets = {winograd: _fused_net("pnet", pixel_weights, winograd) for winograd in (False, True)}
        # conv1 -> prelu1 -> pool1 (one fused conv), then the rest: the small levels' shared canvas.
        self._pnet_first, self._pnet_rest = self._pnets[False][:3], self._pnets[False][3:]
        self._rnet = _fused_net("rnet", pixel_weights, True)
        self._onet = _fused_net("onet", pixel_weights, True)

    def __repr__(self):
        return (f"MTCNN(min_face_size={self.min_face_size:g}, thresholds={self.thresholds}, "
                f"scale_factor={self.scale_factor:g})")

    def detect(self, image):
        """Detect faces.

        Parameters
        ----------
        image : ndarray uint8, shape (H, W, 3), or a list of them
            RGB pixels (H, W >= 1; any size, also smaller than a face: then nothing is found). A list
            of images of any sizes gives a list of results.

        Returns
        -------
        boxes : ndarray float32, shape (K, 4)
            ``x1, y1, x2, y2`` in pixels, by decreasing probability; not clipped to the image.
        probs : ndarray float32, shape (K,)
            O-Net face probabilities, ``> thresholds[2]``.
        landmarks : ndarray float32, shape (K, 5, 2)
            ``(x, y)`` of the left eye, right eye, nose, left and right mouth corners (the subject's
            right and left as seen in the image: "left" is on the image's left).

        For a list of images, a list of such tuples. No face gives arrays with K = 0.

        Raises
        ------
        TypeError for a dtype other than uint8 (or a list element that is not an array); ValueError
        for another shape.
        """
        return detect_each("MTCNN.detect", image, self._detect_one)

    def _detect_one(self, image):
        height, width = image.shape[:2]
        pixels = to_blob(image, dtype=np.uint8)  # uint8 NCHW
        # Each level's sides are int(side * scale + 1) >= 12, since the short side times scale >= 12.
        # The levels are pooled from the uint8 pixels (exactly the float32 result) through one
        # summed-area table, so the pyramid costs about its own size.
        scales = _pyramid(height, width, self.min_face_size, self.scale_factor)
        sizes = [(int(height * scale + 1), int(width * scale + 1)) for scale in scales]
        levels = list(zip(scales, ops.adaptive_avg_pool2d_levels(pixels, sizes)))
        # The crop sources: the image (cropped from its bytes), then the levels smaller than it.
        sources = [(1.0, 1.0, pixels)] + [(lv.shape[2] / height, lv.shape[3] / width, lv) for _, lv in levels
                                       if lv.shape[2] < height and lv.shape[3] < width]
        boxes = self._stage1(levels)
        if len(boxes):
            boxes = self._stage2(sources, boxes)
        if len(boxes):
            return self._stage3(sources, boxes)
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, 5, 2), np.float32)

    def _pnet_level(self, x):
        """P-Net's regression and class logits on the batch x: ``(N, 4, H', W')``, ``(N, 2, H', W')``."""
        return self._pnets[_pnet_winograd(x)](x)

    def _pnet_pyramid(self, levels):
        """P-Net's regression (4, H', W') and logits (2, H', W') on each pyramid level (1, 3, H, W),
        each that of ``_pnet_level`` on the level alone.

        The levels too small for Winograd share one canvas after their first layer (whose ceil-mode
        pooling needs the level's own edge): the rest of P-Net is valid 3x3 and 1x1 convolutions, so
        each output inside a level's part of the canvas reads that level alone and is computed by the
        same direct sum. Two calls instead of two per level, and enough work for every thread.
        """
        small = [i for i, x in enumerate(levels) if not _pnet_winograd(x)]
        if len(small) < 2:
            small = []
        heads = [None if i in small else tuple(out[0] for out in self._pnet_level(x)) for i, x in enumerate(levels)]
        if small:
            first = [self._pnet_first(levels[i])[0] for i in small]
            corners, shape = _pack_columns([f.shape[1:] for f in first])
            # Zeros: no garbage (NaN, denormals) computed between the parts.
            canvas = np.zeros((1, first[0].shape[0]) + shape, np.float32)
            for f, (y, x) in zip(first, corners):
                canvas[0, :, y:y + f.shape[1], x:x + f.shape[2]] = f
            outputs = [out[0] for out in self._pnet_rest(canvas)]
            for i, f, (y, x) in zip(small, first, corners):
                heads[i] = tuple(out[:, y:y + f.shape[1] - 4, x:x + f.shape[2] - 4] for out in outputs)
        return heads

    def _stage1(self, levels):
        """P-Net over the pyramid levels ``(scale, raw level)``: squared candidate boxes (K, 4), float64."""
        if not levels:
            return np.zeros((0, 4))
        heads = self._pnet_pyramid([level for _, level in levels])
        # The whole pyramid's cells side by side: one softmax, threshold and NMS call for all levels
        # (per-level calls cost more than their work on the small levels). Cells are in (level, y, x)
        # order, so the NMS tie-breaking (lower index first) is that of level-by-level processing.
        counts = np.array([logits.shape[1] * logits.shape[2] for _, logits in heads])
        starts = np.cumsum(counts) - counts
        logits = np.concatenate([logits.reshape(2, -1) for _, logits in heads], axis=1)
        prob = ops.softmax(logits, axis=0)[1]
        cells = np.flatnonzero(prob >= self.thresholds[0])
        if len(cells) == 0:
            return np.zeros((0, 4))
        level = np.searchsorted(starts, cells, side="right") - 1
        ys, xs = np.divmod(cells - starts[level], np.array([logits.shape[2] for _, logits in heads])[level])
        scales = np.array([scale for scale, _ in levels])[level, None]
        # floor((2 * cell + 1) / scale) and floor((2 * cell + 12) / scale), in one pass.
        boxes = np.floor((2.0 * np.stack([xs, ys, xs, ys], axis=1) + _WINDOW_EDGES) / scales)
        scores = prob[cells]
        keep = ops.batched_nms(boxes, scores, level, 0.5)  # within each level
        keep = keep[ops.nms(boxes[keep], scores[keep], 0.7)]  # across levels
        level, cells = level[keep], cells[keep] - starts[level[keep]]  # the kept cells, within their level
        offsets = np.empty((len(keep), 4))
        for lv in np.unique(level):
            at = np.flatnonzero(level == lv)
            offsets[at] = heads[lv][0].reshape(4, -1)[:, cells[at]].T
        boxes = boxes[keep]
        size = boxes[:, 2:] - boxes[:, :2]
        return _square(boxes + offsets * np.concatenate([size, size], axis=1))

    def _stage2(self, sources, boxes):
        """R-Net on 24x24 crops: refined squared boxes (K, 4), float64."""
        offsets, probs = _with_probability(self._rnet(_crops(sources, boxes, 24)))
        passed = probs > self.thresholds[1]
        boxes, probs, offsets = boxes[passed], probs[passed], offsets[passed].astype(np.float64)
        keep = ops.nms(boxes, probs, 0.7)
        return _square(_regress(boxes[keep], offsets[keep]))

    def _stage3(self, sources, boxes):
        """O-Net on 48x48 crops: the final boxes, probabilities and landmarks."""
        offsets, marks, probs = _with_probability(self._onet(_crops(sources, boxes, 48)))
        passed = probs > self.thresholds[2]
        boxes, probs = boxes[passed], probs[passed]
        offsets, marks = offsets[passed].astype(np.float64), marks[passed].astype(np.float64)
        size = boxes[:, 2:] - boxes[:, :2] + 1
        points = np.stack([marks[:, :5] * size[:, :1] + boxes[:, :1] - 1,
                           marks[:, 5:] * size[:, 1:] + boxes[:, 1:2] - 1], axis=2)
        boxes = _regress(boxes, offsets)
        # "Min" overlap with the references' pixel-inclusive areas (w + 1) * (h + 1).
        keep = ops.nms(boxes + np.array([0.0, 0.0, 1.0, 1.0]), probs, 0.7, metric="iom")
        return boxes[keep].astype(np.float32), probs[keep], points[keep].astype(np.float32)


SAMPLE_IMAGE = Path(__file__).parent / "data" / "astronaut.png"


def sample_image():
    """A sample photograph with one face: NASA's portrait of astronaut Eileen Collins (public domain,
    as shipped with scikit-image), downscaled to 256x256. RGB uint8, shape (256, 256, 3)."""
    from ..image import read_png

    return read_png(SAMPLE_IMAGE)
