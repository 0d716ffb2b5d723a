"""Scales, filter banks and the fused mel-spectrogram kernel."""

import warnings

import numpy as np
import pytest

import gaborcore
from gaborcore import MelSpectrogram, ParameterError

from . import reference

librosa = pytest.importorskip("librosa")

TOL = {np.float32: 1e-5, np.float64: 1e-10}


@pytest.mark.parametrize("scale", gaborcore.SCALES)
@pytest.mark.parametrize("htk", [False, True])
def test_scales_round_trip(scale, htk):
    f = np.concatenate([np.linspace(1, 30000, 2001), [440.0, 999.99, 1000.0, 1000.01]])
    v = gaborcore.hz_to_scale(f, scale, htk=htk)
    np.testing.assert_allclose(gaborcore.scale_to_hz(v, scale, htk=htk), f, rtol=1e-12)
    assert np.all(np.diff(v[:2001]) > 0)  # monotone
    assert isinstance(gaborcore.hz_to_scale(440.0, scale, htk=htk), float)


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_matches_librosa(htk):
    f = np.linspace(0, 22050, 1000)
    np.testing.assert_allclose(gaborcore.hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gaborcore.mel_frequencies(50, fmin=30, fmax=8000, htk=htk),
                               librosa.mel_frequencies(50, fmin=30, fmax=8000, htk=htk),
                               rtol=1e-12)


def test_known_scale_values():
    assert gaborcore.hz_to_mel(1000.0) == pytest.approx(15.0)
    assert gaborcore.hz_to_mel(1000.0, htk=True) == pytest.approx(999.985, abs=1e-2)
    assert gaborcore.hz_to_scale(1000.0, "erb") == pytest.approx(15.62, abs=1e-2)
    assert gaborcore.hz_to_scale(1000.0, "bark") == pytest.approx(8.53, abs=1e-2)
    assert gaborcore.hz_to_scale(440.0, "log") - gaborcore.hz_to_scale(220.0, "log") == 1.0


MEL_GRID = [
    dict(sr=22050, n_fft=2048, n_mels=128),
    dict(sr=16000, n_fft=512, n_mels=40, fmin=20.0, fmax=7600.0),
    dict(sr=44100, n_fft=4096, n_mels=256, fmin=30.0, fmax=16000.0, htk=True),
    dict(sr=22050, n_fft=1024, n_mels=64, norm=None),
    dict(sr=22050, n_fft=1024, n_mels=64, norm=2.0),
    dict(sr=8000, n_fft=256, n_mels=20, norm=1.0, htk=True),
]


@pytest.mark.parametrize("params", MEL_GRID)
def test_mel_filters_match_librosa(params):
    got = gaborcore.mel(dtype=np.float64, **params)
    want = librosa.filters.mel(dtype=np.float64, **params)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * want.max())


@pytest.mark.parametrize("scale", gaborcore.SCALES)
def test_filterbanks_match_explicit_triangles(scale):
    sr, n_fft, n = 16000, 512, 24
    W = gaborcore.filterbank(sr=sr, n_fft=n_fft, n_bands=n, fmin=50.0, fmax=7000.0, scale=scale,
                             dtype=np.float64)
    edges = gaborcore.scale_frequencies(n + 2, fmin=50.0, fmax=7000.0, scale=scale)
    np.testing.assert_allclose(W, reference.triangular_filterbank(sr, n_fft, edges),
                               rtol=1e-12, atol=1e-15)
    # each band peaks where its centre frequency lies
    peaks = gaborcore.fft_frequencies(sr=sr, n_fft=n_fft)[W.argmax(axis=1)]
    assert np.all(np.abs(peaks - edges[1:-1]) <= sr / n_fft)


def test_sparse_form_round_trips():
    W = gaborcore.mel(sr=22050, n_fft=2048, n_mels=128, dtype=np.float64)
    sp = gaborcore.SparseFilterbank.from_dense(W)
    np.testing.assert_array_equal(sp.todense(), W)
    assert sp.nnz < 3 * W.shape[1]  # triangles overlap about twice
    W2 = W.copy()
    W2[5, sp.start[5] + 1] = 0.0  # interior zeros are kept
    np.testing.assert_array_equal(gaborcore.SparseFilterbank.from_dense(W2).todense(), W2)


def test_empty_band_warns():
    with pytest.warns(gaborcore.EmptyFilterWarning, match="cover no STFT bin"):
        gaborcore.mel(sr=22050, n_fft=256, n_mels=120)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gaborcore.mel(sr=22050, n_fft=2048, n_mels=128)


@pytest.mark.parametrize("kwargs,name", [
    (dict(fmin=8000.0, fmax=4000.0), "fmin"),
    (dict(fmin=4000.0, fmax=4000.0), "fmin"),
    (dict(fmax=np.inf), "fmax"),
    (dict(n_mels=0), "n_mels"),
    (dict(fmin=-1.0), "fmin"),
    (dict(norm="l2"), "norm"),
    (dict(norm=0.5), "norm"),
    (dict(sr=0), "sr"),
])
def test_bad_filterbank_arguments(kwargs, name):
    params = dict(sr=22050, n_fft=2048, n_mels=128) | kwargs
    with pytest.raises(ParameterError, match=name):
        gaborcore.mel(**params)
    with pytest.raises(ParameterError, match=name):
        MelSpectrogram(**params)


def test_bad_scale_and_log_fmin():
    with pytest.raises(ParameterError, match="scale"):
        gaborcore.filterbank(sr=22050, n_fft=512, n_bands=10, scale="semitone")
    with pytest.raises(ParameterError, match="fmin"):
        gaborcore.filterbank(sr=22050, n_fft=512, n_bands=10, scale="log", fmin=0.0)


MELSPEC_GRID = [
    dict(n_fft=2048, hop_length=512, n_mels=128),
    dict(n_fft=1024, hop_length=256, n_mels=64, fmin=50.0, fmax=8000.0, power=1.0),
    dict(n_fft=512, hop_length=160, win_length=400, n_mels=40, htk=True, norm=None),
    dict(n_fft=2048, hop_length=441, n_mels=96, window="hamming", center=False),
    dict(n_fft=1024, hop_length=300, n_mels=80, pad_mode="reflect", power=1.5),
]


def _db_mask(ref, floor_db=-80.0):
    return ref > ref.max() * 10 ** (floor_db / 10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("params", MELSPEC_GRID)
def test_melspectrogram_matches_librosa(backend, dtype, params, rng):
    y = rng.standard_normal((2, 22050 * 2 + 31)).astype(dtype)
    want = librosa.feature.melspectrogram(y=y, sr=22050, dtype=dtype, **params)
    got = gaborcore.melspectrogram(y, sr=22050, backend=backend, **params)
    assert got.dtype == dtype and got.shape == want.shape
    mask = _db_mask(want)
    np.testing.assert_allclose(got[mask], want[mask], rtol=TOL[dtype])
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype] * want.max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", gaborcore.SCALES)
def test_every_scale_against_reference(backend, dtype, scale, rng):
    y = rng.standard_normal(3001).astype(dtype)
    plan = MelSpectrogram(sr=16000, n_fft=256, hop_length=64, n_mels=16, fmin=150.0,
                          scale=scale, power=2.0)
    got = plan(y, backend=backend)
    want = reference.filterbank_spectrogram(y, plan.filters, 256, 64,
                                            reference.window("hann", 256))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * want.max())


def test_user_filter_matrix(backend, rng):
    y = rng.standard_normal((3, 4000))
    W = np.abs(rng.standard_normal((7, 129)))
    W[:, :10] = 0
    W[2, 50] = 0
    got = gaborcore.melspectrogram(y, sr=8000, n_fft=256, hop_length=100, mel_basis=W,
                                   backend=backend)
    S = gaborcore.spectrogram(y, n_fft=256, hop_length=100)
    np.testing.assert_allclose(got, W @ S, rtol=1e-12, atol=1e-12 * got.max())
    with pytest.raises(ParameterError, match="mel_basis"):
        gaborcore.melspectrogram(y, sr=8000, n_fft=256, hop_length=64, mel_basis=W[:, :100])


def test_from_precomputed_spectrogram(rng):
    y = rng.standard_normal(22050)
    S = np.abs(librosa.stft(y)) ** 2
    np.testing.assert_allclose(gaborcore.melspectrogram(S=S, sr=22050),
                               librosa.feature.melspectrogram(S=S, sr=22050, dtype=np.float64),
                               rtol=1e-10)


def test_workers_and_threads_identical(backend, rng):
    y = rng.standard_normal((4, 30011)).astype(np.float32)
    plan = MelSpectrogram(sr=22050, n_fft=1024, hop_length=128, n_mels=64)
    serial = plan(y, backend=backend, workers=1)
    for w in (2, 3, -1):
        np.testing.assert_array_equal(plan(y, backend=backend, workers=w), serial)


def test_out_and_batch_dims(backend, rng):
    y = rng.standard_normal((2, 3, 5000)).astype(np.float32)
    plan = MelSpectrogram(sr=22050, n_fft=512, hop_length=128, n_mels=32)
    out = np.empty(plan.output_shape(y.shape), np.float32)
    assert plan(y, out=out, backend=backend) is out
    np.testing.assert_allclose(out[1, 2], plan(y[1, 2], backend=backend), rtol=1e-6)


def test_power_to_db_matches_librosa(rng):
    S = np.abs(rng.standard_normal((2, 64, 50))) ** 2 * 100
    S[0, 0, 0] = 0.0
    for kwargs in (dict(), dict(ref=np.max), dict(ref=3.0, amin=1e-6, top_db=None),
                   dict(top_db=40.0)):
        np.testing.assert_allclose(gaborcore.power_to_db(S, **kwargs),
                                   librosa.power_to_db(S, **kwargs), rtol=1e-12, atol=1e-10)
        A = np.sqrt(S)
        np.testing.assert_allclose(gaborcore.amplitude_to_db(A, **kwargs),
                                   librosa.amplitude_to_db(A, **kwargs), rtol=1e-12, atol=1e-10)
    S32 = S.astype(np.float32)
    assert gaborcore.power_to_db(S32).dtype == np.float32
    db = gaborcore.power_to_db(S, top_db=None)
    np.testing.assert_allclose(gaborcore.db_to_power(db)[S > 1e-10], S[S > 1e-10], rtol=1e-12)
    np.testing.assert_allclose(gaborcore.log1p_compress(S32, gain=10.0),
                               np.log1p(10 * S32), rtol=1e-6)
    with pytest.raises(ParameterError, match="top_db"):
        gaborcore.power_to_db(S, top_db=-1)
    with pytest.raises(ParameterError, match="amin"):
        gaborcore.power_to_db(S, amin=0)


def test_pure_tone_lands_in_its_band(backend):
    sr = 22050
    t = np.arange(sr) / sr
    plan = MelSpectrogram(sr=sr, n_fft=2048, hop_length=512, n_mels=128)
    for f0 in (220.0, 1000.0, 5000.0):
        M = plan(np.sin(2 * np.pi * f0 * t), backend=backend)
        centres = gaborcore.mel_frequencies(130, fmax=sr / 2)[1:-1]
        assert abs(centres[M[:, 20].argmax()] - f0) < 0.06 * f0 + sr / 2048


def test_filterbank_errors_name_its_own_argument():
    with pytest.raises(ParameterError, match="n_bands=0"):
        gaborcore.filterbank(sr=22050, n_fft=512, n_bands=0)
    with pytest.warns(gaborcore.EmptyFilterWarning, match="reducing n_bands"):
        gaborcore.filterbank(sr=22050, n_fft=512, n_bands=300)


@pytest.mark.parametrize("kwargs", [dict(fmax=11025.5), dict(fmax=12000.0), dict(n_mels=2000),
                                    dict(n_fft=256, n_mels=300)])
def test_librosa_accepted_filter_banks_warn_and_match(kwargs):
    # issue 14: fmax a little above Nyquist and more bands than bins warn instead of refusing
    librosa = pytest.importorskip("librosa")
    params = dict(sr=22050, n_fft=2048, n_mels=128) | kwargs
    with warnings.catch_warnings(record=True) as lw:
        warnings.simplefilter("always")
        want = librosa.filters.mel(**params)
    with warnings.catch_warnings(record=True) as gw:
        warnings.simplefilter("always")
        got = gaborcore.mel(**params)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7 * want.max())
    lib_empty = [w for w in lw if "Empty filters" in str(w.message)]
    ours = [w for w in gw if "Empty filters" in str(w.message)]
    assert len(ours) == len(lib_empty)  # librosa's wording, when librosa warns
    assert all(w.filename == __file__ for w in gw)
    if params.get("fmax", 0) > 11025:
        assert any("above the Nyquist" in str(w.message) for w in gw)


def test_empty_band_warning_points_at_the_caller():
    with pytest.warns(gaborcore.EmptyFilterWarning) as record:
        MelSpectrogram(sr=22050, n_fft=256, n_mels=120)
    assert record[0].filename == __file__


@pytest.mark.parametrize("pad_mode", ["edge", "symmetric", "linear_ramp", "reflect"])
@pytest.mark.parametrize("n", [300, 5000])
def test_mel_pad_modes_and_short_signals_on_every_backend(backend, pad_mode, n):
    # issue 14: numpy's pad modes (applied before the fused kernel) and centred signals shorter
    # than n_fft (a warning, as librosa), the same on every backend
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=1024, hop_length=160,
                                              n_mels=40, pad_mode=pad_mode)
    ctx = (pytest.warns(UserWarning, match="n_fft=1024 is too large") if n < 1024
           else warnings.catch_warnings())
    with ctx:
        got = gaborcore.melspectrogram(y, sr=16000, n_fft=1024, hop_length=160, n_mels=40,
                                       pad_mode=pad_mode, backend=backend)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6 * want.max())


@pytest.mark.parametrize("hop", [1100, 3000])
def test_hop_longer_than_the_window(backend, hop):
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(hop).standard_normal(20000)
    want = librosa.stft(y, n_fft=1024, hop_length=hop)
    np.testing.assert_allclose(gaborcore.stft(y, n_fft=1024, hop_length=hop, backend=backend),
                               want, atol=1e-10 * np.abs(want).max())
    with pytest.warns(UserWarning, match=f"hop_length={hop} leaves"):
        back = gaborcore.istft(want, n_fft=1024, hop_length=hop, length=y.size, backend=backend)
    np.testing.assert_allclose(back, librosa.istft(want, n_fft=1024, hop_length=hop,
                                                   length=y.size), atol=1e-10)
