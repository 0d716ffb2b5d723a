"""NSGT kernels in NumPy: the executable specification of the compiled ones.

Every backend's :class:`NsgtKernel` is made from plain arrays (see
``gaborcore.nsgt._design.FrameDesign.kernel_arrays``): per band ``k`` its first support bin
``first[k]`` (unwrapped), width ``W_k``, centre bin ``j_k``, coefficient count ``M_k``, offset in
the coefficient buffer and whether its conjugate mirror is implied; the window samples of all
bands concatenated; and the frame operator's diagonal ``D``.  The gather/scatter tables are built
here from those arrays (:func:`group_tables`, :func:`flat_tables`, shared with the compiled
backends).

``forward``: one FFT of the signal; per group of bands with equal M, gather ``F * conj(G_k)`` into
an ``(n_bands, M)`` buffer at ``(j - j_k) mod M`` (painless: no folding needed) and one batched
inverse FFT.  ``inverse``: per group one batched FFT, multiply by the dual windows ``G_k / D``,
accumulate on the DFT circle, one inverse FFT of the signal length.  :func:`convert`,
:func:`overlap_add` and :func:`assemble` are the layout conversion and the sliced transform's
numerics.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.fft


def group_tables(length, real, first, width, centre, M, offset, mirrored, windows, diagonal,
                 dtype) -> list[dict]:
    """Gather/scatter tables per group of equal M, in the working precision ``dtype``.

    For each group: ``src`` DFT bins (mod L), ``dst`` positions in the group's (n, M) buffer
    (flattened), ``w`` = G for analysis (real windows: conj(G) = G), ``dual`` = G / D for
    synthesis, ``mirrored`` per entry.
    """
    L = int(length)
    starts = np.concatenate([[0], np.cumsum(width)])
    tables = []
    for m in np.unique(M):
        idx = np.flatnonzero(M == m)
        idx = idx[np.argsort(offset[idx], kind="stable")]
        src, dst = [], []
        for r, k in enumerate(idx):
            s = first[k] + np.arange(width[k])
            src.append(s % L)
            dst.append(r * m + (s - centre[k]) % m)
        sel = np.concatenate([np.arange(starts[k], starts[k + 1]) for k in idx])
        src = np.concatenate(src).astype(np.int64)
        w = windows[sel]
        dst = np.concatenate(dst).astype(np.int64)
        tables.append(dict(M=int(m), idx=idx, n=len(idx), src=src, dst=dst,
                           # a band's W_k consecutive bins land on distinct slots iff W_k <= M
                           folded=bool(np.any(width[idx] > m)),
                           w=w.astype(dtype), dual=(w / diagonal[src]).astype(dtype),
                           mirrored=np.repeat(mirrored[idx], width[idx]),
                           offsets=offset[idx]))
    return tables


def flat_tables(length, real, groups: list[dict], dtype) -> dict:
    """The group tables concatenated for the compiled kernels (see ``csrc/gc_nsgt.h``); the
    per-entry indices are int32 (the plan's length and group buffers stay below 2**31).

    Real plans work on the half spectrum ``0 .. L//2``: bins beyond are read as conjugates, and
    synthesis values go to ``t1`` and (conjugated) to the mirror bin ``t2``; bands that are their
    own mirror (DC, Nyquist) are weighted 1/2 in each, so the result is the Hermitian part of the
    full synthesis, as in the NumPy kernel.
    """
    L, half = int(length), int(length) // 2
    src_full = np.concatenate([g["src"] for g in groups])
    mirrored = np.concatenate([g["mirrored"] for g in groups])
    if real:
        src = np.where(src_full <= half, src_full, L - src_full)
        conj = (src_full > half).astype(np.uint8)
        mirror = (L - src_full) % L
        t1 = np.where(src_full <= half, src_full, -1)
        t2 = np.where(mirror <= half, mirror, -1)
        weight = np.where(mirrored, 1.0, 0.5)
    else:
        src, conj, t1 = src_full, np.zeros(src_full.shape, np.uint8), src_full
        t2 = np.full(src_full.shape, -1)
        weight = np.ones(src_full.shape)
    return dict(
        grp_M=np.array([g["M"] for g in groups], np.int64),
        grp_band=np.concatenate([[0], np.cumsum([g["n"] for g in groups])]).astype(np.int64),
        grp_item=np.concatenate([[0], np.cumsum([len(g["src"]) for g in groups])]
                                ).astype(np.int64),
        src=np.ascontiguousarray(src, np.int32),
        conj=np.ascontiguousarray(conj),
        dst=np.concatenate([g["dst"] for g in groups]).astype(np.int32),
        w=np.concatenate([g["w"] for g in groups]).astype(dtype),
        t1=np.ascontiguousarray(t1, np.int32),
        t2=np.ascontiguousarray(t2, np.int32),
        dual=(np.concatenate([g["dual"] for g in groups]).astype(np.float64) * weight
              ).astype(dtype),
        offset=np.concatenate([g["offsets"] for g in groups]).astype(np.int64),
    )


def _accumulate(A: np.ndarray, src: np.ndarray, vals: np.ndarray) -> None:
    """``A[b, src] += vals[b]`` with repeated indices summed (bands overlap)."""
    B, L = A.shape
    flat = (np.arange(B)[:, None] * L + src[None, :]).ravel()
    v = vals.ravel()
    A += (np.bincount(flat, weights=v.real, minlength=B * L)
          + 1j * np.bincount(flat, weights=v.imag, minlength=B * L)).reshape(B, L).astype(A.dtype)


class NsgtKernel:
    """Per-design kernel object with the interface shared by every backend."""

    def __init__(self, *, length, real, first, width, centre, M, offset, mirrored, windows,
                 diagonal):
        self.length, self.real = int(length), bool(real)
        self._arrays = (first, width, centre, M, offset, mirrored, windows, diagonal)
        self._lock = threading.Lock()
        self._tables: dict = {}

    def tables(self, dtype) -> list[dict]:
        key = np.dtype(dtype).str
        with self._lock:
            tab = self._tables.get(key)
            if tab is None:
                tab = self._tables[key] = group_tables(self.length, self.real, *self._arrays,
                                                       np.dtype(dtype))
        return tab

    def forward(self, y2, out, n_threads):
        B = y2.shape[0]
        X = scipy.fft.fft(y2, axis=-1, workers=n_threads)
        for g in self.tables(X.real.dtype):
            M, n = g["M"], g["n"]
            buf = np.zeros((B, n * M), X.dtype)
            if g["folded"]:  # M_k < W_k (analysis-only plans): bins that land together add up
                _accumulate(buf, g["dst"], X[:, g["src"]] * g["w"])
            else:
                buf[:, g["dst"]] = X[:, g["src"]] * g["w"]
            c = scipy.fft.ifft(buf.reshape(B, n, M), axis=-1, workers=n_threads)
            c *= X.real.dtype.type(M)  # the definition has no 1/M factor
            for r, off in enumerate(g["offsets"]):
                out[:, off:off + M] = c[:, r]
        return out

    def inverse(self, coefs, out, n_threads):
        B, L = coefs.shape[0], self.length
        # scale bands of real plans have implied mirrors; DC / Nyquist (and every band of a
        # complex plan) do not: collect the two kinds apart, accumulate each once
        parts = {True: ([], []), False: ([], [])}
        for g in self.tables(coefs.real.dtype):
            M, n = g["M"], g["n"]
            c = np.empty((B, n, M), coefs.dtype)
            for r, off in enumerate(g["offsets"]):
                c[:, r] = coefs[:, off:off + M]
            C = scipy.fft.fft(c, axis=-1, workers=n_threads).reshape(B, n * M)
            vals = C[:, g["dst"]] * g["dual"]
            for flag in (True, False):
                sel = g["mirrored"] == flag
                if sel.any():
                    parts[flag][0].append(g["src"][sel])
                    parts[flag][1].append(vals[:, sel])
        A = np.zeros((B, L), coefs.dtype)
        for flag, (src, vals) in parts.items():
            if not src:
                continue
            acc = np.zeros((B, L), coefs.dtype)
            _accumulate(acc, np.concatenate(src), np.concatenate(vals, axis=1))
            A += acc
            if flag:  # conjugate mirror image of the scale bands of a real plan
                A += np.conj(acc[:, (-np.arange(L)) % L])
        res = scipy.fft.ifft(A, axis=-1, workers=n_threads)
        out[...] = res.real if self.real else res
        return out


def convert(data, out, *, first, width, centre, src_M, src_offset, dst_M, dst_offset,
            n_threads=1):
    """Coefficients ``data (..., total_src)`` of one layout into ``out (..., total_dst)`` of
    another with the same windows: each band is resampled in frequency (FFT, its window bins
    moved to the new length, inverse FFT), exact for painless frames."""
    for k in range(len(first)):
        Ms, Md = int(src_M[k]), int(dst_M[k])
        s = first[k] + np.arange(width[k]) - centre[k]
        spec = scipy.fft.fft(data[..., src_offset[k]:src_offset[k] + Ms], axis=-1,
                             workers=n_threads)
        buf = np.zeros(data.shape[:-1] + (Md,), data.dtype)
        buf[..., s % Md] = spec[..., s % Ms]
        res = scipy.fft.ifft(buf, axis=-1, workers=n_threads)
        res *= data.real.dtype.type(Md / Ms)
        out[..., dst_offset[k]:dst_offset[k] + Md] = res
    return out


def overlap_add(acc, segments, start, hop):
    """``acc[..., start + i hop : start + (i + 2) hop] += segments[..., i, :]``.

    Segments are two hops long, so the first halves and the second halves each tile a stretch of
    ``acc`` without overlap: two vectorised additions.  Each sample receives at most two terms,
    and their sum does not depend on the order, so the result equals the one-by-one loop.
    """
    n = segments.shape[-2]
    lead = segments.shape[:-2]
    a = start
    acc[..., a:a + n * hop] += segments[..., :hop].reshape(lead + (n * hop,))
    acc[..., a + hop:a + (n + 1) * hop] += segments[..., hop:].reshape(lead + (n * hop,))
    return acc


def assemble(data, *, M, offset, centre, first_slice):
    """One continuous stream per band from per-slice coefficients ``data (..., n, total)``.

    Slice ``i``'s ``M_k`` coefficients are overlap-added at ``i M_k / 2`` of band k's stream,
    times ``(-1)^((first_slice + i) j_k)``: the slice's demodulation phase, relative to its start,
    moves by half a slice per slice.
    """
    n = data.shape[-2]
    lead = data.shape[:-2]
    parity = (first_slice + np.arange(n)) % 2
    out = []
    for k in range(len(M)):
        m, h = int(M[k]), int(M[k]) // 2
        sign = np.where((parity * int(centre[k])) % 2 == 1, -1.0, 1.0)
        block = data[..., offset[k]:offset[k] + m] * sign[:, None].astype(data.real.dtype)
        stream = np.zeros(lead + ((n + 1) * h,), data.dtype)
        overlap_add(stream, block, 0, h)
        out.append(stream)
    return out
