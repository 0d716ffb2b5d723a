"""The inverse transform of an :class:`~gaborcore.STFT` plan, through the canonical dual window.

:class:`StftInverse` holds :meth:`~gaborcore.STFT.istft` and what only it needs: the cache of
the inverse frame diagonals ``1 / D`` and the double-precision redo of the weakly covered ends.
:class:`~gaborcore.STFT` inherits it.  It uses the plan's public attributes (``n_fft``,
``hop_length``, ``window``, ``pad``, ...) and :meth:`~gaborcore.STFT.kernel`.
"""

from __future__ import annotations

import collections
import math
import threading

import numpy as np

from . import _backend, _validation
from ._stft_frames import apply_phase, n_threads, output_array, target_dtype
from ._validation import ParameterError
from ._warn import warn
from .windows import frame_diagonal

# istft: a window sum below this fraction of its maximum (inside the frames' span) makes the
# division amplify rounding errors by more than 1e10, and warns
_WEAK_COVER = 1e-10


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


class StftInverse:
    """The inverse transform of :class:`~gaborcore.STFT` (a mixin: STFT inherits it)."""

    def __init__(self) -> None:
        # 1 / D and the gaps of the last 8 (n_frames, length, dtype) inverted
        self._diag_lock = threading.Lock()
        self._diag_cache: collections.OrderedDict = collections.OrderedDict()

    def _inv_diag(self, n_frames: int, n_out: int, dtype: np.dtype) -> tuple[np.ndarray, int]:
        """``(1 / D on the output samples, (uncovered, weakly covered) interior samples)``.

        ``D = sum_t w(p - t a)^2`` is computed in float64; as librosa, samples where ``D`` is not
        above the smallest normal number of ``dtype`` are not divided (the overlap-add is 0
        there), and samples past the last frame (``length`` beyond the frames) are 0.
        """
        key = (n_frames, n_out, dtype.str)
        with self._diag_lock:
            hit = self._diag_cache.get(key)
            if hit is not None:
                self._diag_cache.move_to_end(key)
                return hit
        d = frame_diagonal(self.window, self.hop_length, n_frames)
        tiny = np.finfo(dtype).tiny
        weak_level = _WEAK_COVER * d.max() if d.size else 0.0
        nz = np.flatnonzero(d > max(tiny, weak_level))
        gaps = (0, 0)
        if nz.size:
            # between the first and the last well-covered sample: those that no window reaches
            # (returned as 0) and those whose window sum is so small that rounding errors are
            # amplified beyond use (divided, as librosa does); the ends of an uncentred
            # transform, where the sum rises from 0, are neither
            lo, hi = max(int(nz[0]), self.pad), min(int(nz[-1]) + 1, self.pad + n_out)
            if hi > lo:
                inner = d[lo:hi]
                uncovered = int(np.count_nonzero(inner <= tiny))
                gaps = (uncovered, int(np.count_nonzero(inner <= weak_level)) - uncovered)
        d = d[self.pad:self.pad + n_out]
        inv = np.zeros(n_out)
        np.divide(1.0, d, out=inv[: d.shape[0]], where=d > tiny)
        hit = (inv.astype(dtype), gaps)
        with self._diag_lock:
            self._diag_cache[key] = hit
            while len(self._diag_cache) > 8:
                self._diag_cache.popitem(last=False)
        return hit

    def _exact_ends(self, S3: np.ndarray, y2: np.ndarray) -> None:
        """Recompute in float64 the output samples near the ends where the window sum is small.

        Near the ends of an uncentred (or ``length``-extended) inverse the window sum ``D`` is
        small, and the float32 rounding of the inverse FFTs is divided by it.  Where the first
        or the last ``n_fft`` samples of the frame span that fall in the output have
        ``D < 1/4`` of its steady value, the at most ``ceil(n_fft / hop)`` frames that reach
        them are redone in double precision, so that float32 results there are as accurate as
        the float32 coefficients allow.  (A centred inverse of the default length has no such
        samples and costs nothing more.)
        """
        n, a, n_frames = self.n_fft, self.hop_length, S3.shape[-1]
        k = -(-n // a)
        n_out = y2.shape[-1]
        span = (n_frames - 1) * a + n
        w2 = self.window.astype(np.float64) ** 2
        steady = np.zeros(a)
        np.add.at(steady, np.arange(n) % a, w2)
        low = 0.25 * steady.max()
        tiny = np.finfo(np.float32).tiny
        regions = {(0, min(k, n_frames), 0, min(n, span)),
                   (max(0, n_frames - k), n_frames, (n_frames - 1) * a, span)}
        for f0, f1, p0, p1 in regions:
            o0, o1 = max(p0 - self.pad, 0), min(p1 - self.pad, n_out)
            if o1 <= o0:
                continue
            dd = np.zeros(p1 - p0)  # the frame diagonal there: only these frames reach it
            for t in range(f0, f1):
                s0 = t * a - p0
                lo, hi = max(s0, 0), min(s0 + n, p1 - p0)
                if hi > lo:
                    dd[lo:hi] += w2[lo - s0:hi - s0]
            q0 = o0 + self.pad - p0
            weak = np.flatnonzero(dd[q0:q0 + (o1 - o0)] < low)
            if not weak.size:
                continue
            # redo the span of weakly covered output samples, from every frame that reaches it
            P0, P1 = p0 + q0 + int(weak[0]), p0 + q0 + int(weak[-1]) + 1
            t0, t1 = max(0, (P0 - n) // a + 1), min(n_frames, -(-P1 // a))
            C = np.ascontiguousarray(S3[:, :, t0:t1].transpose(0, 2, 1), dtype=np.complex128)
            frames = np.fft.irfft(C, n=n, axis=-1)
            frames *= self.window
            acc = np.zeros((S3.shape[0], P1 - P0))
            for i, t in enumerate(range(t0, t1)):
                s0 = t * a - P0
                lo, hi = max(s0, 0), min(s0 + n, P1 - P0)
                if hi > lo:
                    acc[:, lo:hi] += frames[:, i, lo - s0:hi - s0]
            dspan = dd[P0 - p0:P1 - p0]
            np.divide(acc, dspan, out=acc, where=dspan > tiny)
            acc[:, ~(dspan > tiny)] = 0.0
            y2[:, P0 - self.pad:P1 - self.pad] = acc

    def istft(self, stft_matrix, *, length: int | None = None, dtype=None, out=None,
              workers=None, backend=None) -> np.ndarray:
        """Inverse STFT through the canonical dual window (overlap-add / frame diagonal).

        Parameters
        ----------
        stft_matrix : ndarray, shape (..., n_fft // 2 + 1, n_frames)
            The complex64 or complex128 coefficients, as :meth:`stft` returns them.
        length : int, optional
            Length of the output; default: the longest signal the frames determine.  Samples
            past the last frame are 0 (as librosa).
        dtype : {float32, float64}, optional
            Output precision; default from ``stft_matrix`` (float32 for complex64).
        out : ndarray, optional
            Array of shape ``(..., length)`` and the result's dtype.
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

        Returns
        -------
        ndarray, shape (..., length)
            The real signal.

        Raises
        ------
        ParameterError
            If ``stft_matrix`` is not complex with ``n_fft // 2 + 1`` rows or not finite,
            ``length`` is needed but missing, or ``out`` does not fit.

        See Also
        --------
        gaborcore.istft : The same through a cached plan.
        STFT.stft : The forward transform.

        Notes
        -----
        Samples that no window reaches (a hop longer than the window's support leaves gaps)
        cannot be recovered: they are returned as 0 with a warning, for ``center`` true and
        false alike.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096)
        >>> bool(np.allclose(plan.istft(plan.stft(y), length=4096), y))
        True
        """
        S = stft_matrix
        if not isinstance(S, np.ndarray) or S.dtype not in (np.complex64, np.complex128):
            raise ParameterError(
                "stft_matrix must be a complex64 or complex128 array, got "
                f"{getattr(S, 'dtype', type(S).__name__)}"
            )
        if S.ndim < 2 or S.shape[-2] != self.n_freq or S.shape[-1] < 1:
            raise ParameterError(
                f"stft_matrix has shape {S.shape}; expected (..., {self.n_freq}, n_frames) for "
                f"n_fft={self.n_fft}"
            )
        m = _validation.absmax(S)
        if not np.isfinite(m):
            raise ParameterError("stft_matrix contains NaN or Inf values")
        # the inverse FFT sums 2 n_freq values, overlap-add about n_fft / hop frames
        _validation.check_range("stft_matrix", _validation.log2(m) + math.log2(
            2 * self.n_freq * (self.n_fft / self.hop_length + 1)), S.dtype,
            f"max |stft_matrix| = {m:.3g}")
        dtype = target_dtype("dtype", dtype, "f")
        if dtype is None and isinstance(out, np.ndarray) and out.dtype.kind == "f":
            dtype = target_dtype("out.dtype", out.dtype, "f")
        n_frames = S.shape[-1]
        if length is None:
            length = self.n_fft + self.hop_length * (n_frames - 1) - 2 * self.pad
            if length < 1:
                raise ParameterError("too few frames to determine a signal; pass length=")
        length = _validation.positive_int("length", length)
        # the signal and the frame diagonal, in float64 at most, before either is made
        _validation.check_size("length", (max(1, math.prod(S.shape[:-2])), 2, length), np.float64,
                               what="the signal and its work arrays")
        _validation.check_size("hop_length", (n_frames * self.hop_length + self.n_fft,),
                               np.float64, what="the frame diagonal")
        rdt = _validation.real_dtype_for(S.dtype) if dtype is None else dtype
        if rdt == np.float64 and S.dtype == np.complex64:
            S = S.astype(np.complex128)
        if self.phase_convention == "freqinv":
            S = S.copy()
            apply_phase(self, S, +1)
        elif S.strides[-1] != S.itemsize:
            S = np.ascontiguousarray(S)
        wdt = _validation.real_dtype_for(S.dtype)
        shape = S.shape[:-2] + (length,)
        user = None
        if (isinstance(out, np.ndarray) and out.shape == shape and out.dtype == rdt
                and out.flags.writeable and not out.flags.c_contiguous):
            user, out = out, None  # any memory order, as librosa: filled from a work array
        res = output_array("out", out, shape, rdt, prefix=False)
        y2 = (res if wdt == rdt else np.empty(shape, wdt)).reshape(-1, length)
        name = _backend.resolve_backend(backend)
        kern = self.kernel(name, wdt)
        S3 = S.reshape(-1, *S.shape[-2:])
        inv, gaps = self._inv_diag(n_frames, length, wdt)
        lattice = (f"(window {self.window_name!r}, win_length={self.win_length}, "
                   f"n_fft={self.n_fft})")
        if gaps[0]:
            warn(f"hop_length={self.hop_length} leaves {_count(gaps[0], 'sample')} that no window "
                 f"covers {lattice}: they cannot be recovered and are returned as 0")
        if gaps[1]:
            warn(f"hop_length={self.hop_length} leaves {_count(gaps[1], 'sample')} almost uncovered "
                 f"{lattice}: their window sum is below {_WEAK_COVER:g} of its maximum, so "
                 "rounding errors there are amplified")
        kern.inverse(S3, inv, self.pad, y2, n_threads(workers, S3.shape[0] * n_frames))
        if wdt == np.float32:
            self._exact_ends(S3, y2)
        if wdt != rdt:
            res[...] = y2.reshape(shape)
        if user is not None:
            user[...] = res
            return user
        return res
