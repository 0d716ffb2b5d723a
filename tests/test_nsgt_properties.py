"""Property-based tests (hypothesis) of the transforms' identities on random sizes and scales:
perfect reconstruction, the frame bounds (Parseval with the frame operator's diagonal),
istft(stft(x)) and the sliced transform."""

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import gaborcore  # noqa: E402
from gaborcore import NSGT, ParameterError, SlicedNSGT  # noqa: E402

BACKENDS = gaborcore.available_backends()
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)


@st.composite
def designs(draw):
    """A random NSGT design that is valid or refused with a ParameterError."""
    sr = draw(st.sampled_from([8000.0, 16000.0, 22050.0, 44100.0]))
    L = draw(st.integers(64, 6000))
    scale = draw(st.sampled_from(["cqt", "vqt", "mel", "bark", "erb", "log", "linear"]))
    fmin = draw(st.floats(20.0, 0.2 * sr))
    fmax = draw(st.floats(fmin * 1.5, 0.6 * sr))  # beyond sr/2: bands dropped, with a warning
    kw = dict(length=L, sr=sr, scale=scale, fmin=fmin, fmax=fmax,
              layout=draw(st.sampled_from(gaborcore.nsgt.LAYOUTS)),
              real=draw(st.booleans()),
              band_lengths=draw(st.sampled_from(gaborcore.nsgt.BAND_LENGTHS)),
              window=draw(st.sampled_from(gaborcore.nsgt.FREQUENCY_WINDOWS)))
    if scale in ("cqt", "vqt"):
        kw["bins_per_octave"] = draw(st.integers(1, 24))
        if scale == "vqt":
            kw["gamma"] = draw(st.floats(0.0, 50.0))
    else:
        kw["n_bins"] = draw(st.integers(2, 80))
    return kw, draw(st.sampled_from(BACKENDS)), draw(st.integers(0, 2**32 - 1))


def _plan(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # bands above Nyquist dropped
        try:
            return NSGT(**kw)
        except ParameterError:
            return None  # a design the library refuses, with the documented error


def _signal(seed, L, real):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(L)
    return y if real else y + 1j * rng.standard_normal(L)


@SETTINGS
@given(designs())
def test_perfect_reconstruction(case):
    kw, backend, seed = case
    plan = _plan(kw)
    if plan is None:
        return
    y = _signal(seed, kw["length"], kw["real"])
    rec = plan.inverse(plan.forward(y, backend=backend), backend=backend)
    np.testing.assert_allclose(rec, y, atol=1e-10 * np.abs(y).max())


@SETTINGS
@given(designs())
def test_energy_is_the_frame_operator_quadratic_form(case):
    """sum |c|^2 = sum_j D[j] |F[j]|^2 (implied mirror bands of real plans counted twice), so
    L A ||f||^2 <= sum |c|^2 <= L B ||f||^2 with (A, B) = plan.frame_bounds."""
    kw, backend, seed = case
    plan = _plan(kw)
    if plan is None:
        return
    L = kw["length"]
    y = _signal(seed, L, kw["real"])
    c = plan.forward(y, backend=backend)
    weight = np.where(plan.bands.kind == "band", 2.0, 1.0) if plan.real else np.ones(len(
        plan.bands))
    energy = sum(w * np.sum(np.abs(b) ** 2) for w, b in zip(weight, c.bands(), strict=True))
    F = np.fft.fft(y)
    np.testing.assert_allclose(energy, np.sum(plan.diagonal * np.abs(F) ** 2), rtol=1e-9)
    A, B = plan.frame_bounds
    norm2 = np.sum(np.abs(y) ** 2)
    assert L * A * norm2 * (1 - 1e-9) <= energy <= L * B * norm2 * (1 + 1e-9)


@SETTINGS
@given(st.integers(16, 4000), st.integers(0, 3), st.integers(2, 9), st.booleans(),
       st.sampled_from(BACKENDS), st.integers(0, 2**32 - 1))
def test_sliced_reconstruction(n, quarter_exp, log_slice, real, backend, seed):
    s = 4 * 2 ** log_slice  # 16 .. 2048
    tr = max(1, (s // 2) >> quarter_exp)
    try:
        sl = SlicedNSGT(slice_length=max(s, 64), transition=min(tr, max(s, 64) // 2),
                        sr=22050.0, fmin=2000.0, fmax=9000.0, bins_per_octave=3, real=real)
    except ParameterError:
        return
    y = _signal(seed, n, real)
    rec = sl.inverse(sl.forward(y, backend=backend), length=n, backend=backend)
    np.testing.assert_allclose(rec, y, atol=1e-10 * np.abs(y).max())


@SETTINGS
@given(st.integers(3, 11), st.integers(1, 4), st.integers(1, 5000), st.booleans(),
       st.sampled_from(BACKENDS), st.integers(0, 2**32 - 1))
def test_istft_of_stft(log_nfft, hop_div, n, center, backend, seed):
    n_fft = 2**log_nfft
    hop = max(1, n_fft // (2 * hop_div))  # at least 2 Hann windows over every sample
    if not center and n < n_fft:
        return
    y = np.random.default_rng(seed).standard_normal(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # short signals warn as librosa
        X = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, center=center, backend=backend)
        rec = gaborcore.istft(X, hop_length=hop, n_fft=n_fft, length=n, center=center,
                              backend=backend)
    # uncentred: the first and last samples lie under window tails only where the window is 0
    lo, hi = (0, n) if center else (1, n - n_fft)
    if hi > lo:
        np.testing.assert_allclose(rec[lo:hi], y[lo:hi], atol=1e-9)


@SETTINGS
@given(designs(), st.integers(1, 300))
def test_folded_analysis_agrees_across_backends(case, m):
    """painless=False with M_k below the window support: every backend folds the same way (the
    folded coefficients as filter outputs are checked in test_nsgt.py's cqt tests)."""
    kw, _, seed = case
    kw = dict(kw, M=m, painless=False, layout="ragged")
    plan = _plan(kw)
    if plan is None:
        return
    y = _signal(seed, kw["length"], kw["real"])
    ref = plan.forward(y, backend="numpy").data
    for b in BACKENDS:
        got = plan.forward(y, backend=b).data
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * max(np.abs(ref).max(), 1e-300))


@SETTINGS
@given(st.integers(1, 20000), st.integers(1, 2048), st.integers(2, 60), st.integers(1, 24),
       st.floats(20.0, 400.0), st.integers(0, 2**32 - 1))
def test_cqt_shapes_and_backends(n, hop, n_bins, bins_per_octave, fmin, seed):
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    kw = dict(sr=22050.0, hop_length=hop, fmin=fmin, n_bins=n_bins,
              bins_per_octave=bins_per_octave)
    try:
        ref = gaborcore.cqt(y, backend="numpy", **kw)
    except ParameterError:
        return  # bands beyond Nyquist, refused by name
    assert ref.shape == (n_bins, 1 + n // hop) and ref.dtype == np.float32
    assert np.all(np.isfinite(ref)) and np.all(ref >= 0)
    for b in BACKENDS:
        np.testing.assert_allclose(gaborcore.cqt(y, backend=b, **kw), ref, rtol=0,
                                   atol=1e-4 * max(float(ref.max()), 1e-30))
