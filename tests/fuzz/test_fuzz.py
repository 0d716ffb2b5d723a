"""Fuzz every public function and plan method (issue 13): results equal across backends with no
NaN for finite input, or ParameterError; nothing else.  See harness.py and conftest.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gaborcore
from gaborcore import nn
from gaborcore import operators as op

from . import strategies as S
from .harness import VARY, check

WINDOWS = ["hann", "hamming", "boxcar", "blackman", ("kaiser", 8.0), "nope", 5, None]
PAD_MODES = ["constant", "reflect", "edge", "wrap", "nope"]
given_data = given(data=st.data())


def _workers(d):
    """Mostly a different thread count per backend; sometimes a bad or huge one."""
    return d.draw(st.sampled_from([VARY] * 6 + [None, -1, 10**6, 0, "2", -10**6]))


def _draw_stft_params(d, max_fft=512):
    return dict(workers=d.draw(st.sampled_from([VARY, VARY, None])),
                n_fft=d.draw(S.ints(2, max_fft)),
                hop_length=d.draw(st.one_of(st.none(), S.ints(1, 700))),
                window=d.draw(st.sampled_from(WINDOWS)),
                center=d.draw(st.booleans()),
                pad_mode=d.draw(st.sampled_from(PAD_MODES)))


def _signal(d, max_len=3000, **kw):
    n = d.draw(st.integers(0, max_len))
    return d.draw(S.arrays((n,), **kw))


# ---- STFT, mel, Gabor transforms -------------------------------------------------------------

@given_data
def test_stft(data):
    y, p = _signal(data), _draw_stft_params(data)
    check("stft", gaborcore.stft, (y,), p)


def _out(d, shape, dtype):
    """None, a good ``out=`` buffer, or a hostile one (wrong shape or dtype, strided, read-only,
    not an array)."""
    kind = d.draw(st.sampled_from(["none", "none", "good", "good", "shape", "dtype", "strided",
                                   "readonly", "list"]))
    if kind == "none":
        return None
    shape = tuple(shape)
    if kind == "shape":
        shape = shape[:-1] + (shape[-1] + 1,) if shape else (1,)
    if kind == "dtype":
        dtype = np.float64 if np.dtype(dtype) == np.float32 else np.float32
    if kind == "list":
        return [0.0] * 3
    out = np.full(shape, np.nan, dtype)  # NaN: a result that leaves any of it unwritten shows
    if kind == "strided" and out.ndim:
        out = np.full(shape[:-1] + (2 * shape[-1],), np.nan, dtype)[..., ::2]
    if kind == "readonly":
        out.setflags(write=False)
    return out


@given_data
def test_spectrogram(data):
    y, p = _signal(data), _draw_stft_params(data)
    p["power"] = data.draw(st.one_of(st.sampled_from([1.0, 2.0, 0.5, 3]), S.floats(0.1, 4)))
    check("spectrogram", gaborcore.spectrogram, (y,), p)
    if isinstance(y, np.ndarray) and y.dtype in (np.float32, np.float64) and y.size:
        try:
            plan = gaborcore.STFT(n_fft=p["n_fft"], hop_length=p["hop_length"],
                                  window=p["window"], center=p["center"])
            shape = plan.output_shape(y.shape)
        except (gaborcore.ParameterError, TypeError):
            return
        check("spectrogram(out=)", gaborcore.spectrogram, (y,),
              dict(p, out=_out(data, shape, y.dtype)))


@given_data
def test_istft(data):
    n_fft = data.draw(st.integers(2, 256))
    frames = data.draw(st.integers(0, 40))
    X = data.draw(S.arrays((n_fft // 2 + 1, frames), dtypes=(np.complex64, np.complex128)))
    p = dict(n_fft=data.draw(st.one_of(st.just(n_fft), S.ints(2, 256))),
             hop_length=data.draw(st.one_of(st.none(), S.ints(1, 300))),
             window=data.draw(st.sampled_from(WINDOWS[:5])), center=data.draw(st.booleans()),
             length=data.draw(st.one_of(st.none(), S.ints(1, 5000))))
    check("istft", gaborcore.istft, (X,), p)


@given_data
def test_stft_plan_methods(data):
    try:
        params = _draw_stft_params(data, 256)
        params.pop("workers")
        plan = gaborcore.STFT(**params)
    except gaborcore.ParameterError:
        return
    y = _signal(data)
    check("STFT.stft", plan.stft, (y,))
    check("STFT.spectrogram", plan.spectrogram, (y,),
          dict(power=data.draw(st.sampled_from([1.0, 2.0, 1.5]))))
    X = data.draw(S.arrays((plan.n_freq, data.draw(st.integers(0, 30))),
                           dtypes=(np.complex64, np.complex128)))
    check("STFT.istft", plan.istft, (X,))


def _mel_params(d):
    return dict(sr=d.draw(st.one_of(S.floats(100.0, 96000.0), st.sampled_from([22050, "a"]))),
                n_fft=d.draw(S.ints(2, 1024)),
                hop_length=d.draw(st.one_of(st.none(), S.ints(1, 700))),
                n_mels=d.draw(S.ints(1, 160)),
                fmin=d.draw(st.one_of(st.just(0.0), S.floats(0.0, 8000.0))),
                fmax=d.draw(st.one_of(st.none(), S.floats(10.0, 48000.0))),
                htk=d.draw(st.booleans()),
                power=d.draw(st.sampled_from([1.0, 2.0, 1.5])))


@given_data
def test_melspectrogram(data):
    y, p = _signal(data), _mel_params(data)
    check("melspectrogram", gaborcore.melspectrogram, (y,), dict(p, workers=_workers(data)))


@given_data
def test_mel_plan(data):
    p = _mel_params(data)
    try:
        plan = gaborcore.MelSpectrogram(**p)
    except gaborcore.ParameterError:
        return
    check("MelSpectrogram", plan, (_signal(data),))


@given_data
def test_dgt_idgt(data):
    a = data.draw(st.integers(1, 32))
    M = data.draw(st.sampled_from([2, 4, 8, 16, 32, 12]))
    N = data.draw(st.integers(1, 12))
    L = data.draw(st.one_of(st.just(np.lcm(a, M) * N), S.ints(1, 600)))
    win = data.draw(st.sampled_from(["hann", "boxcar", np.ones(3), ("kaiser", 3.0), "nope"]))
    f = data.draw(S.arrays((L,) if type(L) is int and 0 < L < 5000 else (8,),
                           dtypes=(np.float32, np.float64, np.complex128)))
    _, res = check("dgt", gaborcore.dgt, (f,), dict(n_fft=M, hop_length=a, window=win))
    if isinstance(res, np.ndarray) and np.isrealobj(f) and res.shape[-2] == M // 2 + 1:
        check("idgt", gaborcore.idgt, (res,), dict(length=f.shape[-1], n_fft=M, hop_length=a,
                                                   window=win))


# ---- windows, features, filter banks (no backend) -----------------------------------------

@given_data
def test_windows(data):
    n_fft = data.draw(S.ints(1, 512))
    hop = data.draw(S.ints(1, 600))
    win = data.draw(st.sampled_from(WINDOWS + [np.hanning(7), np.ones((2, 2))]))
    check("get_window", gaborcore.get_window, (win, n_fft), backends=False)
    check("dual_window", gaborcore.dual_window, (win,), dict(hop_length=hop, n_fft=n_fft),
          backends=False)
    check("tight_window", gaborcore.tight_window, (win,), dict(hop_length=hop, n_fft=n_fft),
          backends=False)
    check("frame_bounds", gaborcore.frame_bounds, (win,), dict(hop_length=hop, n_fft=n_fft),
          backends=False)
    check("is_painless", gaborcore.is_painless, (win,), dict(n_fft=n_fft), backends=False)
    w = data.draw(S.arrays((data.draw(st.integers(0, 64)),), lead=False))
    check("frame_diagonal", gaborcore.frame_diagonal, (w, hop, data.draw(S.ints(1, 1000))),
          backends=False)
    check("pad_center", gaborcore.pad_center, (w,), dict(size=data.draw(S.ints(0, 200))),
          backends=False)


@given_data
def test_db_and_compression(data):
    Sx = data.draw(S.arrays((data.draw(st.integers(0, 20)), 7), nonnegative=True))
    ref = data.draw(st.one_of(st.sampled_from([1.0, np.max, "x", None, 0.0]), S.floats(0, 10)))
    top_db = data.draw(st.one_of(st.none(), S.floats(0.0, 120.0)))
    check("power_to_db", gaborcore.power_to_db, (Sx,), dict(ref=ref, top_db=top_db),
          backends=False)
    check("amplitude_to_db", gaborcore.amplitude_to_db, (Sx,), dict(ref=ref), backends=False)
    check("db_to_power", gaborcore.db_to_power, (Sx,), backends=False)
    check("db_to_amplitude", gaborcore.db_to_amplitude, (Sx,), backends=False)
    check("log1p_compress", gaborcore.log1p_compress, (Sx,),
          dict(gain=data.draw(S.floats(1e-3, 1e3))), backends=False)


@given_data
def test_filterbanks(data):
    f = data.draw(st.one_of(S.arrays((5,), lead=False, nonnegative=True), S.scalars_or_arrays()))
    scale = data.draw(st.sampled_from(list(gaborcore.SCALES) + ["nope"]))
    htk = data.draw(st.booleans())
    check("hz_to_mel", gaborcore.hz_to_mel, (f,), dict(htk=htk), backends=False)
    check("mel_to_hz", gaborcore.mel_to_hz, (f,), dict(htk=htk), backends=False)
    check("hz_to_scale", gaborcore.hz_to_scale, (f, scale), backends=False)
    check("scale_to_hz", gaborcore.scale_to_hz, (f, scale), backends=False)
    p = _mel_params(data)
    check("mel", gaborcore.mel, (), dict(sr=p["sr"], n_fft=p["n_fft"], n_mels=p["n_mels"],
                                         fmin=p["fmin"], fmax=p["fmax"]), backends=False)
    check("filterbank", gaborcore.filterbank, (),
          dict(sr=p["sr"], n_fft=p["n_fft"], n_bands=p["n_mels"], fmin=p["fmin"],
               fmax=p["fmax"], scale=scale), backends=False)
    check("mel_frequencies", gaborcore.mel_frequencies, (p["n_mels"],),
          dict(fmin=p["fmin"], fmax=p["fmax"] if p["fmax"] is not None else 11025.0),
          backends=False)
    check("fft_frequencies", gaborcore.fft_frequencies, (), dict(sr=p["sr"], n_fft=p["n_fft"]),
          backends=False)


# ---- nn --------------------------------------------------------------------------------------

def _image(d, c_in=None):
    c = c_in or d.draw(st.integers(1, 3))
    return d.draw(S.arrays((c, d.draw(st.integers(0, 24)), d.draw(st.integers(0, 24)))))


def _pair(d, lo, hi):
    return d.draw(st.one_of(S.ints(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi)),
                            st.sampled_from([(1, 2, 3), "x", None, (0, 1)])))


@given_data
def test_conv2d(data):
    x = _image(data)
    c_in = x.shape[-3] if x.ndim >= 3 else 1
    w = data.draw(S.arrays((data.draw(st.integers(1, 3)),
                            data.draw(st.sampled_from([c_in, c_in, c_in + 1])),
                            data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))),
                           lead=False, odd_dtypes=False))
    b = data.draw(st.one_of(st.none(), S.arrays((w.shape[0],), lead=False, odd_dtypes=False)))
    p = dict(stride=_pair(data, 1, 4), dilation=_pair(data, 1, 3),
             padding=data.draw(st.one_of(st.sampled_from(["valid", "same", "full", "circular",
                                                          "nope"]), S.ints(0, 4))),
             operation=data.draw(st.sampled_from(["correlation", "convolution", "x"])),
             padding_mode=data.draw(st.sampled_from(["zeros", "circular", "reflect"])))
    check("conv2d", nn.conv2d, (x, w, b), dict(p, workers=_workers(data)))
    if data.draw(st.integers(0, 3)) == 0:
        check("conv_matrix", nn.conv_matrix, (w, x.shape[-3:]), p, backends=False)


@given_data
def test_pooling(data):
    x = _image(data)
    p = dict(kernel_size=_pair(data, 1, 5), stride=data.draw(st.one_of(st.none(),
                                                                       S.ints(1, 4))),
             padding=data.draw(S.ints(0, 2)), ceil_mode=data.draw(st.booleans()))
    p["workers"] = _workers(data)
    check("max_pool2d", nn.max_pool2d, (x,), p)
    check("avg_pool2d", nn.avg_pool2d, (x,),
          dict(p, count_include_pad=data.draw(st.booleans())))
    order = data.draw(st.one_of(st.sampled_from([1, 2, 3, 4, np.inf, 1.5, 0.5, "2"]),
                                S.floats(1.0, 20.0)))
    check("lp_pool2d", nn.lp_pool2d, (x,), dict(p, p=order))


@given_data
def test_dense_and_activations(data):
    x = data.draw(S.arrays((data.draw(st.integers(0, 40)),)))
    n_in = x.shape[-1] if x.ndim else 1
    w = data.draw(S.arrays((data.draw(st.integers(1, 6)),
                            data.draw(st.sampled_from([n_in, n_in, n_in + 1]))),
                           lead=False, odd_dtypes=False))
    check("dense", nn.dense, (x, w), dict(bias=data.draw(st.one_of(
        st.none(), S.arrays((w.shape[0],), lead=False, odd_dtypes=False)))))
    check("relu", nn.relu, (x,))
    if x.dtype in (np.float32, np.float64):
        check("relu(out=)", nn.relu, (x,), dict(out=_out(data, x.shape, x.dtype)))
    check("leaky_relu", nn.leaky_relu, (x,),
          dict(negative_slope=data.draw(st.one_of(S.floats(-2, 2), st.just(0.01)))))
    check("absolute", nn.absolute, (x,))
    check("tanh", nn.tanh, (x,))
    check("sigmoid", nn.sigmoid, (x,))
    check("log_compression", nn.log_compression, (x,), dict(gain=data.draw(S.floats(1e-3, 1e3))))


@given_data
def test_network(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    c = data.draw(st.integers(1, 3))
    act = data.draw(st.sampled_from([nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.LeakyReLU(0.1),
                                     nn.LogCompression(2.0), nn.Abs()]))
    pool = data.draw(st.sampled_from([nn.MaxPool2d(kernel_size=2), nn.AvgPool2d(kernel_size=2),
                                      nn.LpPool2d(p=2, kernel_size=2)]))
    net = nn.Network([nn.Conv2d(rng.standard_normal((4, c, 3, 3)), rng.standard_normal(4),
                                padding="same"), act, pool, nn.Flatten(),
                      nn.Dense(rng.standard_normal((3, 4 * 4 * 4)))])
    x = data.draw(S.arrays((c, 8, 8)))
    check("Network", net, (x,))


# ---- operators, equivalence -------------------------------------------------------------

@given_data
def test_operators(data):
    L = data.draw(st.sampled_from([16, 24, 32, 17]))
    g = data.draw(S.arrays((L,), lead=False, dtypes=(np.float64, np.complex128)))
    check("torus_window", op.torus_window, (g[: data.draw(st.integers(0, L))],
                                            data.draw(S.ints(1, 64))), backends=False)
    check("ambiguity", op.ambiguity, (g,), backends=False)
    check("ambiguity_rows", op.ambiguity_rows,
          (g, data.draw(S.ints(-40, 40)), data.draw(S.ints(1, 40))))
    hop, M = data.draw(st.sampled_from([(4, 8), (8, 8), (2, 4), (3, 8), (0, 8)]))
    check("ambiguity_lattice", op.ambiguity_lattice, (g,), dict(hop_length=hop, n_fft=M))
    F = data.draw(S.arrays((L, L), lead=False, dtypes=(np.float64, np.complex128)))
    check("symplectic_fft", op.symplectic_fft, (F,), backends=False)
    check("spreading_function", op.spreading_function, (F,), backends=False)
    check("lattice_symplectic_fft", op.lattice_symplectic_fft, (F[:4, :8],),
          dict(length=data.draw(S.ints(1, 64))), backends=False)
    if L % 2:
        check("wigner", op.wigner, (g,), backends=False)
    if hop and L % hop == 0 and L % M == 0:
        mask = data.draw(S.arrays((L // hop, M), lead=False, odd_dtypes=False, special=False))
        try:
            mult = op.GaborMultiplier(mask, g, hop_length=hop, n_fft=M)
        except gaborcore.ParameterError:
            return
        f = data.draw(S.arrays((L,)))
        check("GaborMultiplier.apply", mult.apply, (f,), backends=False)


@given_data
def test_equivalence(data):
    shape = (data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12)))
    Sx = data.draw(S.arrays(shape))
    w = data.draw(st.one_of(S.arrays(shape, lead=False), S.scalars_or_arrays()))
    check("correlate2d", gaborcore.equivalence.correlate2d, (Sx, w), backends=False)
    check("convolve2d", gaborcore.equivalence.convolve2d, (Sx, w), backends=False)


# ---- NSGT (calls only: the nsgt helper owns the fixes) -------------------------------------

# Found by the long profile, the NSGT module's (issue 17), reported to it, not yet fixed: finite
@given_data
def test_nsgt(data):
    L = data.draw(S.ints(16, 4096))
    p = dict(length=L, sr=data.draw(st.one_of(st.just(8000.0), S.floats(100.0, 48000.0))),
             fmin=data.draw(st.one_of(st.just(100.0), S.floats(1.0, 2000.0))),
             fmax=data.draw(st.one_of(st.none(), st.just(3000.0), S.floats(10.0, 30000.0))),
             bins_per_octave=data.draw(S.ints(1, 48)),
             scale=data.draw(st.sampled_from(["cqt", "mel", "log", "nope"])),
             layout=data.draw(st.sampled_from(["ragged", "matrix", "nope"])))
    try:
        plan = gaborcore.NSGT(**p)
    except gaborcore.ParameterError:
        return
    y = data.draw(S.arrays((plan.length,)))
    outcome, coefs = check("NSGT.forward", plan.forward, (y,),
                           dict(workers=_workers(data)))
    if outcome == "ok":
        check("NSGT.inverse", plan.inverse, (coefs,))


@given_data
def test_slicing_window(data):
    sl = data.draw(S.ints(16, 4096))
    tr = data.draw(S.ints(0, 2048))
    check("slicing_window", gaborcore.slicing_window, (sl, tr), backends=False)


@settings(report_multiple_bugs=False)
@given_data
def test_sliced_nsgt_and_helpers(data):
    sl = data.draw(S.ints(16, 4096))
    tr = data.draw(st.one_of(st.none(), S.ints(0, 2048)))
    sr = data.draw(st.one_of(st.just(8000.0), S.floats(100.0, 48000.0)))
    check("nsgt_frequencies", gaborcore.nsgt_frequencies, (),
          dict(sr=sr, fmin=data.draw(S.floats(1.0, 2000.0)),
               bins_per_octave=data.draw(S.ints(1, 48))), backends=False)
    try:
        plan = gaborcore.SlicedNSGT(slice_length=sl, transition=tr, sr=sr, fmin=100.0,
                                    fmax=data.draw(st.one_of(st.none(), st.just(3000.0))),
                                    bins_per_octave=data.draw(S.ints(1, 24)))
    except gaborcore.ParameterError:
        return
    y = data.draw(S.arrays((data.draw(st.integers(0, 3 * sl)),)))
    outcome, coefs = check("SlicedNSGT.forward", plan.forward, (y,))
    if outcome == "ok":
        check("SlicedNSGT.inverse", plan.inverse, (coefs,), dict(length=y.shape[-1]))


@given_data
def test_nn_shapes_and_parameters(data):
    shape = data.draw(st.lists(st.integers(0, 40), min_size=0, max_size=5)).copy()
    p = dict(kernel_size=_pair(data, 1, 5), stride=data.draw(st.one_of(st.none(), S.ints(1, 4))),
             padding=data.draw(S.ints(0, 2)))
    check("pool_output_shape", nn.pool_output_shape, (tuple(shape),), p, backends=False)
    check("conv_output_shape", nn.conv_output_shape,
          (tuple(shape), data.draw(st.sampled_from([(2, 1, 3, 3), (3, 3), (1, 2, 3)]))),
          dict(stride=_pair(data, 1, 3), padding=data.draw(st.sampled_from(["same", 1, "x"]))),
          backends=False)
    x = data.draw(S.arrays(tuple(min(n, 6) for n in shape), lead=False))
    check("flatten", nn.flatten, (x,), dict(start_axis=data.draw(S.ints(-4, 4)),
                                           end_axis=data.draw(S.ints(-4, 4))), backends=False)
    net = nn.Network([nn.Dense(np.ones((2, 3))), nn.ReLU(), nn.Dense(np.ones((1, 2)))])
    theta = data.draw(S.arrays((data.draw(st.sampled_from([net.n_parameters, 3, 0])),),
                               lead=False))
    check("Network.set_theta", net.set_theta, (theta,), backends=False)


@given_data
def test_lattice_spectrogram(data):
    a, M = data.draw(st.sampled_from([(4, 8), (8, 16), (2, 4), (3, 8), (0, 8)]))
    N = data.draw(st.integers(1, 8))
    f = data.draw(S.arrays((max(1, np.lcm(max(a, 1), M) * N),)))
    win = data.draw(st.sampled_from([np.hanning(M), np.ones(3), "hann", np.ones(2 * M)]))
    check("lattice_spectrogram", gaborcore.equivalence.lattice_spectrogram, (f, win),
          dict(hop_length=a, n_fft=M))


def test_harness_fails_on_a_disagreement(monkeypatch):
    """The harness itself can fail: backends that differ are reported."""
    from . import harness
    from .harness import FuzzFailure, counts
    from .harness import check as _check

    monkeypatch.setattr(harness, "BACKENDS", ["one", "two"])

    saved = counts.copy()

    calls = iter(range(100))

    def differs(x, backend=None):
        return x + next(calls)

    with pytest.raises(FuzzFailure, match="differ"):
        _check("differs", differs, (np.zeros(3),))

    def other(x, backend=None):
        raise IndexError("boom")

    with pytest.raises(FuzzFailure, match="IndexError"):
        _check("other", other, (np.zeros(3),))

    def nan(x, backend=None):
        return np.full(3, np.nan)

    with pytest.raises(FuzzFailure, match="NaN"):
        _check("nan", nan, (np.zeros(3),))
    counts.clear()
    counts.update(saved)  # the report counts the library's calls only
