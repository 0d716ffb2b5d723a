"""The stationary Gabor frame: short-time Fourier transform, its inverse, spectrograms.

Definitions (``n = n_fft``, ``a = hop_length``, ``w`` the window centred in ``n`` samples)::

    padded signal   x_p = pad(y, n // 2 on both sides, pad_mode)   if center else y
    frame t         x_p[t a : t a + n] * w
    X[..., m, t]  = sum_j x_p[t a + j] w[j] exp(-2 pi i m j / n)          ("timeinv", librosa)
    X[..., m, t]  = sum_s y[s] w(s - s_t) exp(-2 pi i m s / n)             ("freqinv", THEORY.md)

with ``s_t = t a - (n // 2 if center else 0)`` the first sample of frame t in the coordinates of
the unpadded signal.  The two conventions differ by the factor ``exp(-2 pi i m s_t / n)``.
"timeinv" (phase relative to each frame) is librosa's and the default; "freqinv" references the
phase to sample 0 of the signal, as LTFAT's ``dgt`` and THEORY.md do.

The inverse divides the overlap-add of the windowed inverse FFTs by the exact frame-operator
diagonal ``sum_t w(p - t a)^2``: the canonical dual frame, so ``istft(stft(y)) == y`` wherever the
frames cover the signal (with ``center=True``: everywhere; otherwise the uncovered ends are 0).
"""

from __future__ import annotations

import collections
import threading

import numpy as np

from . import _backend, _validation
from ._validation import ParameterError
from .windows import frame_diagonal, get_window, pad_center

__all__ = ["STFT", "stft", "istft", "spectrogram", "dgt", "idgt"]

PAD_MODES = {"constant": 0, "reflect": 1, "wrap": 2}
PHASE_CONVENTIONS = ("timeinv", "freqinv")
_OUT_COMPLEX, _OUT_POWER, _OUT_MAGNITUDE, _OUT_POW = 0, 1, 2, 3
# Threads are only worth it with a few blocks of frames each.
_FRAMES_PER_THREAD = 64


def _n_threads(workers, n_frames_total: int) -> int:
    n = _backend.resolve_workers(workers)
    return max(1, min(n, n_frames_total // _FRAMES_PER_THREAD))


class STFT:
    """A reusable STFT plan: window, lattice and compiled kernels for one parameter set.

    Parameters
    ----------
    n_fft : int
        FFT length (number of frequency channels of the lattice), any size >= 2.
    hop_length : int, optional
        Samples between frames, ``1 <= hop_length <= n_fft``; default ``win_length // 4``.
    win_length : int, optional
        Window length ``<= n_fft`` (centred in ``n_fft``); default ``n_fft``.
    window : str, tuple or array_like
        See :func:`gaborcore.get_window`; periodic windows.
    center : bool
        Pad ``n_fft // 2`` samples on both sides so that frame ``t`` is centred at ``t * hop_length``.
    pad_mode : {"constant", "reflect", "wrap"}
        Padding used when ``center`` is true ("wrap" makes the transform circular).
    phase_convention : {"timeinv", "freqinv"}
        Phase relative to each frame (librosa) or to sample 0 of the signal (THEORY.md, LTFAT).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
    >>> y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    >>> X = plan.stft(y)
    >>> X.shape, X.dtype
    ((257, 33), dtype('complex64'))
    >>> bool(np.allclose(plan.istft(X, length=4096), y, atol=1e-5))
    True
    """

    _cache: collections.OrderedDict = collections.OrderedDict()
    _cache_lock = threading.Lock()
    CACHE_SIZE = 32

    def __init__(self, *, n_fft: int = 2048, hop_length: int | None = None,
                 win_length: int | None = None, window="hann", center: bool = True,
                 pad_mode: str = "constant", phase_convention: str = "timeinv"):
        self.n_fft = _validation.positive_int("n_fft", n_fft, minimum=2)
        if win_length is None:
            win_length = n_fft if isinstance(window, str | tuple) else np.asarray(window).shape[-1]
        self.win_length = _validation.positive_int("win_length", win_length)
        if self.win_length > self.n_fft:
            raise ParameterError(f"win_length={self.win_length} must be at most n_fft={self.n_fft}")
        if hop_length is None:
            hop_length = max(1, self.win_length // 4)
        self.hop_length = _validation.positive_int("hop_length", hop_length, maximum=self.n_fft)
        self.center = bool(center)
        self.pad_mode = _validation.choice("pad_mode", pad_mode, PAD_MODES)
        self.phase_convention = _validation.choice(
            "phase_convention", phase_convention, PHASE_CONVENTIONS
        )
        self.window_name = window if isinstance(window, str | tuple) else "array"
        self.window = pad_center(get_window(window, self.win_length), self.n_fft)
        self.window.setflags(write=False)
        self.n_freq = self.n_fft // 2 + 1
        self.pad = self.n_fft // 2 if self.center else 0
        self._lock = threading.Lock()
        self._kernels: dict = {}
        self._diag_cache: collections.OrderedDict = collections.OrderedDict()

    def __repr__(self) -> str:
        return (f"STFT(n_fft={self.n_fft}, hop_length={self.hop_length}, "
                f"win_length={self.win_length}, window={self.window_name!r}, "
                f"center={self.center}, pad_mode={self.pad_mode!r}, "
                f"phase_convention={self.phase_convention!r})")

    # ---- plan cache ------------------------------------------------------------------------
    @classmethod
    def cached(cls, **params) -> STFT:
        """A plan from the process-wide, thread-safe, bounded (LRU) plan cache."""
        window = params.get("window", "hann")
        wkey = window if isinstance(window, str | tuple) else ("array", np.asarray(window).tobytes())
        key = tuple(sorted((k, v) for k, v in params.items() if k != "window")) + (wkey,)
        with cls._cache_lock:
            plan = cls._cache.get(key)
            if plan is not None:
                cls._cache.move_to_end(key)
                return plan
        plan = cls(**params)
        with cls._cache_lock:
            plan = cls._cache.setdefault(key, plan)
            cls._cache.move_to_end(key)
            while len(cls._cache) > cls.CACHE_SIZE:
                cls._cache.popitem(last=False)
        return plan

    def _kernel(self, backend: str, dtype: np.dtype):
        key = (backend, dtype.str)
        with self._lock:
            kern = self._kernels.get(key)
            if kern is None:
                module = _backend.kernels(backend, "_stft")
                kern = module.StftPlan(self.n_fft, self.hop_length, self.window.astype(dtype))
                self._kernels[key] = kern
        return kern

    # ---- shapes ----------------------------------------------------------------------------
    @property
    def min_length(self) -> int:
        """The shortest signal accepted: one full window (``n_fft`` samples)."""
        return self.n_fft

    def n_frames(self, n_samples: int) -> int:
        """Number of frames for a signal of ``n_samples`` samples."""
        if n_samples < self.min_length:
            raise ParameterError(
                f"a signal of {n_samples} samples is shorter than the window: at least "
                f"n_fft={self.n_fft} samples are needed"
            )
        return 1 + (n_samples + 2 * self.pad - self.n_fft) // self.hop_length

    def output_shape(self, input_shape: tuple, *, onesided: bool = True) -> tuple:
        """Shape of :meth:`stft` / :meth:`spectrogram` for an input of ``input_shape``."""
        input_shape = tuple(input_shape)
        rows = self.n_freq if onesided else self.n_fft
        return input_shape[:-1] + (rows, self.n_frames(input_shape[-1]))

    def frame_bounds(self) -> tuple[float, float]:
        """Frame bounds ``(A, B)`` of the lattice (see :func:`gaborcore.frame_bounds`)."""
        from .windows import frame_bounds

        return frame_bounds(self.window, hop_length=self.hop_length, n_fft=self.n_fft)

    # ---- helpers ---------------------------------------------------------------------------
    def _signal(self, y, allow_complex=False, check_finite=True) -> np.ndarray:
        y = _validation.signal("y", y, min_length=self.min_length, allow_complex=allow_complex,
                               check_finite=check_finite)
        if y.strides[-1] != y.itemsize:
            y = np.ascontiguousarray(y)
        return y

    def _frame_starts(self, n_frames: int) -> np.ndarray:
        return np.arange(n_frames, dtype=np.int64) * self.hop_length - self.pad

    def _apply_phase(self, X: np.ndarray, sign: int) -> None:
        """Multiply ``X[..., m, t]`` in place by ``exp(sign * 2 pi i m s_t / n_fft)``."""
        rows, n_frames = X.shape[-2], X.shape[-1]
        m = np.arange(rows, dtype=np.int64)[:, None]
        starts = np.mod(self._frame_starts(n_frames), self.n_fft)
        chunk = max(1, (1 << 20) // max(rows, 1))
        for t0 in range(0, n_frames, chunk):
            r = np.mod(m * starts[None, t0:t0 + chunk], self.n_fft)
            X[..., t0:t0 + chunk] *= np.exp((sign * 2j * np.pi / self.n_fft) * r).astype(X.dtype)

    def _forward(self, y2, out3, kind, power, workers, backend):
        name = _backend.resolve_backend(backend)
        kern = self._kernel(name, y2.dtype)
        n_frames = out3.shape[-1]
        kern.forward(y2, self.pad, PAD_MODES[self.pad_mode], n_frames, kind, power, out3,
                     _n_threads(workers, y2.shape[0] * n_frames))
        return out3

    # ---- transforms ------------------------------------------------------------------------
    def stft(self, y, *, out=None, workers=None, backend=None) -> np.ndarray:
        """Complex STFT ``X[..., m, t]`` of ``y[..., n]`` (see the module docstring).

        Real input gives the one-sided spectrum, ``n_fft // 2 + 1`` rows (complex64 for float32,
        complex128 for float64); complex input gives all ``n_fft`` rows.
        """
        y = self._signal(y, allow_complex=True)
        if np.iscomplexobj(y):
            return self._stft_complex(y, out=out, workers=workers, backend=backend)
        shape = self.output_shape(y.shape)
        cdt = _validation.complex_dtype_for(y.dtype)
        out = np.empty(shape, cdt) if out is None else _validation.out_array("out", out, shape, cdt)
        y2 = y.reshape(-1, y.shape[-1])
        self._forward(y2, out.reshape(-1, *shape[-2:]), _OUT_COMPLEX, 0.0, workers, backend)
        if self.phase_convention == "freqinv":
            self._apply_phase(out, -1)
        return out

    def _stft_complex(self, y, *, out, workers, backend):
        shape = self.output_shape(y.shape, onesided=False)
        cdt = y.dtype
        out = np.empty(shape, cdt) if out is None else _validation.out_array("out", out, shape, cdt)
        plan = STFT.cached(n_fft=self.n_fft, hop_length=self.hop_length,
                           win_length=self.n_fft, window=self.window, center=self.center,
                           pad_mode=self.pad_mode, phase_convention="timeinv")
        re = plan.stft(np.ascontiguousarray(y.real), workers=workers, backend=backend)
        im = plan.stft(np.ascontiguousarray(y.imag), workers=workers, backend=backend)
        n, nf = self.n_fft, self.n_freq
        out[..., :nf, :] = re + 1j * im
        mirror = np.arange(nf, n)
        out[..., nf:, :] = np.conj(re[..., n - mirror, :]) + 1j * np.conj(im[..., n - mirror, :])
        if self.phase_convention == "freqinv":
            self._apply_phase(out, -1)
        return out

    def spectrogram(self, y, *, power: float = 2.0, out=None, workers=None,
                    backend=None) -> np.ndarray:
        """``|X|**power`` (power 2: energy, 1: magnitude), same precision as ``y``.

        Computed block by block: no complex STFT of the whole signal is ever stored.
        """
        return self._spectrogram(y, power, out, workers, backend)

    def _spectrogram(self, y, power, out, workers, backend, check_finite=True) -> np.ndarray:
        """:meth:`spectrogram`; ``check_finite=False`` for a caller whose signals are known to
        be finite (the extraction job's decoded clips), which spares a pass over them."""
        power = _validation.positive_float("power", power)
        y = self._signal(y, check_finite=check_finite)
        shape = self.output_shape(y.shape)
        out = (np.empty(shape, y.dtype) if out is None
               else _validation.out_array("out", out, shape, y.dtype))
        kind = {2.0: _OUT_POWER, 1.0: _OUT_MAGNITUDE}.get(power, _OUT_POW)
        y2 = y.reshape(-1, y.shape[-1])
        self._forward(y2, out.reshape(-1, *shape[-2:]), kind, power, workers, backend)
        return out

    def _inv_diag(self, n_frames: int, n_out: int, dtype: np.dtype) -> np.ndarray:
        key = (n_frames, n_out, dtype.str)
        with self._lock:
            inv = self._diag_cache.get(key)
            if inv is not None:
                self._diag_cache.move_to_end(key)
                return inv
        d = frame_diagonal(self.window, self.hop_length, n_frames)[self.pad:self.pad + n_out]
        if self.center:
            covered = d[: max(0, min(n_out, d.shape[0]))]
            if covered.size and not covered.min() > 1e-10 * covered.max():
                raise ParameterError(
                    f"hop_length={self.hop_length} leaves samples that no window covers (window "
                    f"{self.window_name!r}, n_fft={self.n_fft}): the STFT is not invertible"
                )
        inv = np.zeros(n_out)
        tiny = np.finfo(dtype).tiny
        np.divide(1.0, d, out=inv[: d.shape[0]], where=d > tiny)
        inv = inv.astype(dtype)
        with self._lock:
            self._diag_cache[key] = inv
            while len(self._diag_cache) > 8:
                self._diag_cache.popitem(last=False)
        return inv

    def istft(self, stft_matrix, *, length: int | None = None, out=None, workers=None,
              backend=None) -> np.ndarray:
        """Inverse STFT through the canonical dual window (overlap-add / frame diagonal).

        Parameters
        ----------
        stft_matrix : ndarray, shape (..., n_fft // 2 + 1, n_frames), complex64 or complex128
        length : int, optional
            Length of the output; default: the longest signal the frames determine.

        Returns
        -------
        y : ndarray, shape (..., length), float32 for complex64 input, float64 for complex128.
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
        if not _validation.all_finite(S):
            raise ParameterError("stft_matrix contains NaN or Inf values")
        n_frames = S.shape[-1]
        if length is None:
            length = self.n_fft + self.hop_length * (n_frames - 1) - 2 * self.pad
            if length < 1:
                raise ParameterError("too few frames to determine a signal; pass length=")
        length = _validation.positive_int("length", length)
        if self.phase_convention == "freqinv":
            S = S.copy()
            self._apply_phase(S, +1)
        elif S.strides[-1] != S.itemsize:
            S = np.ascontiguousarray(S)
        rdt = _validation.real_dtype_for(S.dtype)
        shape = S.shape[:-2] + (length,)
        out = np.empty(shape, rdt) if out is None else _validation.out_array("out", out, shape, rdt)
        name = _backend.resolve_backend(backend)
        kern = self._kernel(name, rdt)
        S3 = S.reshape(-1, *S.shape[-2:])
        kern.inverse(S3, self._inv_diag(n_frames, length, rdt), self.pad,
                     out.reshape(-1, length), _n_threads(workers, S3.shape[0] * n_frames))
        return out


def _plan(n_fft, hop_length, win_length, window, center, pad_mode, phase_convention="timeinv"):
    return STFT.cached(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                       center=center, pad_mode=pad_mode, phase_convention=phase_convention)


def stft(y, *, n_fft: int = 2048, hop_length: int | None = None, win_length: int | None = None,
         window="hann", center: bool = True, pad_mode: str = "constant",
         phase_convention: str = "timeinv", out=None, workers=None, backend=None) -> np.ndarray:
    """Short-time Fourier transform, shape ``(..., 1 + n_fft // 2, n_frames)``.

    Same parameters and results as :func:`librosa.stft` (``phase_convention="timeinv"``); see
    :class:`STFT` for the definitions.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> X = gaborcore.stft(np.zeros(22050, np.float32), n_fft=512, hop_length=256)
    >>> X.shape, X.dtype
    ((257, 87), dtype('complex64'))
    """
    return _plan(n_fft, hop_length, win_length, window, center, pad_mode,
                 phase_convention).stft(y, out=out, workers=workers, backend=backend)


def istft(stft_matrix, *, n_fft: int | None = None, hop_length: int | None = None,
          win_length: int | None = None, window="hann", center: bool = True,
          phase_convention: str = "timeinv", length: int | None = None, out=None, workers=None,
          backend=None) -> np.ndarray:
    """Inverse STFT (perfect reconstruction through the canonical dual window).

    ``n_fft`` defaults to ``2 * (stft_matrix.shape[-2] - 1)`` as in librosa.
    """
    if n_fft is None:
        rows = getattr(stft_matrix, "shape", (0, 0))[-2] if np.ndim(stft_matrix) >= 2 else 0
        n_fft = 2 * (rows - 1)
    return _plan(n_fft, hop_length, win_length, window, center, "constant",
                 phase_convention).istft(stft_matrix, length=length, out=out, workers=workers,
                                         backend=backend)


def spectrogram(y, *, n_fft: int = 2048, hop_length: int | None = None,
                win_length: int | None = None, window="hann", center: bool = True,
                pad_mode: str = "constant", power: float = 2.0, out=None, workers=None,
                backend=None) -> np.ndarray:
    """Power (or magnitude) spectrogram ``|STFT|**power``, same precision as ``y``.

    Parameters
    ----------
    y : ndarray, shape (..., n_samples)
        float32 or float64 signal; leading axes are batch and channels.
    power : float
        2 for energy (default), 1 for magnitude, any positive exponent.
    out : ndarray, optional
        Pre-allocated output of the right shape and dtype (see :meth:`STFT.output_shape`).

    Returns
    -------
    S : ndarray, shape (..., 1 + n_fft // 2, n_frames)

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> S = gaborcore.spectrogram(np.zeros(22050, np.float32), n_fft=512, hop_length=512)
    >>> S.shape, S.dtype
    ((257, 44), dtype('float32'))
    """
    return _plan(n_fft, hop_length, win_length, window, center, pad_mode).spectrogram(
        y, power=power, out=out, workers=workers, backend=backend
    )


def _torus_plan(n_fft, hop_length, win_length, window, length):
    plan = _plan(n_fft, hop_length, win_length, window, True, "wrap", "freqinv")
    if length % plan.hop_length or length % plan.n_fft:
        raise ParameterError(
            f"signal length {length} must be a multiple of hop_length={plan.hop_length} and of "
            f"n_fft={plan.n_fft} for the Gabor transform on the torus (L = a N = b M)"
        )
    return plan


def dgt(f, *, n_fft: int, hop_length: int, window="hann", win_length: int | None = None,
        workers=None, backend=None) -> np.ndarray:
    """Discrete Gabor transform on the torus Z_L (THEORY.md section 1), frequency-invariant phase.

    ``c[..., m, n] = sum_t f(t) g(t - a n) exp(-2 pi i m t / M)`` with ``a = hop_length``,
    ``M = n_fft`` and ``g`` the window centred at 0 (circularly).  ``L`` must be a multiple of ``a``
    and of ``M``; the result has ``N = L / a`` frames.  The window may be shorter than ``M``
    (painless case).  Real signals give the ``M // 2 + 1`` non-negative frequencies, complex
    signals all ``M``; :func:`idgt` inverts the real case.
    """
    f = _validation.signal("f", f, min_length=2, allow_complex=True)
    plan = _torus_plan(n_fft, hop_length, win_length, window, f.shape[-1])
    n_coef = f.shape[-1] // plan.hop_length
    return plan.stft(f, workers=workers, backend=backend)[..., :n_coef]


def idgt(coef, *, length: int, n_fft: int | None = None, hop_length: int, window="hann",
         win_length: int | None = None, workers=None, backend=None) -> np.ndarray:
    """Inverse of :func:`dgt` with the canonical dual window (exact in the painless case)."""
    if n_fft is None:
        n_fft = 2 * (np.shape(coef)[-2] - 1)
    length = _validation.positive_int("length", length)
    plan = _torus_plan(n_fft, hop_length, win_length, window, length)
    if not isinstance(coef, np.ndarray) or coef.dtype not in (np.complex64, np.complex128):
        raise ParameterError("coef must be a complex64 or complex128 array")
    n_coef = length // plan.hop_length
    if coef.ndim < 2 or coef.shape[-1] != n_coef or coef.shape[-2] != plan.n_freq:
        raise ParameterError(
            f"coef has shape {coef.shape}; expected (..., {plan.n_freq}, {n_coef}) for "
            f"length={length}"
        )
    S = coef.copy()
    plan._apply_phase(S, +1)
    rdt = _validation.real_dtype_for(S.dtype)
    n_lin = (n_coef - 1) * plan.hop_length + plan.n_fft
    lin = np.empty(S.shape[:-2] + (n_lin,), rdt)
    kern = plan._kernel(_backend.resolve_backend(backend), rdt)
    kern.inverse(S.reshape(-1, *S.shape[-2:]), np.ones(n_lin, rdt), 0, lin.reshape(-1, n_lin),
                 _n_threads(workers, S.size // S.shape[-2]))
    diag = frame_diagonal(plan.window, plan.hop_length, n_coef)

    def fold(a):
        k = -(-a.shape[-1] // length)
        ext = np.zeros(a.shape[:-1] + (k * length,), a.dtype)
        ext[..., : a.shape[-1]] = a
        return np.roll(ext.reshape(a.shape[:-1] + (k, length)).sum(-2), -plan.pad, axis=-1)

    return (fold(lin) / fold(diag)).astype(rdt)
