"""STFT / spectrogram / inverse: every backend against the reference, librosa, threads."""

import threading

import numpy as np
import pytest

import gaborcore
from gaborcore import STFT

from . import reference

TOL = {np.float32: 1e-5, np.float64: 1e-12}

# (n_samples, n_fft, hop, win_length, window, center, pad_mode): odd / prime sizes on purpose
CASES = [
    (1001, 64, 24, None, "hann", True, "constant"),
    (997, 63, 17, None, "hamming", True, "reflect"),
    (1000, 128, 128, 96, "blackman", False, "constant"),
    (257, 32, 5, 21, ("kaiser", 6.0), True, "reflect"),
    (509, 50, 50, 50, "sine", True, "constant"),
    (130, 129, 1, None, "blackmanharris", True, "constant"),
]


def _close(got, want, rtol):
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_stft_matches_reference(backend, dtype, case, rng):
    n, n_fft, hop, win_length, window, center, pad_mode = case
    y = rng.standard_normal(n).astype(dtype)
    got = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, win_length=win_length, window=window,
                         center=center, pad_mode=pad_mode, backend=backend)
    win = reference.window(window, win_length or n_fft)
    want = reference.stft(y, n_fft, hop, win, center, pad_mode)
    assert got.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    assert got.shape == want.shape
    _close(got, want, TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("power", [2.0, 1.0, 0.5, 3.0])
def test_spectrogram_matches_reference(backend, dtype, power, rng):
    y = rng.standard_normal((2, 3, 701)).astype(dtype)
    got = gaborcore.spectrogram(y, n_fft=96, hop_length=33, power=power, backend=backend)
    assert got.dtype == dtype
    win = reference.window("hann", 96)
    for i in range(2):
        for j in range(3):
            want = np.abs(reference.stft(y[i, j], 96, 33, win)) ** power
            _close(got[i, j], want, 2 * TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", [c for c in CASES if c[5]])  # centred: every sample is covered
def test_istft_perfect_reconstruction(backend, dtype, case, rng):
    n, n_fft, hop, win_length, window, center, pad_mode = case
    y = rng.standard_normal((2, n)).astype(dtype)
    plan = STFT(n_fft=n_fft, hop_length=hop, win_length=win_length, window=window,
                center=center, pad_mode=pad_mode)
    X = plan.stft(y, backend=backend)
    rec = plan.istft(X, length=n, backend=backend)
    assert rec.dtype == dtype
    np.testing.assert_allclose(rec, y, rtol=0, atol=TOL[dtype] * 10 * np.abs(y).max())


def test_istft_matches_reference_on_uncentred_frames(backend, rng):
    y = rng.standard_normal(1000)
    win = reference.window("hann", 128)
    X = gaborcore.stft(y, n_fft=128, hop_length=32, center=False, backend=backend)
    got = gaborcore.istft(X, n_fft=128, hop_length=32, center=False, length=1000, backend=backend)
    want = reference.istft(X, 128, 32, win, 1000, center=False)
    # near the uncovered end the frame diagonal is tiny, so rounding is amplified there
    np.testing.assert_allclose(got[:960], want[:960], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8)
    assert not got[992:].any()  # no window reaches these samples
    # interior samples (covered by windows with non-zero weight) are reconstructed exactly
    np.testing.assert_allclose(got[1:-97], y[1:-97], atol=1e-12)


@pytest.mark.parametrize("n_fft,hop", [(2048, 512), (512, 128), (511, 100), (300, 7)])
def test_reconstruction_awkward_sizes(backend, n_fft, hop, rng):
    for n in (n_fft, n_fft + 1, 7919, 4 * n_fft + 3):
        y = rng.standard_normal(n)
        X = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, backend=backend)
        rec = gaborcore.istft(X, n_fft=n_fft, hop_length=hop, length=n, backend=backend)
        np.testing.assert_allclose(rec, y, atol=1e-12)


def test_istft_default_length(backend, rng):
    y = rng.standard_normal(1024)
    X = gaborcore.stft(y, n_fft=256, hop_length=64, backend=backend)
    rec = gaborcore.istft(X, n_fft=256, hop_length=64, backend=backend)
    assert rec.shape == (1024,)
    np.testing.assert_allclose(rec, y, atol=1e-12)


def test_batch_dimensions_are_independent(backend, rng):
    y = rng.standard_normal((3, 2, 4, 900)).astype(np.float32)
    X = gaborcore.stft(y, n_fft=128, hop_length=40, backend=backend)
    assert X.shape == (3, 2, 4, 65, 1 + 900 // 40)
    for idx in np.ndindex(3, 2, 4):
        np.testing.assert_array_equal(X[idx], gaborcore.stft(y[idx], n_fft=128, hop_length=40,
                                                             backend=backend))


def test_non_contiguous_input(backend, rng):
    y = rng.standard_normal((900, 4))  # signals along a strided axis after transposition
    X = gaborcore.stft(y.T, n_fft=64, hop_length=16, backend=backend)
    np.testing.assert_allclose(X[1], gaborcore.stft(np.ascontiguousarray(y[:, 1]), n_fft=64,
                                                    hop_length=16, backend=backend), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_argument_is_filled_and_returned(backend, dtype, rng):
    y = rng.standard_normal((2, 5000)).astype(dtype)
    plan = STFT(n_fft=256, hop_length=64)
    out = np.full(plan.output_shape(y.shape), np.nan, dtype)
    res = plan.spectrogram(y, out=out, backend=backend)
    assert res is out
    np.testing.assert_array_equal(out, plan.spectrogram(y, backend=backend))
    cout = np.empty(plan.output_shape(y.shape), np.result_type(dtype, np.complex64))
    assert plan.stft(y, out=cout, backend=backend) is cout
    rec = np.empty_like(y)
    assert plan.istft(cout, length=5000, out=rec, backend=backend) is rec
    np.testing.assert_allclose(rec, y, atol=TOL[dtype] * 10 * np.abs(y).max())


def test_backends_agree(rng):
    y = rng.standard_normal((3, 4001)).astype(np.float32)
    results = [gaborcore.spectrogram(y, n_fft=512, hop_length=128, backend=b)
               for b in gaborcore.available_backends()]
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], rtol=1e-5, atol=1e-5 * results[0].max())


@pytest.mark.parametrize("kind", ["spectrogram", "stft", "istft"])
def test_workers_give_identical_output(backend, kind, rng):
    y = rng.standard_normal((5, 20011)).astype(np.float32)
    plan = STFT(n_fft=256, hop_length=50)
    X = plan.stft(y, backend=backend)

    def run(w):
        if kind == "spectrogram":
            return plan.spectrogram(y, workers=w, backend=backend)
        if kind == "stft":
            return plan.stft(y, workers=w, backend=backend)
        return plan.istft(X, length=20011, workers=w, backend=backend)

    serial = run(1)
    for w in (2, 3, 4, -1):
        np.testing.assert_array_equal(run(w), serial)


def test_single_long_signal_inverse_uses_threads_deterministically(backend, rng):
    # one signal, many super-blocks: the overlap-add runs in parallel by parity
    y = rng.standard_normal(200_003)
    X = gaborcore.stft(y, n_fft=1024, hop_length=100, backend=backend)
    a = gaborcore.istft(X, n_fft=1024, hop_length=100, length=y.size, workers=1, backend=backend)
    b = gaborcore.istft(X, n_fft=1024, hop_length=100, length=y.size, workers=4, backend=backend)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, y, atol=1e-12)


def test_eight_threads_share_one_plan(backend, rng):
    plan = STFT(n_fft=512, hop_length=128)
    signals = [rng.standard_normal((2, 30000)).astype(np.float32) for _ in range(8)]
    serial = [plan.spectrogram(s, backend=backend) for s in signals]
    results = [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        for _ in range(3):
            results[i] = plan.spectrogram(signals[i], backend=backend)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, serial, strict=False):
        np.testing.assert_array_equal(got, want)


def test_complex_input_gives_two_sided_spectrum(backend, rng):
    y = (rng.standard_normal(800) + 1j * rng.standard_normal(800)).astype(np.complex128)
    X = gaborcore.stft(y, n_fft=64, hop_length=16, backend=backend)
    assert X.shape == (64, 1 + 800 // 16)
    w = reference.pad_center(reference.window("hann", 64), 64)
    yp = np.pad(y, 32)
    for t in (0, 7, 50):
        np.testing.assert_allclose(X[:, t], np.fft.fft(yp[t * 16:t * 16 + 64] * w),
                                   rtol=1e-12, atol=1e-12 * np.abs(X).max())


@pytest.mark.parametrize("center", [True, False])
def test_freqinv_phase_convention(backend, center, rng):
    y = rng.standard_normal(777)
    n_fft, hop = 64, 20
    X_t = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, center=center, backend=backend)
    X_f = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, center=center,
                         phase_convention="freqinv", backend=backend)
    starts = np.arange(X_t.shape[1]) * hop - (n_fft // 2 if center else 0)
    m = np.arange(n_fft // 2 + 1)[:, None]
    np.testing.assert_allclose(X_f, X_t * np.exp(-2j * np.pi * m * starts / n_fft),
                               rtol=1e-12, atol=1e-12 * np.abs(X_t).max())
    # the magnitudes do not depend on the convention, and the inverse undoes it
    np.testing.assert_allclose(np.abs(X_f), np.abs(X_t), rtol=1e-12, atol=1e-12)
    if center:
        rec = gaborcore.istft(X_f, n_fft=n_fft, hop_length=hop, phase_convention="freqinv",
                              length=777, backend=backend)
        np.testing.assert_allclose(rec, y, atol=1e-12)


def test_plan_cache_returns_same_plan():
    a = STFT.cached(n_fft=256, hop_length=64)
    b = STFT.cached(n_fft=256, hop_length=64)
    c = STFT.cached(n_fft=256, hop_length=32)
    assert a is b and a is not c
    w = np.hanning(100)
    assert STFT.cached(n_fft=128, window=w) is STFT.cached(n_fft=128, window=w.copy())


def test_plan_cache_is_bounded():
    info = gaborcore.plan_cache_info()
    for n in range(2, 2 + info["max_entries"] + 10):
        STFT.cached(n_fft=2 * n, hop_length=1)
    assert gaborcore.plan_cache_info()["entries"] <= info["max_entries"]


def test_output_shape_and_frames():
    plan = STFT(n_fft=2048, hop_length=512)
    assert plan.output_shape((4, 66150)) == (4, 1025, 130)
    assert STFT(n_fft=2048, hop_length=512, center=False).n_frames(66150) == 126


def test_repr_names_parameters():
    assert "n_fft=512" in repr(STFT(n_fft=512))


@pytest.mark.parametrize("mode", ["edge", "symmetric", "linear_ramp", "mean", "median"])
@pytest.mark.parametrize("n_fft,hop,n", [(64, 16, 1000), (63, 100, 500), (256, 64, 300),
                                         (128, 32, 100), (32, 8, 33)])
@pytest.mark.filterwarnings("ignore:n_fft=128 is too large")
def test_numpy_pad_modes_equal_padding_the_signal(backend, mode, n_fft, hop, n):
    # the end-only modes pad copies of the ends (as librosa), the others a copy of the signal:
    # either way the frames are those of numpy.pad(y)
    y = np.random.default_rng(n).standard_normal((2, n)).astype(np.float32)
    got = gaborcore.stft(y, n_fft=n_fft, hop_length=hop, pad_mode=mode, backend=backend)
    yp = np.pad(y, [(0, 0), (n_fft // 2, n_fft // 2)], mode=mode)
    want = gaborcore.stft(yp, n_fft=n_fft, hop_length=hop, center=False, backend=backend)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())
    M = gaborcore.melspectrogram(y, sr=8000, n_fft=n_fft, hop_length=hop, n_mels=8,
                                 pad_mode=mode, backend=backend)
    Mp = gaborcore.melspectrogram(yp, sr=8000, n_fft=n_fft, hop_length=hop, n_mels=8,
                                  center=False, backend=backend)
    np.testing.assert_allclose(M, Mp, rtol=1e-6, atol=1e-6 * Mp.max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_filterbank_spectrogram_is_the_projected_spectrogram(backend, dtype, rng):
    """The fused projection equals the dense filter matrix times the stored spectrogram, for
    any filter bank (not only mel), on every backend, in the signal's precision."""
    plan = gaborcore.STFT(n_fft=256, hop_length=64)
    y = rng.standard_normal((2, 3000)).astype(dtype)
    W = np.abs(rng.standard_normal((12, 129))) * (rng.random((12, 129)) < 0.2)
    fb = gaborcore.SparseFilterbank.from_dense(W)
    for power in (1.0, 2.0, 1.5):
        B = plan.filterbank_spectrogram(y, fb, power=power, backend=backend)
        ref = np.einsum("bf,...ft->...bt", W, plan.spectrogram(y.astype(np.float64), power=power,
                                                              backend="numpy"))
        assert B.dtype == dtype and B.shape == (2, 12, plan.n_frames(3000))
        np.testing.assert_allclose(B, ref, rtol=1e-4 if dtype == np.float32 else 1e-10,
                                   atol=1e-6 * np.abs(ref).max())


def test_filterbank_spectrogram_refuses_bad_filter_banks():
    plan = gaborcore.STFT(n_fft=256, hop_length=64)
    y = np.zeros(1000)
    with pytest.raises(gaborcore.ParameterError, match="filterbank must be a SparseFilterbank"):
        plan.filterbank_spectrogram(y, np.ones((3, 129)))
    too_wide = gaborcore.SparseFilterbank.from_dense(np.ones((2, 200)))
    with pytest.raises(gaborcore.ParameterError, match="filterbank reaches bin 199"):
        plan.filterbank_spectrogram(y, too_wide)
    with pytest.raises(gaborcore.ParameterError, match="power"):
        plan.filterbank_spectrogram(y, gaborcore.SparseFilterbank.from_dense(np.ones((2, 129))),
                                    power=0)
