"""Port of librosa 0.11.0 tests/test_features.py (delta, mfcc, melspectrogram) and of the
n_fft inference of test_core.py::test__spectrogram.

Upstream: https://github.com/librosa/librosa/blob/0.11.0/tests/test_features.py (test_delta*,
test_mfcc*) and tests/test_core.py (test__spectrogram, through melspectrogram(S=...), its
public user).  Test intent restated in our own words, run against gaborcore through
:mod:`tests.peers.names`.
"""

import warnings

import numpy as np
import pytest

from .names import librosa, lr

RAMP = np.vstack([np.arange(100.0)] * 3)


@pytest.mark.parametrize("slope", np.linspace(-2, 2, num=6))
@pytest.mark.parametrize("width,axis", [(3, 0), (3, 1), (5, 1), (7, 1)])
@pytest.mark.parametrize("bias", [-10, 0, 10])
def test_delta_of_a_line_is_its_slope(slope, width, axis, bias):
    x = slope * RAMP + bias
    d = lr.feature.delta(x, width=width, order=1, axis=axis)
    assert d.shape == x.shape
    # away from the edges, x[t] + delta[t] is the next sample of a straight line
    inner = [slice(None)] * 2
    nxt = [slice(None)] * 2
    inner[axis] = slice(width // 2, -width // 2)
    nxt[axis] = slice(width // 2 + 1, -width // 2 + 1)
    np.testing.assert_allclose((x + d)[tuple(inner)], x[tuple(nxt)], atol=1e-9)


def test_delta_order_zero_is_an_error():
    with pytest.raises(lr.ParameterError):
        lr.feature.delta(np.ones((10, 10)), order=0)


@pytest.mark.parametrize("width,axis", [(-1, 0), (-1, 1), (0, 0), (0, 1), (1, 0), (1, 1), (2, 0),
                                        (2, 1), (4, 0), (4, 1), (5, 0), (6, 0), (6, 1), (7, 0)])
def test_delta_bad_width_for_the_axis(width, axis):
    # even, too small, or longer than the 3 rows of axis 0 (mode "interp")
    with pytest.raises(lr.ParameterError):
        lr.feature.delta(np.ones((3, 100)), width=width, axis=axis)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("dct_type", [1, 2, 3])
@pytest.mark.parametrize("norm", [None, "ortho"])
@pytest.mark.parametrize("n_mfcc", [13, 20])
@pytest.mark.parametrize("lifter", [0, 13])
def test_mfcc_shape_and_constant_dc(seed, dct_type, norm, n_mfcc, lifter):
    rng = np.random.default_rng(seed)
    S = lr.power_to_db(rng.standard_normal((128, 6)) ** 2, ref=np.max)
    S = S - S.mean(axis=0) + 5.0  # same band sum in every frame
    C = lr.feature.mfcc(S=S, dct_type=dct_type, norm=norm, n_mfcc=n_mfcc, lifter=lifter)
    assert C.shape == (n_mfcc, S.shape[1])
    if dct_type == 2:  # the type-2 DC term is the band sum, constant here
        assert np.var(C[0]) <= 1e-20 * max(1.0, np.abs(C[0]).max() ** 2)


@pytest.mark.parametrize("lifter", [-1, np.nan])
def test_mfcc_bad_lifter(lifter):
    S = np.random.default_rng(2).standard_normal((128, 100)) ** 2
    with pytest.raises(lr.ParameterError):
        lr.feature.mfcc(S=S, lifter=lifter)


@pytest.mark.skipif(librosa is None, reason="librosa not installed")
@pytest.mark.parametrize("n_mfcc", [13, 20])
@pytest.mark.parametrize("n_mels", [64, 128])
@pytest.mark.parametrize("dct_type", [1, 2, 3, 4])
@pytest.mark.parametrize("lifter", [0, 1, 2, 3, 22])
def test_mfcc_of_a_tone_matches_librosa(n_mfcc, n_mels, dct_type, lifter):
    # upstream builds the tone with librosa.tone and checks the inverse (mfcc_to_mel); the
    # forward transform is compared with librosa's here
    y = np.cos(2 * np.pi * 440.0 * np.arange(22050) / 22050)
    kw = dict(sr=22050, n_mels=n_mels, n_mfcc=n_mfcc, dct_type=dct_type, lifter=lifter)
    want = librosa.feature.mfcc(y=y, **kw)
    got = lr.feature.mfcc(y=y, **kw)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("n_fft", [1024, 755, 2048, 2049])
@pytest.mark.parametrize("hop", [None, 512])
@pytest.mark.parametrize("power", [1, 2])
def test_melspectrogram_from_S_infers_n_fft_as_librosa(n_fft, hop, power):
    y = np.random.default_rng(3).standard_normal(22050)
    S = np.abs(lr.stft(y, n_fft=n_fft, hop_length=hop)) ** power
    from_y = lr.feature.melspectrogram(y=y, n_fft=n_fft, hop_length=hop, power=power)
    # with the matching n_fft, S gives what y gives
    np.testing.assert_allclose(lr.feature.melspectrogram(S=S, n_fft=n_fft), from_y, rtol=1e-7,
                               atol=1e-9 * from_y.max())
    # without it, or with an n_fft that does not match S, n_fft is 2 (rows - 1): right for even
    # frame lengths, and the documented librosa behaviour for odd ones
    guess = 2 * (S.shape[-2] - 1)
    M = lr.filters.mel(sr=22050, n_fft=guess, dtype=np.float64)
    for kw in ({}, {"n_fft": 2 * n_fft}):
        np.testing.assert_allclose(lr.feature.melspectrogram(S=S, **kw), M @ S, rtol=1e-7,
                                   atol=1e-9 * from_y.max())
    if n_fft % 2 == 0:
        np.testing.assert_allclose(lr.feature.melspectrogram(S=S), from_y, rtol=1e-7,
                                   atol=1e-9 * from_y.max())


@pytest.mark.skipif(librosa is None, reason="librosa not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [dict(), dict(n_fft=1024, hop_length=256, n_mels=64),
                                dict(n_fft=2047, win_length=1500, window="hamming", power=1.0),
                                dict(center=False, fmin=50.0, fmax=8000.0, htk=True),
                                dict(pad_mode="reflect", norm=None),
                                dict(n_fft=512, n_mels=128)])
def test_melspectrogram_matches_librosa(dtype, kw):
    y = np.random.default_rng(4).standard_normal((2, 30000)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty filters at n_fft=512, the same in both
        want = librosa.feature.melspectrogram(y=y, sr=22050, **kw)
        got = lr.feature.melspectrogram(y=y, sr=22050, **kw)
    assert got.dtype == want.dtype
    tol = 2e-5 if dtype == np.float32 else 1e-6  # librosa's bank is float32 even for float64
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * want.max())
