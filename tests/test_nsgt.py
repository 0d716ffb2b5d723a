"""NSGT: perfect reconstruction, identities I12/I13 (docs/theory.rst), frame operator, layouts, streaming."""

import numpy as np
import pytest

import gaborcore
from gaborcore import NSGT, ParameterError, SlicedNSGT

SR = 22050.0
SCALES = [
    dict(scale="cqt", fmin=60.0, fmax=8000.0, bins_per_octave=12),
    dict(scale="cqt", fmin=40.0, n_bins=60, bins_per_octave=10),
    dict(scale="vqt", fmin=40.0, fmax=9000.0, bins_per_octave=12, gamma=15.0),
    dict(scale="mel", fmin=30.0, fmax=10000.0, n_bins=64),
    dict(scale="bark", fmin=30.0, fmax=10000.0, n_bins=24),
    dict(scale="erb", fmin=30.0, fmax=10000.0, n_bins=40),
    dict(scale="log", fmin=50.0, fmax=10000.0, n_bins=40),
    dict(scale="linear", fmin=100.0, fmax=10000.0, n_bins=50),
    dict(frequencies=[100.0, 150.0, 300.0, 310.0, 1000.0, 4000.0]),
    dict(scale="cqt", fmin=60.0, fmax=8000.0, window="blackmanharris"),
    dict(scale="cqt", fmin=60.0, fmax=8000.0, window="gaussian", qvar=1.5),
]
LAYOUTS = gaborcore.nsgt.LAYOUTS
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def _signal(rng, shape, dtype, real=True):
    y = rng.standard_normal(shape)
    if not real:
        y = y + 1j * rng.standard_normal(shape)
    return y.astype(dtype if real else np.result_type(dtype, np.complex64))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("params", SCALES)
def test_I12_perfect_reconstruction_every_scale_and_layout(backend, params, layout, rng):
    L = 8191  # odd
    plan = NSGT(length=L, sr=SR, layout=layout, **params)
    assert plan.is_painless
    y = _signal(rng, (2, L), np.float64)
    c = plan.forward(y, backend=backend)
    np.testing.assert_allclose(plan.inverse(c, backend=backend), y, rtol=0, atol=1e-12 * 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("L", [4096, 5000, 7919])
def test_reconstruction_precision_real_complex_lengths(backend, dtype, real, L, rng):
    plan = NSGT(length=L, sr=SR, fmin=80.0, fmax=7000.0, real=real)
    y = _signal(rng, (3, L), dtype, real)
    c = plan.forward(y, backend=backend)
    assert c.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    rec = plan.inverse(c, backend=backend)
    assert rec.dtype == y.dtype and rec.shape == y.shape
    np.testing.assert_allclose(rec, y, rtol=0, atol=TOL[dtype] * np.abs(y).max() * 4)


# ---- an independent reference, from docs/theory.rst (the NSGT)'s formulas alone ---------------------
def _reference_scale(scale, fmin, n_bins, sr, B=12, gamma=0.0):
    """Centres and bandwidths (Hz) written from docs/theory.rst: constant-Q xi_k = fmin 2^(k/B) with
    support from xi_(k-1) to xi_(k+1) (+ gamma for variable-Q); mel centres evenly spaced on
    2595 log10(1 + f/700) with the support reaching both neighbours."""
    if scale in ("cqt", "vqt"):
        xi = fmin * 2.0 ** (np.arange(n_bins) / B)
        return xi, xi * (2 ** (1 / B) - 2 ** (-1 / B)) + gamma
    assert scale == "mel"
    m = np.linspace(2595 * np.log10(1 + fmin / 700), 2595 * np.log10(1 + 0.45 * sr / 700), n_bins)
    step = m[1] - m[0]
    f = 700 * (10 ** (np.concatenate([[m[0] - step], m, [m[-1] + step]]) / 2595) - 1)
    xi = f[1:-1]
    return xi, np.minimum(f[2:], sr / 2) - np.maximum(f[:-2], 0)


def _reference_window(L, sr, centre_hz, bw_hz):
    """Hann window on the DFT circle, centred at centre_hz, zero outside +-bw/2."""
    d = (np.arange(L) - centre_hz * L / sr + L / 2) % L - L / 2  # circular distance, bins
    x = d / (bw_hz * L / sr)
    return np.where(np.abs(x) < 0.5, 0.5 + 0.5 * np.cos(2 * np.pi * x), 0.0)


def _reference_coefficients(f, L, sr, centre_hz, bw_hz, M):
    """c_k[n] = sum_j F[j] G_k[j] exp(2 pi i n (j - j_k) / M_k), as an explicit sum."""
    F = np.fft.fft(f)
    G = _reference_window(L, sr, centre_hz, bw_hz)
    j = np.flatnonzero(G)
    jk = int(np.round(centre_hz * L / sr))
    jj = (j - jk + L // 2) % L - L // 2  # the support around the centre, unwrapped
    E = np.exp(2j * np.pi * np.outer(np.arange(M), jj) / M)
    return E @ (F[j] * G[j])


REFERENCE_SCALES = [
    dict(scale="cqt", fmin=130.0, n_bins=60),
    dict(scale="vqt", fmin=130.0, n_bins=60, gamma=20.0),
    dict(scale="mel", fmin=60.0, n_bins=40),
]


def _design_kwargs(params):
    kw = dict(params)
    if kw["scale"] == "mel":
        kw["fmax"] = 0.45 * SR
    return kw


@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("layout", ["ragged", "full"])
@pytest.mark.parametrize("params", REFERENCE_SCALES)
def test_scale_bands_match_the_reference_on_every_backend(backend, params, layout, real, rng):
    L = 6000
    plan = NSGT(length=L, sr=SR, layout=layout, real=real, **_design_kwargs(params))
    xi, bw = _reference_scale(params["scale"], params["fmin"], params["n_bins"], SR,
                              gamma=params.get("gamma", 0.0))
    scale = np.flatnonzero(plan.bands.kind == "band")
    np.testing.assert_allclose(plan.bands.centre_hz[scale], xi, rtol=1e-12)
    np.testing.assert_allclose(plan.bands.bandwidth_hz[scale], bw, rtol=1e-12)
    y = _signal(rng, L, np.float64, real)
    c = plan.forward(y, backend=backend)
    for k in scale:
        want = _reference_coefficients(y, L, SR, xi[k - 1], bw[k - 1], int(plan.bands.M[k]))
        np.testing.assert_allclose(c.band(k), want, rtol=1e-10, atol=1e-10 * np.abs(want).max())


@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("layout", ["ragged", "full"])
@pytest.mark.parametrize("backend", [b for b in gaborcore.available_backends() if b != "numpy"])
def test_compiled_backends_agree_with_the_numpy_specification(backend, real, layout, rng):
    plan = NSGT(length=6000, sr=SR, fmin=50.0, fmax=9000.0, real=real, layout=layout)
    y = _signal(rng, (2, 6000), np.float64, real)
    want = plan.forward(y, backend="numpy").data
    got = plan.forward(y, backend=backend).data
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    # synthesis of arbitrary (not analysis-consistent) coefficients agrees too
    z = want * (1 + 0.3j) + 0.1
    np.testing.assert_allclose(plan.inverse(z, backend=backend),
                               plan.inverse(z, backend="numpy"), rtol=1e-12, atol=1e-12)


def test_inverse_is_the_canonical_dual_synthesis(backend, rng):
    """For any z, f = inverse(z) solves S f = A z: forward(f) - z is orthogonal to every
    forward(u) (black-box check, complex plan: the plain inner product of the coefficients)."""
    L = 3000
    plan = NSGT(length=L, sr=SR, fmin=80.0, fmax=8000.0, real=False)
    z = plan.forward(_signal(rng, L, np.float64, False)).data
    z = z * (1 + 0.5j) + rng.standard_normal(z.shape)  # not the coefficients of any signal
    r = plan.forward(plan.inverse(z, backend=backend), backend=backend).data - z
    U = plan.forward(_signal(rng, (6, L), np.float64, False), backend=backend).data
    assert np.abs(U.conj() @ r).max() < 1e-9 * np.abs(U).max() * np.abs(z).max() * L
    assert np.abs(r).max() > 1e-3  # z was not in the range: the check is not empty


@pytest.mark.parametrize("params", REFERENCE_SCALES[:2])
def test_I13_coefficients_are_subsampled_filter_outputs(backend, params, rng):
    L = 2**14
    plan = NSGT(length=L, sr=SR, layout="piecewise", real=False, **params)  # M_k divide L
    assert np.all(L % plan.bands.M == 0)
    xi, bw = _reference_scale(params["scale"], params["fmin"], params["n_bins"], SR,
                              gamma=params.get("gamma", 0.0))
    f = _signal(rng, L, np.float64, real=False)
    c = plan.forward(f, backend=backend)
    F = np.fft.fft(f)
    for k in np.flatnonzero(plan.bands.kind == "band"):
        M = int(plan.bands.M[k])
        G = _reference_window(L, SR, xi[k - 1], bw[k - 1])
        out = L * np.fft.ifft(F * G)  # sum_j F[j] conj(G_k[j]) e^{2 pi i j t / L}, G real
        samples = out[:: L // M]
        got = c.band(k)
        np.testing.assert_allclose(np.abs(got), np.abs(samples), rtol=1e-10,
                                   atol=1e-10 * np.abs(samples).max())
        jk = int(np.round(xi[k - 1] * L / SR))
        phase = np.exp(-2j * np.pi * ((np.arange(M) * jk) % M) / M)  # exact modular argument
        np.testing.assert_allclose(got, samples * phase,
                                   rtol=1e-10, atol=1e-10 * np.abs(samples).max())


def test_frame_operator_is_the_diagonal():
    """The frame operator S = A A^H, from the analysis of every unit vector, is diagonal in
    frequency; its diagonal is the plan's D, which where only scale bands live is
    sum_k M_k |G_k|^2 of the reference windows; the frame bounds are its extremes."""
    L, sr = 512, 8000.0
    plan = NSGT(length=L, sr=sr, scale="cqt", fmin=400.0, n_bins=15, bins_per_octave=6,
                real=False)
    C = plan.forward(np.eye(L) + 0j).data  # row u: the coefficients <e_u, phi_j>
    S = C.conj() @ C.T  # S[t, u] = sum_j phi_j(t) conj(phi_j(u)) = (A A^H)[t, u]
    Fm = np.fft.fft(np.eye(L))
    Shat = Fm @ S @ np.linalg.inv(Fm)
    off = Shat - np.diag(np.diag(Shat))
    assert np.abs(off).max() < 1e-9 * np.abs(Shat).max()
    D = plan.diagonal
    np.testing.assert_allclose(np.diag(Shat).real, L * D, rtol=1e-9)  # F unnormalised: L D
    xi, bw = _reference_scale("cqt", 400.0, 15, sr, B=6)
    bands = np.flatnonzero(plan.bands.kind == "band")
    mirrors = np.flatnonzero(plan.bands.kind == "mirror")[::-1]  # same order as bands
    G = np.array([_reference_window(L, sr, c, b) for c, b in zip(xi, bw, strict=True)])
    want = (plan.bands.M[bands][:, None] * G**2).sum(0)
    want += (plan.bands.M[mirrors][:, None] * G[:, (-np.arange(L)) % L] ** 2).sum(0)
    nu = np.abs(np.fft.fftfreq(L, 1 / sr))
    inner = (nu > xi[1]) & (nu < xi[-2])  # away from the DC and Nyquist bands
    np.testing.assert_allclose(D[inner], want[inner], rtol=1e-9)
    A_, B_ = plan.frame_bounds
    assert A_ == pytest.approx(D.min()) and B_ == pytest.approx(D.max()) and A_ > 0


@pytest.mark.parametrize("params", SCALES[:9])
def test_pure_tone_lands_in_its_band(backend, params):
    L = 2**15
    plan = NSGT(length=L, sr=SR, **params)
    centres = plan.bands.centre_hz
    scale_bands = np.flatnonzero(plan.bands.kind == "band")
    t = np.arange(L) / SR
    for k in scale_bands[[1, len(scale_bands) // 2, -2]]:
        f0 = centres[k]
        c = plan.forward(np.cos(2 * np.pi * f0 * t), backend=backend)
        # |c_b[n]| is the filter output's modulus: about |G_b(f0)| L / 2 for every b
        energy = [np.mean(np.abs(c.band(b)) ** 2) for b in scale_bands]
        assert scale_bands[int(np.argmax(energy))] == k


def test_band_table_and_hops():
    plan = NSGT(length=22050, sr=SR, fmin=110.0, fmax=7040.0)
    b = plan.bands
    assert b.kind[0] == "dc" and b.kind[-1] == "nyquist" and (b.kind[1:-1] == "band").all()
    np.testing.assert_allclose(b.hop, 22050 / b.M)
    np.testing.assert_allclose(b.hop_seconds, b.hop / SR)
    assert np.all(b.M >= b.support)
    assert np.all(np.diff(b.centre_hz) > 0)
    assert "hop ms" in str(b)
    assert plan.redundancy == pytest.approx(plan.total / plan.length)


def test_layout_views_and_conversion(rng):
    kw = dict(length=9000, sr=SR, fmin=60.0, fmax=8000.0)
    y = rng.standard_normal(9000)
    ragged = NSGT(layout="ragged", **kw)
    c = ragged.forward(y)
    assert len(c.bands()) == len(ragged.bands)
    for layout in ("bucketed", "piecewise", "full"):
        other = NSGT(layout=layout, **kw)
        conv = other.convert(c)
        np.testing.assert_allclose(conv.data, other.forward(y).data, rtol=1e-10,
                                   atol=1e-10 * np.abs(c.data).max())
        back = ragged.convert(conv)
        np.testing.assert_allclose(back.data, c.data, rtol=1e-10, atol=1e-10 * np.abs(c.data).max())
        for M, idx, view in conv.buckets():
            assert view.shape == (len(idx), M)
            assert np.shares_memory(view, conv.data)
            np.testing.assert_array_equal(view[0], conv.band(idx[0]))
    full = NSGT(layout="full", **kw).forward(y)
    mat = full.matrix()
    assert mat.shape == (len(ragged.bands) - 2, full.plan.bands.M[1])
    assert full.dc.shape[-1] != mat.shape[-1] or True  # DC / Nyquist are stored apart
    with pytest.raises(ParameterError, match="full layout"):
        c.matrix()


def test_full_layout_keeps_dc_and_nyquist_apart():
    kw = dict(length=22050, sr=SR, fmin=60.0, fmax=4000.0)
    full = NSGT(layout="full", **kw)
    M = full.bands.M
    assert len(set(M[1:-1])) == 1
    # the wide Nyquist band keeps its own M: the matrix is not padded to its size
    assert M[-1] > M[1] and full.redundancy < 4


@pytest.mark.parametrize("kwargs,match", [
    (dict(fmin=0.0, fmax=8000.0), "fmin"),
    (dict(fmin=-5.0, fmax=8000.0), "fmin"),
    (dict(fmin=600.0, fmax=60.0), "fmax"),
    (dict(fmin=20000.0, n_bins=5), "fmin"),
    (dict(fmin=60.0, fmax=None, n_bins=None), "fmax or n_bins"),
    (dict(fmin=60.0, n_bins=1), "n_bins"),
    (dict(scale="mel", fmin=60.0, fmax=8000.0, n_bins=1), "n_bins"),
    (dict(fmin=60.0, fmax=8000.0, M=8), "painless"),
    (dict(fmin=60.0, fmax=8000.0, layout="dense"), "layout"),
    (dict(fmin=60.0, fmax=8000.0, oversampling=0.5), "oversampling"),
    (dict(fmin=60.0, fmax=8000.0, window="kaiser"), "window"),
    (dict(scale="semitone", fmin=60.0), "scale"),
    (dict(frequencies=[300.0, 200.0]), "frequencies"),
    (dict(fmin=8000.0, n_bins=20, bins_per_octave=2), "at least 2"),
])
def test_bad_designs(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        NSGT(length=8000, sr=SR, **kwargs)


def test_bad_signals_and_coefficients(rng):
    plan = NSGT(length=4000, sr=SR, fmin=60.0, fmax=8000.0)
    with pytest.raises(ParameterError, match="length=4000"):
        plan.forward(rng.standard_normal(4001))
    with pytest.raises(ParameterError, match="pad=True"):
        plan.forward(rng.standard_normal(3000))
    with pytest.raises(ParameterError, match="complex"):
        plan.forward(rng.standard_normal(4000) + 0j)
    with pytest.raises(ParameterError, match="dtype"):
        plan.forward(np.zeros(4000, np.int32))
    with pytest.raises(ParameterError, match="NaN"):
        plan.forward(np.full(4000, np.nan))
    with pytest.raises(ParameterError, match="values per signal"):
        plan.inverse(np.zeros(10, np.complex128))
    padded = NSGT(length=4000, sr=SR, fmin=60.0, fmax=8000.0, pad=True)
    y = rng.standard_normal(3000)
    np.testing.assert_allclose(padded.inverse(padded.forward(y), length=3000), y, atol=1e-12)


def test_workers_identical(rng):
    plan = NSGT(length=20000, sr=SR, fmin=50.0, fmax=9000.0)
    for shape in ((20000,), (5, 20000)):
        y = rng.standard_normal(shape)
        for b in gaborcore.available_backends():
            ref = plan.forward(y, backend=b, workers=1).data
            np.testing.assert_array_equal(plan.forward(y, backend=b, workers=2).data, ref)
            np.testing.assert_array_equal(plan.inverse(ref, backend=b, workers=2),
                                          plan.inverse(ref, backend=b, workers=1))


# ---- sliced / streaming ------------------------------------------------------------------
def test_slicing_windows_sum_to_one():
    for s, tr in ((64, 16), (4096, 1024), (4096, 2048), (100, 1)):
        w = gaborcore.slicing_window(s, tr)
        acc = np.zeros(5 * s)
        for i in range(9):
            acc[i * s // 2:i * s // 2 + s] += w
        np.testing.assert_array_equal(acc[s:4 * s], 1.0)
        assert not w[: s // 4 - tr // 2].any() and not w[3 * s // 4 + tr - tr // 2:].any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sliced_perfect_reconstruction(backend, dtype, rng):
    sl = SlicedNSGT(slice_length=4096, sr=SR, fmin=100.0, fmax=8000.0, chunk_slices=3)
    y = rng.standard_normal((2, 30001)).astype(dtype)
    c = sl.forward(y, backend=backend)
    assert c.data.shape[:2] == (2, sl.n_slices(30001))
    rec = sl.inverse(c, length=30001, backend=backend)
    np.testing.assert_allclose(rec, y, atol=TOL[dtype] * 8)


@pytest.mark.parametrize("sizes", [[30001], [1000, 5000, 3, 7000, 16998, 1, 0],
                                   [4096] * 7 + [1329], [2048] * 14 + [1329]])
def test_streaming_equals_whole_signal_and_inverts_exactly(sizes, rng):
    sl = SlicedNSGT(slice_length=4096, transition=512, sr=SR, fmin=100.0, fmax=8000.0)
    y = rng.standard_normal((2, 30001))
    whole = sl.forward(y)
    blocks, pos = [], 0
    for n in sizes:
        blocks.append(sl.process(y[:, pos:pos + n]))
        pos += n
    blocks.append(sl.flush())
    assert [b.first_slice for b in blocks] == list(np.cumsum([0] + [b.n_slices for b in blocks])[:-1])
    data = np.concatenate([b.data for b in blocks], axis=-2)
    np.testing.assert_array_equal(data, whole.data)  # identical computation, block by block
    inv = sl.inverse_stream()
    parts = [inv.process(b) for b in blocks] + [inv.flush()]
    rec = np.concatenate(parts, axis=-1)
    assert rec.shape == y.shape
    np.testing.assert_allclose(rec, y, atol=1e-12)


def test_streaming_latency_is_causal(rng):
    sl = SlicedNSGT(slice_length=1024, transition=256, sr=8000.0, fmin=100.0, fmax=3000.0)
    y = rng.standard_normal(20000)
    first = sl.process(y[:5000])
    sl.reset()
    y2 = y.copy()
    y2[5000:] = rng.standard_normal(15000)  # the future differs
    again = sl.process(y2[:5000])
    np.testing.assert_array_equal(first.data, again.data)
    # every sample older than `latency` has all of its slices out
    n_out = first.n_slices
    last_start = sl.slice_start(n_out)  # the first slice not yet out
    assert 5000 - (last_start + sl.slice_length // 4 - sl.transition // 2) <= sl.latency


def test_assembled_stream_is_coherent_for_a_stationary_tone():
    sr, s = 8000.0, 2048
    sl = SlicedNSGT(slice_length=s, sr=sr, fmin=100.0, fmax=3000.0, bins_per_octave=6)
    t = np.arange(40000) / sr
    k = int(np.argmin(np.abs(sl.inner.bands.centre_hz - 1000.0)))
    f0 = sl.inner.bands.centre_hz[k]
    streams = sl.forward(np.cos(2 * np.pi * f0 * t)).assemble()
    mid = np.abs(streams[k][len(streams[k]) // 4: 3 * len(streams[k]) // 4])
    assert mid.min() > 0.5 * mid.max()  # no cancellation between slices


def test_sliced_bad_parameters():
    with pytest.raises(ParameterError, match="multiple of 4"):
        SlicedNSGT(slice_length=1022, sr=SR, fmin=100.0, fmax=8000.0)
    with pytest.raises(ParameterError, match="transition"):
        SlicedNSGT(slice_length=1024, transition=600, sr=SR, fmin=100.0, fmax=8000.0)
    with pytest.raises(ParameterError, match="length"):
        SlicedNSGT(slice_length=1024, sr=SR, fmin=100.0, fmax=8000.0, length=5)
    sl = SlicedNSGT(slice_length=1024, sr=SR, fmin=100.0, fmax=8000.0)
    sl.process(np.zeros((2, 100)))
    with pytest.raises(ParameterError, match="leading shape"):
        sl.process(np.zeros(100))


def test_foreign_coefficients_are_refused(rng):
    kw = dict(length=6000, sr=SR, fmin=60.0, fmax=8000.0)
    hann, gauss = NSGT(**kw), NSGT(window="gaussian", **kw)
    c = hann.forward(rng.standard_normal(6000))
    with pytest.raises(ParameterError, match="windows"):
        gauss.convert(c)
    with pytest.raises(ParameterError, match="other windows"):
        gauss.inverse(c)
    twin = NSGT(**kw)  # an identical design: its coefficients are welcome
    np.testing.assert_allclose(twin.inverse(c), hann.inverse(c))


def test_mel_scale_formula_and_bands_within_nyquist():
    xi, bw = gaborcore.nsgt_frequencies(sr=16000.0, scale="mel", fmin=100.0, fmax=7000.0,
                                        n_bins=5)
    m = 2595 * np.log10(1 + xi / 700)  # docs/theory.rst (the NSGT): evenly spaced on this scale
    np.testing.assert_allclose(np.diff(m), np.diff(m)[0], rtol=1e-12)
    # no band reaches below 0 Hz; each reaches its neighbours' centres, sr/2 at most (the top
    # band may cross sr/2 by as much as it lies below it: its mirror image completes it)
    assert np.all(xi - bw / 2 >= -1e-9) and np.all(xi < 8000.0)
    f = np.concatenate([xi, [8000.0]])
    span = f[2:] - xi[:-1]
    assert np.all(bw[1:] <= span * (1 + 1e-12))  # the low bands are narrowed to stay above 0 Hz
    np.testing.assert_allclose(bw[2:], span[1:], rtol=1e-12)
    xs, _ = gaborcore.nsgt_frequencies(sr=16000.0, scale="mel", fmin=100.0, fmax=7000.0,
                                       n_bins=5, htk=False)
    np.testing.assert_allclose(np.diff(gaborcore.hz_to_mel(xs)), np.diff(gaborcore.hz_to_mel(xs))[0])


def test_forward_into_out(backend, rng):
    plan = NSGT(length=5000, sr=SR, fmin=60.0, fmax=8000.0)
    y = rng.standard_normal((2, 5000)).astype(np.float32)
    out = np.empty((2, plan.total), np.complex64)
    c = plan.forward(y, out=out, backend=backend)
    assert c.data is out
    np.testing.assert_array_equal(out, plan.forward(y, backend=backend).data)
    with pytest.raises(ParameterError, match="out"):
        plan.forward(y, out=np.empty((2, plan.total), np.complex128), backend=backend)


# ---- regressions (issues 13 and 14) -------------------------------------------------------
def test_huge_workers_are_clamped_not_a_crash(backend, rng):
    plan = NSGT(length=8192, sr=SR, fmin=50.0, fmax=4000.0)
    y = rng.standard_normal(8192)
    ref = plan.forward(y, backend=backend, workers=1)
    got = plan(y, workers=100000, backend=backend)
    np.testing.assert_array_equal(got.data, ref.data)
    np.testing.assert_array_equal(plan.inverse(got, workers=100000, backend=backend),
                                  plan.inverse(ref, workers=1, backend=backend))
    sl = SlicedNSGT(slice_length=1024, sr=SR, fmin=100.0, fmax=8000.0)
    c = sl.forward(y[:3000], workers=100000, backend=backend)
    np.testing.assert_array_equal(c.data, sl.forward(y[:3000], backend=backend).data)
    np.testing.assert_allclose(sl.inverse(c, length=3000, workers=100000, backend=backend),
                               y[:3000], atol=1e-12)
    assert sl.process(y[:2000], workers=100000, backend=backend).n_slices > 0
    assert gaborcore._backend.resolve_workers(100000) == gaborcore._backend.max_workers()


def test_sizes_and_sample_rates_refused_before_allocating():
    with pytest.raises(ParameterError, match="length=2147483648"):
        NSGT(length=2**31, sr=SR, fmin=60.0, fmax=8000.0)
    for sr in (None, "a", -1.0, np.nan, True):
        with pytest.raises(ParameterError, match="sr="):
            NSGT(length=4096, sr=sr, fmin=60.0, fmax=8000.0)
    with pytest.raises(ParameterError, match="fmin="):
        NSGT(length=4096, sr=SR, fmin=None, fmax=8000.0)


def test_complex_plan_takes_real_signals_on_every_backend(backend, rng):
    plan = NSGT(length=4410, sr=44100.0, fmin=100.0, fmax=10000.0, real=False)
    y = rng.standard_normal((2, 4410))
    c = plan.forward(y, backend=backend)
    np.testing.assert_allclose(c.data, plan.forward(y + 0j, backend="numpy").data,
                               rtol=1e-12, atol=1e-12 * np.abs(c.data).max())
    np.testing.assert_allclose(plan.inverse(c, backend=backend).real, y, atol=1e-12)
    sl = SlicedNSGT(slice_length=1024, sr=44100.0, fmin=200.0, fmax=10000.0, real=False)
    cs = sl.forward(y[:, :3000], backend=backend)
    np.testing.assert_allclose(sl.inverse(cs, length=3000, backend=backend).real, y[:, :3000],
                               atol=1e-12)


@pytest.mark.parametrize("scale", ["bark", "mel", "erb", "linear", "log"])
@pytest.mark.parametrize("n_bins", [24, 48, 96])
def test_scales_up_to_just_below_nyquist(scale, n_bins, rng):
    plan = NSGT(length=8000, sr=22050.0, scale=scale, fmin=20.0, fmax=11000.0, n_bins=n_bins)
    assert plan.frame_bounds[0] > 0
    y = rng.standard_normal(8000)
    np.testing.assert_allclose(plan.inverse(plan.forward(y)), y, atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(fmin=60.0, fmax=20000.0),
                                    dict(fmin=60.0, n_bins=200),
                                    dict(scale="mel", fmin=60.0, fmax=11025.0, n_bins=40)])
def test_fmax_at_or_above_nyquist_drops_the_bands_above_with_a_warning(kwargs, rng):
    with pytest.warns(UserWarning, match="Nyquist frequency 11025.0 Hz .* dropped"):
        plan = NSGT(length=8000, sr=22050.0, **kwargs)
    centres = plan.bands.centre_hz[plan.bands.kind == "band"]
    assert centres.max() < 11025.0
    y = rng.standard_normal(8000)
    np.testing.assert_allclose(plan.inverse(plan.forward(y)), y, atol=1e-12)


def _rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"), reason="Linux only")
def test_plan_create_destroy_loop_is_flat(backend):
    import gc

    y = np.ones(6000)
    kw = dict(length=6000, sr=SR, fmin=50.0, fmax=8000.0)

    def loop(n):
        for _ in range(n):
            NSGT(**kw).forward(y, backend=backend)
        gc.collect()

    loop(40)  # warm: FFTW's twiddle tables, numba's compiled kernels, allocator arenas
    before = _rss_mib()
    loop(300)
    assert _rss_mib() - before < 3.0  # 10 KiB per plan at most; a leaked plan is ~100 KiB


@pytest.mark.parametrize("args,match", [((2**31, 2**29), "slice_length"), ((16, 1024), "transition"),
                                        ((16, 0), "transition"), ((18, 2), "multiple of 4"),
                                        ((16.0, 4), "slice_length")])
def test_slicing_window_refuses_bad_sizes_before_allocating(args, match):
    with pytest.raises(ParameterError, match=match):
        gaborcore.slicing_window(*args)


# ---- cqt: NSGT band filter outputs on a hop grid ------------------------------------------
@pytest.mark.parametrize("n,hop", [(5000, 512), (4096, 256), (3001, 100)])
def test_cqt_is_the_band_filter_output_on_the_hop_grid(backend, n, hop, rng):
    """|C[k, m]| = |(f * g_k)(m hop)|, the filter from the theory page's window on a long DFT grid (a
    longer grid than the function's changes the discretisation of the window a little)."""
    y = rng.standard_normal(n)
    fmin, n_bins, B = 200.0, 30, 6
    C = gaborcore.cqt(y, sr=SR, hop_length=hop, fmin=fmin, n_bins=n_bins, bins_per_octave=B,
                      backend=backend)
    assert C.shape == (n_bins, 1 + n // hop)
    L = 8 * (n + 8192)
    F = np.fft.fft(y, L)
    xi, bw = _reference_scale("cqt", fmin, n_bins, SR, B=B)
    for k in range(0, n_bins, 7):
        out = np.abs(L * np.fft.ifft(F * _reference_window(L, SR, xi[k], bw[k])))
        want = out[np.arange(1 + n // hop) * hop]
        # sums over DFT grids of different lengths scale with the length: compare shapes
        np.testing.assert_allclose(C[k] / C[k].max(), want / want.max(), atol=2e-3)


def test_cqt_scaling_frames_and_dtype(rng):
    sr, hop = 22050.0, 512
    t = np.arange(3 * int(sr)) / sr
    xi = gaborcore.nsgt_frequencies(sr=sr, fmin=110.0, n_bins=36)[0]
    y = (0.5 * np.cos(2 * np.pi * xi[20] * t)).astype(np.float32)
    C = gaborcore.cqt(y, sr=sr, hop_length=hop, fmin=110.0, n_bins=36)
    assert C.dtype == np.float32 and C.shape == (36, 1 + y.size // hop)
    mid = C[:, 20:-20]
    assert int(mid.mean(axis=1).argmax()) == 20
    # a steady sinusoid: constant magnitude along time, the same in power=2 squared
    assert mid[20].std() < 1e-3 * mid[20].mean()
    P = gaborcore.cqt(y, sr=sr, hop_length=hop, fmin=110.0, n_bins=36, power=2.0)
    np.testing.assert_allclose(P, C.astype(np.float64) ** 2, rtol=1e-4)
    # an impulse at frame 40's centre peaks there in the top band
    z = np.zeros(y.size)
    z[40 * hop] = 1.0
    assert int(gaborcore.cqt(z, sr=sr, hop_length=hop, fmin=110.0, n_bins=36)[-1].argmax()) == 40


@pytest.mark.parametrize("kwargs,match", [(dict(n_bins=200), "Nyquist"),
                                          (dict(hop_length=0), "hop_length"),
                                          (dict(sr=None), "sr="),
                                          (dict(power=-1.0), "power")])
def test_cqt_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        gaborcore.cqt(np.zeros(4096), **kwargs)


def test_analysis_only_plans_refuse_inverse_and_convert(rng):
    plan = NSGT(length=4096, sr=SR, fmin=200.0, fmax=8000.0, M=16, painless=False)
    c = plan.forward(rng.standard_normal(4096))
    with pytest.raises(ParameterError, match="painless"):
        plan.inverse(c)
    with pytest.raises(ParameterError, match="painless"):
        NSGT(length=4096, sr=SR, fmin=200.0, fmax=8000.0).convert(c)
    with pytest.raises(ParameterError, match="painless=False"):
        NSGT(length=4096, sr=SR, fmin=200.0, fmax=8000.0, M=16)


@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("design, n_wide", [
    (dict(length=2**17 + 6, sr=SR, fmin=100.0, fmax=2000.0, bins_per_octave=6), 1),  # Nyquist
    (dict(length=2**17, sr=8000.0, fmin=2000.0, fmax=3000.0, bins_per_octave=6), 2),  # and DC
    (dict(length=2**17, sr=8000.0, scale="linear", fmin=500.0, fmax=3000.0, n_bins=3), 3),
], ids=["nyquist", "dc+nyquist", "nyquist+scale-bands"])
def test_wide_bands_split_over_threads_give_identical_results(backend, real, design, n_wide, rng):
    """Wide bands alone in their group (a Nyquist band of 10^5 coefficients; a DC band of
    65,536 and a Nyquist band of 32,768; a Nyquist band and two wide scale bands): the C kernel
    splits each one's FFT into two halves, or, for a real signal's band centred at DC or Nyquist
    (its gathered bins are Hermitian, its coefficients real), makes the analysis one real-output
    transform of half the bins; it stores the gathered bins and zeroes only the slots no bin
    covers, and the threads of one signal share the copy of the signal, the gathers, the long
    transforms (beside the other bands) and the combining passes.  The result equals the NumPy
    specification and does not depend on the thread count or on the batch size, bit for bit."""
    L = design["length"]
    plan = NSGT(real=real, **design)
    assert plan.bands.M.max() >= 2**15
    wide = sum(M >= 2**15 and M % 2 == 0 and len(idx) == 1 for M, idx, _ in plan.design.groups)
    assert wide == n_wide if real else wide >= 1  # complex plans pair scale bands with mirrors
    y = _signal(rng, (2, L), np.float64, real)
    ref = plan.forward(y, backend="numpy").data
    outs = [plan.forward(y, backend=backend, workers=w).data for w in (1, 2, 3)]
    one = [plan.forward(y[0], backend=backend, workers=w).data for w in (1, 2, 3)]
    np.testing.assert_allclose(outs[0], ref, rtol=0, atol=1e-13 * np.abs(ref).max())
    for o in outs[1:] + one:
        np.testing.assert_array_equal(o.reshape(-1, plan.total)[0], outs[0][0])
    inv = [plan.inverse(ref[0], backend=backend, workers=w) for w in (1, 2, 3)]
    np.testing.assert_allclose(inv[0], y[0], atol=1e-12)
    for r in inv[1:]:
        np.testing.assert_array_equal(r, inv[0])


def test_range_is_checked_before_the_sums_overflow(backend):
    """float32 input whose NSGT sums exceed float32 is refused naming y (it gave inf
    coefficients and an all-NaN inverse); large input that fits is transformed and inverted."""
    plan = NSGT(length=796, sr=8000, fmin=100.0, fmax=3000.0)
    y = np.random.default_rng(0).standard_normal(796).astype(np.float32)
    with pytest.raises(gaborcore.ParameterError, match=r"^y \(its largest sample\) is too large"):
        plan.forward(y * np.float32(1e35), backend=backend)
    big = y * np.float32(1e20)
    c = plan.forward(big, backend=backend)
    rec = plan.inverse(c, backend=backend)
    assert np.isfinite(rec).all()
    np.testing.assert_allclose(rec, big, atol=1e-5 * np.abs(big).max())
    with pytest.raises(gaborcore.ParameterError, match=r"^coefs \(their largest value\)"):
        plan.inverse(c.data * np.complex64(1e13), backend=backend)  # finite, past the bound


def test_eight_threads_share_one_plan_from_its_first_call(backend, rng):
    """One new NSGT plan (its kernel made lazily, under a lock) and one mel plan used by eight
    threads at once from their first call give exactly the serial results."""
    import threading

    signals = [rng.standard_normal(8000).astype(np.float32) for _ in range(8)]
    serial_plan = NSGT(length=8000, sr=SR, fmin=80.0, fmax=6000.0)
    serial = [serial_plan.forward(s, backend=backend).data for s in signals]
    mel_serial = [gaborcore.MelSpectrogram(sr=SR, n_fft=512, hop_length=128)(s, backend=backend)
                  for s in signals]
    plan = NSGT(length=8000, sr=SR, fmin=80.0, fmax=6000.0)
    mel = gaborcore.MelSpectrogram(sr=SR, n_fft=512, hop_length=128)
    results, mels = [None] * 8, [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        for _ in range(3):
            results[i] = plan.forward(signals[i], backend=backend).data
            mels[i] = mel(signals[i], backend=backend)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(8):
        np.testing.assert_array_equal(results[i], serial[i])
        np.testing.assert_array_equal(mels[i], mel_serial[i])


@pytest.mark.skipif("c" not in gaborcore.available_backends(), reason="needs the C kernel")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("L", [61740, 66150, 132300, 67500, 101250, 69498, 122694, 245388,
                               2**20, 1323000, 96000, 2**19, 131077, 131078],
                         ids=["below-threshold", "radix7-half-odd", "radix7", "radix5",
                              "radix5-half-odd", "radix9-half-odd", "radix3-half-odd", "radix3",
                              "radix8-big", "radix7-big", "twos-not-split", "twos-below-big",
                              "odd", "prime-half"])
def test_split_signal_fft_is_accurate_and_thread_independent(dtype, L, rng):
    """The C kernel computes a long real signal's FFT as r r2c sub-FFTs of its every r-th
    sample and chunked r-point DFTs that the threads share (csrc/gc_nsgt_bigfft_impl.h; lengths
    from 65,536 with at most two factors of two, or from 2^20, whose L/r is even and 13-smooth:
    radix 7, 5, 9, 3 with L/2 even or odd (and L/(2r) odd), 8 for 2^20, 7 for 60 s at 22,050
    Hz; 61,740 is below the threshold, 96,000 and 2^19 have more factors of two below 2^20,
    the others no radix: one r2c transform), and the inverse's synthesis sums (in ranges of
    bins) and c2r transform as the mirror image (chunked r-point DFTs, r c2r sub-FFTs,
    interleaved stores; csrc/gc_nsgt_bigifft_impl.h) for the same lengths: the coefficients
    and the reconstruction match the float64 NumPy specification to FFT precision (the
    reconstruction is the signal) and are the same bits on 1 to 4 threads, and for a row alone
    or in a batch of any size."""
    plan = NSGT(length=L, sr=SR, scale="cqt", fmin=32.7, n_bins=84, bins_per_octave=12)
    y = rng.standard_normal((3, L))
    ref = plan.forward(y, backend="numpy").data
    x = y.astype(dtype)
    one = plan.forward(x[0], backend="c", workers=1).data
    tol = 3e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(one, ref[0], rtol=0, atol=tol * np.abs(ref[0]).max())
    for w in (2, 3, 4):
        np.testing.assert_array_equal(plan.forward(x[0], backend="c", workers=w).data, one)
    for w in (1, 2, 3, 4):
        batch = plan.forward(x, backend="c", workers=w).data.reshape(3, plan.total)
        np.testing.assert_array_equal(batch[0], one.reshape(-1))
        np.testing.assert_array_equal(batch[1:2], plan.forward(x[1:2], backend="c").data
                                      .reshape(1, plan.total))
    # the inverse, from the specification's coefficients in the working precision
    c = ref.astype(np.result_type(dtype, np.complex64))
    rec = plan.inverse(ref, backend="numpy")
    back = plan.inverse(c[0], backend="c", workers=1)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, rec[0], rtol=0, atol=tol * np.abs(rec[0]).max())
    np.testing.assert_allclose(back, y[0], rtol=0, atol=tol * np.abs(y[0]).max())
    for w in (2, 3, 4):
        np.testing.assert_array_equal(plan.inverse(c[0], backend="c", workers=w), back)
    for w in (1, 2, 3, 4):
        batch = plan.inverse(c, backend="c", workers=w)
        np.testing.assert_array_equal(batch[0], back)
        np.testing.assert_array_equal(batch[1:2], plan.inverse(c[1:2], backend="c"))
