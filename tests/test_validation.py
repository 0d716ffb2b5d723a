"""Every bad input raises ParameterError (a ValueError) whose message names the argument."""

import numpy as np
import pytest

import gaborcore
from gaborcore import STFT, ParameterError

Y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)


def test_parameter_error_is_value_error():
    assert issubclass(ParameterError, ValueError)


@pytest.mark.parametrize("y,match", [
    (np.arange(4096, dtype=np.int16), "dtype int16"),
    (np.ones(4096, dtype=bool), "dtype bool"),
    (np.array(1.0), "scalar"),
    (np.zeros((3, 0)), "empty"),
    (np.zeros(0, np.float32), "empty"),
    (np.where(np.arange(4096) == 7, np.nan, 0.0), "NaN"),
    (np.where(np.arange(4096) == 7, np.inf, 0.0).astype(np.float32), "Inf"),
    ("not an array", "numpy array"),
])
@pytest.mark.parametrize("fn", [gaborcore.stft, gaborcore.spectrogram])
def test_bad_signals(backend, fn, y, match):
    with pytest.raises(ParameterError, match=match) as info:
        fn(y, n_fft=2048, hop_length=512, backend=backend)
    assert "y" in str(info.value)


@pytest.mark.parametrize("fn", [gaborcore.stft, gaborcore.spectrogram])
def test_float16_is_computed_in_float32(fn):
    # issue 14: as librosa, half precision is accepted; it is computed in single precision
    y16 = Y[:4096].astype(np.float16)
    got = fn(y16, n_fft=512)
    assert got.dtype in (np.float32, np.complex64)
    np.testing.assert_array_equal(got, fn(y16.astype(np.float32), n_fft=512))


def test_complex_signal_refused_by_spectrogram_input_check():
    with pytest.raises(ParameterError, match="complex128"):
        gaborcore.spectrogram(Y.astype(np.complex128), n_fft=512)


@pytest.mark.parametrize("kwargs,name", [
    (dict(hop_length=0), "hop_length"),
    (dict(hop_length=-5), "hop_length"),
    (dict(hop_length=True), "hop_length"),
    (dict(hop_length=2.5), "hop_length"),
    (dict(n_fft=0), "n_fft"),
    (dict(n_fft=True), "n_fft"),
    (dict(win_length=4096), "win_length"),
    (dict(win_length=0), "win_length"),
    (dict(window="hanning-ish"), "window"),
    (dict(window=("kaiser",)), "window"),
    (dict(window=np.ones(3000)), "win_length"),
    (dict(pad_mode="edgy"), "pad_mode"),
    (dict(window=None), "window"),
    (dict(phase_convention="ltfat"), "phase_convention"),
])
def test_bad_parameters(kwargs, name):
    params = dict(n_fft=2048, hop_length=512) | kwargs
    with pytest.raises(ParameterError, match=name):
        gaborcore.stft(Y, **params)
    with pytest.raises(ParameterError, match=name):
        STFT(**params)


@pytest.mark.parametrize("power", [0, -1, np.nan, np.inf, "2"])
def test_bad_power(power):
    with pytest.raises(ParameterError, match="power"):
        gaborcore.spectrogram(Y, n_fft=512, power=power)


def test_bad_out_buffers():
    plan = STFT(n_fft=512, hop_length=128)
    shape = plan.output_shape(Y.shape)
    for out in (np.empty(shape, np.float64), np.empty(shape[::-1], np.float32),
                np.empty((shape[0], shape[1] * 2), np.float32)[:, ::2], [0.0]):
        with pytest.raises(ParameterError, match="out"):
            plan.spectrogram(Y, out=out)
    ro = np.empty(shape, np.float32)
    ro.setflags(write=False)
    with pytest.raises(ParameterError, match="read-only"):
        plan.spectrogram(Y, out=ro)


def test_bad_istft_input():
    plan = STFT(n_fft=512, hop_length=128)
    X = plan.stft(Y)
    with pytest.raises(ParameterError, match="stft_matrix"):
        plan.istft(np.abs(X))
    with pytest.raises(ParameterError, match="stft_matrix"):
        plan.istft(X[:-1])
    bad = X.copy()
    bad[3, 3] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        plan.istft(bad)
    with pytest.raises(ParameterError, match="length"):
        plan.istft(X, length=0)


def test_non_invertible_hop_warns_and_inverts_what_is_covered():
    # issue 14: as librosa, the gaps are returned as 0 (with a warning naming the hop)
    plan = STFT(n_fft=256, win_length=64, hop_length=200)
    X = plan.stft(Y.astype(np.float64))
    with pytest.warns(UserWarning, match="hop_length=200 leaves"):
        plan.istft(X, length=Y.size)


def test_short_signal_needs_n_fft_samples_only_without_centring():
    with pytest.raises(ParameterError, match="n_fft=2048 is too large"):
        gaborcore.stft(np.ones(100, np.float32), n_fft=2048, center=False)
    with pytest.warns(UserWarning, match="n_fft=2048 is too large for input signal of length=100"):
        gaborcore.stft(np.ones(100, np.float32), n_fft=2048)


def test_dgt_length_must_fit_the_lattice():
    with pytest.raises(ParameterError, match="multiple"):
        gaborcore.dgt(np.ones(100), n_fft=16, hop_length=4)


# ---- issue 13: the findings of the hostile-caller run, one regression test each ---------------

def _raises_naming(fn, name, *args, **kwargs):
    with pytest.raises(ParameterError) as info:
        fn(*args, **kwargs)
    assert name in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("call,name", [
    (lambda: gaborcore.operators.ambiguity_rows(np.hanning(1024), 0, 10**6), "n_rows"),
    (lambda: gaborcore.operators.torus_window(np.ones(8), 10**12), "length"),
    (lambda: gaborcore.frame_diagonal(np.hanning(16), 16, 10**9), "n_frames"),
    (lambda: gaborcore.stft(Y, n_fft=2**31), "n_fft"),
    (lambda: gaborcore.stft(Y, n_fft=2**63), "n_fft"),
    (lambda: gaborcore.stft(Y, n_fft=256, hop_length=2**63), "hop_length"),
    (lambda: gaborcore.operators.wigner(np.ones(2**17 + 1)), "f"),
])
def test_sizes_are_refused_before_allocating(call, name):
    msg = _raises_naming(call, name)
    assert "MAX_ELEMENTS" in msg or "at most" in msg or "GiB" in msg


def test_size_limit_is_checked_against_available_memory(monkeypatch):
    from gaborcore import _validation
    monkeypatch.setattr(_validation, "_available_memory", lambda: 1 << 20)
    msg = _raises_naming(gaborcore.operators.torus_window, "length", np.ones(8), 1 << 24)
    assert "available" in msg
    assert gaborcore.operators.torus_window(np.ones(8), 1 << 10).shape == (1 << 10,)


@pytest.mark.parametrize("window", [np.array([object()] * 4), np.ones((2, 2)), np.zeros(0),
                                    np.array([1.0, np.nan])])
def test_torus_window_refuses_non_windows(window):
    _raises_naming(gaborcore.operators.torus_window, "window", window, 64)


@pytest.mark.parametrize("kwargs,name", [(dict(hop_length=0, n_fft=4), "hop_length"),
                                         (dict(hop_length=4, n_fft=0), "n_fft"),
                                         (dict(hop_length=2.5, n_fft=4), "hop_length")])
def test_gabor_multiplier_lattice_arguments(kwargs, name):
    _raises_naming(gaborcore.operators.GaborMultiplier, name, np.ones((4, 4)), np.ones(16),
                   **kwargs)


@pytest.mark.parametrize("args,name", [((np.hanning(16), 0, 4), "hop_length"),
                                       ((np.hanning(16), 4, 0), "n_frames"),
                                       ((np.ones((4, 4)), 2, 4), "window"),
                                       ((np.array(["a"]), 2, 4), "window")])
def test_frame_diagonal_arguments(args, name):
    _raises_naming(gaborcore.frame_diagonal, name, *args)


def test_relu_of_minus_inf_is_zero_on_every_backend():
    x = np.array([-np.inf, -1.0, -0.0, 0.5, np.inf, np.nan], np.float32)
    for backend in gaborcore.available_backends():
        got = gaborcore.nn.relu(x, backend=backend)
        np.testing.assert_array_equal(got, [0, 0, 0, 0.5, np.inf, 0], err_msg=backend)
        assert not np.signbit(got[:3]).any(), backend


def test_log_compression_is_log1p_of_relu_on_every_backend():
    x = np.array([-5.0, -np.inf, 0.0, 1.0], np.float64)
    for backend in gaborcore.available_backends():
        got = gaborcore.nn.log_compression(x, gain=2.0, backend=backend)
        np.testing.assert_allclose(got, np.log1p(2 * np.maximum(x, 0)), err_msg=backend)


@pytest.mark.parametrize("op", ["avg", "lp2", "lp3", "conv", "dense", "network"])
def test_float32_overflow_is_the_same_on_every_backend(op, rng):
    big = np.finfo(np.float32).max
    x = (rng.uniform(-1, 1, (2, 1, 8, 8)) * big).astype(np.float32)
    x[0, 0, :2, :2] = big  # a block whose sum exceeds float32
    nn = gaborcore.nn
    calls = {
        "avg": lambda b: nn.avg_pool2d(x, kernel_size=2, backend=b),
        "lp2": lambda b: nn.lp_pool2d(x, p=2, kernel_size=2, backend=b),
        "lp3": lambda b: nn.lp_pool2d(x, p=3, kernel_size=2, backend=b),
        "conv": lambda b: nn.conv2d(x, np.ones((2, 1, 3, 3)), backend=b),
        "dense": lambda b: nn.dense(x.reshape(2, 64), np.ones((3, 64)) / 3, backend=b),
        "network": lambda b: nn.Network([nn.Conv2d(np.ones((2, 1, 3, 3)) / 9), nn.ReLU(),
                                          nn.AvgPool2d(kernel_size=2)])(x, backend=b),
    }
    results = [calls[op](b) for b in gaborcore.available_backends()]
    want = results[-1]
    for got in results:
        assert not np.isnan(got).any()
        np.testing.assert_allclose(got, want, rtol=1e-5)
    # the average of a block of float32 values is a float32 value: no overflow at all
    if op == "avg":
        assert np.isfinite(want).all()
        np.testing.assert_allclose(want[0, 0, 0, 0], big, rtol=1e-6)


def test_float64_sums_that_may_overflow_are_refused():
    x = np.full((1, 1, 4, 4), 1e308)
    _raises_naming(gaborcore.nn.avg_pool2d, "x", x, kernel_size=2)
    _raises_naming(gaborcore.nn.conv2d, "x", x, np.ones((1, 1, 2, 2)))


def test_network_names_the_layer_whose_input_overflowed():
    nn = gaborcore.nn
    x = np.full((1, 1, 6, 6), np.finfo(np.float32).max / 2, np.float32)
    net = nn.Network([nn.Conv2d(np.ones((1, 1, 3, 3))), nn.Conv2d(np.ones((1, 1, 3, 3)))])
    msg = _raises_naming(net, "layer 1", x)
    assert "layer 0" in msg


@pytest.mark.parametrize("fn", [gaborcore.nn.conv2d, gaborcore.nn.avg_pool2d,
                                gaborcore.nn.max_pool2d])
def test_nn_refuses_nan_where_backends_would_differ(fn):
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    kwargs = dict(kernel_size=2) if fn is not gaborcore.nn.conv2d else {}
    args = (np.ones((1, 1, 2, 2)),) if fn is gaborcore.nn.conv2d else ()
    _raises_naming(fn, "x", x, *args, **kwargs)


def test_weights_beyond_float32_are_refused_for_float32_data():
    _raises_naming(gaborcore.nn.conv2d, "weight", np.ones((1, 1, 4, 4), np.float32),
                   np.full((1, 1, 2, 2), 1e300))


@pytest.mark.parametrize("S,w,name", [
    ("abc", np.ones((4, 4)), "S"),
    (np.ones((4, 4)), None, "w"),
    (np.ones(4), np.ones(4), "S"),
    (np.ones((4, 4)), np.ones((3, 4)), "w"),
    (np.ones((4, 4)), np.full((4, 4), np.nan), "w"),
])
@pytest.mark.parametrize("fn", ["correlate2d", "convolve2d"])
def test_torus_convolutions_check_their_arguments(fn, S, w, name):
    _raises_naming(getattr(gaborcore.equivalence, fn), name, S, w)


@pytest.mark.parametrize("sr", [None, "a", True, 0, -1.0, np.nan, np.inf])
def test_sample_rate_is_a_positive_number(sr):
    _raises_naming(gaborcore.melspectrogram, "sr", Y, sr=sr)
    _raises_naming(gaborcore.MelSpectrogram, "sr", sr=sr)


@pytest.mark.parametrize("ref", ["x", None, np.nan, [1.0, 2.0]])
def test_power_to_db_ref(ref):
    _raises_naming(gaborcore.power_to_db, "ref", np.ones(4), ref=ref)


def test_hz_to_mel_refuses_non_numbers():
    for bad in [None, "440", object()]:
        _raises_naming(gaborcore.hz_to_mel, "frequencies", bad)
    assert gaborcore.hz_to_mel(440.0) == pytest.approx(6.6)


def test_log1p_compress_refuses_negative_power():
    msg = _raises_naming(gaborcore.log1p_compress, "S", np.array([-2.0, 1.0]))
    assert "negative" in msg
    np.testing.assert_allclose(gaborcore.log1p_compress(np.array([0.0, 1.0])), [0, np.log(2)])


def test_idgt_refuses_a_window_that_leaves_the_torus_uncovered():
    f = np.random.default_rng(1).standard_normal(64)
    c = gaborcore.dgt(f, n_fft=16, hop_length=16, window=np.ones(10))
    msg = _raises_naming(gaborcore.idgt, "hop_length", c, length=64, n_fft=16, hop_length=16,
                         window=np.ones(10))
    assert "uncovered" in msg
    c = gaborcore.dgt(f, n_fft=16, hop_length=8, window=np.ones(10))
    np.testing.assert_allclose(gaborcore.idgt(c, length=64, n_fft=16, hop_length=8,
                                              window=np.ones(10)), f, atol=1e-12)


def test_conv2d_with_a_stride_beyond_the_input_is_one_output_not_a_crash(backend):
    # a stride of 2**62 made the C kernel's buffer arithmetic overflow (SIGFPE)
    x = np.arange(5 * 22, dtype=np.float64).reshape(1, 5, 22)
    w = np.ones((2, 1, 3, 2))
    got = gaborcore.nn.conv2d(x, w, stride=2**62, padding=1, backend=backend)
    want = gaborcore.nn.conv2d(x, w, stride=(7, 24), padding=1, backend=backend)
    np.testing.assert_array_equal(got, want)
    assert got.shape == (2, 1, 1)
    _raises_naming(gaborcore.nn.conv2d, "padding", x, w, stride=2**62, padding=2**31,
                   backend=backend)


@pytest.mark.parametrize("call", [
    lambda: gaborcore.spectrogram(np.full(512, 1e30, np.float32), n_fft=64),
    lambda: gaborcore.melspectrogram(np.full(512, 1e20, np.float32), n_fft=64, n_mels=8),
    lambda: gaborcore.istft(np.full((33, 5), 4e37, np.complex64)),
    lambda: gaborcore.operators.ambiguity(np.full(16, 1e300)),
    lambda: gaborcore.equivalence.convolve2d(np.full((4, 4), 3e37, np.float32),
                                             np.ones((4, 4), np.float32)),
])
def test_finite_input_that_would_overflow_to_nan_is_refused(call):
    with pytest.raises(ParameterError, match="too large"):
        call()


@pytest.mark.parametrize("kwargs,name", [(dict(pool=0), "pool"), (dict(beta=-1.0), "beta"),
                                         (dict(long_window=10**9), "long_window"),
                                         (dict(short_window="a"), "short_window"),
                                         (dict(hop_length=0), "hop_length")])
def test_figure1_checks_its_arguments_before_running(kwargs, name):
    # pool=0 raised ZeroDivisionError after the 20 s pipeline
    _raises_naming(gaborcore.figure1.figure1, name, plot=False, **kwargs)


@pytest.mark.parametrize("call,name", [
    # found by the long fuzz profile
    (lambda: gaborcore.filterbank(sr=100.0, n_fft=2, n_bands=160, fmin=5e-324, scale="log"),
     "fmin"),
    (lambda: gaborcore.istft(np.ones((2, 1), np.complex64), n_fft=2, hop_length=2**31,
                             center=False), "hop_length"),
    (lambda: gaborcore.dgt(np.full(8, 2.4e37, np.float32), n_fft=4, hop_length=1,
                           window="boxcar"), "f"),
])
def test_long_fuzz_findings_are_parameter_errors_naming_the_argument(call, name):
    _raises_naming(call, name)


def test_bark_of_huge_frequencies_is_finite():
    # 26.81 f overflowed to inf and inf / inf gave NaN
    assert gaborcore.hz_to_scale(1e308, "bark") == pytest.approx(26.28)
    with pytest.warns(UserWarning):  # fmax above Nyquist, as librosa
        w = gaborcore.filterbank(sr=22050, n_fft=8, n_bands=3, fmax=1e308, scale="bark")
    assert np.isfinite(w).all()


def test_max_memory_environment_variable_caps_allocations(monkeypatch):
    """GABORCORE_MAX_MEMORY bounds what one call may allocate, with a ParameterError that names
    the argument and the variable; a malformed value is refused naming the variable."""
    y = np.zeros(1 << 20, np.float32)
    monkeypatch.setenv("GABORCORE_MAX_MEMORY", "64M")
    with pytest.raises(gaborcore.ParameterError, match=r"^y: .*GABORCORE_MAX_MEMORY allows"):
        gaborcore.stft(y, n_fft=4096, hop_length=16)       # 128 MiB of complex64
    assert gaborcore.stft(y[:4096], n_fft=256).shape == (129, 65)
    monkeypatch.setenv("GABORCORE_MAX_MEMORY", "lots")
    with pytest.raises(gaborcore.ParameterError, match="GABORCORE_MAX_MEMORY='lots'"):
        gaborcore.stft(y, n_fft=4096, hop_length=16)


def test_long_fuzz_findings_db_and_zero_window():
    """Found by the long fuzz profile: amplitude_to_db with a huge ref and a NaN in S raised
    OverflowError; float16 S with ref=0 gave NaN (amin underflowed in half precision); the
    lattice ambiguity of an all-zero window raised an error naming no argument (it is zero)."""
    from gaborcore import operators

    S = np.array([[0.5, np.nan, 0.9]], np.float32)
    with pytest.raises(gaborcore.ParameterError, match="S or ref"):
        gaborcore.amplitude_to_db(S, ref=1e308)
    half = np.ones((2, 3), np.float16)
    for f in (gaborcore.amplitude_to_db, gaborcore.power_to_db):
        out = f(half, ref=0.0)
        assert out.dtype == np.float32 and np.isfinite(out).all()
        np.testing.assert_allclose(out, f(half.astype(np.float32), ref=0.0))
    A = operators.ambiguity_lattice(np.zeros(16, np.float16), hop_length=4, n_fft=8)
    assert A.shape == (4, 8) and not A.any()
    R = operators.ambiguity_rows(np.zeros(16, np.float16), 0, 1)
    assert R.shape == (1, 16) and not R.any()
    G = operators.GaborMultiplier(np.ones((4, 8)), np.zeros(16), hop_length=4, n_fft=8)
    assert not G.apply(np.ones(16)).any()
