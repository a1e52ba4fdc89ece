"""MTCNN: the three nets against a NumPy forward pass written here (sliding-window einsum conv,
ceil-mode max pooling, PReLU, softmax) on the shipped weights; detection on the shipped photograph
and on mosaics of it; edge cases and errors; the weight converter; the ``cvcore detect`` command."""

import subprocess
import sys
import zipfile

import numpy as np
import pytest

from conftest import run_threads
from reference import nms as ref_nms
from cvcore import nn, ops
from cvcore.detection import MTCNN, load_weights, sample_image
from cvcore.detection import mtcnn as mt
from cvcore.detection import mtcnn_weights as mw
from cvcore.image import read_png, write_png

WEIGHTS = load_weights()

# Where the face is in the 256x256 sample (checked by eye on the annotated output): the box spans
# the face from the hairline to the chin.
FACE_BOX = np.array([90.3, 30.7, 133.7, 86.2])


# ------------------------------------------------------------------------------------------------
# NumPy reference forward passes (float64)

def ref_conv(x, w, b):
    k = w.shape[2]
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N, C, Ho, Wo, k, k
    return np.einsum("nchwij,ocij->nohw", win, w) + b[None, :, None, None]


def ref_prelu(x, a):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return np.where(x > 0, x, x * a.reshape(shape))


def ref_maxpool_ceil(x, k, s):
    n, c, h, w = x.shape
    ho, wo = -(-(h - k) // s) + 1, -(-(w - k) // s) + 1
    padded = np.full((n, c, (ho - 1) * s + k, (wo - 1) * s + k), -np.inf)
    padded[:, :, :h, :w] = x
    win = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    return win.max(axis=(4, 5))


def ref_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def W(key):
    return WEIGHTS[key].astype(np.float64)


def ref_block(x, net, conv, prelu):
    return ref_prelu(ref_conv(x, W(f"{net}.{conv}.weight"), W(f"{net}.{conv}.bias")), W(f"{net}.{prelu}.weight"))


def ref_fc(x, net, fc):
    return x @ W(f"{net}.{fc}.weight").T + W(f"{net}.{fc}.bias")


def ref_pnet(x):
    x = ref_maxpool_ceil(ref_block(x, "pnet", "conv1", "prelu1"), 2, 2)
    x = ref_block(ref_block(x, "pnet", "conv2", "prelu2"), "pnet", "conv3", "prelu3")
    reg = ref_conv(x, W("pnet.conv4_1.weight"), W("pnet.conv4_1.bias"))
    prob = ref_softmax(ref_conv(x, W("pnet.conv4_2.weight"), W("pnet.conv4_2.bias")), 1)[:, 1]
    return reg, prob


def ref_rnet(x):
    x = ref_maxpool_ceil(ref_block(x, "rnet", "conv1", "prelu1"), 3, 2)
    x = ref_maxpool_ceil(ref_block(x, "rnet", "conv2", "prelu2"), 3, 2)
    x = ref_block(x, "rnet", "conv3", "prelu3").reshape(len(x), -1)
    x = ref_prelu(ref_fc(x, "rnet", "fc4"), W("rnet.prelu4.weight"))
    return ref_fc(x, "rnet", "fc5_1"), ref_softmax(ref_fc(x, "rnet", "fc5_2"), 1)[:, 1]


def ref_onet(x):
    x = ref_maxpool_ceil(ref_block(x, "onet", "conv1", "prelu1"), 3, 2)
    x = ref_maxpool_ceil(ref_block(x, "onet", "conv2", "prelu2"), 3, 2)
    x = ref_maxpool_ceil(ref_block(x, "onet", "conv3", "prelu3"), 2, 2)
    x = ref_block(x, "onet", "conv4", "prelu4").reshape(len(x), -1)
    x = ref_prelu(ref_fc(x, "onet", "fc5"), W("onet.prelu5.weight"))
    return (ref_fc(x, "onet", "fc6_1"), ref_fc(x, "onet", "fc6_2"),
            ref_softmax(ref_fc(x, "onet", "fc6_3"), 1)[:, 1])


def normalised_sample(shape):
    """Crops of the sample photograph, normalised, so the nets see realistic (not random) inputs."""
    img = sample_image().transpose(2, 0, 1)[None].astype(np.float64)
    out = ops.adaptive_avg_pool2d(img, shape[2:]).astype(np.float64)
    return np.repeat((out - 127.5) * 0.0078125, shape[0], axis=0)


@pytest.mark.parametrize("hw", [(12, 12), (13, 17), (40, 31), (64, 64)])
def test_pnet_matches_reference(threads, hw):
    x = normalised_sample((2, 3) + hw)
    x[1] = x[1, :, ::-1]  # a second, different image
    reg, prob = mt.pnet(x.astype(np.float32), WEIGHTS)
    want_reg, want_prob = ref_pnet(x)
    assert reg.shape == want_reg.shape == (2, 4, -(-(hw[0] - 2) // 2) - 4, -(-(hw[1] - 2) // 2) - 4)
    np.testing.assert_allclose(reg, want_reg, atol=2e-5)
    np.testing.assert_allclose(prob, want_prob, atol=2e-6)


def test_rnet_onet_match_reference(threads, rng):
    for net, ref, size in [(mt.rnet, ref_rnet, 24), (mt.onet, ref_onet, 48)]:
        x = np.concatenate([normalised_sample((1, 3, size, size)), rng.uniform(-1, 1, (3, 3, size, size))])
        got, want = net(x.astype(np.float32), WEIGHTS), ref(x)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == np.float32
            np.testing.assert_allclose(g, w, atol=2e-5)


def test_build_net_layers_and_keys():
    pnet, rnet, onet = (mt.build_net(name, WEIGHTS) for name in ("pnet", "rnet", "onet"))
    assert [n for n, _ in pnet.named_children()] == ["conv1", "prelu1", "pool1", "conv2", "prelu2", "conv3", "prelu3",
                                                     "heads"]
    assert [n for n, _ in onet.named_children()] == [
        "conv1", "prelu1", "pool1", "conv2", "prelu2", "pool2", "conv3", "prelu3", "pool3", "conv4", "prelu4",
        "flatten", "fc5", "prelu5", "heads"]
    assert [(m.kernel_size, m.stride, m.ceil_mode) for m in rnet if isinstance(m, nn.MaxPool2d)] == [
        ((3, 3), (2, 2), True)] * 2
    assert list(rnet.heads.state_dict()) == ["fc5_1.weight", "fc5_1.bias", "fc5_2.weight", "fc5_2.bias"]
    # every weight, under its own name without the net's (the heads' under "heads.")
    for net, model in [("pnet", pnet), ("rnet", rnet), ("onet", onet)]:
        state = model.state_dict()
        assert len(state) == sum(k.startswith(net + ".") for k in WEIGHTS)
        for key, value in state.items():
            np.testing.assert_array_equal(value, WEIGHTS[f"{net}.{key.removeprefix('heads.')}"])
    assert sum(m.count_parameters() for m in (pnet, rnet, onet)) == 495_850
    assert not any(m.winograd for m in onet if isinstance(m, nn.Conv2d))
    winograd = mt.build_net("onet", WEIGHTS, winograd=True)
    assert [name for name, m in winograd.named_children() if isinstance(m, nn.Conv2d) and m.winograd] == [
        "conv2", "conv3"]
    s = nn.summary(onet, (1, 3, 48, 48), verbose=False)
    assert s.output_shape == ((1, 4), (1, 10), (1, 2)) and s.total_params == 389_040
    with pytest.raises(ValueError, match="build_net: name must be one of 'pnet', 'rnet', 'onet', got 'xnet'"):
        mt.build_net("xnet", WEIGHTS)
    with pytest.raises(KeyError, match=r"missing keys \['heads.conv4_2.weight'\]"):
        mt.build_net("pnet", {k: v for k, v in WEIGHTS.items() if k != "pnet.conv4_2.weight"})


@pytest.mark.parametrize("net, size", [("pnet", 12), ("pnet", 31), ("pnet", 100), ("rnet", 24), ("onet", 48)])
def test_fused_nets_equal_unfused(isa, threads, rng, net, size):
    """The fused nets MTCNN runs (each conv with its PReLU, pooling or 1x1 heads in one op, the
    heads of R-Net and O-Net as one linear) give the unfused layers' outputs bit for bit, Winograd
    or not, for one image and for a batch of crops (lane-batched from 8)."""
    for winograd in (False, True):
        model = mt.build_net(net, WEIGHTS, winograd)
        fused = nn.fuse(model)
        assert not any(isinstance(m, (nn.PReLU, nn.MaxPool2d, nn.Parallel)) for _, m in fused.named_modules())
        for batch in (1, 9):
            x = rng.uniform(-1, 1, (batch, 3, size, size)).astype(np.float32)
            want, got = model(x), fused(x)
            assert len(got) == len(want) == (3 if net == "onet" else 2)
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)


def test_detector_nets():
    detector = MTCNN()
    pnets = detector._pnets
    assert [m.winograd for m in pnets[True] if isinstance(m, nn.Conv2d)] == [False, True, True]
    assert not any(m.winograd for m in pnets[False] if isinstance(m, nn.Conv2d))
    assert isinstance(detector._pnet_first[0], nn.FusedConv2d) and detector._pnet_first[0].max_pool is not None
    assert [n for n, _ in detector._pnet_rest.named_children()][0] == "conv2"
    # the nets take raw pixels: their first conv holds the folded normalisation
    folded = mt.fold_normalisation(WEIGHTS)
    for net, model in [("pnet", pnets[False]), ("pnet", pnets[True]), ("rnet", detector._rnet),
                       ("onet", detector._onet)]:
        np.testing.assert_array_equal(model.conv1.weight, folded[f"{net}.conv1.weight"])
        np.testing.assert_array_equal(model.conv1.bias, folded[f"{net}.conv1.bias"])


def test_fold_normalisation(rng):
    """The nets on raw pixels with folded weights equal the nets on normalised pixels."""
    folded = mt.fold_normalisation(WEIGHTS)
    assert set(folded) == set(WEIGHTS) and all(a.dtype == np.float32 for a in folded.values())
    for net, size in [(mt.pnet, 31), (mt.rnet, 24), (mt.onet, 48)]:
        raw = rng.integers(0, 256, (2, 3, size, size)).astype(np.float32)
        got = net(raw, folded)
        want = net((raw - 127.5) * 0.0078125, WEIGHTS)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, atol=1e-4)


def test_crops_from_pyramid_levels(rng):
    """Crops taken from a pyramid level are about as close to an exact area resize of the integer
    crop (what the original does) as full-resolution adaptive sampling; black outside the image."""
    img = resized(sample_image(), 512).transpose(2, 0, 1)[None].astype(np.float32)
    levels = [ops.adaptive_avg_pool2d(img, (int(512 * s + 1),) * 2) for s in mt._pyramid(512, 512, 20, 0.709)]
    sources = [(1.0, 1.0, img)] + [(lv.shape[2] / 512, lv.shape[3] / 512, lv) for lv in levels if lv.shape[2] < 512]
    xy = rng.integers(1, 300, (200, 2))
    boxes = np.concatenate([xy, xy + rng.integers(20, 210, (200, 1))], axis=1).astype(np.float64)
    boxes = boxes[(boxes[:, 2] <= 512) & (boxes[:, 3] <= 512)]
    for size in (24, 48):
        got = mt._crops(sources, boxes, size)
        assert got.shape == (len(boxes), 3, size, size) and got.dtype == np.float32
        area = np.stack([ops.adaptive_avg_pool2d(img[0, :, y1 - 1:y2, x1 - 1:x2], size)
                         for x1, y1, x2, y2 in boxes.astype(int)])
        full = ops.crop_resize(img, np.concatenate([np.zeros((len(boxes), 1)), boxes - [1, 1, 0, 0]], axis=1), size)
        small = (boxes[:, 2] - boxes[:, 0] + 1) < 2 * size / sources[1][0]  # cropped from the image itself
        np.testing.assert_array_equal(got[small], full[small])
        assert np.abs(got - area).mean() < 1.3 * np.abs(full - area).mean()
    outside = mt._crops(sources, np.array([[-99.0, 1, 100, 200]]), 24)  # left half outside the image
    assert (outside[0, :, :, :11] == 0).all() and outside[0, :, :, 13:].min() > 0


def test_pnet_pyramid_canvas_equals_levels(threads, rng):
    """The small levels run P-Net's layers after the first on one shared canvas: every head is
    bit for bit that of the level alone."""
    detector = MTCNN()
    for height, width in [(512, 512), (300, 700), (90, 41)]:
        img = rng.integers(0, 256, (1, 3, height, width)).astype(np.float32)
        scales = mt._pyramid(height, width, 20, 0.709)
        levels = [ops.adaptive_avg_pool2d(img, (int(height * s + 1), int(width * s + 1))) for s in scales]
        heads = detector._pnet_pyramid(levels)
        assert len(heads) == len(levels)
        for level, head in zip(levels, heads):
            alone = detector._pnet_level(level)
            assert len(head) == len(alone) == 2
            for got, want in zip(head, alone):
                np.testing.assert_array_equal(got, want[0])


def test_pack_columns(rng):
    for _ in range(50):
        shapes = [tuple(int(v) for v in rng.integers(1, 40, 2)) for _ in range(rng.integers(1, 8))]
        corners, (height, width) = mt._pack_columns(shapes)
        canvas = np.zeros((height, width), int)
        for (h, w), (y, x) in zip(shapes, corners):
            assert y + h <= height and x + w <= width
            canvas[y:y + h, x:x + w] += 1
        assert canvas.max() == 1 and height == max(h for h, _ in shapes)


def ref_stage1(levels, weights, threshold):
    """Stage 1 level by level, as the references write it: P-Net, the cells with probability >=
    threshold as 12x12 windows at stride 2, NMS 0.5 per level, NMS 0.7 over all, regression, squares."""
    found = []
    for scale, level in levels:
        reg, prob = mt.pnet(level, weights)
        ys, xs = np.nonzero(prob[0] >= threshold)
        boxes = np.floor(np.stack([2.0 * xs + 1, 2.0 * ys + 1, 2.0 * xs + 12, 2.0 * ys + 12], axis=1) / scale)
        scores = prob[0, ys, xs]
        keep = ref_nms.nms(boxes, scores, 0.5)
        found.append((boxes[keep], scores[keep], reg[0][:, ys[keep], xs[keep]].T.astype(np.float64)))
    boxes, scores, offsets = (np.concatenate(parts) for parts in zip(*found))
    keep = ref_nms.nms(boxes, scores, 0.7)
    boxes = boxes[keep] + offsets[keep] * np.tile(boxes[keep, 2:] - boxes[keep, :2], 2)
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    x1 = boxes[:, 0] + (boxes[:, 2] - boxes[:, 0] - side) / 2
    y1 = boxes[:, 1] + (boxes[:, 3] - boxes[:, 1] - side) / 2
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1)


@pytest.mark.parametrize("threshold", [0.6, 0.2])
def test_stage1_matches_level_by_level_reference(threads, threshold):
    """The whole pyramid's cells go through one softmax, threshold and NMS call; the candidates are
    those of processing the levels one by one (also the order of equal scores)."""
    img = np.full((300, 420, 3), 90, np.uint8)
    img[10:266, 150:406] = sample_image()
    img[200:264, 20:84] = resized(sample_image(), 64)
    detector = MTCNN(thresholds=(threshold, 0.7, 0.7))
    pixels = img.transpose(2, 0, 1)[None].astype(np.float32)
    levels = [(s, ops.adaptive_avg_pool2d(pixels, (int(300 * s + 1), int(420 * s + 1))))
              for s in mt._pyramid(300, 420, 20, 0.709)]
    got = detector._stage1(levels)
    want = ref_stage1(levels, mt.fold_normalisation(detector.weights), threshold)
    assert got.shape == want.shape and len(got) > (40 if threshold < 0.5 else 5)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert detector._stage1([]).shape == (0, 4)
    assert MTCNN(thresholds=(1.0, 0.7, 0.7))._stage1(levels).shape == (0, 4)


# ------------------------------------------------------------------------------------------------
# Detection

def test_sample_one_face():
    img = sample_image()
    assert img.shape == (256, 256, 3) and img.dtype == np.uint8
    boxes, probs, points = MTCNN().detect(img)
    assert boxes.shape == (1, 4) and probs.shape == (1,) and points.shape == (1, 5, 2)
    assert boxes.dtype == probs.dtype == points.dtype == np.float32
    assert probs[0] > 0.99
    assert ops.box_iou(boxes, FACE_BOX[None]) > 0.9
    (x1, y1, x2, y2), p = boxes[0], points[0]
    assert 35 < x2 - x1 < 60 and 45 < y2 - y1 < 65
    assert ((p[:, 0] > x1) & (p[:, 0] < x2) & (p[:, 1] > y1) & (p[:, 1] < y2)).all()
    left_eye, right_eye, nose, mouth_left, mouth_right = p
    assert left_eye[0] < nose[0] < right_eye[0] and mouth_left[0] < nose[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])


def resized(img, size):
    """The RGB image resized to size x size by area averaging (cvcore's adaptive_avg_pool2d)."""
    x = ops.adaptive_avg_pool2d(img.transpose(2, 0, 1).astype(np.float32), (size, size))
    return np.clip(np.rint(x), 0, 255).astype(np.uint8).transpose(1, 2, 0)


def test_mosaic_four_faces_at_different_scales():
    img = sample_image()
    sizes = [(0, 0, 384), (0, 400, 256), (400, 0, 192), (400, 400, 320)]  # (top, left, side)
    canvas = np.full((800, 800, 3), 128, np.uint8)
    for top, left, side in sizes:
        canvas[top:top + side, left:left + side] = resized(img, side)
    boxes, probs, _ = MTCNN().detect(canvas)
    expected = np.array([FACE_BOX * side / 256 + [left, top, left, top] for top, left, side in sizes])
    assert len(boxes) == 4 and (probs > 0.95).all()
    iou = ops.box_iou(expected, boxes)
    assert (iou.max(axis=1) > 0.7).all()
    assert sorted(iou.argmax(axis=1)) == [0, 1, 2, 3]


def test_no_faces_and_tiny_images():
    detector = MTCNN()
    for img in [np.full((100, 80, 3), 128, np.uint8), np.zeros((11, 300, 3), np.uint8),
                np.zeros((1, 1, 3), np.uint8), np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)]:
        boxes, probs, points = detector.detect(img)
        assert boxes.shape == (0, 4) and probs.shape == (0,) and points.shape == (0, 5, 2)
        assert boxes.dtype == probs.dtype == points.dtype == np.float32


def test_batch_threads_and_layout():
    detector = MTCNN()
    img = sample_image()
    single = detector.detect(img)
    batch = detector.detect([img, np.zeros((30, 40, 3), np.uint8), np.ascontiguousarray(img[:, ::-1])])
    assert isinstance(batch, list) and len(batch) == 3
    for a, b in zip(single, batch[0]):
        np.testing.assert_array_equal(a, b)
    assert len(batch[1][0]) == 0
    mirrored = detector.detect(img[:, ::-1])  # a non-contiguous view gives the copy's result
    for a, b in zip(mirrored, batch[2]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(mirrored[0][0, [2, 0]], 256 - single[0][0, [0, 2]], atol=4)
    one, two = run_threads(lambda: detector.detect(img))
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_parameters():
    img = sample_image()
    assert len(MTCNN(min_face_size=150).detect(img)[0]) == 0  # the face is about 50 pixels wide
    assert len(MTCNN(thresholds=(0.6, 0.7, 0.9999999)).detect(img)[0]) == 0
    assert len(MTCNN(scale_factor=0.5, min_face_size=30).detect(img)[0]) == 1
    assert "min_face_size=20" in repr(MTCNN())


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"min_face_size": 0}, ValueError, "min_face_size"),
    ({"min_face_size": float("nan")}, ValueError, "min_face_size"),
    ({"min_face_size": "20"}, TypeError, "min_face_size"),
    ({"thresholds": (0.6, 0.7)}, ValueError, "thresholds"),
    ({"thresholds": "abc"}, ValueError, "thresholds"),
    ({"thresholds": (0.6, 1.5, 0.7)}, ValueError, r"thresholds\[1\]"),
    ({"scale_factor": 1.0}, ValueError, r"scale_factor must be in \(0, 11/12\], got 1.0"),
    ({"scale_factor": 0.9999999}, ValueError, r"scale_factor must be in \(0, 11/12\], got 0.9999999"),
    ({"scale_factor": 11 / 12 + 1e-12}, ValueError, r"scale_factor must be in \(0, 11/12\]"),
    ({"min_face_size": 0.999}, ValueError, r"min_face_size must be in \[1, inf\), got 0.999"),
    ({"thresholds": 0.5}, ValueError, "thresholds"),
    ({"scale_factor": 0}, ValueError, "scale_factor"),
])
def test_constructor_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MTCNN(**kwargs)


def test_detect_errors():
    detector = MTCNN()
    with pytest.raises(TypeError, match="uint8"):
        detector.detect(np.zeros((20, 20, 3), np.float32))
    with pytest.raises(TypeError, match="NumPy array"):
        detector.detect("photo.png")
    with pytest.raises(TypeError, match=r"image\[1\]"):
        detector.detect([np.zeros((20, 20, 3), np.uint8), None])
    for shape in [(20, 20), (20, 20, 4), (0, 20, 3), (1, 20, 20, 3)]:
        with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
            detector.detect(np.zeros(shape, np.uint8))


def test_weights_loading(tmp_path):
    assert set(WEIGHTS) == set(mt.weight_shapes())
    assert all(a.dtype == np.float32 and a.shape == mt.weight_shapes()[k] for k, a in WEIGHTS.items())
    assert sum(a.size for a in WEIGHTS.values()) == 495_850
    np.savez(tmp_path / "w.npz", **WEIGHTS)
    same = MTCNN(weights=tmp_path / "w.npz").detect(sample_image())
    np.testing.assert_array_equal(same[0], MTCNN(weights=dict(WEIGHTS)).detect(sample_image())[0])
    broken = dict(WEIGHTS)
    del broken["onet.fc6_3.bias"]
    with pytest.raises(ValueError, match="missing array 'onet.fc6_3.bias'"):
        MTCNN(weights=broken)
    with pytest.raises(ValueError, match=r"pnet.conv1.weight must have shape \(10, 3, 3, 3\)"):
        MTCNN(weights={**WEIGHTS, "pnet.conv1.weight": np.zeros((10, 3, 3, 2))})
    with pytest.raises(ValueError, match="NaN"):
        MTCNN(weights={**WEIGHTS, "rnet.fc4.bias": np.full(128, np.nan)})
    with pytest.raises(TypeError, match=r"^MTCNN: weights: rnet.fc4.bias must be a real numeric array, got dtype bool$"):
        MTCNN(weights={**WEIGHTS, "rnet.fc4.bias": np.zeros(128, bool)})
    # Other real dtypes are converted to float32, as the CNN ops convert them.
    as_float64 = {key: value.astype(np.float64) for key, value in WEIGHTS.items()}
    np.testing.assert_array_equal(MTCNN(weights=as_float64).detect(sample_image())[0], same[0])
    with pytest.raises(ValueError, match="unexpected arrays"):
        MTCNN(weights={**WEIGHTS, "extra": np.zeros(1)})
    with pytest.raises(FileNotFoundError):
        load_weights(tmp_path / "missing.npz")


# ------------------------------------------------------------------------------------------------
# The converter, on synthetic weights in the mtcnn package's Keras layout

def keras_lists(weights):
    """cvcore-layout weights back in the package's layout (the inverse of the converter), with
    PReLU slopes shaped (1, 1, C) after convs, as Keras stores them."""
    lists = {}
    for net, layers in mt.ARCHITECTURE.items():
        out, channels = [], None
        for kind, name, *dims in layers:
            key = f"{net}.{name}"
            w = weights[key + ".weight"]
            if kind == "conv":
                out += [w.transpose(2, 3, 1, 0), weights[key + ".bias"]]
                channels = dims[1]
            elif kind == "fc":
                if channels is None:
                    w = w.T  # (out, in) -> (in, out)
                else:  # (out, C, H, W) -> (in, out) with the inputs in (W, H, C) order
                    w = w.reshape(dims[1], channels, 3, 3).transpose(3, 2, 1, 0).reshape(dims[0], dims[1])
                    channels = None
                out += [w, weights[key + ".bias"]]
            else:
                out.append(w.reshape(1, 1, -1) if channels is not None else w)
        lists[net] = out
    return lists


@pytest.fixture
def synthetic(rng):
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in mt.weight_shapes().items()}


def test_convert_inverts_the_keras_layout(synthetic):
    lists = keras_lists(synthetic)
    assert lists["rnet"][0].shape == (3, 3, 3, 28) and lists["rnet"][9].shape == (576, 128)
    converted = mw.convert(lists)
    assert set(converted) == set(synthetic)
    for k in synthetic:
        np.testing.assert_array_equal(converted[k], synthetic[k])


def test_convert_flatten_order(rng):
    """A Keras dense layer after Permute((2, 1, 3)) + Flatten on an NHWC map equals cvcore's linear on
    the NCHW map flattened in (C, H, W) order, with the converted weight."""
    weights = {k: rng.standard_normal(s).astype(np.float32) for k, s in mt.weight_shapes().items()}
    keras = {net: list(v) for net, v in keras_lists(weights).items()}
    kernel = rng.standard_normal((576, 128)).astype(np.float32)
    keras["rnet"][9] = kernel
    nhwc = rng.standard_normal((2, 3, 3, 64))
    keras_out = nhwc.transpose(0, 2, 1, 3).reshape(2, -1) @ kernel
    w = mw.convert(keras)["rnet.fc4.weight"]
    np.testing.assert_allclose(nhwc.transpose(0, 3, 1, 2).reshape(2, -1) @ w.T, keras_out, rtol=1e-10, atol=1e-9)


def test_convert_errors(synthetic):
    lists = keras_lists(synthetic)
    with pytest.raises(ValueError, match="missing the weights of 'onet'"):
        mw.convert({"pnet": lists["pnet"], "rnet": lists["rnet"]})
    with pytest.raises(ValueError, match="pnet must have 13 arrays, got 12"):
        mw.convert({**lists, "pnet": lists["pnet"][:-1]})
    bad = list(lists["onet"])
    bad[0] = bad[0].transpose(3, 2, 0, 1)  # OIHW where HWIO is expected
    with pytest.raises(ValueError, match=r"onet.conv1.weight must have the Keras shape \(3, 3, 3, 32\)"):
        mw.convert({**lists, "onet": bad})


def test_read_package_weights_folder_and_wheel(synthetic, tmp_path):
    joblib = pytest.importorskip("joblib")
    pytest.importorskip("lz4")  # joblib needs it to read a file named *.lz4
    lists = keras_lists(synthetic)
    folder = tmp_path / "mtcnn" / "assets" / "weights"
    folder.mkdir(parents=True)
    for net, arrays in lists.items():
        joblib.dump(arrays, folder / f"{net}.lz4", compress=0)  # joblib.load detects the compression
    wheel = tmp_path / "mtcnn-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for net in lists:
            z.write(folder / f"{net}.lz4", f"mtcnn/assets/weights/{net}.lz4")
        z.writestr("mtcnn/__init__.py", "")
    for src in (folder, wheel):
        got = mw.convert(mw.read_package_weights(src))
        for k in synthetic:
            np.testing.assert_array_equal(got[k], synthetic[k])
    out = tmp_path / "w.npz"
    assert mw.main([str(out), "--src", str(wheel)]) == 0
    for k, a in load_weights(out).items():
        np.testing.assert_array_equal(a, synthetic[k])
    (folder / "onet.lz4").unlink()
    with pytest.raises(FileNotFoundError, match="onet.lz4"):
        mw.read_package_weights(folder)
    with zipfile.ZipFile(tmp_path / "empty.whl", "w") as z:
        z.writestr("mtcnn/__init__.py", "")
    with pytest.raises(FileNotFoundError, match="pnet.lz4"):
        mw.read_package_weights(tmp_path / "empty.whl")


# ------------------------------------------------------------------------------------------------
# The cvcore detect command

def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cvcore.cli", "detect", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_detect_sample(tmp_path):
    res = run_cli(cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 face" in res.stdout and "astronaut_faces.png" in res.stdout
    lines = [line.split() for line in res.stdout.splitlines() if line.strip().startswith("box")]
    assert len(lines) == 1 and float(lines[0][-1]) > 0.99
    box = np.array([float(v) for v in lines[0][1:5]])
    np.testing.assert_allclose(box, FACE_BOX, atol=3)
    out = read_png(tmp_path / "astronaut_faces.png")
    img = sample_image()
    assert out.shape == img.shape
    changed = (out != img).any(axis=2)
    assert changed[30:88, 88:136].any() and not changed[150:, :].any()  # drawn around the face only


def test_cli_detect_files_and_folder(tmp_path):
    img = sample_image()
    write_png(tmp_path / "a.png", img)
    write_png(tmp_path / "blank.png", np.full((50, 60, 3), 200, np.uint8))
    res = run_cli(tmp_path / "a.png", tmp_path / "blank.png", "-o", tmp_path / "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "a.png: 1 face" in res.stdout and "blank.png: 0 faces" in res.stdout
    assert read_png(tmp_path / "out" / "a_faces.png").shape == img.shape
    np.testing.assert_array_equal(read_png(tmp_path / "out" / "blank_faces.png"), np.full((50, 60, 3), 200))
    res = run_cli(tmp_path / "a.png", "-o", tmp_path / "single.png", cwd=tmp_path)
    assert res.returncode == 0 and (tmp_path / "single.png").is_file()


def test_cli_detect_unreadable(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    res = run_cli(tmp_path / "bad.png", tmp_path / "missing.png", cwd=tmp_path)
    assert res.returncode == 1
    assert "cannot read" in res.stderr and "bad.png" in res.stderr and "missing.png" in res.stderr
    res = run_cli("--min-face-size", "0", cwd=tmp_path)
    assert res.returncode != 0 and "min_face_size must be in [1, inf)" in res.stderr
    res = run_cli(tmp_path / "bad.png", tmp_path / "missing.png", "-o", tmp_path / "bad.png", cwd=tmp_path)
    assert res.returncode != 0 and "output folder" in res.stderr


def test_cli_progress(capsys):
    from cvcore.cli import _Progress

    p = _Progress(4, width=8)
    p.update(1)
    p.update(4)
    p.clear()
    err = capsys.readouterr().err
    assert "[##......] 1/4" in err and "[########] 4/4" in err and err.endswith("\r")
