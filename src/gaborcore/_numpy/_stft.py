"""STFT kernels driven block by block from Python, with NumPy arithmetic.

The same plan interface as the C extension (``gaborcore._ext._stft.StftPlan``):
``forward(x, pad, pad_mode, n_frames, kind, power, out, n_threads)`` and
``inverse(coef, inv_diag, offset, out, n_threads)``.  Work is split the same way as in C: blocks of
frames taken from the flattened (signal, frame) index for the forward transform; super-blocks of
equal parity (which never write the same sample) for the overlap-add, so results do not depend on
the thread count.  The numba backend subclasses this and replaces the per-block hooks.
"""

from __future__ import annotations

import numpy as np

from .._backend import thread_pool
from .._codes import (  # noqa: F401 - re-exported for the numba kernels
    OUT_COMPLEX,
    OUT_MAGNITUDE,
    OUT_POW,
    OUT_POWER,
    PAD_CONSTANT,
    PAD_REFLECT,
    PAD_WRAP,
)
from .._codes import PY_BLOCK_FRAMES as BLOCK
from .._fftw import block_fft


def pad_index(idx: np.ndarray, n: int, mode: int) -> np.ndarray:
    """Map padded-signal indices onto [0, n) for reflect / wrap padding (any distance)."""
    if mode == PAD_WRAP:
        return np.mod(idx, n)
    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1)
    m = np.mod(idx, period)
    return np.where(m < n, m, period - m)


def _run_parallel(fn, items: int, n_threads: int) -> None:
    """Call ``fn(lo, hi)`` on contiguous chunks of ``range(items)`` on up to n_threads threads."""
    n_threads = max(1, min(n_threads, items))
    if n_threads == 1:
        fn(0, items)
        return
    bounds = np.linspace(0, items, n_threads + 1).astype(int)
    pool = thread_pool(n_threads)
    futures = [pool.submit(fn, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=False) if b > a]
    for f in futures:
        f.result()


class StftPlan:
    """NumPy STFT plan (window + per-thread FFT plans); same interface as the C plan."""

    block = BLOCK

    def __init__(self, n_fft: int, hop: int, window: np.ndarray, measure: bool = True):
        self.n_fft = int(n_fft)
        self.hop = int(hop)
        self.window = np.ascontiguousarray(window)
        self.dtype = self.window.dtype
        self.n_freq = self.n_fft // 2 + 1
        # block_fft's inverse is normalised by 1/n_fft already (like numpy.fft.irfft)
        self.synth = self.window
        nz = np.flatnonzero(self.window)
        self.lo, self.hi = (int(nz[0]), int(nz[-1]) + 1) if nz.size else (0, 0)

    # ---- hooks (replaced by the numba backend) -------------------------------------------
    def _fill(self, buf, x, g0, nb, pad, pad_mode, n_frames):
        g = g0 + np.arange(nb)
        b, t = np.divmod(g, n_frames)
        idx = (t * self.hop - pad)[:, None] + np.arange(self.lo, self.hi)[None, :]
        n = x.shape[1]
        inside = (idx >= 0) & (idx < n)
        if pad_mode == PAD_CONSTANT:
            vals = np.where(inside, x[b[:, None], np.clip(idx, 0, n - 1)], 0)
        else:
            vals = x[b[:, None], np.where(inside, idx, pad_index(idx, n, pad_mode))]
        # the FFT buffers are shared by every plan of this size (per thread): clear all that this
        # window does not overwrite
        buf[:nb, :self.lo] = 0
        buf[:nb, self.lo:self.hi] = vals * self.window[self.lo:self.hi]
        buf[:nb, self.hi:] = 0
        buf[nb:] = 0

    def _emit(self, z, out, g0, nb, n_frames, kind, power):
        g = g0 + np.arange(nb)
        b, t = np.divmod(g, n_frames)
        z = z[:nb]
        if kind == OUT_COMPLEX:
            vals = z
        else:
            vals = z.real * z.real + z.imag * z.imag
            if kind == OUT_MAGNITUDE:
                np.sqrt(vals, out=vals)
            elif kind == OUT_POW:
                np.power(vals, power / 2, out=vals)
        out[b[:, None], np.arange(self.n_freq)[None, :], t[:, None]] = vals

    def _load(self, zbuf, coef, row, t0, nb):
        zbuf[:nb] = coef[row, :, t0:t0 + nb].T
        zbuf[nb:] = 0

    def _ola(self, frames, orow, t0, nb, offset):
        n_out = orow.shape[0]
        seg = frames[:nb, self.lo:self.hi] * self.synth[self.lo:self.hi]
        for i in range(nb):  # frames in increasing order: the summation order is fixed
            s0 = (t0 + i) * self.hop - offset + self.lo
            a, e = max(s0, 0), min(s0 + self.hi - self.lo, n_out)
            if e > a:
                orow[a:e] += seg[i, a - s0:e - s0]

    # ---- drivers -----------------------------------------------------------------------------
    def _drive(self, x, pad, pad_mode, n_frames, n_threads, emit):
        """Blocks of frames of the flattened (signal, frame) index, split over threads."""
        total = x.shape[0] * n_frames
        if total == 0:
            return
        n_blocks = -(-total // self.block)

        def work(lo, hi):
            fft = block_fft(self.block, self.n_fft, self.dtype)
            for jb in range(lo, hi):
                g0 = jb * self.block
                nb = min(self.block, total - g0)
                self._fill(fft.input_array, x, g0, nb, pad, pad_mode, n_frames)
                emit(fft(), g0, nb)

        _run_parallel(work, n_blocks, n_threads)

    def forward(self, x, pad, pad_mode, n_frames, kind, power, out, n_threads):
        self._drive(x, pad, pad_mode, n_frames, n_threads,
                    lambda z, g0, nb: self._emit(z, out, g0, nb, n_frames, kind, power))
        return out

    def filterbank(self, x, pad, pad_mode, n_frames, kind, power, fb_data, fb_start, fb_offset,
                   out, n_threads):
        """Fused |STFT|^power and sparse filter-bank projection (the C kernel's semantics)."""
        fb = (fb_data, fb_start, fb_offset)
        self._drive(x, pad, pad_mode, n_frames, n_threads,
                    lambda z, g0, nb: self._emit_fb(z, fb, out, g0, nb, n_frames, kind, power))
        return out

    def _emit_fb(self, z, fb, out, g0, nb, n_frames, kind, power):
        fb_data, fb_start, fb_offset = fb
        dense = getattr(self, "_dense_fb", None)
        if dense is None or dense[0] is not fb_data:
            W = np.zeros((fb_start.shape[0], self.n_freq), fb_data.dtype)
            for i in range(fb_start.shape[0]):
                a, b = fb_offset[i], fb_offset[i + 1]
                W[i, fb_start[i]:fb_start[i] + b - a] = fb_data[a:b]
            self._dense_fb = dense = (fb_data, W)
        z = z[:nb]
        p = z.real * z.real + z.imag * z.imag
        if kind == OUT_MAGNITUDE:
            np.sqrt(p, out=p)
        elif kind == OUT_POW:
            np.power(p, power / 2, out=p)
        g = g0 + np.arange(nb)
        b, t = np.divmod(g, n_frames)
        out[b[:, None], np.arange(dense[1].shape[0])[None, :], t[:, None]] = p @ dense[1].T

    def inverse(self, coef, inv_diag, offset, out, n_threads):
        n_batch, _, n_frames = coef.shape
        n_out = out.shape[1]
        if n_batch == 0 or n_out == 0:
            return out
        span = -(-self.n_fft // self.hop) - 1
        sb = max(self.block, -(-span // self.block) * self.block)
        n_sb = -(-n_frames // sb)
        out[...] = 0
        for phase in (0, 1):
            per_row = (n_sb + 1 - phase) // 2

            def work(lo, hi, per_row=per_row, phase=phase):
                fft = block_fft(self.block, self.n_fft, self.dtype, inverse=True)
                for item in range(lo, hi):
                    row, k = divmod(item, per_row)
                    sbi = 2 * k + phase
                    t_end = min((sbi + 1) * sb, n_frames)
                    for t in range(sbi * sb, t_end, self.block):
                        nb = min(self.block, t_end - t)
                        self._load(fft.input_array, coef, row, t, nb)
                        self._ola(fft(), out[row], t, nb, offset)

            if per_row:
                _run_parallel(work, n_batch * per_row, n_threads)
        out *= inv_diag[:n_out]
        return out
