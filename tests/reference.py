"""Slow, obviously correct definitions that every fast path is tested against.

Explicit loops and explicit DFT / frame matrices, in float64 / complex128, no cleverness.
Conventions are those of docs/theory.rst (notation) (arrays on the torus indexed [time, frequency])
unless a function says it follows librosa's (frequency, frame) layout.
"""

from __future__ import annotations

import numpy as np
import scipy.signal


def dft_matrix(n: int) -> np.ndarray:
    """``F[m, j] = exp(-2 pi i m j / n)``."""
    j = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(j, j) / n)


def window(name, n: int, fftbins: bool = True) -> np.ndarray:
    """scipy's window (the reference for gaborcore.get_window); scipy calls the sine window cosine."""
    if name == "sine":
        name = "cosine"
    return scipy.signal.get_window(name, n, fftbins=fftbins)


def pad_center(w: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    lpad = (n - len(w)) // 2
    out[lpad:lpad + len(w)] = w
    return out


def stft(y, n_fft, hop_length, win, center=True, pad_mode="constant"):
    """STFT in librosa's layout ``(n_fft // 2 + 1, n_frames)``, frame by frame, DFT by matrix."""
    y = np.asarray(y, dtype=np.float64)
    w = pad_center(np.asarray(win, dtype=np.float64), n_fft)
    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    n_frames = 1 + (len(y) - n_fft) // hop_length
    F = dft_matrix(n_fft)[: n_fft // 2 + 1]
    out = np.empty((n_fft // 2 + 1, n_frames), complex)
    for t in range(n_frames):
        frame = y[t * hop_length: t * hop_length + n_fft] * w
        out[:, t] = F @ frame
    return out


def istft(X, n_fft, hop_length, win, length, center=True):
    """Least-squares inverse: overlap-add of windowed inverse DFTs divided by sum of window^2."""
    w = pad_center(np.asarray(win, dtype=np.float64), n_fft)
    n_frames = X.shape[1]
    total = n_fft + hop_length * (n_frames - 1)
    acc = np.zeros(total)
    norm = np.zeros(total)
    Finv = np.conj(dft_matrix(n_fft)) / n_fft
    for t in range(n_frames):
        full = np.concatenate([X[:, t], np.conj(X[1:(n_fft + 1) // 2, t][::-1])])
        frame = (Finv @ full).real
        acc[t * hop_length: t * hop_length + n_fft] += frame * w
        norm[t * hop_length: t * hop_length + n_fft] += w * w
    nz = norm > 1e-300
    acc[nz] /= norm[nz]
    start = n_fft // 2 if center else 0
    out = np.zeros(length)
    seg = acc[start:start + length]
    out[: len(seg)] = seg
    return out


def full_stft(f, g):
    """``V_g f[x, w] = sum_t f(t) conj(g(t - x)) exp(-2 pi i w t / L)`` on Z_L."""
    f = np.asarray(f, complex)
    g = np.asarray(g, complex)
    L = len(f)
    t = np.arange(L)
    out = np.empty((L, L), complex)
    E = dft_matrix(L)
    for x in range(L):
        out[x] = E @ (f * np.conj(g[(t - x) % L]))
    return out


def dgt(f, g, a, M):
    """Lattice Gabor transform ``c[n, m] = sum_t f(t) conj(g(t - a n)) exp(-2 pi i m t / M)``."""
    f = np.asarray(f, complex)
    g = np.asarray(g, complex)
    L = len(f)
    N = L // a
    t = np.arange(L)
    out = np.empty((N, M), complex)
    for n in range(N):
        for m in range(M):
            out[n, m] = np.sum(f * np.conj(g[(t - a * n) % L]) * np.exp(-2j * np.pi * m * t / M))
    return out


def gabor_atoms(g, a, M):
    """Matrix whose column (n, m) is ``g_{n,m}(t) = exp(2 pi i m t / M) g(t - a n)``."""
    g = np.asarray(g, complex)
    L = len(g)
    t = np.arange(L)
    cols = []
    for n in range(L // a):
        for m in range(M):
            cols.append(np.exp(2j * np.pi * m * t / M) * g[(t - a * n) % L])
    return np.array(cols).T


def frame_operator(g, a, M):
    """``S = sum_{n,m} g_{n,m} g_{n,m}^H`` as an explicit L x L matrix."""
    A = gabor_atoms(g, a, M)
    return A @ A.conj().T


def symplectic_ft(F):
    """``F_s F(x, w) = (1/L) sum_{y,v} F(y, v) exp(-2 pi i (w y - x v) / L)`` by explicit sums."""
    L = F.shape[0]
    y = np.arange(L)
    out = np.empty((L, L), complex)
    for x in range(L):
        for w in range(L):
            out[x, w] = np.sum(F * np.exp(-2j * np.pi * (w * y[:, None] - x * y[None, :]) / L)) / L
    return out


def centred_on_torus(w: np.ndarray, L: int) -> np.ndarray:
    """The window of gaborcore's torus transforms as a function on Z_L: ``g(s) = w[s + n//2]``."""
    n = len(w)
    g = np.zeros(L)
    for j in range(n):
        g[(j - n // 2) % L] = w[j]
    return g


def triangular_filterbank(sr, n_fft, edges_hz, norm="slaney"):
    """Triangles through consecutive edge frequencies, one bin and one band at a time."""
    n_bands = len(edges_hz) - 2
    freqs = [k * sr / n_fft for k in range(n_fft // 2 + 1)]
    W = np.zeros((n_bands, len(freqs)))
    for b in range(n_bands):
        lo, mid, hi = edges_hz[b], edges_hz[b + 1], edges_hz[b + 2]
        for k, f in enumerate(freqs):
            if lo < f <= mid:
                W[b, k] = (f - lo) / (mid - lo)
            elif mid < f < hi:
                W[b, k] = (hi - f) / (hi - mid)
        if norm == "slaney":
            W[b] *= 2.0 / (hi - lo)
    return W


def filterbank_spectrogram(y, W, n_fft, hop_length, win, power=2.0, center=True,
                           pad_mode="constant"):
    """``W @ |STFT|**power`` from the explicit STFT above."""
    return W @ (np.abs(stft(y, n_fft, hop_length, win, center, pad_mode)) ** power)
