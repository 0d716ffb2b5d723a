"""gaborcore.nn: every backend against explicit loops, scipy and PyTorch; conv_matrix; networks."""

import numpy as np
import pytest
import scipy.signal
import scipy.sparse

import gaborcore
import gaborcore.nn as nn
from gaborcore import ParameterError

from . import reference_nn as ref

TOL = {np.float32: 1e-5, np.float64: 1e-12}
DTYPES = [np.float32, np.float64]

# (stride, dilation, padding, operation, padding_mode) on odd, prime-ish sizes
CONV_CASES = [
    ((1, 1), (1, 1), "valid", "correlation", "zeros"),
    ((1, 1), (1, 1), "same", "convolution", "zeros"),
    ((2, 3), (1, 2), "same", "correlation", "zeros"),
    ((1, 2), (2, 1), "circular", "convolution", "zeros"),
    ((3, 1), (1, 1), (2, 1, 0, 3), "convolution", "circular"),
    ((1, 1), (2, 2), "full", "correlation", "zeros"),
    ((2, 2), (1, 1), 1, "correlation", "circular"),
]


def assert_close(got, want, dtype):
    rtol = TOL[np.dtype(dtype).type]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(1.0, np.abs(want).max()))


def geometry(in_hw, k_hw, stride, dilation, padding, operation, padding_mode):
    _, _, pads, circular, flip, _ = nn._conv.conv_geometry(
        in_hw, k_hw, stride=stride, padding=padding, dilation=dilation, operation=operation,
        padding_mode=padding_mode)
    return dict(stride=stride, dilation=dilation, pads=pads, circular=circular, flip=flip)


@pytest.fixture
def c_isa_levels():
    """Instruction-set levels of the C kernels on this machine (empty without the C backend)."""
    if "c" not in gaborcore.available_backends():
        return {}
    from gaborcore._ext import _nn

    return _nn.isa_levels()


# ---- convolution ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_loops(backend, dtype, case, rng):
    stride, dilation, padding, operation, padding_mode = case
    x = rng.standard_normal((2, 3, 9, 11)).astype(dtype)
    w = rng.standard_normal((5, 3, 3, 2))
    b = rng.standard_normal(5)
    y = nn.conv2d(x, w, b, stride=stride, dilation=dilation, padding=padding,
                  operation=operation, padding_mode=padding_mode, backend=backend)
    want = ref.conv2d(x, w, b, **geometry((9, 11), (3, 2), *case))
    assert y.dtype == dtype and y.shape == want.shape
    assert y.shape == nn.conv_output_shape(x.shape, w.shape, stride=stride, dilation=dilation,
                                           padding=padding, operation=operation,
                                           padding_mode=padding_mode)
    assert_close(y, want, dtype)


@pytest.mark.parametrize("c_out", [1, 3, 7, 13])
def test_conv2d_every_channel_block(backend, c_out, rng):
    """Output-channel counts that exercise every register tile of the C kernels."""
    x = rng.standard_normal((1, 2, 6, 40))
    w = rng.standard_normal((c_out, 2, 2, 3))
    want = ref.conv2d(x, w, pads=(1, 0, 1, 1))
    assert_close(nn.conv2d(x, w, padding=(1, 0, 1, 1), backend=backend), want, np.float64)


def test_conv2d_every_isa(c_isa_levels, rng):
    """Each compiled instruction-set variant of the C kernels against the loops."""
    if not c_isa_levels:
        pytest.skip("the C backend is not available")
    from gaborcore._ext import _nn

    x = rng.standard_normal((2, 3, 8, 21)).astype(np.float32)
    w = rng.standard_normal((11, 3, 3, 3))
    b = rng.standard_normal(11)
    want = ref.conv2d(x, w, b, stride=(1, 2), pads=(1, 1, 1, 1))
    xp = np.abs(rng.standard_normal((3, 10, 13)))
    xd = rng.standard_normal((9, 70)).astype(np.float32)
    wd = rng.standard_normal((11, 70))
    old = _nn.set_isa(-1)
    try:
        for level in c_isa_levels:
            _nn.set_isa(level)
            assert_close(nn.conv2d(x, w, b, stride=(1, 2), padding=1, backend="c"), want,
                         np.float32)
            assert_close(nn.lp_pool2d(xp, p=3, kernel_size=3, backend="c"),
                         ref.pool2d(xp, "lp", (3, 3), p=3), np.float64)
            assert_close(nn.dense(xd, wd, backend="c"), ref.dense(xd, wd), np.float32)
    finally:
        _nn.set_isa(old)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_single_kernel(backend, dtype, rng):
    """A 2-D weight is one kernel applied to every (F, T) plane; leading axes are batch axes."""
    x = rng.standard_normal((2, 3, 10, 12)).astype(dtype)
    w = rng.standard_normal((3, 4))
    y = nn.conv2d(x, w, 0.5, padding="same", backend=backend)
    assert y.shape == (2, 3, 10, 12) and y.dtype == dtype
    for idx in np.ndindex(2, 3):
        want = scipy.signal.correlate2d(x[idx].astype(np.float64), w, "same") + 0.5
        assert_close(y[idx], want, dtype)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (4, 1)])
def test_conv2d_named_padding_is_scipys(mode, kernel, rng):
    """Correlation and true convolution agree with scipy.signal's correlate2d / convolve2d."""
    x = rng.standard_normal((9, 10))
    w = rng.standard_normal(kernel)
    np.testing.assert_allclose(nn.conv2d(x, w, padding=mode),
                               scipy.signal.correlate2d(x, w, mode), atol=1e-12)
    np.testing.assert_allclose(nn.conv2d(x, w, padding=mode, operation="convolution"),
                               scipy.signal.convolve2d(x, w, mode), atol=1e-12)


@pytest.mark.parametrize("operation", ["correlation", "convolution"])
def test_conv2d_circular_is_the_torus_definition(backend, operation, rng):
    """docs/theory.rst (notation) on the torus, with the kernel element (k - 1) // 2 at the origin:
    (S ⋆ w)(z0) = sum_z S(z) w(z - z0) and (S ⊛ w)(z0) = sum_z S(z) w(z0 - z), by FFT."""
    S = rng.standard_normal((12, 15))
    w = rng.standard_normal((4, 5))
    wt = np.zeros_like(S)  # the kernel as a function on the torus
    for u, v in np.ndindex(*w.shape):
        wt[(u - (w.shape[0] - 1) // 2) % 12, (v - (w.shape[1] - 1) // 2) % 15] = w[u, v]
    FS, Fw = np.fft.fft2(S), np.fft.fft2(wt)
    want = np.fft.ifft2(FS * (np.conj(Fw) if operation == "correlation" else Fw)).real
    got = nn.conv2d(S, w, padding="circular", operation=operation, backend=backend)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_conv2d_out_and_precision(backend, rng):
    x = rng.standard_normal((2, 1, 7, 8)).astype(np.float32)
    w = rng.standard_normal((3, 1, 2, 2))  # float64 weights are cast once to float32
    out = np.full((2, 3, 6, 7), np.nan, np.float32)
    y = nn.conv2d(x, w, out=out, backend=backend)
    assert y is out and y.dtype == np.float32
    assert_close(y, ref.conv2d(x, w), np.float32)
    assert nn.conv2d(x[0], w, backend=backend).shape == (3, 6, 7)  # no batch axis


# ---- conv_matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_matrix_equals_conv2d(case, rng):
    stride, dilation, padding, operation, padding_mode = case
    w = rng.standard_normal((4, 2, 3, 2))
    S = rng.standard_normal((2, 9, 11))
    A = nn.conv_matrix(w, S.shape, stride=stride, dilation=dilation, padding=padding,
                       operation=operation, padding_mode=padding_mode)
    y = nn.conv2d(S, w, stride=stride, dilation=dilation, padding=padding, operation=operation,
                  padding_mode=padding_mode, backend="numpy")
    assert isinstance(A, scipy.sparse.csr_array) and A.shape == (y.size, S.size)
    np.testing.assert_allclose(A @ S.ravel(), y.ravel(), atol=1e-12)


def test_conv_matrix_is_the_loops_matrix(rng):
    """Column by column equal to the reference layer: block-Toeplitz / block-circulant."""
    w = rng.standard_normal((3, 2, 2, 3))
    for padding in ("same", "circular"):
        A = nn.conv_matrix(w, (2, 5, 6), padding=padding, dtype=np.float32)
        assert A.dtype == np.float32
        geo = geometry((5, 6), (2, 3), (1, 1), (1, 1), padding, "correlation", "zeros")
        np.testing.assert_allclose(A.toarray(), ref.conv_matrix(w, (2, 5, 6), **geo), atol=1e-6)
    # one kernel, circular: each block is circulant (shift the input, shift the output)
    A = nn.conv_matrix(w[0, 0], (6, 7), padding="circular").toarray()
    S = rng.standard_normal((6, 7))
    np.testing.assert_allclose((A @ np.roll(S, (1, 2), (0, 1)).ravel()).reshape(6, 7),
                               np.roll((A @ S.ravel()).reshape(6, 7), (1, 2), (0, 1)))


# ---- pooling --------------------------------------------------------------------------------

POOL_CASES = [
    ((3, 3), None, 0, False),
    ((2, 3), (1, 2), 1, False),
    ((3, 2), 2, (1, 1), True),
    ((4, 4), 3, (2, 0), True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_matches_loops(backend, dtype, case, rng):
    kernel, stride, padding, ceil_mode = case
    x = rng.standard_normal((2, 3, 11, 13)).astype(dtype)
    st = kernel if stride is None else gaborcore._validation.int_pair("stride", stride)
    pd = gaborcore._validation.int_pair("padding", padding, minimum=0)
    opts = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                backend=backend)
    for p in (1, 2, 3, 2.5, np.inf):
        y = nn.lp_pool2d(x, p=p, **opts)
        assert y.dtype == dtype
        assert_close(y, ref.pool2d(x, "lp", kernel, st, pd, p=p, ceil_mode=ceil_mode), dtype)
    assert_close(nn.max_pool2d(x, **opts), ref.pool2d(x, "max", kernel, st, pd,
                                                      ceil_mode=ceil_mode), dtype)
    for cip in (True, False):
        assert_close(nn.avg_pool2d(x, count_include_pad=cip, **opts),
                     ref.pool2d(x, "avg", kernel, st, pd, ceil_mode=ceil_mode,
                                count_include_pad=cip), dtype)
    assert y.shape == nn.pool_output_shape(x.shape, kernel_size=kernel, stride=stride,
                                           padding=padding, ceil_mode=ceil_mode)


def test_lp_pooling_is_eq4_and_max_of_modulus(backend, rng):
    """Non-overlapping blocks (the paper's operator) and p = inf as max |v|."""
    x = rng.standard_normal((6, 8))
    blocks = x.reshape(3, 2, 2, 4).transpose(0, 2, 1, 3).reshape(3, 2, 8)
    for p in (1, 1.5, 2, 4):
        np.testing.assert_allclose(nn.lp_pool2d(x, p=p, kernel_size=(2, 4), backend=backend),
                                   np.linalg.norm(blocks, ord=p, axis=-1), rtol=1e-13)
    np.testing.assert_array_equal(nn.lp_pool2d(x, p=np.inf, kernel_size=(2, 4), backend=backend),
                                  np.abs(blocks).max(-1))
    np.testing.assert_array_equal(nn.max_pool2d(np.abs(x), kernel_size=(2, 4), backend=backend),
                                  np.abs(blocks).max(-1))


# ---- activations, dense ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_activations(backend, dtype, rng):
    x = (3 * rng.standard_normal((3, 50))).astype(dtype)
    for name, fn in ref.ACTIVATIONS.items():
        xin = np.abs(x) if name == "log_compression" else x
        got = getattr(nn, name)(xin, backend=backend)
        assert got.dtype == dtype
        assert_close(got, fn(xin.astype(np.float64)), dtype)
    assert_close(nn.leaky_relu(x, negative_slope=0.2, backend=backend),
                 ref.ACTIVATIONS["leaky_relu"](x.astype(np.float64), 0.2), dtype)
    assert_close(nn.log_compression(np.abs(x), gain=10, backend=backend),
                 np.log1p(10 * np.abs(x.astype(np.float64))), dtype)
    y = x.copy()
    assert nn.relu(y, out=y, backend=backend) is y and (y >= 0).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [1, 3, 14, 40])  # below and above one vector of rows
def test_dense(backend, dtype, batch, rng):
    x = rng.standard_normal((batch, 1, 37)).astype(dtype)
    w = rng.standard_normal((13, 37))
    b = rng.standard_normal(13)
    y = nn.dense(x, w, b, backend=backend)
    assert y.shape == (batch, 1, 13) and y.dtype == dtype
    assert_close(y.reshape(-1, 13), ref.dense(x.reshape(-1, 37), w, b), dtype)
    assert nn.flatten(x).shape == (batch, 37)
    assert nn.flatten(x, start_axis=0, end_axis=1).shape == (batch, 37)
    assert nn.flatten(np.zeros((2, 3, 4, 5)), start_axis=2).shape == (2, 3, 20)


# ---- threads --------------------------------------------------------------------------------

def test_results_do_not_depend_on_workers(backend, rng, monkeypatch):
    monkeypatch.setattr(nn._common, "_WORK_PER_THREAD", 1)  # thread even these small problems
    x = rng.standard_normal((3, 4, 23, 37)).astype(np.float32)
    w = rng.standard_normal((9, 4, 3, 3))
    b = rng.standard_normal(9)
    xd = rng.standard_normal((45, 300)).astype(np.float32)
    wd = rng.standard_normal((21, 300))
    calls = [
        lambda k: nn.conv2d(x, w, b, padding="same", backend=backend, workers=k),
        lambda k: nn.conv2d(x[:1], w, stride=(2, 1), padding="circular", backend=backend,
                            workers=k),
        lambda k: nn.lp_pool2d(x, p=3, kernel_size=3, stride=2, backend=backend, workers=k),
        lambda k: nn.avg_pool2d(x, kernel_size=2, padding=1, backend=backend, workers=k),
        lambda k: nn.dense(xd, wd, backend=backend, workers=k),
        lambda k: nn.sigmoid(x, backend=backend, workers=k),
    ]
    for call in calls:
        first = call(1)
        for k in (2, 3, 5, -1):
            np.testing.assert_array_equal(call(k), first)


# ---- PyTorch --------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", DTYPES)
def test_against_torch_functional(backend, dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    for _ in range(4):
        n, c_in, c_out = rng.integers(1, 4), rng.integers(1, 6), rng.integers(1, 10)
        kh, kw = rng.integers(1, 5, size=2)
        sh, sw = rng.integers(1, 3, size=2)
        dh, dw = rng.integers(1, 3, size=2)
        ph, pw = rng.integers(0, 3, size=2)
        h, wd = rng.integers(12, 30, size=2)
        x = rng.standard_normal((n, c_in, h, wd)).astype(dtype)
        w = rng.standard_normal((c_out, c_in, kh, kw)).astype(dtype)
        b = rng.standard_normal(c_out).astype(dtype)
        tx, tw, tb = map(torch.from_numpy, (x, w, b))
        want = F.conv2d(tx, tw, tb, stride=(sh, sw), padding=(ph, pw),
                        dilation=(dh, dw)).numpy()
        got = nn.conv2d(x, w, b, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw),
                        backend=backend)
        assert_close(got, want, dtype)
        want = F.conv2d(tx, tw, tb, padding="same", dilation=(dh, dw)).numpy()
        assert_close(nn.conv2d(x, w, b, padding="same", dilation=(dh, dw), backend=backend),
                     want, dtype)
        # pooling on the ReLU of the layer (non-negative: torch's lp_pool2d has no |.|)
        a = np.maximum(got, 0)
        ta = torch.from_numpy(a)
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        for p in (1, 2, 3, 2.5):
            assert_close(nn.lp_pool2d(a, p=p, kernel_size=k, stride=s, backend=backend),
                         F.lp_pool2d(ta, p, k, s).numpy(), dtype)
        signed = torch.from_numpy(got)
        assert_close(nn.lp_pool2d(got, p=2, kernel_size=k, stride=s, backend=backend),
                     F.lp_pool2d(signed, 2, k, s).numpy(), dtype)
        pad = (k[0] // 2, k[1] // 2)
        for ceil in (False, True):
            assert_close(nn.max_pool2d(got, kernel_size=k, stride=s, padding=pad, ceil_mode=ceil,
                                       backend=backend),
                         F.max_pool2d(signed, k, s, pad, ceil_mode=ceil).numpy(), dtype)
            assert_close(nn.avg_pool2d(got, kernel_size=k, stride=s, padding=pad, ceil_mode=ceil,
                                       backend=backend),
                         F.avg_pool2d(signed, k, s, pad, ceil_mode=ceil).numpy(), dtype)


def _torch_net(torch, circular=False):
    tnn = torch.nn
    torch.manual_seed(3)
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 3, padding=1, padding_mode="circular" if circular else "zeros"),
        tnn.ReLU(),
        tnn.LPPool2d(2, (2, 3)),
        tnn.Conv2d(6, 8, (3, 2), padding="same", dilation=(1, 2)),
        tnn.LeakyReLU(0.1),
        tnn.MaxPool2d(3, stride=2, padding=1),
        tnn.AvgPool2d(2, ceil_mode=True),
        tnn.Sequential(tnn.Flatten(), tnn.Dropout(0.5)),
        tnn.Linear(8 * 3 * 2, 16),
        tnn.Tanh(),
        tnn.Linear(16, 3),
        tnn.Sigmoid(),
    ).eval()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("circular", [False, True])
def test_network_from_torch(backend, dtype, circular):
    torch = pytest.importorskip("torch")
    tnet = _torch_net(torch, circular)
    net = nn.Network.from_torch(tnet)
    x = np.random.default_rng(4).standard_normal((5, 1, 20, 23)).astype(dtype)
    with torch.no_grad():
        want = tnet.to(getattr(torch, np.dtype(dtype).name))(torch.from_numpy(x)).numpy()
    got = net.forward(x, backend=backend)
    assert got.dtype == dtype and got.shape == (5, 3) == net.output_shape(x.shape)
    assert_close(got, want, dtype)
    theta = torch.nn.utils.parameters_to_vector(tnet.parameters()).detach().double().numpy()
    np.testing.assert_allclose(net.theta, theta, rtol=1e-7 if dtype == np.float32 else 0)


def test_network_theta_and_fusion(backend, rng):
    net = nn.Network([
        nn.Conv2d(rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4), padding="same"),
        nn.Abs(),
        nn.LpPool2d(p=2, kernel_size=2),
        nn.Flatten(),
        nn.Dense(rng.standard_normal((5, 4 * 3 * 4)), rng.standard_normal(5)),
        nn.ReLU(),
        nn.Dense(rng.standard_normal((2, 5))),
    ])
    assert net.n_parameters == 4 * 2 * 9 + 4 + 5 * 48 + 5 + 10
    x = rng.standard_normal((3, 2, 6, 8))
    y = net(x, backend=backend)
    # layer by layer, unfused, equals the fused forward
    z = x
    for layer in net.layers:
        z = layer(z, backend=backend)
    np.testing.assert_allclose(y, z, rtol=1e-12)
    # samples are independent; repeated calls reuse workspaces without changing results
    np.testing.assert_allclose(net(x[1:2], backend=backend), y[1:2], rtol=1e-12)
    np.testing.assert_array_equal(net(x, backend=backend), y)
    theta = net.theta
    net.theta = 2 * theta
    np.testing.assert_array_equal(net.get_theta(), 2 * theta)
    assert not np.allclose(net(x, backend=backend), y)
    net.set_theta(theta)
    np.testing.assert_array_equal(net(x, backend=backend), y)
    assert net(x.astype(np.float32), backend=backend).dtype == np.float32


# ---- errors ---------------------------------------------------------------------------------

def test_parameter_errors(rng):
    x = rng.standard_normal((2, 3, 8, 9))
    w = rng.standard_normal((4, 3, 3, 3))
    bad = [
        (lambda: nn.conv2d(x, w[:, :2]), "channels"),
        (lambda: nn.conv2d(x, w[0]), "weight"),
        (lambda: nn.conv2d(x, w, np.ones(3)), "bias"),
        (lambda: nn.conv2d(x, rng.standard_normal((4, 3, 9, 3))), "weight"),
        (lambda: nn.conv2d(x, w, dilation=(4, 1)), "weight"),
        (lambda: nn.conv2d(x, w, stride=0), "stride"),
        (lambda: nn.conv2d(x, w, stride=(1, 0)), "stride"),
        (lambda: nn.conv2d(x, w, dilation=0), "dilation"),
        (lambda: nn.conv2d(x, w, padding="half"), "padding"),
        (lambda: nn.conv2d(x, w, padding=-1), "padding"),
        (lambda: nn.conv2d(x, w, padding=(1, 2, 3)), "padding"),
        (lambda: nn.conv2d(x, w, operation="cross"), "operation"),
        (lambda: nn.conv2d(x, w, padding_mode="reflect"), "padding_mode"),
        (lambda: nn.conv2d(x.astype(int), w), "x"),
        (lambda: nn.conv2d(x, w, out=np.empty((2, 4, 6, 6))), "out"),
        (lambda: nn.conv_matrix(w, (3, 8)), "input_shape"),
        (lambda: nn.lp_pool2d(x, p=0.5, kernel_size=2), "p"),
        (lambda: nn.lp_pool2d(x, p=np.nan, kernel_size=2), "p"),
        (lambda: nn.lp_pool2d(x, p=2, kernel_size=0), "kernel_size"),
        (lambda: nn.lp_pool2d(x, p=2, kernel_size=10), "kernel_size"),
        (lambda: nn.max_pool2d(x, kernel_size=2, stride=0), "stride"),
        (lambda: nn.max_pool2d(x, kernel_size=2, padding=2), "padding"),
        (lambda: nn.avg_pool2d(x, kernel_size=(9, 2)), "kernel_size"),
        (lambda: nn.dense(x, rng.standard_normal((3, 8))), "features"),
        (lambda: nn.dense(x[..., :1, :], rng.standard_normal((3, 9)), np.ones(2)), "bias"),
        (lambda: nn.leaky_relu(x, negative_slope=np.inf), "negative_slope"),
        (lambda: nn.log_compression(x, gain=0), "gain"),
        (lambda: nn.conv2d(x, w, workers=0), "workers"),
        (lambda: nn.Network([nn.ReLU(), "relu"]), "layers"),
        (lambda: nn.Network([nn.ReLU()]).set_theta(np.ones(1)), "theta"),
        (lambda: nn.LpPool2d(p=0, kernel_size=2), "p"),
        (lambda: nn.Conv2d(w[0]), "weight"),
    ]
    for call, word in bad:
        with pytest.raises(ParameterError, match=word):
            call()


def test_from_torch_refuses_what_it_cannot_represent():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    for module in (tnn.Conv2d(2, 4, 3, groups=2), tnn.Conv2d(1, 1, 3, padding_mode="reflect"),
                   tnn.BatchNorm2d(3), tnn.LPPool2d(2, 2, ceil_mode=True),
                   tnn.MaxPool2d(2, dilation=2)):
        with pytest.raises(ParameterError):
            nn.Network.from_torch(tnn.Sequential(module))
