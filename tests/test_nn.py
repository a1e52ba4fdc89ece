"""cvcore.nn: layers against direct cvcore.ops calls, Sequential, state dicts, fuse(), summary() and the
VGG builders, plus `cvcore summary` end to end."""

import collections
import subprocess
import sys

import numpy as np
import pytest

from cvcore import nn, ops
from cvcore.nn.models import _load


def randn(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def check_layer(layer, x, expected):
    """layer(x) equals the direct op call bit for bit, and output_shape(x.shape) predicts its shape."""
    out = layer(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    assert layer.output_shape(x.shape) == out.shape


# -- layers against ops -------------------------------------------------------------------------------

CONVS = [
    dict(in_channels=3, out_channels=8, kernel_size=3),
    dict(in_channels=3, out_channels=8, kernel_size=3, padding=1, bias=False),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 1), stride=(2, 1), padding=(1, 0)),
    dict(in_channels=4, out_channels=8, kernel_size=3, dilation=2, groups=2, padding=2),
    dict(in_channels=6, out_channels=6, kernel_size=3, groups=6, stride=2, padding=1),  # depthwise
    dict(in_channels=3, out_channels=5, kernel_size=4, padding="same"),
    dict(in_channels=3, out_channels=5, kernel_size=2, padding="valid"),
    dict(in_channels=2, out_channels=3, kernel_size=1),
]


@pytest.mark.parametrize("cfg", CONVS, ids=str)
def test_conv2d(threads, rng, cfg):
    layer = nn.Conv2d(**cfg, seed=1)
    x = randn(rng, 2, cfg["in_channels"], 9, 8)
    kwargs = {k: v for k, v in cfg.items() if k in ("stride", "padding", "dilation", "groups")}
    check_layer(layer, x, ops.conv2d(x, layer.weight, layer.bias, **kwargs))
    assert (layer.bias is None) == (cfg.get("bias") is False)
    # a (C, H, W) input is a batch of one, as ops.conv2d
    check_layer(layer, x[0], ops.conv2d(x[0], layer.weight, layer.bias, **kwargs))


def test_conv2d_init(rng):
    layer = nn.Conv2d(4, 16, 3, groups=2, seed=7)
    assert layer.weight.shape == (16, 2, 3, 3) and layer.bias.shape == (16,)
    assert layer.weight.dtype == np.float32 and layer.weight.flags.c_contiguous
    bound = 1 / np.sqrt(2 * 3 * 3)  # PyTorch: kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for w in (layer.weight, layer.bias):
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    again = nn.Conv2d(4, 16, 3, groups=2, seed=7)
    np.testing.assert_array_equal(again.weight, layer.weight)
    np.testing.assert_array_equal(again.bias, layer.bias)
    assert not np.array_equal(nn.Conv2d(4, 16, 3, groups=2, seed=8).weight, layer.weight)
    # one generator shared by several layers draws different weights for each
    g = np.random.default_rng(0)
    a, b = nn.Linear(5, 5, seed=g), nn.Linear(5, 5, seed=g)
    assert not np.array_equal(a.weight, b.weight)
    assert nn.Linear(5, 5).weight.shape == (5, 5)  # seed=None: fresh entropy


def test_batch_norm2d(threads, rng):
    bn = nn.BatchNorm2d(5, eps=1e-3)
    np.testing.assert_array_equal(bn.running_var, np.ones(5, np.float32))
    bn.weight, bn.bias = randn(rng, 5), randn(rng, 5)
    bn.running_mean, bn.running_var = randn(rng, 5), rng.uniform(0.1, 2, 5)
    x = randn(rng, 2, 5, 4, 3)
    check_layer(bn, x, ops.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, eps=1e-3))
    plain = nn.BatchNorm2d(5, affine=False)
    assert plain.weight is None and plain.count_parameters() == 0
    check_layer(plain, x, ops.batch_norm(x, plain.running_mean, plain.running_var))
    assert list(plain.state_dict()) == ["running_mean", "running_var"]


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("cfg", [dict(kernel_size=2), dict(kernel_size=3, stride=2),
                                 dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=(1, 2))],
                         ids=str)
def test_pooling(threads, rng, cfg, ceil_mode):
    x = randn(rng, 2, 3, 7, 9)
    mp = nn.MaxPool2d(**cfg, ceil_mode=ceil_mode)
    check_layer(mp, x, ops.max_pool2d(x, **cfg, ceil_mode=ceil_mode))
    ap = nn.AvgPool2d(**cfg, ceil_mode=ceil_mode, count_include_pad=False)
    check_layer(ap, x, ops.avg_pool2d(x, **cfg, ceil_mode=ceil_mode, count_include_pad=False))


def test_max_pool_ceil_mode_shape():
    # MTCNN's P-Net: a 3x3 stride-2 pool with ceil rounding on odd and even sizes
    layer = nn.MaxPool2d(3, 2, ceil_mode=True)
    assert layer.output_shape((1, 10, 10, 10)) == (1, 10, 5, 5)
    assert nn.MaxPool2d(3, 2).output_shape((1, 10, 10, 10)) == (1, 10, 4, 4)
    assert layer(np.zeros((1, 10, 10, 10), np.float32)).shape == (1, 10, 5, 5)
    assert nn.MaxPool2d(2, dilation=2).output_shape((2, 3, 8, 8)) == (2, 3, 3, 3)


@pytest.mark.parametrize("output_size", [1, (7, 7), (3, None), (5, 2)], ids=str)
def test_adaptive_pooling(rng, output_size):
    x = randn(rng, 2, 3, 9, 6)
    check_layer(nn.AdaptiveAvgPool2d(output_size), x, ops.adaptive_avg_pool2d(x, output_size))
    check_layer(nn.AdaptiveMaxPool2d(output_size), x, ops.adaptive_max_pool2d(x, output_size))


@pytest.mark.parametrize("leading", [(), (3,), (2, 4)], ids=str)
def test_linear(threads, rng, leading):
    layer = nn.Linear(6, 4, seed=3)
    assert np.abs(layer.weight).max() <= 1 / np.sqrt(6)
    x = randn(rng, *leading, 6)
    check_layer(layer, x, ops.linear(x, layer.weight, layer.bias))
    no_bias = nn.Linear(6, 4, bias=False, seed=3)
    np.testing.assert_array_equal(no_bias.weight, layer.weight)
    check_layer(no_bias, x, ops.linear(x, no_bias.weight))


@pytest.mark.parametrize("start_dim, end_dim, expected", [(1, -1, (2, 60)), (0, -1, (120,)), (1, 2, (2, 12, 5)),
                                                         (-2, -1, (2, 3, 20)), (2, 2, (2, 3, 4, 5))])
def test_flatten(rng, start_dim, end_dim, expected):
    x = randn(rng, 2, 3, 4, 5)
    check_layer(nn.Flatten(start_dim, end_dim), x, x.reshape(expected))


def test_dropout_and_identity_are_identities(rng):
    x = randn(rng, 2, 3, 4)
    check_layer(nn.Dropout(0.3), x, x)
    assert nn.Dropout().p == 0.5
    assert nn.Identity()(x) is x and nn.Identity().output_shape(x.shape) == x.shape


ACTIVATIONS = [
    (nn.ReLU(), ops.relu), (nn.ReLU6(), ops.relu6), (nn.LeakyReLU(), ops.leaky_relu),
    (nn.LeakyReLU(0.2), lambda x: ops.leaky_relu(x, 0.2)), (nn.ELU(), ops.elu),
    (nn.ELU(0.5), lambda x: ops.elu(x, 0.5)), (nn.SELU(), ops.selu), (nn.Sigmoid(), ops.sigmoid),
    (nn.Tanh(), ops.tanh), (nn.GELU(), ops.gelu), (nn.GELU("tanh"), lambda x: ops.gelu(x, "tanh")),
    (nn.SiLU(), ops.silu), (nn.Hardswish(), ops.hardswish), (nn.Mish(), ops.mish), (nn.Softplus(), ops.softplus),
    (nn.Softplus(2.0, 5.0), lambda x: ops.softplus(x, 2.0, 5.0)), (nn.Softmax(), ops.softmax),
    (nn.Softmax(1), lambda x: ops.softmax(x, 1)), (nn.LogSoftmax(dim=1), lambda x: ops.log_softmax(x, 1)),
]


@pytest.mark.parametrize("layer, fn", ACTIVATIONS, ids=lambda v: repr(v) if isinstance(v, nn.Module) else "")
def test_activations(threads, rng, layer, fn):
    x = randn(rng, 2, 3, 4, 5, scale=3)
    check_layer(layer, x, fn(x))
    assert layer.count_parameters() == 0 and layer.state_dict() == {}


def test_prelu(rng):
    x = randn(rng, 2, 4, 3, 3)
    shared = nn.PReLU()
    assert shared.weight.tolist() == [0.25]
    check_layer(shared, x, ops.prelu(x, np.float32([0.25])))
    per_channel = nn.PReLU(4, init=0.1)
    per_channel.weight = randn(rng, 4)
    check_layer(per_channel, x, ops.prelu(x, per_channel.weight))
    assert per_channel.count_parameters() == 4 and list(per_channel.state_dict()) == ["weight"]
    with pytest.raises(ValueError, match="num_parameters = 4"):
        per_channel.output_shape((2, 3, 3, 3))


# -- weights -------------------------------------------------------------------------------------------

def test_set_weights(rng):
    conv = nn.Conv2d(3, 4, 3, seed=0)
    w = rng.standard_normal((4, 3, 3, 3))  # float64: converted to a float32 copy
    conv.weight = w
    assert conv.weight.dtype == np.float32 and np.shares_memory(conv.weight, w) is False
    np.testing.assert_array_equal(conv.weight, w.astype(np.float32))
    w32 = randn(rng, 4, 3, 3, 3)
    conv.weight = w32
    w32[:] = 0  # the layer holds its own copy
    assert np.any(conv.weight != 0)
    with pytest.raises(ValueError, match=r"Conv2d.weight: expected an array of shape \(4, 3, 3, 3\), got shape "
                                         r"\(4, 3, 1, 1\)"):
        conv.weight = np.zeros((4, 3, 1, 1))
    with pytest.raises(TypeError, match="weight must be a real numeric array"):
        conv.weight = np.array(["a"] * 108).reshape(4, 3, 3, 3)
    with pytest.raises(ValueError, match="built without bias"):
        nn.Conv2d(3, 4, 3, bias=False).bias = np.zeros(4)
    with pytest.raises(ValueError, match="running_var: expected an array of shape"):
        nn.BatchNorm2d(3).running_var = np.ones(4)


# -- Sequential ----------------------------------------------------------------------------------------

def test_sequential(rng):
    conv, bn, relu = nn.Conv2d(3, 4, 3, padding=1, seed=0), nn.BatchNorm2d(4), nn.ReLU()
    bn.running_mean = randn(rng, 4)
    seq = nn.Sequential(conv, bn, relu)
    x = randn(rng, 2, 3, 5, 5)
    check_layer(seq, x, ops.relu(ops.batch_norm(ops.conv2d(x, conv.weight, conv.bias, padding=1), bn.running_mean,
                                                bn.running_var, bn.weight, bn.bias)))
    assert len(seq) == 3 and list(seq) == [conv, bn, relu]
    assert seq[0] is conv and seq[-1] is relu
    assert [name for name, _ in seq.named_children()] == ["0", "1", "2"]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and [n for n, _ in tail.named_children()] == ["1", "2"]
    assert list(tail.state_dict()) == ["1.weight", "1.bias", "1.running_mean", "1.running_var"]
    seq.append(nn.Flatten())
    assert seq(x).shape == (2, 100)
    named = nn.Sequential(collections.OrderedDict([("conv", conv), ("act", relu)]))
    assert named.conv is conv and list(named.state_dict()) == ["conv.weight", "conv.bias"]
    assert nn.Sequential()(x) is x
    named.act = nn.ReLU6()  # a child is replaced by assignment, keeping its place
    assert [type(m).__name__ for m in named.children()] == ["Conv2d", "ReLU6"]
    with pytest.raises(TypeError, match="Sequential.act is a child module"):
        named.act = None
    with pytest.raises(IndexError, match="index 4 is out of range for 4 modules"):
        seq[4]
    with pytest.raises(TypeError, match="children must be cvcore.nn modules"):
        nn.Sequential(conv, len)
    with pytest.raises(ValueError, match="without '.'"):
        nn.Sequential({"a.b": relu})


def test_parallel_and_split(threads, rng):
    a, b = nn.Conv2d(4, 2, 1, seed=0), nn.Sequential(nn.Conv2d(4, 3, 3, seed=1), nn.ReLU())
    heads = nn.Parallel(collections.OrderedDict([("a", a), ("b", b)]))
    x = randn(rng, 2, 4, 6, 5)
    out = heads(x)
    assert isinstance(out, tuple) and len(out) == 2
    np.testing.assert_array_equal(out[0], a(x))
    np.testing.assert_array_equal(out[1], b(x))
    assert heads.output_shape(x.shape) == ((2, 2, 6, 5), (2, 3, 4, 3))
    assert heads.macs(x.shape) == a.macs(x.shape) + b.macs(x.shape)
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.0.weight", "b.0.bias"]
    assert len(heads) == 2 and heads[0] is a and list(heads) == [a, b]
    assert isinstance(heads[1:], nn.Parallel) and len(nn.Parallel(a).append(b)) == 2
    # after a Sequential: the model's output is the tuple
    model = nn.Sequential(nn.Conv2d(3, 4, 3, seed=2), heads)
    assert [o.shape for o in model(x[:, :3])] == [(2, 2, 4, 3), (2, 3, 2, 1)]
    assert model.output_shape(x[:, :3].shape) == ((2, 2, 4, 3), (2, 3, 2, 1))
    with pytest.raises(TypeError, match="Parallel: children must be cvcore.nn modules, got int for '0'"):
        nn.Parallel(1)
    with pytest.raises(IndexError, match="Parallel: index 2 is out of range for 2 modules"):
        heads[2]

    split = nn.Split([1, 3, 2], dim=1)
    parts = split(x.transpose(0, 2, 1, 3)[:, :, 0])  # non-contiguous float32: one copy, then views
    y = np.ascontiguousarray(x.transpose(0, 2, 1, 3)[:, :, 0])
    assert [p.shape for p in parts] == [(2, 1, 5), (2, 3, 5), (2, 2, 5)] == list(split.output_shape(y.shape))
    for part, want in zip(parts, np.split(y, [1, 4], axis=1)):
        np.testing.assert_array_equal(part, want)
    assert all(np.shares_memory(p, y) for p in split(y))
    assert [p.shape for p in nn.Split([2, 3], dim=-1)(y)] == [(2, 6, 2), (2, 6, 3)]
    assert [p.shape for p in nn.Split((2,))(y)] == [(2, 6, 5)]  # dim 0 by default, as torch.split
    assert repr(split) == "Split(sizes=[1, 3, 2], dim=1)" and split.count_parameters() == 0


@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.Split(3), TypeError, r"Split: sizes must be a non-empty sequence of ints, got 3"),
    (lambda: nn.Split([]), TypeError, r"Split: sizes must be a non-empty sequence of ints, got \[\]"),
    (lambda: nn.Split([2, 0]), ValueError, "Split: sizes must be >= 1, got 0"),
    (lambda: nn.Split([2], dim=1.0), TypeError, "Split: dim must be an int, got 1.0"),
    (lambda: nn.Split([2, 2], dim=1)(np.zeros((3, 5), np.float32)), ValueError,
     r"Split: the input must have sum\(sizes\) = 4 elements along dim 1, got shape \(3, 5\)"),
    (lambda: nn.Split([2], dim=2).output_shape((3, 2)), ValueError, r"Split: dim must be in \[-2, 1\]"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_split_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_nested_names_and_repr():
    model = nn.Sequential(collections.OrderedDict([
        ("features", nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.BatchNorm2d(4), nn.PReLU(4))),
        ("head", nn.Linear(4, 2, seed=0))]))
    assert list(model.state_dict()) == [
        "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.1.running_mean",
        "features.1.running_var", "features.2.weight", "head.weight", "head.bias"]
    assert [n for n, _ in model.named_modules()] == ["", "features", "features.0", "features.1", "features.2", "head"]
    assert model.count_parameters() == 4 * 27 + 4 + 8 + 4 + 10
    text = repr(model)
    assert "(features): Sequential(" in text and "(0): Conv2d(3, 4, kernel_size=(3, 3)" in text
    assert "(head): Linear(in_features=4, out_features=2, bias=True)" in text


# -- state dicts ---------------------------------------------------------------------------------------

def small_net(seed):
    return nn.Sequential(collections.OrderedDict([
        ("features", nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, seed=seed), nn.BatchNorm2d(6), nn.ReLU(),
                                   nn.MaxPool2d(2), nn.Conv2d(6, 4, 3, groups=2, bias=False, seed=seed + 1))),
        ("flatten", nn.Flatten()),
        ("classifier", nn.Sequential(nn.Linear(4 * 2 * 2, 3, seed=seed + 2), nn.Softmax(1)))]))


def randomise_bn(model, rng):
    for _, m in model.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean, m.running_var = randn(rng, c), rng.uniform(0.2, 2.0, c)
            if m.weight is not None:
                m.weight, m.bias = rng.uniform(0.5, 1.5, c), randn(rng, c)


def test_state_dict_round_trip(rng, tmp_path):
    src, dst = small_net(0), small_net(100)
    randomise_bn(src, rng)
    state = src.state_dict()
    assert list(state) == ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                           "features.1.running_mean", "features.1.running_var", "features.4.weight",
                           "classifier.0.weight", "classifier.0.bias"]
    assert not state["features.0.weight"].flags.writeable  # read-only views, no copy
    np.savez(tmp_path / "net.npz", **state, **{"features.1.num_batches_tracked": np.int64(5)})
    x = randn(rng, 2, 3, 8, 8)
    assert not np.array_equal(dst(x), src(x))
    with np.load(tmp_path / "net.npz") as data:
        result = dst.load_state_dict(data)  # PyTorch's num_batches_tracked is accepted and ignored
    assert result == nn.LoadResult([], [])
    np.testing.assert_array_equal(dst(x), src(x))
    for key, value in dst.state_dict().items():
        np.testing.assert_array_equal(value, state[key])


def test_load_state_dict_errors(rng):
    model = small_net(0)
    state = {k: np.array(v) for k, v in small_net(1).state_dict().items()}
    before = {k: np.array(v) for k, v in model.state_dict().items()}

    def unchanged():
        for key, value in model.state_dict().items():
            np.testing.assert_array_equal(value, before[key])

    missing = dict(state)
    del missing["features.1.running_var"]
    with pytest.raises(KeyError, match=r"missing keys \['features.1.running_var'\], unexpected keys \[\]"):
        model.load_state_dict(missing)
    with pytest.raises(KeyError, match=r"unexpected keys \['features.4.bias'\]"):
        model.load_state_dict({**state, "features.4.bias": np.zeros(4)})
    bad = {**state, "classifier.0.weight": np.zeros((3, 15))}
    with pytest.raises(ValueError, match=r"key 'classifier.0.weight'.*shape \(3, 16\), got shape \(3, 15\)"):
        model.load_state_dict(bad)
    with pytest.raises(TypeError, match="key 'features.0.bias'"):
        model.load_state_dict({**state, "features.0.bias": np.array(["x"] * 6)})
    with pytest.raises(TypeError, match="state_dict must be a mapping"):
        model.load_state_dict([("features.0.weight", state["features.0.weight"])])
    unchanged()  # every failed load left the weights as they were
    partial = {"features.0.bias": state["features.0.bias"], "extra": np.zeros(1)}
    result = model.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["extra"] and "features.0.weight" in result.missing_keys
    np.testing.assert_array_equal(model.features[0].bias, state["features.0.bias"])
    np.testing.assert_array_equal(model.features[0].weight, before["features.0.weight"])


# -- fuse ----------------------------------------------------------------------------------------------

FUSE_NETS = {
    "conv-bn-relu": lambda: nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, seed=0), nn.BatchNorm2d(8), nn.ReLU()),
    "groups-no-bias": lambda: nn.Sequential(nn.Conv2d(4, 8, 3, groups=2, bias=False, seed=0), nn.BatchNorm2d(8),
                                            nn.ReLU6(), nn.Conv2d(8, 8, 3, groups=8, stride=2, bias=False, seed=1),
                                            nn.BatchNorm2d(8, eps=1e-3), nn.ReLU()),
    "affine-false-dilated": lambda: nn.Sequential(nn.Conv2d(3, 5, 3, dilation=2, padding=2, seed=0),
                                                  nn.BatchNorm2d(5, affine=False), nn.SiLU()),
    "nested": lambda: nn.Sequential(collections.OrderedDict([
        ("stem", nn.Sequential(nn.Conv2d(3, 4, 1, seed=0), nn.BatchNorm2d(4), nn.ReLU())),
        ("pool", nn.MaxPool2d(2)), ("bn_alone", nn.BatchNorm2d(4)),
        ("block", nn.Sequential(nn.Conv2d(4, 6, 3, padding="same", seed=1), nn.BatchNorm2d(6)))])),
}


@pytest.mark.parametrize("name", FUSE_NETS)
def test_fuse(rng, name):
    model = FUSE_NETS[name]()
    randomise_bn(model, rng)
    original = {k: np.array(v) for k, v in model.state_dict().items()}
    first_conv = next(m for _, m in model.named_modules() if isinstance(m, nn.Conv2d))
    x = randn(rng, 2, first_conv.in_channels, 10, 10)
    fused = nn.fuse(model)
    expected, out = model(x), fused(x)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    # the original is untouched; the folded batch norms are gone, unfolded ones remain
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, original[key])
    kinds = [type(m).__name__ for _, m in fused.named_modules()]
    assert "BatchNorm2d" not in kinds if name != "nested" else kinds.count("BatchNorm2d") == 1
    assert all(m.bias is not None for _, m in fused.named_modules() if isinstance(m, nn.Conv2d))
    assert nn.summary(fused, x.shape, verbose=False).output_shape == out.shape


def test_fuse_errors():
    with pytest.raises(TypeError, match="fuse: model must be a cvcore.nn.Module"):
        nn.fuse(lambda x: x)


def prelu(channels, rng):
    layer = nn.PReLU(channels)
    layer.weight = rng.uniform(-0.5, 0.5, channels)
    return layer


def heads(*layers):
    return nn.Parallel(collections.OrderedDict((f"head{i}", m) for i, m in enumerate(layers)))


# Each net: the layers, the input shape, and the classes of the fused net's children (I: Identity).
EXACT_NETS = {
    "conv-relu-pool": (lambda rng: nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2)),
                       (2, 3, 9, 10), ["FusedConv2d", "I", "I"]),
    "conv-relu6": (lambda rng: nn.Sequential(nn.Conv2d(4, 6, 3, stride=2, groups=2, seed=0), nn.ReLU6()),
                   (1, 4, 11, 8), ["FusedConv2d", "I"]),
    "conv-prelu-ceil-pool": (lambda rng: nn.Sequential(nn.Conv2d(3, 10, 3, seed=0), prelu(10, rng),
                                                       nn.MaxPool2d(3, 2, ceil_mode=True)),
                             (9, 3, 14, 13), ["FusedConv2d", "I", "I"]),
    "conv-shared-prelu": (lambda rng: nn.Sequential(nn.Conv2d(3, 5, 2, dilation=2, seed=0), prelu(1, rng)),
                          (2, 3, 7, 7), ["FusedConv2d", "I"]),
    "conv-pool-no-activation": (lambda rng: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.MaxPool2d((2, 3), (1, 2))),
                                (2, 3, 8, 9), ["FusedConv2d", "I"]),
    "conv-prelu-heads": (lambda rng: nn.Sequential(nn.Conv2d(3, 32, 3, seed=0), prelu(32, rng),
                                                   heads(nn.Conv2d(32, 4, 1, seed=1), nn.Conv2d(32, 2, 1, seed=2))),
                         (2, 3, 15, 12), ["FusedConv2d", "I", "Split"]),
    "crops-heads-no-bias": (lambda rng: nn.Sequential(nn.Conv2d(8, 16, 3, seed=0, winograd=True), nn.ReLU(),
                                                      heads(nn.Conv2d(16, 3, 1, bias=False, seed=1),
                                                            nn.Conv2d(16, 5, 1, bias=False, seed=2))),
                            (9, 8, 11, 11), ["FusedConv2d", "I", "Split"]),
    "conv-heads-no-activation": (lambda rng: nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, seed=0),
                                                           heads(nn.Conv2d(6, 1, 1, seed=1))),
                                 (1, 3, 5, 40), ["FusedConv2d", "Split"]),
    "identity-between": (lambda rng: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.Identity(), nn.ReLU(), nn.Identity(),
                                                   nn.MaxPool2d(2)),
                         (2, 3, 6, 6), ["FusedConv2d", "I", "I", "I", "I"]),
    "linear-heads": (lambda rng: nn.Sequential(nn.Flatten(), nn.Linear(48, 128, seed=0), prelu(128, rng),
                                               heads(nn.Linear(128, 4, seed=1), nn.Linear(128, 10, seed=2),
                                                     nn.Linear(128, 2, seed=3))),
                     (11, 3, 4, 4), ["Flatten", "FusedLinear", "I", "Sequential"]),
    "linear-relu-relu6": (lambda rng: nn.Sequential(nn.Linear(7, 9, seed=0), nn.ReLU(), nn.Linear(9, 3, seed=1),
                                                    nn.ReLU6(), nn.Linear(3, 3, bias=False, seed=2), prelu(1, rng)),
                          (5, 2, 7), ["FusedLinear", "I", "FusedLinear", "I", "FusedLinear", "I"]),
}


def child_kinds(seq):
    return ["I" if type(m) is nn.Identity else type(m).__name__ for m in seq.children()]


@pytest.mark.parametrize("name", EXACT_NETS)
def test_fuse_is_bit_exact(isa, threads, rng, name):
    make, shape, kinds = EXACT_NETS[name]
    model = make(rng)
    x = randn(rng, *shape, scale=2)
    fused = nn.fuse(model)
    assert child_kinds(fused) == kinds and child_kinds(nn.fuse(fused)) == kinds  # nothing left to fuse
    expected, out = model(x), fused(x)
    heads = isinstance(expected, tuple)
    assert isinstance(out, tuple) == heads and len(out) == len(expected)
    for e, o in zip(*((expected, out) if heads else ([expected], [out]))):
        assert o.dtype == np.float32
        np.testing.assert_array_equal(o, e)
    s, s0 = nn.summary(fused, shape, verbose=False), nn.summary(model, shape, verbose=False)
    assert s.output_shape == s0.output_shape == (tuple(o.shape for o in out) if heads else out.shape)
    assert (s.total_params, s.total_macs) == (s0.total_params, s0.total_macs)
    # every layer keeps its slot (an Identity where one was absorbed)
    assert [n for n, _ in fused.named_children()] == [n for n, _ in model.named_children()]


def test_fuse_conv_heads_batches_and_unbatched_input(threads, rng):
    """The heads' 1x1 convs fused as one pointwise= conv give every channel of every image as apart,
    whatever the batch (crops run lane-batched from 8) and with a (C, H, W) input."""
    # a shared slope: (C, H, W) inputs are fine
    model = nn.Sequential(nn.Conv2d(3, 32, 3, seed=0), prelu(1, rng),
                          heads(nn.Conv2d(32, 4, 1, seed=1), nn.Conv2d(32, 2, 1, seed=2)))
    fused = nn.fuse(model)
    for shape in [(3, 12, 12), (1, 3, 12, 12), (8, 3, 12, 12), (17, 3, 24, 24), (1, 3, 120, 80)]:
        x = randn(rng, *shape, scale=2)
        for e, o in zip(model(x), fused(x)):
            np.testing.assert_array_equal(o, e)


def test_fuse_state_dict_and_repr(rng):
    make, shape, _ = EXACT_NETS["conv-prelu-heads"]
    model = make(rng)
    fused = nn.fuse(model)
    assert list(fused.state_dict()) == ["0.weight", "0.bias", "0.prelu_weight", "0.pointwise_weight",
                                        "0.pointwise_bias"]
    w = model.state_dict()
    np.testing.assert_array_equal(fused[0].prelu_weight, w["1.weight"])
    np.testing.assert_array_equal(fused[0].pointwise_weight, np.concatenate([w["2.head0.weight"], w["2.head1.weight"]]))
    np.testing.assert_array_equal(fused[0].pointwise_bias, np.concatenate([w["2.head0.bias"], w["2.head1.bias"]]))
    assert fused[2].sizes == (4, 2) and fused[2].dim == -3
    assert "activation='prelu', pointwise=6" in repr(fused[0])
    # a fused model loads the state dict of a fused model of the same architecture
    other = nn.fuse(make(np.random.default_rng(7)))
    x = randn(rng, *shape)
    assert not np.array_equal(other(x)[0], fused(x)[0])
    other.load_state_dict(fused.state_dict())
    for e, o in zip(fused(x), other(x)):
        np.testing.assert_array_equal(o, e)
    linear = nn.fuse(EXACT_NETS["linear-heads"][0](rng))
    assert list(linear.state_dict()) == ["1.weight", "1.bias", "1.prelu_weight", "3.linear.weight", "3.linear.bias"]
    assert repr(linear[3].split) == "Split(sizes=[4, 10, 2], dim=-1)"
    assert linear[3].linear.out_features == 16 and "activation='prelu'" in repr(linear[1])


NOT_FUSED = {
    "pool-with-padding": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1)),
                          ["FusedConv2d", "I", "MaxPool2d"]),
    "dilated-pool": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.MaxPool2d(2, dilation=2)),
                     ["Conv2d", "MaxPool2d"]),
    "activation-after-pool": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.MaxPool2d(2), nn.ReLU()),
                              ["FusedConv2d", "I", "ReLU"]),
    "bn-after-activation": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.ReLU(), nn.BatchNorm2d(4)),
                            ["FusedConv2d", "I", "BatchNorm2d"]),
    "other-activation": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.LeakyReLU(), nn.MaxPool2d(2)),
                         ["Conv2d", "LeakyReLU", "MaxPool2d"]),
    "pool-then-heads": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.MaxPool2d(2),
                                              heads(nn.Conv2d(4, 2, 1, seed=1))),
                        ["FusedConv2d", "I", "Parallel"]),
    "3x3-head": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), heads(nn.Conv2d(4, 2, 1, seed=1),
                                                                           nn.Conv2d(4, 2, 3, padding=1, seed=2))),
                 ["Conv2d", "Parallel"]),
    "strided-head": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), heads(nn.Conv2d(4, 2, 1, stride=2, seed=1))),
                     ["Conv2d", "Parallel"]),
    "heads-with-and-without-bias": (lambda: nn.Sequential(nn.Linear(4, 4, seed=0), heads(
        nn.Linear(4, 2, seed=1), nn.Linear(4, 2, bias=False, seed=2))), ["Linear", "Parallel"]),
    "heads-of-other-inputs": (lambda: nn.Sequential(heads(nn.Linear(4, 2, seed=1), nn.Sequential(nn.Linear(4, 2)))),
                              ["Parallel"]),
    "prelu-of-other-channels": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.PReLU(3)),
                                ["Conv2d", "PReLU"]),
    "conv-subclass": (lambda: nn.Sequential(type("MyConv", (nn.Conv2d,), {})(3, 4, 3, seed=0), nn.ReLU()),
                      ["MyConv", "ReLU"]),
}


@pytest.mark.parametrize("name", NOT_FUSED)
def test_fuse_leaves_what_is_not_exact(rng, name):
    model = NOT_FUSED[name][0]()
    fused = nn.fuse(model)
    assert child_kinds(fused) == NOT_FUSED[name][1]
    if name != "prelu-of-other-channels":  # that net does not run, fused or not
        x = randn(rng, 2, 3, 10, 10) if isinstance(model[0], nn.Conv2d) else randn(rng, 3, 4)
        for e, o in zip(*(r if isinstance(r, tuple) else (r,) for r in (model(x), fused(x)))):
            np.testing.assert_array_equal(o, e)


def test_fuse_recurses_and_keeps_the_original(rng):
    branch = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, seed=1), nn.ReLU())
    model = nn.Sequential(collections.OrderedDict([
        ("stem", nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), nn.BatchNorm2d(4), nn.PReLU(4), nn.MaxPool2d(2))),
        ("branches", nn.Parallel(branch, nn.Identity()))]))
    randomise_bn(model, rng)
    x = randn(rng, 2, 3, 10, 10)
    fused = nn.fuse(model)
    assert child_kinds(fused.stem) == ["FusedConv2d", "I", "I", "I"] and child_kinds(fused.branches[0]) == [
        "FusedConv2d", "I"]
    assert fused.stem[0].max_pool == ((2, 2), (2, 2), False) and fused.stem[0].activation == "prelu"
    assert child_kinds(model.stem) == ["Conv2d", "BatchNorm2d", "PReLU", "MaxPool2d"]  # the original is untouched
    for e, o in zip(model(x), fused(x)):
        np.testing.assert_allclose(o, e, rtol=1e-5, atol=1e-5 * np.abs(e).max())
    assert nn.summary(fused, x.shape, verbose=False).output_shape == ((2, 4, 4, 4), (2, 4, 4, 4))


def test_fused_prelu_slopes_and_ranks(rng):
    """Per-channel slopes are nn.PReLU's axis 1: the fused layers refuse the inputs where that is not
    their output channels; a shared slope runs on any rank, as apart."""
    conv = nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), prelu(4, rng))
    with pytest.raises(ValueError, match=r"FusedConv2d: with per-channel PReLU slopes the input must be "
                                         r"\(N, C, H, W\).*got shape \(3, 6, 6\)"):
        nn.fuse(conv)(randn(rng, 3, 6, 6))
    linear = nn.Sequential(nn.Linear(5, 4, seed=0), prelu(4, rng))
    with pytest.raises(ValueError, match=r"FusedLinear: with per-channel PReLU slopes the input must be "
                                         r"\(N, in_features\).*got shape \(2, 3, 5\)"):
        nn.fuse(linear)(randn(rng, 2, 3, 5))
    for model, x in [(nn.Sequential(nn.Conv2d(3, 4, 3, seed=0), prelu(1, rng)), randn(rng, 3, 6, 6)),
                     (nn.Sequential(nn.Linear(5, 4, seed=0), prelu(1, rng)), randn(rng, 2, 3, 5)),
                     (nn.Sequential(nn.Linear(5, 4, seed=0), prelu(1, rng)), randn(rng, 5))]:
        np.testing.assert_array_equal(nn.fuse(model)(x), model(x))


@pytest.mark.parametrize("make, error, match", [
    (lambda c: nn.FusedConv2d(nn.Linear(3, 3)), TypeError,
     "FusedConv2d: conv must be a cvcore.nn.Conv2d, got Linear"),
    (lambda c: nn.FusedConv2d(c, activation="gelu"), ValueError,
     "FusedConv2d: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'"),
    (lambda c: nn.FusedConv2d(c, activation="prelu"), ValueError, "FusedConv2d: prelu_weight must be given exactly"),
    (lambda c: nn.FusedConv2d(c, activation="prelu", prelu_weight=np.ones(3)), ValueError,
     r"FusedConv2d: prelu_weight must have 4 elements \(one per output channel\) or 1, got 3"),
    (lambda c: nn.FusedConv2d(c, max_pool=(2, 2), pointwise=np.ones((2, 4))), ValueError,
     "FusedConv2d: max_pool and pointwise cannot be combined"),
    (lambda c: nn.FusedConv2d(c, max_pool=2), ValueError, "FusedConv2d: max_pool must be"),
    (lambda c: nn.FusedConv2d(c, pointwise=np.ones((2, 5))), ValueError,
     r"FusedConv2d: the pointwise weight must have shape \(P, out_channels = 4, 1, 1\) or \(P, 4\), "
     r"got \(2, 5, 1, 1\)"),
    (lambda c: nn.FusedConv2d(c, pointwise=(np.ones((2, 4)), np.ones(3))), ValueError,
     r"FusedConv2d: the pointwise bias must have shape \(2,\), got \(3,\)"),
    (lambda c: nn.FusedLinear(c), TypeError, "FusedLinear: linear must be a cvcore.nn.Linear, got Conv2d"),
    (lambda c: nn.FusedLinear(nn.Linear(3, 2), activation="prelu", prelu_weight=np.ones(3)), ValueError,
     r"FusedLinear: prelu_weight must have 2 elements \(one per output channel\) or 1, got 3"),
    (lambda c: nn.Conv2d(3, 4, 3, winograd=1), TypeError, "Conv2d: winograd must be a bool, got 1"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_fused_layer_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(nn.Conv2d(3, 4, 3, seed=0))


def test_fused_layers_direct(threads, rng):
    conv, linear = nn.Conv2d(3, 4, 3, padding=1, seed=0), nn.Linear(6, 5, seed=1)
    x, v = randn(rng, 2, 3, 7, 7), randn(rng, 3, 6)
    slopes, pw = randn(rng, 4), randn(rng, 6, 4)
    fused = nn.FusedConv2d(conv, activation="prelu", prelu_weight=slopes, max_pool=(3, 2, True))
    check_layer(fused, x, ops.conv2d(x, conv.weight, conv.bias, padding=1, activation="prelu", prelu_weight=slopes,
                                     max_pool=(3, 2, True)))
    assert fused.weight is conv.weight and fused.macs(x.shape) == conv.macs(x.shape)
    heads = nn.FusedConv2d(fused, activation="relu6", pointwise=pw)  # a FusedConv2d gives its convolution alone
    check_layer(heads, x, ops.conv2d(x, conv.weight, conv.bias, padding=1, activation="relu6", pointwise=pw))
    assert heads.macs(x.shape) == conv.macs(x.shape) + 2 * 6 * 7 * 7 * 4 and heads.pointwise_bias is None
    assert list(heads.state_dict()) == ["weight", "bias", "pointwise_weight"]
    fl = nn.FusedLinear(linear, activation="relu")
    check_layer(fl, v, ops.linear(v, linear.weight, linear.bias, activation="relu"))
    assert fl.macs(v.shape) == linear.macs(v.shape) and list(fl.state_dict()) == ["weight", "bias"]
    assert nn.FusedLinear(fl).activation is None


def test_conv2d_winograd_option(threads, rng):
    conv = nn.Conv2d(8, 16, 3, padding=1, seed=0, winograd=True)
    x = randn(rng, 2, 8, 12, 12)
    check_layer(conv, x, ops.conv2d(x, conv.weight, conv.bias, padding=1, winograd=True))
    assert "winograd=True" in repr(conv) and list(conv.state_dict()) == ["weight", "bias"]
    conv.winograd = False
    check_layer(conv, x, ops.conv2d(x, conv.weight, conv.bias, padding=1))
    assert "winograd" not in repr(conv)


# -- summary -------------------------------------------------------------------------------------------

def tiny_net():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, seed=0), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3, groups=4, bias=False, seed=0), nn.Flatten(), nn.Linear(32, 5, seed=0),
                         nn.Softmax(1))


def test_summary_tiny_hand_counted(capsys, rng):
    model = tiny_net()
    s = nn.summary(model, (2, 3, 8, 8))
    rows = [(r.name, r.type, r.output_shape, r.params, r.macs) for r in s.rows]
    assert rows == [
        ("0", "Conv2d", (2, 8, 8, 8), 8 * 3 * 9 + 8, 2 * 8 * 8 * 8 * 3 * 9),    # 224 params, 27,648 MACs
        ("1", "BatchNorm2d", (2, 8, 8, 8), 16, 0),
        ("2", "ReLU", (2, 8, 8, 8), 0, 0),
        ("3", "MaxPool2d", (2, 8, 4, 4), 0, 0),
        ("4", "Conv2d", (2, 8, 2, 2), 8 * 2 * 9, 2 * 8 * 2 * 2 * 2 * 9),       # groups=4: 2 inputs per output
        ("5", "Flatten", (2, 32), 0, 0),
        ("6", "Linear", (2, 5), 32 * 5 + 5, 2 * 32 * 5),
        ("7", "Softmax", (2, 5), 0, 0),
    ]
    assert [r.flops for r in s.rows] == [2 * r.macs for r in s.rows]
    assert s.total_params == 224 + 16 + 144 + 165 == model.count_parameters()
    assert s.total_macs == 27648 + 1152 + 320 and s.total_flops == 2 * s.total_macs
    assert s.input_shape == (2, 3, 8, 8) and s.output_shape == (2, 5)
    assert model(randn(rng, 2, 3, 8, 8)).shape == s.output_shape
    printed = capsys.readouterr().out
    assert printed == str(s) + "\n"
    assert "Total params: 549" in printed and "Total MACs: 29,120 (29.12 K)" in printed and "Total FLOPs: 58,240 (58.24 K)" in printed
    nn.summary(model, [2, 3, 8, 8], verbose=False)
    assert capsys.readouterr().out == ""
    single = nn.summary(nn.Conv2d(3, 4, 3, seed=0), (3, 5, 5), verbose=False)
    assert [(r.name, r.output_shape, r.macs) for r in single.rows] == [("Conv2d", (4, 3, 3), 4 * 9 * 27)]


def test_summary_parallel(rng):
    heads = nn.Parallel(collections.OrderedDict([("box", nn.Conv2d(8, 4, 1, seed=0)),
                                                 ("cls", nn.Conv2d(8, 2, 1, seed=1))]))
    model = nn.Sequential(collections.OrderedDict([("conv", nn.Conv2d(3, 8, 3, seed=2)), ("heads", heads)]))
    s = nn.summary(model, (1, 3, 6, 6), verbose=False)
    assert [(r.name, r.output_shape, r.macs) for r in s.rows] == [
        ("conv", (1, 8, 4, 4), 8 * 16 * 27), ("heads.box", (1, 4, 4, 4), 4 * 16 * 8),
        ("heads.cls", (1, 2, 4, 4), 2 * 16 * 8)]
    assert s.output_shape == ((1, 4, 4, 4), (1, 2, 4, 4)) == tuple(o.shape for o in model(randn(rng, 1, 3, 6, 6)))
    assert s.total_macs == model.macs((1, 3, 6, 6)) and "Output shape: ((1, 4, 4, 4), (1, 2, 4, 4))" in str(s)


def test_summary_errors():
    with pytest.raises(ValueError, match=r"Conv2d: input_shape\[-3\] must be in_channels = 3, got 4"):
        nn.summary(tiny_net(), (1, 4, 8, 8), verbose=False)
    with pytest.raises(ValueError, match=r"Linear: input_shape\[1\] must be in_features = 32, got 128"):
        nn.summary(tiny_net(), (1, 3, 12, 12), verbose=False)
    with pytest.raises(ValueError, match=r"MaxPool2d: input of spatial size \(1, 1\) is too small"):
        nn.summary(tiny_net(), (1, 3, 1, 1), verbose=False)
    with pytest.raises(TypeError, match="model must be a cvcore.nn.Module"):
        nn.summary(len, (1, 3, 8, 8))
    with pytest.raises(TypeError, match="input_shape must be a sequence of ints"):
        nn.summary(tiny_net(), 8)
    with pytest.raises(TypeError, match="input_shape must be an int, got 2.5"):
        nn.summary(tiny_net(), (1, 3, 2.5, 8))

    class Custom(nn.Module):
        def forward(self, input):
            return input

    with pytest.raises(TypeError, match="Custom does not define output_shape"):
        nn.summary(Custom(), (1, 3), verbose=False)


@pytest.mark.parametrize("arch, total", [("vgg16", 138_357_544), ("vgg16_bn", 138_365_992)])
def test_vgg_published_figures(arch, total):
    model = nn.ARCHITECTURES[arch]()
    s = nn.summary(model, (1, 3, 224, 224), verbose=False)
    assert s.total_params == total == model.count_parameters()
    assert s.output_shape == (1, 1000)
    conv1_1, fc1 = s.rows[0], next(r for r in s.rows if r.name == "classifier.0")
    assert (conv1_1.name, conv1_1.output_shape, conv1_1.macs) == ("features.0", (1, 64, 224, 224),
                                                                   3 * 3 * 3 * 64 * 224 * 224)
    assert fc1.params == 7 * 7 * 512 * 4096 + 4096 == 102_760_448 + 4_096
    assert fc1.macs == 102_760_448
    assert s.total_macs == 15_470_264_320  # torchvision's "15.47 GFLOPS" (MACs) for both
    # torchvision's layer order and state-dict keys
    types = [r.type for r in s.rows]
    per_conv = ["Conv2d", "BatchNorm2d", "ReLU"] if arch == "vgg16_bn" else ["Conv2d", "ReLU"]
    stage = lambda n: per_conv * n + ["MaxPool2d"]  # noqa: E731
    assert types == (stage(2) + stage(2) + stage(3) + stage(3) + stage(3) + ["AdaptiveAvgPool2d", "Flatten"]
                     + ["Linear", "ReLU", "Dropout"] * 2 + ["Linear"])
    keys = list(model.state_dict())
    last = 43 if arch == "vgg16_bn" else 30
    assert keys[:2] == ["features.0.weight", "features.0.bias"] and keys[-2:] == ["classifier.6.weight",
                                                                                     "classifier.6.bias"]
    assert [r.name for r in s.rows if r.type == "MaxPool2d"][-1] == f"features.{last}"
    if arch == "vgg16_bn":
        assert keys[2:6] == ["features.1.weight", "features.1.bias", "features.1.running_mean",
                             "features.1.running_var"]
    assert all(model.state_dict()[k].dtype == np.float32 for k in keys)


def test_small_vgg16_forward_and_seed(rng):
    model = nn.vgg16(num_classes=10)
    x = rng.uniform(0, 1, (2, 3, 32, 32)).astype(np.float32)
    out = model(x)
    assert out.shape == (2, 10) == nn.summary(model, x.shape, verbose=False).output_shape
    assert np.all(np.isfinite(out))
    again = nn.vgg16(num_classes=10, seed=0)
    np.testing.assert_array_equal(again.features[28].weight, model.features[28].weight)
    np.testing.assert_array_equal(again.classifier[6].bias, model.classifier[6].bias)


def test_small_vgg16_bn_fuse_and_weights(rng):
    model = nn.vgg16_bn(num_classes=10, seed=3)
    randomise_bn(model, rng)
    x = rng.uniform(0, 1, (1, 3, 32, 32)).astype(np.float32)
    expected = model(x)
    fused = nn.fuse(model)
    assert [type(m).__name__ for _, m in fused.named_modules()].count("BatchNorm2d") == 0
    np.testing.assert_allclose(fused(x), expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    del fused
    loaded = nn.vgg16_bn(num_classes=10, seed=4, weights=model.state_dict())
    np.testing.assert_array_equal(loaded(x), expected)


def test_builder_weights_from_a_file(rng, tmp_path):
    # the builders' `weights` argument: a path goes through np.load (tested on a small model: same code path)
    src = small_net(0)
    randomise_bn(src, rng)
    np.savez(tmp_path / "w.npz", **src.state_dict())
    x = randn(rng, 1, 3, 8, 8)
    np.testing.assert_array_equal(_load(small_net(5), tmp_path / "w.npz")(x), src(x))
    np.testing.assert_array_equal(_load(small_net(5), str(tmp_path / "w.npz"))(x), src(x))
    with pytest.raises(KeyError, match="missing keys"):
        _load(tiny_net(), tmp_path / "w.npz")


# -- argument errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.Conv2d(0, 4, 3), ValueError, "Conv2d: in_channels must be >= 1, got 0"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, r"Conv2d: groups \(2\) must divide the input channels \(3\)"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), ValueError, r"Conv2d: groups \(4\) must divide the output channels \(weight.shape\[0\] = 6\)"),
    (lambda: nn.Conv2d(3, 4, 0), ValueError, r"Conv2d: kernel_size \(weight.shape\[2:\]\) must be >= 1, got \(0, 0\)"),
    (lambda: nn.Conv2d(3, 4, 3, stride=(1, 2, 3)), ValueError, "Conv2d: stride must be an int or a pair"),
    # The rules conv2d checks are checked at construction by the same C++ code, naming the layer.
    (lambda: nn.Conv2d(3, 4, 3, stride=(1, 0)), ValueError, r"^Conv2d: stride must be >= 1, got \(1, 0\)$"),
    (lambda: nn.Conv2d(3, 4, 3, dilation=0), ValueError, r"^Conv2d: dilation must be >= 1, got \(0, 0\)$"),
    (lambda: nn.Conv2d(3, 3, 3, groups=0), ValueError, r"^Conv2d: groups must be >= 1, got 0$"),
    (lambda: nn.Conv2d(3, 4, (3, -1), padding="same"), ValueError,
     r"^Conv2d: kernel_size \(weight.shape\[2:\]\) must be >= 1, got \(3, -1\)$"),
    (lambda: nn.Conv2d(3, 4, 3, padding=-1), ValueError, r"Conv2d: padding must be >= 0, got \(-1, -1, -1, -1\)"),
    (lambda: nn.Conv2d(3, 4, 3, padding="full"), ValueError, "padding must be an int, a pair, 'valid' or 'same'"),
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), ValueError, "padding='same' requires stride 1"),
    (lambda: nn.Conv2d(3, 4, 3, seed="x"), TypeError, "Conv2d: seed must be None, an int or a numpy"),
    (lambda: nn.Conv2d(3, 4, 3, seed=-1), ValueError, "Conv2d: seed must be >= 0, got -1"),
    (lambda: nn.Conv2d(3.0, 4, 3), TypeError, "Conv2d: in_channels must be an int, got 3.0"),
    (lambda: nn.BatchNorm2d(0), ValueError, "BatchNorm2d: num_features must be >= 1, got 0"),
    (lambda: nn.BatchNorm2d(3, eps=-1e-5), ValueError, "BatchNorm2d: eps must be finite and >= 0, got -1e-05"),
    (lambda: nn.BatchNorm2d(3, eps="a"), TypeError, "BatchNorm2d: eps must be a real number"),
    (lambda: nn.MaxPool2d(2, padding=2), ValueError, r"MaxPool2d: padding must be at most half the kernel size, got padding=\(2, 2\) with kernel_size=\(2, 2\)"),
    (lambda: nn.MaxPool2d(2, stride=0), ValueError, r"MaxPool2d: stride must be >= 1, got \(0, 0\)"),
    (lambda: nn.MaxPool2d(2, dilation=0), ValueError, r"MaxPool2d: dilation must be >= 1, got \(0, 0\)"),
    (lambda: nn.MaxPool2d(0), ValueError, r"^MaxPool2d: kernel_size must be >= 1, got \(0, 0\)$"),
    (lambda: nn.MaxPool2d(3, padding=-1), ValueError, r"^MaxPool2d: padding must be >= 0, got \(-1, -1\)$"),
    (lambda: nn.AvgPool2d(2, stride=(2, -1)), ValueError, r"^AvgPool2d: stride must be >= 1, got \(2, -1\)$"),
    (lambda: nn.AdaptiveMaxPool2d((None, -2)), ValueError, r"^AdaptiveMaxPool2d: output_size must be >= 0, got \(1, -2\)$"),
    (lambda: nn.BatchNorm2d(3, eps=float("inf")), ValueError, r"^BatchNorm2d: eps must be finite and >= 0, got inf$"),
    (lambda: nn.AvgPool2d(3, padding=2), ValueError, r"AvgPool2d: padding must be at most half the kernel size, got padding=\(2, 2\) with kernel_size=\(3, 3\)"),
    (lambda: nn.AvgPool2d(3, divisor_override=0), ValueError, "AvgPool2d: divisor_override must be non-zero"),
    (lambda: nn.AdaptiveAvgPool2d(-1), ValueError, "AdaptiveAvgPool2d: output_size must be"),
    (lambda: nn.AdaptiveMaxPool2d((1, 2, 3)), ValueError, "AdaptiveMaxPool2d: output_size must be an int or a pair"),
    (lambda: nn.Linear(0, 3), ValueError, "Linear: in_features must be >= 1, got 0"),
    (lambda: nn.Linear(3, 2, seed=1.5), TypeError, "Linear: seed must be None"),
    (lambda: nn.Flatten("a"), TypeError, "Flatten: start_dim must be an int"),
    (lambda: nn.Flatten(2, 1).output_shape((1, 2, 3, 4)), ValueError, "start_dim 2 comes after end_dim 1"),
    (lambda: nn.Flatten(4).output_shape((1, 2, 3, 4)), ValueError, r"Flatten: start_dim must be in \[-4, 3\]"),
    (lambda: nn.Dropout(1.5), ValueError, r"Dropout: p must be in \[0, 1\], got 1.5"),
    (lambda: nn.LeakyReLU("a"), TypeError, "negative_slope must be a real number"),
    (lambda: nn.ELU(float("nan")), ValueError, "alpha must be finite"),
    (lambda: nn.GELU("erf"), ValueError, "gelu: approximate must be one of 'none', 'tanh', got 'erf'"),
    (lambda: nn.Softplus(beta=0), ValueError, "beta must be non-zero"),
    (lambda: nn.Softmax(dim=1.5), TypeError, "Softmax: dim must be an int, got 1.5"),
    (lambda: nn.Softmax(dim=2).output_shape((3, 4)), ValueError, r"Softmax: dim must be in \[-2, 1\]"),
    (lambda: nn.PReLU(0), ValueError, "PReLU: num_parameters must be >= 1, got 0"),
    (lambda: nn.PReLU(init="x"), TypeError, "PReLU: init must be a real number"),
    (lambda: nn.vgg16(num_classes=0), ValueError, "vgg16: num_classes must be >= 1, got 0"),
    (lambda: nn.vgg16_bn(seed="a"), TypeError, "vgg16_bn: seed must be None"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_argument_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_forward_errors_come_from_ops(rng):
    with pytest.raises(ValueError, match="conv2d"):
        nn.Conv2d(3, 4, 3, seed=0)(randn(rng, 1, 2, 5, 5))
    with pytest.raises(ValueError, match="linear"):
        nn.Linear(3, 4, seed=0)(randn(rng, 2, 5))
    with pytest.raises(ValueError, match=r"BatchNorm2d: input must have 4 dimensions \(N, C, H, W\), got 3"):
        nn.BatchNorm2d(3)(randn(rng, 3, 4, 4))


def test_activation_arguments_are_attributes(rng):
    layer = nn.LeakyReLU(0.1)
    layer.negative_slope = 0.5
    x = randn(rng, 10)
    np.testing.assert_array_equal(layer(x), ops.leaky_relu(x, 0.5))
    assert repr(layer) == "LeakyReLU(negative_slope=0.5)"


# -- the command line ----------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "cvcore.cli", *args], capture_output=True, text=True, check=False)


def test_cli_summary_vgg16():
    result = run_cli("summary", "vgg16")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Layer", "Type", "Output", "shape", "Params", "MACs", "FLOPs"]
    assert lines[2].split() == ["features.0", "Conv2d", "(1,", "64,", "224,", "224)", "1,792", "86,704,128",
                                "173,408,256"]
    assert "Total params: 138,357,544" in lines
    assert "Total MACs: 15,470,264,320 (15.47 G)" in lines
    assert any(line.startswith("classifier.0") and "102,764,544" in line for line in lines)


def test_cli_summary_options_and_errors():
    result = run_cli("summary", "vgg16_bn", "--input-shape", "2", "3", "32", "32", "--num-classes", "10")
    assert result.returncode == 0, result.stderr
    assert "Input shape: (2, 3, 32, 32)   Output shape: (2, 10)" in result.stdout
    bad = run_cli("summary", "vgg16", "--input-shape", "1", "3", "16", "16")
    assert bad.returncode != 0 and "cvcore summary: MaxPool2d: input of spatial size (1, 1) is too small" in bad.stderr
    unknown = run_cli("summary", "resnet9000")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


# -- PyTorch, when installed (in addition to the tests above) ---------------------------------------------

def test_matches_torch_modules(rng):
    torch = pytest.importorskip("torch")
    t = torch.nn
    ours = nn.Sequential(collections.OrderedDict([
        ("features", nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, seed=0), nn.BatchNorm2d(8), nn.PReLU(8),
                                   nn.MaxPool2d(3, 2, ceil_mode=True), nn.Conv2d(8, 8, 3, groups=4, bias=False, seed=1),
                                   nn.BatchNorm2d(8, eps=1e-3), nn.ReLU(), nn.AdaptiveAvgPool2d((2, 3)))),
        ("flatten", nn.Flatten()), ("classifier", nn.Sequential(nn.Linear(48, 5, seed=2), nn.Softmax(1)))]))
    theirs = t.Sequential(collections.OrderedDict([
        ("features", t.Sequential(t.Conv2d(3, 8, 3, padding=1), t.BatchNorm2d(8), t.PReLU(8),
                                  t.MaxPool2d(3, 2, ceil_mode=True), t.Conv2d(8, 8, 3, groups=4, bias=False),
                                  t.BatchNorm2d(8, eps=1e-3), t.ReLU(), t.AdaptiveAvgPool2d((2, 3)))),
        ("flatten", t.Flatten()), ("classifier", t.Sequential(t.Linear(48, 5), t.Softmax(1)))])).eval()
    randomise_bn(ours, rng)
    # the same keys both ways: torch's state dict (num_batches_tracked included) loads into cvcore and back
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}, strict=False)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert [k for k in theirs.state_dict() if not k.endswith("num_batches_tracked")] == list(ours.state_dict())
    x = randn(rng, 2, 3, 13, 14)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(nn.fuse(ours)(x), expected, rtol=1e-5, atol=1e-6)
    assert nn.summary(ours, x.shape, verbose=False).total_params == sum(p.numel() for p in theirs.parameters())
