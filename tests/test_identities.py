"""the identities of docs/theory.rst, I1, I2, I3 and I11 through gaborcore's Gabor transform (every backend)."""

import numpy as np
import pytest

import gaborcore

from . import reference


def _complex(rng, L):
    return rng.standard_normal(L) + 1j * rng.standard_normal(L)


def _torus_dgt(f, w, a, M, backend):
    """gaborcore's dgt as an array indexed [time, frequency] like docs/theory.rst."""
    return gaborcore.dgt(f, window=w, hop_length=a, n_fft=M, backend=backend).T


@pytest.mark.parametrize("L,a,M,win", [(48, 4, 12, 12), (96, 8, 24, 17), (45, 3, 15, 15),
                                       (96, 6, 32, 32)])
def test_I1_lattice_dgt_samples_full_stft(backend, L, a, M, win, rng):
    f = _complex(rng, L)
    w = gaborcore.get_window("hann", win)
    c = _torus_dgt(f, w, a, M, backend)
    assert c.shape == (L // a, M)
    g = reference.centred_on_torus(gaborcore.pad_center(w, M), L)
    V = reference.full_stft(f, g)
    np.testing.assert_allclose(c, V[::a, :: L // M], rtol=1e-13, atol=1e-13 * np.abs(V).max())
    np.testing.assert_allclose(c, reference.dgt(f, g, a, M), rtol=1e-13,
                               atol=1e-13 * np.abs(V).max())


@pytest.mark.parametrize("L", [45, 48, 96])
def test_I2_moyal(backend, L, rng):
    f1, f2 = _complex(rng, L), _complex(rng, L)
    w1, w2 = rng.standard_normal(L), rng.standard_normal(L)
    V1 = _torus_dgt(f1, w1, 1, L, backend)
    V2 = _torus_dgt(f2, w2, 1, L, backend)
    lhs = np.sum(V1 * np.conj(V2))
    rhs = L * np.vdot(f2, f1) * np.conj(np.dot(w1, w2))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


@pytest.mark.parametrize("L", [45, 48, 96])
def test_I3_spectrogram_is_cohen_class(backend, L, rng):
    f = _complex(rng, L)
    w = gaborcore.get_window("hann", L // 3)
    g = reference.centred_on_torus(w, L)
    S = np.abs(_torus_dgt(f, w, 1, L, backend)) ** 2
    lhs = np.fft.ifft(np.fft.fft(S, axis=0), axis=1).T  # F_s, docs/theory.rst (notation)
    np.testing.assert_allclose(lhs[:5, :5], reference.symplectic_ft(S)[:5, :5], rtol=1e-12,
                               atol=1e-12 * np.abs(lhs).max())
    Vgg = _torus_dgt(g.astype(complex), w, 1, L, backend)
    rhs = reference.full_stft(f, f) * np.conj(Vgg)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12 * np.abs(rhs).max())


@pytest.mark.parametrize("L,a,M,win,name", [(48, 4, 12, 12, "hann"), (96, 8, 24, 20, "blackman"),
                                            (45, 5, 15, 11, "hamming"), (96, 12, 32, 32, "sine")])
def test_I11_painless_frame_and_reconstruction(backend, L, a, M, win, name, rng):
    w = gaborcore.get_window(name, win)
    g = reference.centred_on_torus(gaborcore.pad_center(w, M), L)
    S = reference.frame_operator(g, a, M)
    D = M * sum(np.abs(np.roll(g, a * n)) ** 2 for n in range(L // a))
    np.testing.assert_allclose(S, np.diag(D), atol=1e-12 * D.max())
    # synthesis with the canonical dual window g / D reconstructs from the lattice coefficients
    gamma = gaborcore.dual_window(w, hop_length=a, n_fft=M)
    f = _complex(rng, L)
    c = reference.dgt(f, g, a, M)
    atoms = reference.gabor_atoms(reference.centred_on_torus(gamma, L), a, M)
    np.testing.assert_allclose(atoms @ c.ravel(), f, rtol=1e-12, atol=1e-12)
    # and gaborcore's own inverse does the same for real signals, on every backend
    x = rng.standard_normal((2, L))
    coef = gaborcore.dgt(x, window=w, hop_length=a, n_fft=M, backend=backend)
    rec = gaborcore.idgt(coef, window=w, hop_length=a, n_fft=M, length=L, backend=backend)
    np.testing.assert_allclose(rec, x, rtol=1e-12, atol=1e-12)
