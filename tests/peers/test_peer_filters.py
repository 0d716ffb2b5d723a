"""Port of librosa 0.11.0 tests/test_filters.py: mel scale, mel filter banks, get_window.

Upstream: https://github.com/librosa/librosa/blob/0.11.0/tests/test_filters.py (test_hz_to_mel*,
test_mel_to_hz*, test_melfb*, test_mel_norm, test_mel_badnorm, test_mel_gap, test_get_window*).
Test intent restated in our own words, run against gaborcore through :mod:`tests.peers.names`;
the filter banks that upstream reads from MATLAB files are compared with librosa itself here.
"""

import warnings

import numpy as np
import pytest
import scipy.signal

from .names import librosa, lr

HZ = np.array([0, 500, 1000, 2000, 3000])


@pytest.mark.parametrize("htk,mels", [
    (True, [0.0, 607.44591966, 999.98553714, 1521.35955416, 1876.45406012]),
    (False, [0.0, 7.5, 15.0, 25.08188016, 30.97940199]),
])
def test_hz_to_mel_known_values(htk, mels):
    np.testing.assert_allclose(lr.hz_to_mel(HZ, htk=htk), mels, rtol=1e-8)
    for f, m in zip(HZ, mels, strict=True):
        assert np.isclose(lr.hz_to_mel(f, htk=htk), m)


@pytest.mark.parametrize("htk,mels,hz", [
    (True, [0.0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800],
     [0.0, 135.92888249, 298.25299511, 492.09787234, 723.58434605, 1000.02181646,
      1330.13905319, 1724.35981432, 2195.13198618, 2757.32063694]),
    (False, [0, 5, 10, 15, 25, 30],
     [0.0, 333.33333333, 666.66666667, 1000.0, 1988.77281813, 2804.64413074]),
])
def test_mel_to_hz_known_values(htk, mels, hz):
    np.testing.assert_allclose(lr.mel_to_hz(np.asarray(mels, float), htk=htk), hz, rtol=1e-8)
    for m, f in zip(mels, hz, strict=True):
        assert np.isclose(lr.mel_to_hz(m, htk=htk), f)


@pytest.mark.skipif(librosa is None, reason="librosa not installed")
@pytest.mark.parametrize("sr", [8000, 22050, 44100])
@pytest.mark.parametrize("n_fft", [256, 1025, 2048])
@pytest.mark.parametrize("n_mels", [20, 40, 128])
@pytest.mark.parametrize("fmin,fmax", [(0, None), (30, 8000), (0, "nyquist+0.5"),
                                       (100, "nyquist*1.1")])
@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None, 2])
def test_mel_filter_bank_matches_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    # upstream: banks recorded from DPWE's MATLAB fft2melmx; librosa reproduces them, and
    # gaborcore reproduces librosa's, empty-band and above-Nyquist cases included (which warn)
    if fmax == "nyquist+0.5":
        fmax = sr / 2 + 0.5
    elif fmax == "nyquist*1.1":
        fmax = sr / 2 * 1.1
    elif fmax is not None and fmax > sr / 2:
        fmax = sr / 2
    kw = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        want = librosa.filters.mel(**kw)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = lr.filters.mel(**kw)
    assert got.shape == want.shape == (n_mels, n_fft // 2 + 1)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * want.max())
    empty = [w for w in theirs if "Empty filters" in str(w.message)]
    assert len(empty) == len([w for w in ours if "Empty filters" in str(w.message)])


@pytest.mark.parametrize("norm", [1, 2, np.inf])
def test_mel_norm(norm):
    M = lr.filters.mel(sr=22050, n_fft=2048, norm=norm)
    size = {1: np.abs(M).sum(axis=1), 2: (M**2).sum(axis=1), np.inf: np.abs(M).max(axis=1)}
    np.testing.assert_allclose(size[norm], 1, rtol=1e-6)


def test_mel_bad_norm():
    with pytest.raises(lr.ParameterError):
        lr.filters.mel(sr=22050, n_fft=2048, norm="garbage")


def test_mel_gap_warns_about_empty_filters():
    with pytest.warns(UserWarning, match="Empty filters"):
        lr.filters.mel(sr=44100, n_fft=1024, n_mels=128, fmin=0, fmax=2000, htk=True)


def test_get_window_of_none_is_an_error():
    with pytest.raises(lr.ParameterError):
        lr.filters.get_window(None, 32)


@pytest.mark.parametrize("window", ["hann", 4.0, ("kaiser", 4.0), ("gaussian", 7.0), "bartlett",
                                    "flattop", "triang", ("tukey", 0.3), ("exponential", None, 3.0)])
@pytest.mark.parametrize("fftbins", [True, False])
def test_get_window_is_scipys(window, fftbins):
    np.testing.assert_allclose(lr.filters.get_window(window, 32, fftbins=fftbins),
                               scipy.signal.get_window(window, 32, fftbins=fftbins), rtol=1e-14)


def test_get_window_of_a_function():
    np.testing.assert_allclose(lr.filters.get_window(scipy.signal.windows.boxcar, 32),
                               scipy.signal.get_window("boxcar", 32))


@pytest.mark.parametrize("pre", [scipy.signal.windows.hann(16),
                                 list(scipy.signal.windows.hann(16)), [1, 1, 1]],
                         ids=["array", "list", "ones"])
def test_get_window_of_samples(pre):
    np.testing.assert_allclose(lr.filters.get_window(pre, len(pre)), pre)


def test_get_window_samples_of_the_wrong_length():
    with pytest.raises(lr.ParameterError):
        lr.filters.get_window([1.0, 1.0, 1.0], 4)
