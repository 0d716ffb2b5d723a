"""Windows, dual and tight windows, frame bounds (identity I11 of docs/theory.rst, in matrix form)."""

import numpy as np
import pytest

import gaborcore
from gaborcore import ParameterError

from . import reference

NAMES = ["hann", "hamming", "blackman", "blackmanharris", "sine", "rectangular",
         ("tukey", 0.25), ("kaiser", 8.6)]
SCIPY = {"rectangular": "boxcar"}


@pytest.mark.parametrize("fftbins", [True, False])
@pytest.mark.parametrize("n", [1, 2, 7, 64, 255])
@pytest.mark.parametrize("name", NAMES)
def test_windows_match_scipy(name, n, fftbins):
    ref_name = SCIPY.get(name, name) if isinstance(name, str) else name
    want = reference.window(ref_name, n, fftbins=fftbins)
    got = gaborcore.get_window(name, n, fftbins=fftbins)
    assert got.dtype == np.float64 and got.shape == (n,)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_gaussian_by_time_frequency_ratio():
    n = 256
    w = gaborcore.get_window(("tfr_gaussian", 1.0), n, fftbins=False)
    t = np.arange(n) - (n - 1) / 2
    np.testing.assert_allclose(w, np.exp(-np.pi * t**2 / (n - 1)), rtol=1e-13)
    # a larger ratio spreads further in time
    wide = gaborcore.get_window(("tfr_gaussian", 4.0), n)
    assert wide[n // 4] > gaborcore.get_window(("tfr_gaussian", 1.0), n)[n // 4]
    # the bare name is the tfr = 1 window (its meaning before scipy's tuples were adopted)
    np.testing.assert_array_equal(gaborcore.get_window("gaussian", n),
                                  gaborcore.get_window(("tfr_gaussian", 1.0), n))
    # tfr = 1 spreads equally in time and frequency: the periodic window's DFT magnitude is the
    # same Gaussian (Poisson summation), up to the factor sqrt(L) and a shift to the centre
    L = 64
    g = gaborcore.get_window(("tfr_gaussian", 1.0), L)
    np.testing.assert_allclose(np.abs(np.fft.fft(g)) / np.sqrt(L), np.fft.ifftshift(g), atol=1e-12)
    g2 = gaborcore.get_window(("tfr_gaussian", 2.0), L)
    assert not np.allclose(np.abs(np.fft.fft(g2)) / np.sqrt(L), np.fft.ifftshift(g2), atol=1e-3)


@pytest.mark.parametrize("fftbins", [True, False])
@pytest.mark.parametrize("spec", [("gaussian", 7.0), ("gaussian", 0.5), "bartlett", "flattop",
                                  "triang", "parzen", "nuttall", ("general_gaussian", 1.5, 7.0),
                                  ("dpss", 3.0), ("chebwin", 80), 8.6, 3, "cosine", "boxcar"])
def test_every_scipy_window_in_scipys_meaning(spec, fftbins):
    """Issue 14: ("gaussian", 7.0) is scipy's std (it was read as a time-frequency ratio), and
    every spec scipy.signal.get_window accepts works (a number is a Kaiser beta)."""
    import scipy.signal

    for n in (1, 64, 101):
        want = scipy.signal.get_window(spec, n, fftbins=fftbins)
        got = gaborcore.get_window(spec, n, fftbins=fftbins)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, want)


def test_callable_window_is_called_with_the_length():
    import scipy.signal

    np.testing.assert_array_equal(gaborcore.get_window(scipy.signal.windows.hann, 64),
                                  scipy.signal.windows.hann(64))
    with pytest.raises(ParameterError, match="samples but win_length=64"):
        gaborcore.get_window(lambda n: np.ones(n + 1), 64)
    with pytest.raises(ParameterError, match="calling it with 64 failed"):
        gaborcore.get_window(lambda n: 1 / 0, 64)


@pytest.mark.parametrize("bad", [None, True, {"a": 1}, object(), ("gaussian", 1.0, 2.0, 3.0),
                                 (3.0, "hann"), ()])
def test_window_specs_librosa_refuses(bad):
    with pytest.raises(ParameterError, match="window"):
        gaborcore.get_window(bad, 16)


def test_librosa_signatures_of_window_helpers():
    # get_window(window, Nx, *, fftbins) and pad_center(data, *, size, axis, **kwargs)
    assert gaborcore.get_window("hann", Nx=8).shape == (8,)
    assert gaborcore.get_window("hann", win_length=8).shape == (8,)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(gaborcore.pad_center(x, size=5, axis=0)[:, 0], [0, 0, 3, 0, 0])
    np.testing.assert_array_equal(gaborcore.pad_center(x[0], size=7, mode="edge"),
                                  [0, 0, 0, 1, 2, 2, 2])
    np.testing.assert_array_equal(gaborcore.pad_center(x[0], 4), [0, 1, 2, 0])
    with pytest.raises(ParameterError, match="size=2"):
        gaborcore.pad_center(x[0], size=2)


def test_array_window_passes_through():
    w = np.linspace(0.1, 1, 10)
    np.testing.assert_array_equal(gaborcore.get_window(w, 10), w)


@pytest.mark.parametrize("bad", ["hanning-ish", "nope", ("kaiser", 1, 2), ("hann", 3.0)])
def test_unknown_or_malformed_window_names(bad):
    with pytest.raises(ParameterError, match="window"):
        gaborcore.get_window(bad, 16)


def test_array_window_errors():
    with pytest.raises(ParameterError, match="win_length"):
        gaborcore.get_window(np.ones(5), 6)
    with pytest.raises(ParameterError, match="NaN"):
        gaborcore.get_window(np.array([1.0, np.nan]), 2)
    with pytest.raises(ParameterError, match="zeros"):
        gaborcore.get_window(np.zeros(4), 4)


def _periodic_frame_operator(w, hop, n_fft, L):
    g = reference.centred_on_torus(gaborcore.pad_center(w, n_fft), L)
    return g, reference.frame_operator(g, hop, n_fft)


@pytest.mark.parametrize("name,n_fft,hop,win", [("hann", 16, 4, 16), ("hamming", 15, 5, 12),
                                                ("blackman", 12, 3, 9), (("kaiser", 5.0), 8, 8, 8)])
def test_dual_and_tight_windows_against_frame_operator(name, n_fft, hop, win):
    L = n_fft * hop * 2
    w = gaborcore.get_window(name, win)
    g, S = _periodic_frame_operator(w, hop, n_fft, L)
    # painless: the frame operator is diagonal, D = n_fft * sum_n |g(t - n hop)|^2
    D = np.real(np.diag(S))
    np.testing.assert_allclose(S, np.diag(D), atol=1e-12 * D.max())
    A, B = gaborcore.frame_bounds(name, hop_length=hop, n_fft=n_fft, win_length=win)
    np.testing.assert_allclose([A, B], [D.min(), D.max()], rtol=1e-12)
    # canonical dual = S^-1 g ; canonical tight = S^-1/2 g
    gamma = gaborcore.dual_window(name, hop_length=hop, n_fft=n_fft, win_length=win)
    tight = gaborcore.tight_window(name, hop_length=hop, n_fft=n_fft, win_length=win)
    np.testing.assert_allclose(reference.centred_on_torus(gamma, L), g / D, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(reference.centred_on_torus(tight, L), g / np.sqrt(D),
                               rtol=1e-12, atol=1e-15)
    # the tight window generates a Parseval frame
    T = reference.frame_operator(reference.centred_on_torus(tight, L), hop, n_fft)
    np.testing.assert_allclose(T, np.eye(L), atol=1e-12)


def test_tight_frame_has_equal_bounds():
    A, B = gaborcore.frame_bounds("hann", hop_length=64, n_fft=256)
    assert A == pytest.approx(B, rel=1e-12)  # periodic Hann at hop n/4 is tight
    A, B = gaborcore.frame_bounds("hann", hop_length=96, n_fft=256)
    assert A < B


def test_painless_check_and_errors():
    assert gaborcore.is_painless("hann", n_fft=512, win_length=400)
    assert not gaborcore.is_painless(np.ones(600), n_fft=512)
    with pytest.raises(ParameterError, match="painless"):
        gaborcore.dual_window(np.ones(600), hop_length=100, n_fft=512)
    with pytest.raises(ParameterError, match="hop_length"):
        gaborcore.dual_window("hann", hop_length=300, n_fft=256, win_length=100)
    assert gaborcore.frame_bounds("hann", hop_length=300, n_fft=256, win_length=100)[0] == 0


def test_frame_diagonal_is_sum_of_shifted_squares():
    w = np.arange(1.0, 8.0)
    d = gaborcore.frame_diagonal(w, 3, 4)
    want = np.zeros(3 * 3 + 7)
    for t in range(4):
        want[3 * t:3 * t + 7] += w**2
    np.testing.assert_allclose(d, want)


@pytest.mark.parametrize("window", [None, 1j, np.ones((2, 2)), object(), np.array(["a", "b"])])
def test_lattice_functions_refuse_what_is_not_a_window(window):
    """Neither a window specification nor a 1-D array of samples: ParameterError naming
    ``window`` (dual_window(None, ...) raised IndexError)."""
    for f, kw in ((gaborcore.dual_window, dict(hop_length=1, n_fft=4)),
                  (gaborcore.tight_window, dict(hop_length=1, n_fft=4)),
                  (gaborcore.frame_bounds, dict(hop_length=1, n_fft=4)),
                  (gaborcore.is_painless, dict(n_fft=4))):
        with pytest.raises(gaborcore.ParameterError, match="window"):
            f(window, **kw)
