"""Identities I3-I8 of docs/theory.rst through gaborcore.operators (ambiguity, symplectic FFT, multipliers)."""

import numpy as np
import pytest

import gaborcore
from gaborcore import ParameterError
from gaborcore import operators as op

from . import reference

LS = [45, 48, 96]


def _c(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


@pytest.mark.parametrize("L", LS)
def test_ambiguity_full_grid_and_I4_symmetry(L, rng):
    g = _c(rng, L)
    V = op.ambiguity(g)
    np.testing.assert_allclose(V, reference.full_stft(g, g), rtol=1e-12,
                               atol=1e-12 * np.abs(V).max())
    x, w = np.arange(L)[:, None], np.arange(L)[None, :]
    np.testing.assert_allclose(V[(-x) % L, (-w) % L], np.exp(-2j * np.pi * w * x / L) * np.conj(V),
                               rtol=1e-12, atol=1e-12 * np.abs(V).max())
    np.testing.assert_allclose(op.ambiguity(g, rows=[3, -1]), V[[3, L - 1]], rtol=1e-14)


@pytest.mark.parametrize("L,a,M,win", [(48, 4, 12, 12), (96, 8, 24, 20), (45, 3, 15, 9)])
def test_ambiguity_on_the_lattice_uses_the_compiled_dgt(backend, L, a, M, win):
    g = op.torus_window(gaborcore.get_window("hann", win), L)
    got = op.ambiguity_lattice(g, hop_length=a, n_fft=M, backend=backend)
    np.testing.assert_allclose(got, op.ambiguity(g)[::a, :: L // M], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("L", LS)
def test_I5_symplectic_fft_involutive_and_convolution_theorem(L, rng):
    F, G = _c(rng, L, L), _c(rng, L, L)
    Fs = op.symplectic_fft(F)
    np.testing.assert_allclose(Fs[:4, :4], reference.symplectic_ft(F)[:4, :4], rtol=1e-12,
                               atol=1e-12 * np.abs(Fs).max())
    np.testing.assert_allclose(op.symplectic_fft(Fs), F, rtol=1e-13, atol=1e-13 * np.abs(F).max())
    conv = np.fft.ifft2(np.fft.fft2(F) * np.fft.fft2(G))  # true 2-D circular convolution
    np.testing.assert_allclose(op.symplectic_fft(conv), L * Fs * op.symplectic_fft(G),
                               rtol=1e-12, atol=1e-12 * np.abs(L * Fs).max())


def test_lattice_symplectic_fft_definition_and_inverse(rng):
    L, a, M = 48, 4, 12
    N = L // a
    w = _c(rng, N, M)
    P = op.lattice_symplectic_fft(w, length=L)
    n, k = np.arange(N)[:, None], np.arange(M)[None, :]
    for x, v in [(0, 0), (3, 5), (11, 7)]:
        want = np.sum(w * np.exp(-2j * np.pi * (v * n / N - x * k / M))) / L
        assert P[x, v] == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(op.lattice_symplectic_ifft(P, length=L), w, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("L", LS)
def test_I3_spectrogram_cohen_class_through_operators(L, rng):
    f = _c(rng, L)
    g = _c(rng, L)
    S = np.abs(reference.full_stft(f, g)) ** 2
    np.testing.assert_allclose(op.symplectic_fft(S), op.ambiguity(f) * np.conj(op.ambiguity(g)),
                               rtol=1e-12, atol=1e-12 * np.abs(op.symplectic_fft(S)).max())


def _multiplier(rng, L=48, a=4, M=12, win=12, complex_mask=True):
    g = op.torus_window(gaborcore.get_window("hann", win), L)
    m = _c(rng, L // a, M) if complex_mask else rng.standard_normal((L // a, M))
    return op.GaborMultiplier(m, g, hop_length=a, n_fft=M), g


@pytest.mark.parametrize("L,a,M,win", [(48, 4, 12, 12), (96, 8, 24, 17), (45, 5, 15, 15)])
def test_I6_multiplier_quadratic_form(L, a, M, win, rng):
    g = op.torus_window(gaborcore.get_window("hann", win), L)
    m = _c(rng, L // a, M)
    G = op.GaborMultiplier(m, g, hop_length=a, n_fft=M)
    f = _c(rng, L)
    S0 = np.abs(reference.dgt(f, g, a, M)) ** 2
    np.testing.assert_allclose(np.vdot(f, G.apply(f)), np.sum(m * S0), rtol=1e-12)


@pytest.mark.parametrize("L", LS)
def test_I7_I8_spreading_function_of_a_multiplier(L, rng):
    a, M = {45: (5, 15), 48: (4, 12), 96: (8, 24)}[L]
    g = op.torus_window(gaborcore.get_window("hann", M), L)
    G = op.GaborMultiplier(_c(rng, L // a, M), g, hop_length=a, n_fft=M)
    K = G.matrix()
    eta = op.spreading_function(K)
    np.testing.assert_allclose(op.multiplier_spreading_function(G), eta, rtol=1e-12,
                               atol=1e-12 * np.abs(eta).max())
    np.testing.assert_allclose(op.operator_from_spreading(eta), K, rtol=1e-12,
                               atol=1e-12 * np.abs(K).max())


def test_spreading_function_definition(rng):
    L = 12
    K = _c(rng, L, L)
    eta = op.spreading_function(K)
    t = np.arange(L)
    for x, w in [(0, 0), (3, 7), (11, 2)]:
        want = np.sum(K[t, (t - x) % L] * np.exp(-2j * np.pi * w * t / L)) / L
        assert eta[x, w] == pytest.approx(want, rel=1e-12)


def test_multiplier_matrix_adjoint_batch_and_fast_path(rng):
    G, g = _multiplier(rng)
    K = G.matrix()
    np.testing.assert_allclose(G.adjoint().matrix(), K.conj().T, rtol=1e-12, atol=1e-12)
    f = _c(rng, 3, 48)
    np.testing.assert_allclose(G.apply(f), f @ K.T, rtol=1e-12, atol=1e-12)
    # real symmetric masks on real signals run through the compiled dgt / idgt
    m = rng.standard_normal((12, 12))
    m = (m + m[:, (-np.arange(12)) % 12]) / 2
    Gr = op.GaborMultiplier(m, g, hop_length=4, n_fft=12)
    assert Gr._fast
    x = rng.standard_normal((2, 48))
    np.testing.assert_allclose(Gr.apply(x), (x @ Gr.matrix().T).real, rtol=1e-12, atol=1e-12)


def test_nsgt_multiplier_quadratic_form(rng):
    plan = gaborcore.NSGT(length=2048, sr=8000.0, fmin=100.0, fmax=3000.0, real=False)
    mask = rng.standard_normal(plan.total)
    f = _c(rng, 2048)
    c = plan.forward(f).data
    out = op.NSGTMultiplier(plan, mask).apply(f)
    np.testing.assert_allclose(np.vdot(f, out), np.sum(mask * np.abs(c) ** 2), rtol=1e-11)


def test_wigner_marginals_odd_length(rng):
    f = _c(rng, 45)
    W = op.wigner(f)
    np.testing.assert_allclose(W.sum(1), 45 * np.abs(f) ** 2, rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(W.sum(0), np.abs(np.fft.fft(f)) ** 2, rtol=1e-12, atol=1e-11)
    with pytest.raises(ParameterError, match="odd"):
        op.wigner(_c(rng, 48))


def test_operator_errors(rng):
    g = op.torus_window(gaborcore.get_window("hann", 12), 48)
    with pytest.raises(ParameterError, match="mask"):
        op.GaborMultiplier(np.ones((5, 5)), g, hop_length=4, n_fft=12)
    with pytest.raises(ParameterError, match="multiple"):
        op.GaborMultiplier(np.ones((12, 12)), g, hop_length=5, n_fft=12)
    with pytest.raises(ParameterError, match="square"):
        op.symplectic_fft(np.ones((3, 4)))
    with pytest.raises(ParameterError, match="longer than n_fft"):
        op.ambiguity_lattice(op.torus_window(np.ones(30), 48), hop_length=4, n_fft=12)


@pytest.mark.parametrize("L", [45, 48, 1024])
def test_ambiguity_rows_through_the_compiled_stft(backend, L):
    g = op.torus_window(gaborcore.get_window("hann", L // 3), L)
    full = op.ambiguity(g)
    for x0, n in [(0, 5), (L - 4, 9), (7, L // 4)]:
        got = op.ambiguity_rows(g, x0, n, backend=backend)
        want = full[np.arange(x0, x0 + n) % L]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(full).max())
