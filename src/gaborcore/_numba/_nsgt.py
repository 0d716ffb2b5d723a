"""NSGT kernels with numba: the C kernel's flat tables, gathers and scatters as compiled loops.

Same constructor (plain arrays) and tables as the NumPy kernel, whose driver this subclasses.
The FFTs (one of the signal, one batched transform per group of equal M) go through scipy.fft;
the loops over support entries (gather ``F * conj(G)``, multiply by the dual windows, fold the
implied mirror bands of real plans into the half spectrum) are compiled and release the GIL.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from numba import njit

from .._numpy import _nsgt as _np

_JIT = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_JIT)
def _gather(X, src, conj, dst, w, i0, i1, buf):
    for b in range(X.shape[0]):
        for i in range(i0, i1):
            v = X[b, src[i]]
            if conj[i]:
                v = np.conj(v)
            buf[b, dst[i]] += v * w[i]


@njit(**_JIT)
def _values(C, dst, dual, i0, i1, vals):
    for b in range(C.shape[0]):
        for i in range(i0, i1):
            vals[b, i] = C[b, dst[i]] * dual[i]


@njit(**_JIT)
def _synthesis(vals, t1, t2, H):
    for b in range(vals.shape[0]):
        for i in range(vals.shape[1]):
            v = vals[b, i]
            if t1[i] >= 0:
                H[b, t1[i]] += v
            if t2[i] >= 0:
                H[b, t2[i]] += np.conj(v)


class NsgtKernel(_np.NsgtKernel):
    """The NumPy driver with the gathers and scatters compiled (same constructor: plain arrays)."""

    def flat(self, dtype) -> dict:
        key = ("flat", np.dtype(dtype).str)
        with self._lock:
            flat = self._tables.get(key)
        if flat is None:
            flat = _np.flat_tables(self.length, self.real, self.tables(dtype), np.dtype(dtype))
            with self._lock:
                flat = self._tables.setdefault(key, flat)
        return flat

    def forward(self, y2, out, n_threads):
        t = self.flat(out.real.dtype)
        B = y2.shape[0]
        if self.real:
            X = scipy.fft.rfft(y2, axis=-1, workers=n_threads)
        else:
            X = scipy.fft.fft(y2, axis=-1, workers=n_threads)
        for g in range(len(t["grp_M"])):
            M = int(t["grp_M"][g])
            b0, b1 = t["grp_band"][g], t["grp_band"][g + 1]
            n = int(b1 - b0)
            buf = np.zeros((B, n * M), out.dtype)
            _gather(X, t["src"], t["conj"], t["dst"], t["w"], t["grp_item"][g],
                    t["grp_item"][g + 1], buf)
            c = scipy.fft.ifft(buf.reshape(B, n, M), axis=-1, workers=n_threads)
            c *= out.real.dtype.type(M)  # unnormalised inverse DFT, as defined
            for r in range(n):
                off = t["offset"][b0 + r]
                out[:, off:off + M] = c[:, r]
        return out

    def inverse(self, coefs, out, n_threads):
        t = self.flat(coefs.real.dtype)
        B = coefs.shape[0]
        vals = np.empty((B, len(t["src"])), coefs.dtype)
        for g in range(len(t["grp_M"])):
            M = int(t["grp_M"][g])
            b0, b1 = t["grp_band"][g], t["grp_band"][g + 1]
            n = int(b1 - b0)
            c = np.empty((B, n, M), coefs.dtype)
            for r in range(n):
                off = t["offset"][b0 + r]
                c[:, r] = coefs[:, off:off + M]
            C = scipy.fft.fft(c, axis=-1, workers=n_threads).reshape(B, n * M)
            _values(C, t["dst"], t["dual"], t["grp_item"][g], t["grp_item"][g + 1], vals)
        n_spec = self.length // 2 + 1 if self.real else self.length
        H = np.zeros((B, n_spec), coefs.dtype)
        _synthesis(vals, t["t1"], t["t2"], H)
        if self.real:
            out[...] = scipy.fft.irfft(H, n=self.length, axis=-1, workers=n_threads)
        else:
            out[...] = scipy.fft.ifft(H, axis=-1, workers=n_threads)
        return out


convert = _np.convert
overlap_add = _np.overlap_add
assemble = _np.assemble
