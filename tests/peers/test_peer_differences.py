"""gaborcore's deliberate differences from librosa 0.11.0, one test each (docs/migration.rst,
"Deliberate differences", gives the reasons).  Where librosa is installed each test also shows
librosa's own behaviour, so that a change on either side is noticed.
"""

import warnings

import numpy as np
import pytest
import scipy.signal

from .names import librosa, lr

needs_librosa = pytest.mark.skipif(librosa is None, reason="librosa not installed")
Y = np.random.default_rng(1401).standard_normal(6000)


@pytest.mark.parametrize("center", [True, False])
def test_uncovered_samples_warn(center):
    D = lr.stft(Y, n_fft=256, hop_length=400, center=center)
    with pytest.warns(UserWarning, match="hop_length=400 leaves .* no window covers"):
        got = lr.istft(D, n_fft=256, hop_length=400, center=center, length=Y.size)
    if librosa is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # librosa is silent
            want = librosa.istft(D, n_fft=256, hop_length=400, center=center, length=Y.size)
        np.testing.assert_allclose(got, want, atol=1e-9)


@pytest.mark.parametrize("mode", ["wrap", "maximum", "mean", "median", "minimum"])
def test_more_pad_modes(mode):
    got = lr.stft(Y, n_fft=512, hop_length=128, pad_mode=mode)
    padded = np.pad(Y, 256, mode=mode)
    frames = np.lib.stride_tricks.sliding_window_view(padded, 512)[::128]
    want = np.fft.rfft(frames * scipy.signal.get_window("hann", 512), axis=-1).T
    np.testing.assert_allclose(got, want, atol=1e-9)
    if librosa is not None:
        with pytest.raises(librosa.ParameterError):
            librosa.stft(Y, n_fft=512, hop_length=128, pad_mode=mode)


@needs_librosa
def test_float64_mel_filters_for_float64_signals():
    got = lr.feature.melspectrogram(y=Y, sr=22050)
    rounded = librosa.feature.melspectrogram(y=Y, sr=22050)  # float32 basis
    exact = librosa.feature.melspectrogram(y=Y, sr=22050, dtype=np.float64)
    np.testing.assert_allclose(got, exact, rtol=1e-10, atol=1e-12 * exact.max())
    assert np.abs(got - rounded).max() > 1e-10 * exact.max()


def test_bare_window_names_scipy_refuses():
    np.testing.assert_array_equal(lr.filters.get_window("kaiser", 64),
                                  scipy.signal.get_window(("kaiser", 12.0), 64))
    t = np.arange(65) - 32.0
    np.testing.assert_allclose(lr.filters.get_window("gaussian", 64),
                               np.exp(-np.pi * t**2 / 64)[:64], rtol=1e-12)
    for name in ("kaiser", "gaussian"):
        with pytest.raises(ValueError):
            scipy.signal.get_window(name, 64)


@needs_librosa
def test_fmax_above_nyquist_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        want = librosa.filters.mel(sr=22050, n_fft=2048, fmax=11500.0)
    with pytest.warns(UserWarning, match="above the Nyquist frequency"):
        got = lr.filters.mel(sr=22050, n_fft=2048, fmax=11500.0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_fmin_not_below_fmax_is_an_error():
    with pytest.raises(lr.ParameterError, match="fmin=4000"):
        lr.filters.mel(sr=22050, n_fft=2048, fmin=4000.0, fmax=3000.0)
    if librosa is not None:  # builds an inverted bank: negative weights, no positive one
        with pytest.warns(UserWarning, match="Empty filters"):
            W = librosa.filters.mel(sr=22050, n_fft=2048, fmin=4000.0, fmax=3000.0)
        assert W.max() <= 0 and W.min() < 0


def test_more_mfccs_than_bands_is_an_error():
    S = np.ones((16, 5))
    with pytest.raises(lr.ParameterError, match="n_mfcc=20 exceeds the 16 mel bands"):
        lr.feature.mfcc(S=S, n_mfcc=20)
    if librosa is not None:
        assert librosa.feature.mfcc(S=S, n_mfcc=20).shape == (16, 5)


def test_complex_signals_are_transformed():
    z = Y[:2048] + 1j * Y[2048:4096]
    D = lr.stft(z, n_fft=256, hop_length=64)
    assert D.shape[0] == 256  # both sides of the spectrum
    np.testing.assert_allclose(D[:129], lr.stft(Y[:2048], n_fft=256, hop_length=64)
                               + 1j * lr.stft(Y[2048:4096], n_fft=256, hop_length=64), atol=1e-9)
    if librosa is not None:
        with pytest.raises(librosa.ParameterError):
            librosa.stft(z, n_fft=256, hop_length=64)


def test_errors_are_value_errors_naming_the_argument():
    with pytest.raises(ValueError, match="hop_length=0"):
        lr.stft(Y, hop_length=0)
    assert issubclass(lr.ParameterError, ValueError)
