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
