"""Agreement with librosa for the same parameters (librosa is a test-only dependency)."""

import numpy as np
import pytest

import gaborcore

librosa = pytest.importorskip("librosa")

TOL = {np.float32: 1e-5, np.float64: 1e-10}

PARAMS = [
    dict(n_fft=2048, hop_length=512),
    dict(n_fft=512, hop_length=128, window="hamming"),
    dict(n_fft=1024, hop_length=300, win_length=800, window="blackman"),
    dict(n_fft=255, hop_length=64, center=False),
    dict(n_fft=400, hop_length=100, pad_mode="reflect"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("params", PARAMS)
def test_stft_matches_librosa(backend, dtype, params, rng):
    y = rng.standard_normal((2, 22050 + 17)).astype(dtype)
    want = librosa.stft(y, **params)
    got = gaborcore.stft(y, backend=backend, **params)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype] * np.abs(want).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("params", [p for p in PARAMS if p.get("center", True)])
def test_istft_matches_librosa(backend, dtype, params, rng):
    y = rng.standard_normal(22050 + 17).astype(dtype)
    X = librosa.stft(y, **params)
    inv = {k: v for k, v in params.items() if k != "pad_mode"}
    want = librosa.istft(X, length=y.size, **inv)
    got = gaborcore.istft(X, length=y.size, backend=backend, **inv)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype] * np.abs(want).max())


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman", ("kaiser", 8.0), ("tukey", 0.3)])
def test_windows_match_librosa(window):
    np.testing.assert_allclose(gaborcore.get_window(window, 1000),
                               librosa.filters.get_window(window, 1000), rtol=1e-12, atol=1e-14)
