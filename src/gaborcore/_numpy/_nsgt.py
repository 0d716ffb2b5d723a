"""NSGT kernels in NumPy: the executable specification of the compiled ones.

``forward``: one FFT of the signal; per group of bands with equal M, gather ``F * conj(G_k)`` into
an ``(n_bands, M)`` buffer at ``(j - j_k) mod M`` (painless: no folding needed) and one batched
inverse FFT.  ``inverse``: per group one batched FFT, multiply by the dual windows ``G_k / D``,
accumulate on the DFT circle, one inverse FFT of the signal length.
"""

from __future__ import annotations

import numpy as np
import scipy.fft


def _accumulate(A: np.ndarray, src: np.ndarray, vals: np.ndarray) -> None:
    """``A[b, src] += vals[b]`` with repeated indices summed (bands overlap)."""
    B, L = A.shape
    flat = (np.arange(B)[:, None] * L + src[None, :]).ravel()
    v = vals.ravel()
    A += (np.bincount(flat, weights=v.real, minlength=B * L)
          + 1j * np.bincount(flat, weights=v.imag, minlength=B * L)).reshape(B, L).astype(A.dtype)


class NsgtKernel:
    """Per-plan kernel object with the interface shared by every backend."""

    def __init__(self, plan):
        self.plan = plan

    def spectrum(self, y2, n_threads):
        return scipy.fft.fft(y2, axis=-1, workers=n_threads)

    def forward(self, y2, out, n_threads):
        plan = self.plan
        B = y2.shape[0]
        X = self.spectrum(y2, n_threads)
        for g in plan._tables(np.dtype(X.real.dtype)):
            M, n = g["M"], g["n"]
            buf = np.zeros((B, n * M), X.dtype)
            buf[:, g["dst"]] = X[:, g["src"]] * g["w"]
            c = scipy.fft.ifft(buf.reshape(B, n, M), axis=-1, workers=n_threads)
            c *= X.real.dtype.type(M)  # the definition has no 1/M factor
            for r, off in enumerate(g["offsets"]):
                out[:, off:off + M] = c[:, r]
        return out

    def inverse(self, coefs, out, n_threads):
        plan = self.plan
        B, L = coefs.shape[0], plan.length
        # scale bands of real plans have implied mirrors; DC / Nyquist (and every band of a
        # complex plan) do not: collect the two kinds apart, accumulate each once
        parts = {True: ([], []), False: ([], [])}
        kinds = plan.bands.kind
        for g in plan._tables(np.dtype(coefs.real.dtype)):
            M, n = g["M"], g["n"]
            c = np.empty((B, n, M), coefs.dtype)
            for r, off in enumerate(g["offsets"]):
                c[:, r] = coefs[:, off:off + M]
            C = scipy.fft.fft(c, axis=-1, workers=n_threads).reshape(B, n * M)
            vals = C[:, g["dst"]] * g["dual"]
            mirrored = np.repeat(plan.real & (kinds[g["idx"]] == "band"), g["sizes"])
            for flag in (True, False):
                sel = mirrored == flag
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
        out[...] = res.real if plan.real else res
        return out
