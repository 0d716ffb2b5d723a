"""STFT kernels compiled with numba: the per-block work of the NumPy plan, as explicit loops.

The block driver (thread split, FFT plans) is shared with ``gaborcore._numpy._stft``; here the
framing, the squaring / transposed write and the overlap-add are compiled and release the GIL, so
the driver's threads run them in parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._codes import OUT_MAGNITUDE, OUT_POW, PAD_CONSTANT, PAD_WRAP
from .._numpy import _stft as _np_stft

_JIT = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_JIT)
def _pad_index(i, n, mode):
    if mode == PAD_WRAP:
        m = i % n
        return m + n if m < 0 else m
    if n == 1:
        return 0
    period = 2 * (n - 1)
    m = i % period
    if m < 0:
        m += period
    return m if m < n else period - m


@njit(**_JIT)
def _fill(buf, x, window, lo, hi, hop, g0, nb, pad, pad_mode, n_frames):
    n = x.shape[1]
    w = window[lo:hi]
    for i in range(nb):
        g = g0 + i
        b = g // n_frames
        t = g - b * n_frames
        s0 = t * hop - pad
        row = buf[i]
        # the FFT buffers are shared by every plan of this size (per thread): clear what the
        # window does not cover
        row[:lo] = 0.0
        row[hi:] = 0.0
        if s0 + lo >= 0 and s0 + hi <= n:
            src = x[b, s0 + lo:s0 + hi]
            dst = row[lo:hi]
            for j in range(hi - lo):
                dst[j] = w[j] * src[j]
        else:
            for j in range(lo, hi):
                s = s0 + j
                if 0 <= s < n:
                    v = x[b, s]
                elif pad_mode == PAD_CONSTANT:
                    v = 0.0
                else:
                    v = x[b, _pad_index(s, n, pad_mode)]
                row[j] = window[j] * v
    buf[nb:] = 0.0


@njit(**_JIT)
def _emit_real(z, out, g0, nb, n_frames, kind, power):
    n_freq = z.shape[1]
    half = power / 2
    i = 0
    while i < nb:
        g = g0 + i
        b = g // n_frames
        t = g - b * n_frames
        run = min(nb - i, n_frames - t)
        zb = z[i:i + run]
        ob = out[b]
        for k in range(n_freq):
            dst = ob[k, t:t + run]
            for r in range(run):
                c = zb[r, k]
                dst[r] = c.real * c.real + c.imag * c.imag
            if kind == OUT_MAGNITUDE:
                dst[:] = np.sqrt(dst)
            elif kind == OUT_POW:
                dst[:] = dst ** half
        i += run


@njit(**_JIT)
def _emit_complex(z, out, g0, nb, n_frames):
    n_freq = z.shape[1]
    i = 0
    while i < nb:
        g = g0 + i
        b = g // n_frames
        t = g - b * n_frames
        run = min(nb - i, n_frames - t)
        for k in range(n_freq):
            for r in range(run):
                out[b, k, t + r] = z[i + r, k]
        i += run


@njit(**_JIT)
def _load(zbuf, coef, row, t0, nb):
    n_freq = zbuf.shape[1]
    for k in range(n_freq):
        for i in range(nb):
            zbuf[i, k] = coef[row, k, t0 + i]
    for i in range(nb, zbuf.shape[0]):
        for k in range(n_freq):
            zbuf[i, k] = 0


@njit(**_JIT)
def _ola(frames, orow, synth, lo, hi, hop, t0, nb, offset):
    n_out = orow.shape[0]
    for i in range(nb):
        s0 = (t0 + i) * hop - offset
        for j in range(lo, hi):
            s = s0 + j
            if 0 <= s < n_out:
                orow[s] += synth[j] * frames[i, j]


@njit(**_JIT)
def _emit_fb(z, fb_data, fb_start, fb_offset, out, g0, nb, n_frames, kind, power, pw):
    n_freq = z.shape[1]
    n_bands = fb_start.shape[0]
    half = power / 2
    for i in range(nb):
        g = g0 + i
        b = g // n_frames
        t = g - b * n_frames
        zi = z[i]
        for k in range(n_freq):
            c = zi[k]
            v = c.real * c.real + c.imag * c.imag
            if kind == OUT_MAGNITUDE:
                v = np.sqrt(v)
            elif kind == OUT_POW:
                v = v ** half
            pw[k] = v
        for band in range(n_bands):
            a = fb_offset[band]
            s = fb_start[band]
            acc = pw.dtype.type(0)
            for k in range(fb_offset[band + 1] - a):
                acc += fb_data[a + k] * pw[s + k]
            out[b, band, t] = acc


class StftPlan(_np_stft.StftPlan):
    """Numba STFT plan: same driver as the NumPy plan, compiled per-block work."""

    def _fill(self, buf, x, g0, nb, pad, pad_mode, n_frames):
        _fill(buf, x, self.window, self.lo, self.hi, self.hop, g0, nb, pad, pad_mode, n_frames)

    def _emit(self, z, out, g0, nb, n_frames, kind, power):
        if kind == _np_stft.OUT_COMPLEX:
            _emit_complex(z, out, g0, nb, n_frames)
        else:
            _emit_real(z, out, g0, nb, n_frames, kind, out.dtype.type(power))

    def _load(self, zbuf, coef, row, t0, nb):
        _load(zbuf, coef, row, t0, nb)

    def _ola(self, frames, orow, t0, nb, offset):
        _ola(frames, orow, self.synth, self.lo, self.hi, self.hop, t0, nb, offset)

    def _emit_fb(self, z, fb, out, g0, nb, n_frames, kind, power):
        pw = np.empty(self.n_freq, out.dtype)
        _emit_fb(z, fb[0], fb[1], fb[2], out, g0, nb, n_frames, kind, out.dtype.type(power), pw)
