"""Identities I9, I10, I14 (docs/theory.rst), the lattice transfer, mel designs, Def. IV.1, Figure 1."""

import numpy as np
import pytest

import gaborcore
from gaborcore import ParameterError
from gaborcore import equivalence as eq
from gaborcore import operators as op

from . import reference


def _c(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _S(f, g):
    return np.abs(reference.full_stft(f, g)) ** 2


@pytest.mark.parametrize("L", [45, 48, 96])
def test_I9_I10_full_grid_transfer(L, rng):
    g, h, f = _c(rng, L), _c(rng, L), _c(rng, L)
    w_g = rng.standard_normal((L, L))
    r = eq.transfer_kernel(w_g, g, h, eps=0)
    lhs = eq.correlate2d(_S(f, g), w_g)
    np.testing.assert_allclose(eq.correlate2d(_S(f, h), r.kernel), lhs, rtol=1e-10,
                               atol=1e-10 * np.abs(lhs).max())
    assert r.residual < 1e-10
    rc = eq.transfer_kernel(w_g, g, h, mode="convolution", eps=0)
    lhs_c = eq.convolve2d(_S(f, g), w_g)
    np.testing.assert_allclose(eq.convolve2d(_S(f, h), rc.kernel), lhs_c, rtol=1e-10,
                               atol=1e-10 * np.abs(lhs_c).max())
    # sign regression: the correlation condition used with a true convolution is wrong (~0.7)
    wrong = eq.convolve2d(_S(f, h), r.kernel)
    assert np.linalg.norm(wrong - lhs_c) / np.linalg.norm(lhs_c) > 0.1


def test_correlation_and_convolution_definitions(rng):
    S, w = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    z = (4, 2)
    corr = sum(S[a, b] * w[(a - z[0]) % 6, (b - z[1]) % 5] for a in range(6) for b in range(5))
    conv = sum(S[a, b] * w[(z[0] - a) % 6, (z[1] - b) % 5] for a in range(6) for b in range(5))
    assert eq.correlate2d(S, w)[z] == pytest.approx(corr)
    assert eq.convolve2d(S, w)[z] == pytest.approx(conv)


def test_lattice_transfer_bound_holds(backend, rng):
    L, a, M = 1024, 16, 256
    wg = gaborcore.get_window("hann", 256)
    wh = gaborcore.get_window("hann", 64)
    wg, wh = wg / np.linalg.norm(wg), wh / np.linalg.norm(wh)
    g, h = op.torus_window(wg, L), op.torus_window(wh, L)
    N = L // a
    k = np.arange(M)
    k = np.minimum(k, M - k)
    w_g = np.zeros((N, M))
    w_g[0] = np.exp(-np.pi * k**2 / 6.0**2)
    r = eq.transfer_kernel(w_g, g, h, hop_length=a, n_fft=M)
    for _ in range(3):
        f = rng.standard_normal(L)
        f /= np.linalg.norm(f)
        Sg = eq.lattice_spectrogram(f, wg, hop_length=a, n_fft=M, backend=backend)
        Sh = eq.lattice_spectrogram(f, wh, hop_length=a, n_fft=M, backend=backend)
        err = np.abs(eq.correlate2d(Sg, w_g) - eq.correlate2d(Sh, r.kernel)).max()
        assert err <= r.bound
    assert r.residual < 0.05


def test_I14_gaussian_mel_design_is_exact(rng):
    d = eq.gaussian_mel_design(length=1024, sigma_g=64.0, centres=[37.0, 200.0, 512.0],
                               sigma_h=16.0)
    np.testing.assert_allclose(d.betas, 43.8178046, rtol=1e-8)
    np.testing.assert_allclose(d.r, 43.8178046, rtol=1e-8)
    np.testing.assert_allclose(d.amplitude, 4.0, rtol=1e-12)
    f = rng.standard_normal(1024)
    ms, ta = d.mel_spectrogram(f), d.time_averaged(f)
    np.testing.assert_allclose(ta, ms, rtol=1e-12, atol=1e-12 * ms.max())
    d2 = eq.gaussian_mel_design(length=1024, sigma_g=64.0, centres=[100.0], betas=d.betas[0])
    np.testing.assert_allclose(d2.sigma_h, 16.0, rtol=1e-12)
    with pytest.raises(ParameterError, match="sigma_h"):
        eq.gaussian_mel_design(length=1024, sigma_g=64.0, centres=[1.0], sigma_h=70.0)


def test_gaussian_mel_equals_the_mel_spectrogram_of_its_bands(rng):
    # the design's MS is the usual mel spectrogram on the full grid with the Gaussian bands
    d = eq.gaussian_mel_design(length=256, sigma_g=24.0, centres=[30.0, 60.0], sigma_h=8.0)
    f = rng.standard_normal(256)
    S0 = np.abs(reference.full_stft(f, d.window)) ** 2
    np.testing.assert_allclose(d.mel_spectrogram(f), (S0 @ d.bands().T).T, rtol=1e-12)


def test_triangular_mel_design_errors_per_band(rng):
    L = 4096
    g = op.torus_window(gaborcore.get_window("hann", 1024), L)
    d = eq.triangular_mel_design(sr=22050, length=L, window=g, n_mels=128)
    e = d.band_errors(rng.standard_normal((2, L)))
    assert e.shape == (128,)
    # docs/theory.rst (Proposition IV.5) for a 1024-sample window at 22.05 kHz: ~1 % at the top, a few % at the
    # median band, tens of % in the lowest bands
    assert e[-8:].mean() < 0.02
    assert 0.01 < np.median(e) < 0.15
    assert e[:8].mean() > 0.1
    assert e[-8:].mean() < np.median(e) < e[:8].mean()


def test_time_average_with_per_band_hops(rng):
    S = rng.standard_normal((3, 40))
    avg = rng.standard_normal((3, 40))
    out = eq.time_average(S, avg)
    lag = 7
    want = sum(S[1, lp] * avg[1, (lp - lag) % 40] for lp in range(40))
    assert out[1, lag] == pytest.approx(want)
    parts = eq.time_average(S, avg, hops=[1, 2, 4])
    assert [p.shape[-1] for p in parts] == [40, 20, 10]
    np.testing.assert_allclose(parts[2], out[2, ::4])


def _dataset(rng, n=12, L=4096, sr=8000.0):
    t = np.arange(L) / sr
    data = []
    for i in range(n):
        f0 = [200.0, 350.0, 600.0, 900.0][i % 4]
        x = np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6)) * np.exp(-t / 0.2)
        data.append((x + 0.05 * rng.standard_normal(L), i % 4))
    return data


def test_check_equivalence_theorem_IV4_and_a_non_equivalent_pair(rng):
    L, a, M = 4096, 32, 512
    wg, wh = gaborcore.get_window("hann", 512), gaborcore.get_window("hann", 128)
    pair_g, pair_h, build = eq.kernel_transfer_networks(wg, wh, hop_length=a, n_fft=M,
                                                        length=L, beta=8.0)
    data = _dataset(rng)
    rep = eq.check_equivalence(pair_g, pair_h, data, build=build, draws=3)
    assert rep.equivalent, str(rep)
    assert np.all(rep.max_output_difference < rep.min_margin)

    def build_untransferred(r):
        (w_g, dense), _ = build(r)
        return (w_g, dense), (w_g, dense)  # the same kernel on the other window: not equivalent

    bad = eq.check_equivalence(pair_g, pair_h, data, build=build_untransferred, draws=3)
    assert not bad.equivalent
    assert "agreement" in str(bad)


def test_figure1_pipeline(tmp_path):
    r = gaborcore.figure1.figure1(tmp_path, plot=True)
    assert r.spectrogram_difference > 0.5  # the raw spectrograms differ by ~70 %
    assert r.pooled_difference <= 5e-4 and r.conv_difference <= 5e-4
    assert r.bound >= r.max_error
    pytest.importorskip("matplotlib")
    assert r.png is not None and r.png.stat().st_size > 10_000


def test_check_equivalence_theorem_IV6_time_averaging_layer(rng):
    d = eq.gaussian_mel_design(length=512, sigma_g=40.0, centres=[20.0, 45.0, 80.0, 130.0],
                               sigma_h=12.0)
    pair_mel, pair_ta, build = eq.time_average_networks(d, pool=16)
    data = [(rng.standard_normal(512), i % 4) for i in range(8)]
    rep = eq.check_equivalence(pair_mel, pair_ta, data, build=build, draws=3)
    assert rep.equivalent and rep.max_output_difference.max() < 1e-9 * 1e3
    # without the averaging layer the second pair is a different model
    no_avg = (pair_ta[0], pair_mel[1])
    assert not eq.check_equivalence(pair_mel, no_avg, data, build=build, draws=3).equivalent
