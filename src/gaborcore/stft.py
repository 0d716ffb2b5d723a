"""The stationary Gabor frame: short-time Fourier transform, its inverse, spectrograms.

Definitions (``n = n_fft``, ``a = hop_length``, ``w`` the window centred in ``n`` samples)::

    padded signal   x_p = pad(y, n // 2 on both sides, pad_mode)   if center else y
    frame t         x_p[t a : t a + n] * w
    X[..., m, t]  = sum_j x_p[t a + j] w[j] exp(-2 pi i m j / n)          ("timeinv", librosa)
    X[..., m, t]  = sum_s y[s] w(s - s_t) exp(-2 pi i m s / n)             ("freqinv", theory)

with ``s_t = t a - (n // 2 if center else 0)`` the first sample of frame t in the coordinates of
the unpadded signal.  The two conventions differ by the factor ``exp(-2 pi i m s_t / n)``.
"timeinv" (phase relative to each frame) is librosa's and the default; "freqinv" references the
phase to sample 0 of the signal, as LTFAT's ``dgt`` and the theory page (:doc:`/theory`) do.

The inverse divides the overlap-add of the windowed inverse FFTs by the exact frame-operator
diagonal ``sum_t w(p - t a)^2``: the canonical dual frame, so ``istft(stft(y)) == y`` wherever the
frames cover the signal (with ``center=True``: everywhere; otherwise the uncovered ends are 0).
"""

from __future__ import annotations

import collections
import math
import threading

import numpy as np

from . import _backend, _codes, _fftw, _validation
from ._cache import plan_cache
from ._validation import ParameterError
from ._warn import warn
from .filterbanks import SparseFilterbank
from .windows import frame_diagonal, get_window, is_window_spec, pad_center, window_cache_key

__all__ = ["STFT", "stft", "istft", "spectrogram", "dgt", "idgt"]

# Padding the kernels do themselves (no copy of the signal).
PAD_MODES = _codes.PAD_CODES
# The other modes of numpy.pad (librosa's pad_mode), applied with numpy.pad before the kernels.
NUMPY_PAD_MODES = ("edge", "linear_ramp", "symmetric", "empty", "maximum", "mean", "median",
                   "minimum")
# Those of them that depend only on the samples next to each end.
_END_PAD_MODES = ("edge", "linear_ramp", "symmetric", "empty")
PHASE_CONVENTIONS = ("timeinv", "freqinv")
_OUT_COMPLEX, _OUT_POWER, _OUT_MAGNITUDE, _OUT_POW = (_codes.OUT_COMPLEX, _codes.OUT_POWER,
                                                     _codes.OUT_MAGNITUDE, _codes.OUT_POW)
# Threads are only worth it with a few blocks of frames each.
_FRAMES_PER_THREAD = 64
# istft: a window sum below this fraction of its maximum (inside the frames' span) makes the
# division amplify rounding errors by more than 1e10, and warns
_WEAK_COVER = 1e-10


def _n_threads(workers, n_frames_total: int) -> int:
    n = _backend.resolve_workers(workers)
    return max(1, min(n, n_frames_total // _FRAMES_PER_THREAD))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _window_name(window):
    if isinstance(window, str | tuple) or (is_window_spec(window) and not callable(window)):
        return window
    if callable(window):
        return getattr(window, "__name__", "callable")
    return "array"


def _target_dtype(name: str, dtype, kind: str) -> np.dtype | None:
    """``dtype=`` of stft (kind "c": complex64/complex128) or istft (kind "f": float32/float64)."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    allowed = ((np.complex64, np.complex128) if kind == "c" else (np.float32, np.float64))
    if dt is None or dt not in [np.dtype(a) for a in allowed]:
        names = " or ".join(np.dtype(a).name for a in allowed)
        raise ParameterError(f"{name}={dtype!r} must be {names}")
    return dt


def _rows(a: np.ndarray, k: int) -> np.ndarray | None:
    """``a`` reshaped to ``(-1, *a.shape[-k:])`` as a view, or None when that needs a copy."""
    v = a.view()
    try:
        v.shape = (-1, *a.shape[a.ndim - k:])
    except AttributeError:
        return None
    # the kernels write frames contiguously (a Fortran-ordered out, as librosa makes, is not)
    return v if v.shape[-1] < 2 or v.strides[-1] == v.itemsize else None


def _output(name: str, out, shape: tuple, dtype: np.dtype, *, prefix: bool) -> np.ndarray:
    """A user's ``out`` checked against the result's shape and dtype.

    With ``prefix`` (stft, as librosa) ``out`` may be longer along the last axis: the result is
    written to, and returned as, the view ``out[..., :n_frames]``.
    """
    if out is None:
        _validation.check_size("y", shape, dtype, what="the result")
        return np.empty(shape, dtype)
    if not prefix:
        return _validation.out_array(name, out, shape, dtype)
    if not isinstance(out, np.ndarray):
        raise ParameterError(f"{name} must be a numpy array, got {type(out).__name__}")
    if out.dtype != dtype:
        raise ParameterError(f"{name} has dtype {out.dtype}; expected {dtype}")
    if out.shape[:-1] != tuple(shape[:-1]) or out.ndim != len(shape) or out.shape[-1] < shape[-1]:
        raise ParameterError(
            f"{name} has shape {out.shape}; expected {tuple(shape)}, or longer along the last "
            "axis (then the result is the prefix view out[..., :n_frames])"
        )
    if not out.flags.writeable:
        raise ParameterError(f"{name} is read-only")
    return out if out.shape == tuple(shape) else out[..., : shape[-1]]


class STFT:
    """A reusable STFT plan: window, lattice and compiled kernels for one parameter set.

    The plan checks its parameters once, computes the window (``win_length`` samples of
    ``window``, centred in ``n_fft``) and keeps the compiled FFT kernels of each backend and
    precision it has been used with; :meth:`stft`, :meth:`istft` and :meth:`spectrogram` can then be
    called on any number of signals, from any number of threads.  The functions :func:`stft`,
    :func:`istft` and :func:`spectrogram` use such plans from a shared cache.

    Parameters
    ----------
    n_fft : int, default 2048
        FFT length (number of frequency channels of the lattice), any size >= 2.
    hop_length : int, optional
        Samples between frames, ``>= 1``; default ``win_length // 4``.  A hop longer than the
        window is accepted (as librosa); the inverse then returns the samples no window covers
        as 0, with a warning.
    win_length : int, optional
        Window length ``<= n_fft`` (centred in ``n_fft``); default ``n_fft``, or the length of
        ``window`` when it is given by its samples.
    window : str, tuple, float, callable or array_like, default "hann"
        See :func:`gaborcore.get_window` (scipy's windows); periodic windows.
    center : bool, default True
        Pad ``n_fft // 2`` samples on both sides so that frame ``t`` is centred at ``t * hop_length``.
    pad_mode : str or callable, default "constant"
        Padding used when ``center`` is true: "constant" (zeros), "reflect" and "wrap" (circular)
        are done by the kernels; numpy's other modes ("edge", "symmetric", "linear_ramp", "empty",
        "maximum", "mean", "median", "minimum") and a callable (numpy.pad's function form) go
        through :func:`numpy.pad`, on copies of the signal's ends where the mode depends on them
        only.
    phase_convention : {"timeinv", "freqinv"}, default "timeinv"
        Phase relative to each frame (librosa) or to sample 0 of the signal (the theory page's
        convention, LTFAT's ``dgt``); the two differ by the factor ``exp(-2 pi i m s_t / n_fft)``
        with ``s_t`` the first sample of frame ``t``.

    Raises
    ------
    ParameterError
        If a size is not a positive integer (``n_fft >= 2``), ``win_length > n_fft``,
        ``pad_mode`` or ``phase_convention`` is not one of the names above, the window cannot be
        made (see :func:`gaborcore.get_window`), or the window and its work arrays would not fit
        in memory.

    See Also
    --------
    stft, istft, spectrogram : The same transforms through a cached plan.
    MelSpectrogram : The plan of a mel spectrogram (an STFT plan and a filter bank).
    frame_bounds : The frame bounds of the lattice.

    Notes
    -----
    The definitions of both phase conventions, the inverse through the canonical dual window
    and the frame-operator diagonal are on the theory page, :doc:`/theory`.

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

    def __init__(self, *, n_fft: int = 2048, hop_length: int | None = None,
                 win_length: int | None = None, window="hann", center: bool = True,
                 pad_mode: str = "constant", phase_convention: str = "timeinv"):
        self.n_fft = _validation.positive_int("n_fft", n_fft, minimum=2,
                                              maximum=_validation.MAX_ELEMENTS)
        # the window and about three frames of FFT work per thread, before any is made
        _validation.check_size("n_fft", (4, self.n_fft), np.float64,
                               what="the window and its FFT work arrays")
        if win_length is None:
            win_length = (np.asarray(window).shape[0]
                          if not is_window_spec(window) and np.ndim(window) == 1 else n_fft)
        self.win_length = _validation.positive_int("win_length", win_length)
        if self.win_length > self.n_fft:
            raise ParameterError(f"win_length={self.win_length} must be at most n_fft={self.n_fft}")
        if hop_length is None:
            hop_length = max(1, self.win_length // 4)
        # a hop longer than the window is accepted (as librosa): the frames skip samples, which
        # the inverse returns as 0 with a warning
        self.hop_length = _validation.positive_int("hop_length", hop_length,
                                                   maximum=_validation.MAX_INDEX)
        self.center = bool(center)
        if callable(pad_mode):
            self.pad_mode = pad_mode
        else:
            self.pad_mode = _validation.choice("pad_mode", pad_mode,
                                               (*PAD_MODES, *NUMPY_PAD_MODES))
        self.phase_convention = _validation.choice(
            "phase_convention", phase_convention, PHASE_CONVENTIONS
        )
        self.window_name = _window_name(window)
        self.window = pad_center(get_window(window, self.win_length), size=self.n_fft)
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
        """A plan from the shared plan cache (bounded LRU, thread-safe).

        See :func:`gaborcore.plan_cache_info` for the cache's state.

        The same parameters give the same plan object (while it stays in the cache), so its
        window and compiled kernels are made once; the functions :func:`stft`, :func:`istft`
        and :func:`spectrogram` use this.

        Parameters
        ----------
        **params
            The keyword arguments of :class:`STFT`.

        Returns
        -------
        STFT
            The cached plan, or a new one (then cached).

        See Also
        --------
        gaborcore.plan_cache_info : The cache's size and hit counts.
        gaborcore.clear_plan_cache : Empty it.

        Examples
        --------
        >>> import gaborcore
        >>> a = gaborcore.STFT.cached(n_fft=512, hop_length=128)
        >>> a is gaborcore.STFT.cached(n_fft=512, hop_length=128)
        True
        """
        wkey = window_cache_key(params.get("window", "hann"))
        key = ("stft", *sorted((k, v) for k, v in params.items() if k != "window"), wkey)
        return plan_cache.get_or_create(key, lambda: cls(**params))

    def _kernel(self, backend: str, dtype: np.dtype):
        key = (backend, dtype.str)
        with self._lock:
            kern = self._kernels.get(key)
            if kern is None:
                module = _backend.kernels(backend, "_stft")
                kern = module.StftPlan(self.n_fft, self.hop_length, self.window.astype(dtype),
                                       measure=_fftw.MEASURE)  # (why: see _fftw.MEASURE)
                self._kernels[key] = kern
        return kern

    # ---- shapes ----------------------------------------------------------------------------
    @property
    def min_length(self) -> int:
        """The shortest signal accepted: one sample when centred, else ``n_fft`` samples.

        A centred signal shorter than ``n_fft`` warns (as librosa); an uncentred one needs a
        full window.

        Returns
        -------
        int
            1 when ``center`` is true, else ``n_fft``.

        See Also
        --------
        STFT.n_frames : The number of frames of a signal.

        Examples
        --------
        >>> import gaborcore
        >>> gaborcore.STFT(n_fft=512).min_length, gaborcore.STFT(n_fft=512, center=False).min_length
        (1, 512)
        """
        return 1 if self.center else self.n_fft

    def n_frames(self, n_samples: int) -> int:
        """Number of frames for a signal of ``n_samples`` samples.

        Parameters
        ----------
        n_samples : int
            Signal length, at least :attr:`min_length`.

        Returns
        -------
        int
            ``1 + (n_samples + 2 * pad - n_fft) // hop_length`` with ``pad = n_fft // 2`` when
            centred, else 0.

        Raises
        ------
        ParameterError
            If ``n_samples`` is below :attr:`min_length`.

        See Also
        --------
        STFT.output_shape : The whole shape of a result.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> plan.n_frames(4096)
        33
        """
        if n_samples < self.min_length:
            raise ParameterError(
                f"a signal of {n_samples} samples is shorter than the window: at least "
                f"n_fft={self.n_fft} samples are needed without centring (center=False)"
            )
        return 1 + (n_samples + 2 * self.pad - self.n_fft) // self.hop_length

    def output_shape(self, input_shape: tuple, *, onesided: bool = True) -> tuple:
        """Shape of :meth:`stft` / :meth:`spectrogram` for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the signal, ``(..., n_samples)``.
        onesided : bool, default True
            ``n_fft // 2 + 1`` rows (real input) or all ``n_fft`` (complex input).

        Returns
        -------
        tuple of int
            ``(..., rows, n_frames)``.

        Raises
        ------
        ParameterError
            If the signal is shorter than :attr:`min_length`.

        See Also
        --------
        STFT.n_frames : The last entry.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> plan.output_shape((2, 4096))
        (2, 257, 33)
        """
        input_shape = tuple(input_shape)
        rows = self.n_freq if onesided else self.n_fft
        return input_shape[:-1] + (rows, self.n_frames(input_shape[-1]))

    def frame_bounds(self) -> tuple[float, float]:
        """Frame bounds ``(A, B)`` of the lattice (see :func:`gaborcore.frame_bounds`).

        Returns
        -------
        tuple of float
            ``(A, B)`` of the periodic (painless) frame of the plan's window, hop and
            ``n_fft``.

        See Also
        --------
        gaborcore.frame_bounds : The same for any window.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> [round(b, 6) for b in plan.frame_bounds()]  # hann at a quarter hop: tight
        [768.0, 768.0]
        """
        from .windows import frame_bounds

        return frame_bounds(self.window, hop_length=self.hop_length, n_fft=self.n_fft)

    # ---- helpers ---------------------------------------------------------------------------
    def _signal(self, y, allow_complex=False, check_finite=True, power=1.0,
                extra_log2=0.0) -> np.ndarray:
        """The validated signal; with ``check_finite`` also its range: ``|STFT| ** power``
        (times ``2 ** extra_log2``, a projection's gain) must stay inside its precision, or
        the FFT's sums overflow to inf and the phases turn them into NaN."""
        if isinstance(y, np.ndarray) and y.dtype == np.float16:
            y = y.astype(np.float32)  # half precision is computed in single precision
        if not self.center and isinstance(y, np.ndarray) and 0 < y.shape[-1] < self.n_fft:
            raise ParameterError(
                f"n_fft={self.n_fft} is too large for uncentered analysis (center=False) of a "
                f"signal of length={y.shape[-1]}: at least n_fft samples are needed"
            )
        y = _validation.signal("y", y, min_length=self.min_length, allow_complex=allow_complex,
                               check_finite=False)
        if check_finite:
            m = _validation.absmax(y)  # one pass: NaN or inf when y is not finite
            if not np.isfinite(m):
                raise ParameterError("y contains NaN or Inf values; only finite samples are "
                                     "allowed")
            gain = float(np.abs(self.window).sum())
            _validation.check_range("y", power * (_validation.log2(m) + _validation.log2(gain))
                                    + extra_log2, y.dtype, f"max |y| = {m:.3g}")
        if self.center and y.shape[-1] < self.n_fft:
            warn(f"n_fft={self.n_fft} is too large for input signal of length={y.shape[-1]}")
        if y.strides[-1] != y.itemsize:
            y = np.ascontiguousarray(y)
        return y

    def _pieces(self, y2: np.ndarray, n_frames: int) -> list[tuple]:
        """``[(rows, pad, kernel pad code, t0, t1)]``: what the kernels read for frames t0..t1.

        The kernels pad "constant", "reflect" and "wrap" themselves (one piece, no copy).  The
        numpy.pad modes that depend only on the signal's ends ("edge", "symmetric",
        "linear_ramp", "empty") pad copies of the two ends, as librosa does: the frames that
        reach the padding read them, the others read the signal in place.  The modes that
        depend on the whole signal ("mean", "median", "maximum", "minimum", a function) pad a
        copy of it.
        """
        mode = self.pad_mode
        constant = PAD_MODES["constant"]
        if not self.pad or (isinstance(mode, str) and mode in PAD_MODES):
            return [(y2, self.pad, PAD_MODES.get(mode, constant), 0, n_frames)]
        n, a, n_fft, p = y2.shape[-1], self.hop_length, self.n_fft, self.pad
        first_in = -(-p // a)  # the first frame inside the signal
        end_in = (n + p - n_fft) // a + 1 if n + p >= n_fft else 0  # frames before end inside
        if mode not in _END_PAD_MODES or end_in <= first_in:
            full = np.ascontiguousarray(np.pad(y2, [(0, 0), (p, p)], mode=mode))
            return [(full, 0, constant, 0, n_frames)]
        pieces = []
        if first_in > 0:  # its excerpt has >= n_fft - p >= p samples: numpy pads as on y
            head = np.pad(y2[:, :(first_in - 1) * a - p + n_fft], [(0, 0), (p, 0)], mode=mode)
            pieces.append((np.ascontiguousarray(head), 0, constant, 0, first_in))
        pieces.append((y2[:, first_in * a - p:], 0, constant, first_in, end_in))
        if n_frames > end_in:
            start = end_in * a - p
            s0 = min(start, n - p)  # at least p samples before the end, as for the head
            tail = np.ascontiguousarray(np.pad(y2[:, s0:], [(0, 0), (0, p)], mode=mode))
            pieces.append((tail[:, start - s0:], 0, constant, end_in, n_frames))
        return pieces

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
        for rows, pad, mode, t0, t1 in self._pieces(y2, out3.shape[-1]):
            kern.forward(rows, pad, mode, t1 - t0, kind, power, out3[..., t0:t1],
                         _n_threads(workers, rows.shape[0] * (t1 - t0)))
        return out3

    # ---- transforms ------------------------------------------------------------------------
    def stft(self, y, *, dtype=None, out=None, workers=None, backend=None) -> np.ndarray:
        """Complex STFT ``X[..., m, t]`` of ``y[..., n]`` (see the module docstring).

        Real input gives the one-sided spectrum, ``n_fft // 2 + 1`` rows (complex64 for float32,
        complex128 for float64, or ``dtype``); complex input gives all ``n_fft`` rows.  The
        transform runs in the higher of the input's and ``dtype``'s precisions.  ``out`` may be
        longer than the result along the last axis: the result is then the view
        ``out[..., :n_frames]`` (as librosa).

        Parameters
        ----------
        y : array_like, shape (..., n_samples)
            Real or complex signal, finite.
        dtype : {complex64, complex128}, optional
            Precision of the result.
        out : ndarray, optional
            Array of the result's shape (or longer along the last axis) and dtype.
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

        Returns
        -------
        ndarray, shape (..., n_fft // 2 + 1, n_frames) or (..., n_fft, n_frames)
            The complex coefficients.

        Raises
        ------
        ParameterError
            If ``y`` is not finite, too short (uncentred) or too large, ``dtype`` is not
            complex, or ``out`` does not fit.

        See Also
        --------
        gaborcore.stft : The same through a cached plan.
        STFT.istft : The inverse.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
        >>> out = np.empty((257, 40), np.complex64)  # longer than the 33 frames
        >>> X = plan.stft(y, out=out)
        >>> X.shape, bool(np.shares_memory(X, out))
        ((257, 33), True)
        """
        dtype = _target_dtype("dtype", dtype, "c")
        y = self._signal(y, allow_complex=True)
        if dtype is None and isinstance(out, np.ndarray) and out.dtype.kind == "c":
            dtype = _target_dtype("out.dtype", out.dtype, "c")
        if np.iscomplexobj(y):
            return self._stft_complex(y, dtype=dtype, out=out, workers=workers, backend=backend)
        cdt = _validation.complex_dtype_for(y.dtype) if dtype is None else dtype
        if cdt == np.complex128 and y.dtype == np.float32:
            y = y.astype(np.float64)
        shape = self.output_shape(y.shape)
        res = _output("out", out, shape, cdt, prefix=True)
        wdt = _validation.complex_dtype_for(y.dtype)
        res3 = _rows(res, 2) if wdt == cdt else None
        work = res3 if res3 is not None else np.empty((int(np.prod(shape[:-2])), *shape[-2:]),
                                                     wdt)
        self._forward(y.reshape(-1, y.shape[-1]), work, _OUT_COMPLEX, 0.0, workers, backend)
        if res3 is None:
            res[...] = work.reshape(shape)
        if self.phase_convention == "freqinv":
            self._apply_phase(res, -1)
        return res

    def _stft_complex(self, y, *, dtype, out, workers, backend):
        shape = self.output_shape(y.shape, onesided=False)
        cdt = y.dtype if dtype is None else np.promote_types(y.dtype, dtype)
        if cdt != y.dtype:
            y = y.astype(cdt)
        out = _output("out", out, shape, y.dtype if dtype is None else dtype, prefix=True)
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
                    backend=None, check_finite: bool = True) -> np.ndarray:
        """``|X|**power`` (power 2: energy, 1: magnitude), same precision as ``y``.

        Computed block by block: no complex STFT of the whole signal is ever stored.
        ``check_finite=False`` skips the pass that refuses NaN and Inf, for callers whose
        signals are known to be finite (decoded PCM audio); non-finite input then gives
        non-finite output instead of an error.

        Parameters
        ----------
        y : array_like, shape (..., n_samples)
            Real float32 or float64 signal.
        power : float, default 2.0
            Exponent of the magnitude, positive.
        out : ndarray, optional
            Array of the result's shape and dtype (see :meth:`output_shape`).
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`set_backend` context, else ``"auto"``.
        check_finite : bool, default True
            Refuse NaN and Inf in ``y`` (one pass over it).

        Returns
        -------
        ndarray, shape (..., n_fft // 2 + 1, n_frames)
            ``|X| ** power`` in the dtype of ``y``.

        Raises
        ------
        ParameterError
            If ``power`` is not positive, ``y`` is not finite (with ``check_finite``), too
            short or too large, or ``out`` does not fit.

        See Also
        --------
        gaborcore.spectrogram : The same through a cached plan.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
        >>> S = plan.spectrogram(y)
        >>> S.shape, S.dtype
        ((257, 33), dtype('float32'))
        >>> bool(np.allclose(S, np.abs(plan.stft(y)) ** 2, rtol=1e-4, atol=1e-4))
        True
        """
        return self._spectrogram(y, power, out, workers, backend, check_finite=check_finite)

    def filterbank_spectrogram(self, y, filterbank, *, power: float = 2.0, out=None,
                               workers=None, backend=None, check_finite: bool = True
                               ) -> np.ndarray:
        """``filterbank @ |STFT(y)| ** power``, fused: the spectrogram is never stored.

        Each block of frames is windowed, transformed, raised to ``power`` and projected onto
        the filters while it is still in cache (the mel spectrogram's kernel, for any filter
        bank).

        Parameters
        ----------
        y : array_like, shape (..., n)
            Real signal(s), float32 or float64 (float16 is computed in float32).
        filterbank : SparseFilterbank
            The filters over the ``n_fft // 2 + 1`` bins (:meth:`SparseFilterbank.from_dense`
            makes one from a matrix); their weights are used in the signal's precision.
        power : float, optional
            Exponent of the magnitude (2: power, 1: magnitude). Default 2.
        out : ndarray, optional
            Output array of the result's shape and dtype.
        workers : int, optional
            Threads (scipy.fft's convention); None is the ``set_workers`` default.
        backend : {"c", "numba", "numpy"}, optional
            Kernel backend; None is the ``set_backend`` default.
        check_finite : bool, optional
            Refuse NaN and Inf in ``y`` (default); False skips that pass for signals known to
            be finite.

        Returns
        -------
        ndarray, shape (..., n_bands, n_frames)
            The projected spectrogram, in the signal's precision.

        Raises
        ------
        ParameterError
            If ``y``, ``filterbank``, ``power`` or ``out`` is invalid, or the result would
            overflow the signal's precision.

        See Also
        --------
        MelSpectrogram : The mel filter bank on this kernel.
        STFT.spectrogram : The spectrogram itself.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096)
        >>> fb = gaborcore.SparseFilterbank.from_dense(np.eye(257)[::8])   # every 8th bin
        >>> B = plan.filterbank_spectrogram(y, fb)
        >>> B.shape, bool(np.allclose(B, plan.spectrogram(y)[::8]))
        ((33, 33), True)
        """
        if not isinstance(filterbank, SparseFilterbank):
            raise ParameterError(f"filterbank must be a SparseFilterbank, not "
                                 f"{type(filterbank).__name__}")
        n_freq = self.n_fft // 2 + 1
        ends = filterbank.start + np.diff(filterbank.offset)
        if filterbank.n_bands and (filterbank.start.min() < 0 or ends.max() > n_freq):
            raise ParameterError(f"filterbank reaches bin {int(ends.max()) - 1}; n_fft="
                                 f"{self.n_fft} has bins 0 to {n_freq - 1}")
        power = _validation.positive_float("power", power)
        # |STFT| ** power summed with the filter weights must fit the precision too (an
        # all-zero filter bank multiplies inf by 0)
        gain = float(np.abs(filterbank.data).sum()) if filterbank.nnz else 0.0
        y = self._signal(y, check_finite=check_finite, power=max(power, 2.0),
                         extra_log2=max(0.0, _validation.log2(gain)))
        shape = (*y.shape[:-1], filterbank.n_bands, self.n_frames(y.shape[-1]))
        if out is None:
            _validation.check_size("y", shape, y.dtype, what="the projected spectrogram")
            out = np.empty(shape, y.dtype)
        else:
            out = _validation.out_array("out", out, shape, y.dtype)
        fb = filterbank if filterbank.data.dtype == y.dtype else filterbank.astype(y.dtype)
        kern = self._kernel(_backend.resolve_backend(backend), y.dtype)
        kind = {2.0: _OUT_POWER, 1.0: _OUT_MAGNITUDE}.get(power, _OUT_POW)
        out3 = out.reshape(-1, *shape[-2:])
        for rows, pad, pad_mode, t0, t1 in self._pieces(y.reshape(-1, y.shape[-1]), shape[-1]):
            kern.filterbank(rows, pad, pad_mode, t1 - t0, kind, power, fb.data, fb.start,
                            fb.offset, out3[..., t0:t1],
                            _n_threads(workers, rows.shape[0] * (t1 - t0)))
        return out

    def _spectrogram(self, y, power, out, workers, backend, check_finite=True) -> np.ndarray:
        """:meth:`spectrogram`; ``check_finite=False`` for a caller whose signals are known to
        be finite (the extraction job's decoded clips), which spares a pass over them."""
        power = _validation.positive_float("power", power)
        # |X| is computed from the squares even for power < 2
        y = self._signal(y, check_finite=check_finite, power=max(power, 2.0))
        shape = self.output_shape(y.shape)
        out = (np.empty(shape, y.dtype) if out is None
               else _validation.out_array("out", out, shape, y.dtype))
        kind = {2.0: _OUT_POWER, 1.0: _OUT_MAGNITUDE}.get(power, _OUT_POW)
        y2 = y.reshape(-1, y.shape[-1])
        self._forward(y2, out.reshape(-1, *shape[-2:]), kind, power, workers, backend)
        return out

    def _inv_diag(self, n_frames: int, n_out: int, dtype: np.dtype) -> tuple[np.ndarray, int]:
        """``(1 / D on the output samples, (uncovered, weakly covered) interior samples)``.

        ``D = sum_t w(p - t a)^2`` is computed in float64; as librosa, samples where ``D`` is not
        above the smallest normal number of ``dtype`` are not divided (the overlap-add is 0
        there), and samples past the last frame (``length`` beyond the frames) are 0.
        """
        key = (n_frames, n_out, dtype.str)
        with self._lock:
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
        with self._lock:
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
        dtype = _target_dtype("dtype", dtype, "f")
        if dtype is None and isinstance(out, np.ndarray) and out.dtype.kind == "f":
            dtype = _target_dtype("out.dtype", out.dtype, "f")
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
            self._apply_phase(S, +1)
        elif S.strides[-1] != S.itemsize:
            S = np.ascontiguousarray(S)
        wdt = _validation.real_dtype_for(S.dtype)
        shape = S.shape[:-2] + (length,)
        user = None
        if (isinstance(out, np.ndarray) and out.shape == shape and out.dtype == rdt
                and out.flags.writeable and not out.flags.c_contiguous):
            user, out = out, None  # any memory order, as librosa: filled from a work array
        res = _output("out", out, shape, rdt, prefix=False)
        y2 = (res if wdt == rdt else np.empty(shape, wdt)).reshape(-1, length)
        name = _backend.resolve_backend(backend)
        kern = self._kernel(name, wdt)
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
        kern.inverse(S3, inv, self.pad, y2, _n_threads(workers, S3.shape[0] * n_frames))
        if wdt == np.float32:
            self._exact_ends(S3, y2)
        if wdt != rdt:
            res[...] = y2.reshape(shape)
        if user is not None:
            user[...] = res
            return user
        return res


def _plan(n_fft, hop_length, win_length, window, center, pad_mode, phase_convention="timeinv"):
    return STFT.cached(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                       center=center, pad_mode=pad_mode, phase_convention=phase_convention)


def stft(y, *, n_fft: int = 2048, hop_length: int | None = None, win_length: int | None = None,
         window="hann", center: bool = True, pad_mode: str = "constant",
         phase_convention: str = "timeinv", dtype=None, out=None, workers=None,
         backend=None) -> np.ndarray:
    """Short-time Fourier transform of ``y`` along its last axis.

    Same parameters, defaults and results as :func:`librosa.stft` (with the default
    ``phase_convention="timeinv"``), computed by the compiled kernels through a cached
    :class:`STFT` plan.  A centred signal shorter than ``n_fft`` warns and is transformed (as
    librosa); float16 input is computed in float32.

    Parameters
    ----------
    y : array_like, shape (..., n_samples)
        Real (float32 or float64) or complex signal; leading axes are batch and channels and are
        transformed independently.  Must be finite.
    n_fft : int, default 2048
        FFT length, any size >= 2 (not only powers of two).
    hop_length : int, optional
        Samples between successive frames; default ``win_length // 4``.
    win_length : int, optional
        Window length, at most ``n_fft``; the window is centred in ``n_fft`` samples.  Default
        ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window, as :func:`get_window` reads it (scipy's names, ``(name, parameter)`` tuples,
        a Kaiser beta, a callable, or the samples); periodic.
    center : bool, default True
        Pad ``n_fft // 2`` samples on each side, so that frame ``t`` is centred at sample
        ``t * hop_length``; otherwise frame ``t`` starts there.
    pad_mode : str or callable, default "constant"
        Padding when ``center`` is true: ``"constant"`` (zeros), ``"reflect"``, ``"wrap"``, any
        other mode of :func:`numpy.pad` (``"edge"``, ``"symmetric"``, ...) or a callable in
        :func:`numpy.pad`'s function form (see :class:`STFT`).
    phase_convention : {"timeinv", "freqinv"}, default "timeinv"
        Phase relative to each frame's first sample (librosa) or to sample 0 of the signal
        (LTFAT's ``dgt``); the moduli are the same.
    dtype : {complex64, complex128}, optional
        Precision of the result; default complex64 for float32 input, complex128 for float64.
        The transform runs in the higher of this and the input's precision.
    out : ndarray, optional
        Array to write the result to, of the result's shape and dtype, or longer along the last
        axis (then the result is the view ``out[..., :n_frames]``, as librosa).
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them (-1: all CPUs); default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., 1 + n_fft // 2, n_frames)
        Complex coefficients ``X[..., m, t]``: one-sided (``1 + n_fft // 2`` rows) for real
        input, all ``n_fft`` rows for complex input.  ``n_frames = 1 + n_samples // hop_length``
        when centred (even ``n_fft``; ``1 + (n_samples - 1) // hop_length`` for odd), else
        ``1 + (n_samples - n_fft) // hop_length``.

    Raises
    ------
    ParameterError
        If a parameter is out of range (see :class:`STFT`), ``y`` contains NaN or Inf or is so
        large that the sums would overflow, ``center=False`` and ``y`` is shorter than
        ``n_fft``, ``dtype`` is not complex, or ``out`` has the wrong shape or dtype.

    See Also
    --------
    istft : The inverse transform.
    spectrogram : ``|X| ** power`` without storing the complex coefficients.
    STFT : The reusable plan, with the definitions.
    dgt : The Gabor transform on the torus.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> X = gaborcore.stft(y, n_fft=512, hop_length=128)
    >>> X.shape, X.dtype
    ((257, 173), dtype('complex64'))
    >>> gaborcore.stft(y.astype(np.float64), n_fft=512, hop_length=128).dtype
    dtype('complex128')

    The moduli do not depend on the phase convention:

    >>> Xf = gaborcore.stft(y, n_fft=512, hop_length=128, phase_convention="freqinv")
    >>> bool(np.allclose(np.abs(Xf), np.abs(X)))
    True
    """
    return _plan(n_fft, hop_length, win_length, window, center, pad_mode,
                 phase_convention).stft(y, dtype=dtype, out=out, workers=workers,
                                        backend=backend)


def istft(stft_matrix, *, n_fft: int | None = None, hop_length: int | None = None,
          win_length: int | None = None, window="hann", center: bool = True,
          phase_convention: str = "timeinv", dtype=None, length: int | None = None, out=None,
          workers=None, backend=None) -> np.ndarray:
    """Inverse STFT: the signal whose :func:`stft` is ``stft_matrix``, as :func:`librosa.istft`.

    The overlap-add of the windowed inverse FFTs is divided by the frame-operator diagonal
    ``sum_t w(p - t hop_length)^2``: synthesis with the canonical dual window, so that
    ``istft(stft(y)) == y`` up to rounding wherever the frames cover the signal (everywhere when
    centred).  Samples that no window reaches (a hop longer than the window) cannot be recovered:
    they are returned as 0, with a warning.

    Parameters
    ----------
    stft_matrix : ndarray, shape (..., 1 + n_fft // 2, n_frames)
        The complex64 or complex128 one-sided coefficients, as :func:`stft` returns them.
    n_fft : int, optional
        FFT length of the analysis; default ``2 * (stft_matrix.shape[-2] - 1)`` (as librosa).
    hop_length : int, optional
        Hop of the analysis; default ``win_length // 4``.
    win_length : int, optional
        Window length of the analysis; default ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        Window of the analysis (see :func:`get_window`).
    center : bool, default True
        Whether the analysis centred the frames (then ``n_fft // 2`` samples are dropped at each
        end).
    phase_convention : {"timeinv", "freqinv"}, default "timeinv"
        Phase convention of the analysis.
    dtype : {float32, float64}, optional
        Precision of the result; default float32 for complex64 input, float64 for complex128.
    length : int, optional
        Length of the output, cut or zero-filled past the last frame (as librosa); default the
        longest signal the frames determine, ``n_fft + hop_length * (n_frames - 1)`` minus the
        padding.
    out : ndarray, optional
        Array of shape ``(..., length)`` and the result's dtype to write the result to.
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
        If ``stft_matrix`` is not a complex array of ``1 + n_fft // 2`` rows, contains NaN or
        Inf, a parameter is out of range, there are too few frames to determine a signal (pass
        ``length``), or ``out`` has the wrong shape or dtype.

    See Also
    --------
    stft : The forward transform.
    STFT.istft : The same through a reusable plan.
    dual_window : The canonical dual window of the periodic (painless) frame.

    Notes
    -----
    The frame operator of a finite, padded signal and its canonical dual are derived on the
    theory page, :doc:`/theory`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> X = gaborcore.stft(y, n_fft=512, hop_length=128)
    >>> y_hat = gaborcore.istft(X, hop_length=128, length=y.shape[-1])
    >>> y_hat.shape, y_hat.dtype
    ((22050,), dtype('float32'))
    >>> bool(np.allclose(y_hat, y, atol=1e-5))
    True
    """
    if n_fft is None:
        rows = getattr(stft_matrix, "shape", (0, 0))[-2] if np.ndim(stft_matrix) >= 2 else 0
        n_fft = 2 * (rows - 1)
    return _plan(n_fft, hop_length, win_length, window, center, "constant",
                 phase_convention).istft(stft_matrix, length=length, dtype=dtype, out=out,
                                         workers=workers, backend=backend)


def spectrogram(y, *, n_fft: int = 2048, hop_length: int | None = None,
                win_length: int | None = None, window="hann", center: bool = True,
                pad_mode: str = "constant", power: float = 2.0, out=None, workers=None,
                backend=None) -> np.ndarray:
    """Power (or magnitude) spectrogram ``|STFT|**power``, same precision as ``y``.

    The kernels square (and raise to ``power``) each block of frames as it is transformed: the
    complex STFT of the whole signal is never stored.  ``spectrogram(y, power=2)`` equals
    ``np.abs(stft(y)) ** 2`` up to rounding (librosa's ``power`` spectrogram).

    Parameters
    ----------
    y : ndarray, shape (..., n_samples)
        The float32 or float64 signal; leading axes are batch and channels.  Must be finite.
    n_fft : int, default 2048
        FFT length, any size >= 2 (not only powers of two).
    hop_length : int, optional
        Samples between successive frames; default ``win_length // 4``.
    win_length : int, optional
        Window length, at most ``n_fft``; the window is centred in ``n_fft`` samples.  Default
        ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window, as :func:`get_window` reads it (scipy's names, ``(name, parameter)`` tuples,
        a Kaiser beta, a callable, or the samples); periodic.
    center : bool, default True
        Pad ``n_fft // 2`` samples on each side, so that frame ``t`` is centred at sample
        ``t * hop_length``; otherwise frame ``t`` starts there.
    pad_mode : str or callable, default "constant"
        Padding when ``center`` is true (see :func:`stft`).
    power : float, default 2.0
        Exponent of the magnitude: 2 for energy, 1 for magnitude, any positive number.
    out : ndarray, optional
        Pre-allocated output of the right shape and dtype (see :meth:`STFT.output_shape`).
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., 1 + n_fft // 2, n_frames)
        ``|X| ** power``, in the dtype of ``y``.

    Raises
    ------
    ParameterError
        If ``power`` is not positive, a parameter is out of range (see :class:`STFT`), ``y``
        contains NaN or Inf or is too large for ``|X| ** power`` to fit its dtype, or ``out``
        has the wrong shape or dtype.

    See Also
    --------
    stft : The complex coefficients.
    melspectrogram : The spectrogram projected on a filter bank, in one pass.
    power_to_db : Decibels of a power spectrogram.

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
    """Discrete Gabor transform on the torus Z_L, with frequency-invariant phase (LTFAT's ``dgt``).

    ``c[..., m, n] = sum_t f(t) g(t - a n) exp(-2 pi i m t / M)`` with ``a = hop_length``,
    ``M = n_fft`` and ``g`` the window centred at 0 (circularly), indices modulo ``L``.  ``L``
    must be a multiple of ``a`` and of ``M``; the result has ``N = L / a`` frames.  The window
    may be shorter than ``M`` (painless case).  Real signals give the ``M // 2 + 1``
    non-negative frequencies, complex signals all ``M``; :func:`idgt` inverts the real case.

    Parameters
    ----------
    f : array_like, shape (..., L)
        Real or complex signal on the torus (periodic); leading axes are transformed
        independently.
    n_fft : int
        Number of frequency channels ``M``; must divide ``L``.
    hop_length : int
        Time step ``a``; must divide ``L``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window ``g`` (see :func:`get_window`).
    win_length : int, optional
        Window length, at most ``n_fft``; default ``n_fft``.
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., M // 2 + 1, L // a) or (..., M, L // a)
        The complex coefficients ``c[..., m, n]`` (complex128 for float64 input, complex64 for
        float32).

    Raises
    ------
    ParameterError
        If ``L`` is not a multiple of ``hop_length`` and of ``n_fft``, ``f`` has fewer than two
        samples or is not finite, or a parameter is out of range.

    See Also
    --------
    idgt : The inverse.
    stft : The transform of a finite (padded) signal.
    frame_bounds, dual_window : The frame of the lattice.

    Notes
    -----
    This is the Gabor frame of the theory page, :doc:`/theory`: ``c[m, n]`` samples the
    short-time Fourier transform at time ``a n`` and frequency ``m L / M`` (in bins of ``L``).  It
    is computed as :func:`stft` with ``center=True``, wrap-around padding and
    ``phase_convention="freqinv"``.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> f = np.random.default_rng(0).standard_normal(64)
    >>> c = gaborcore.dgt(f, n_fft=16, hop_length=4)
    >>> c.shape, c.dtype
    ((9, 16), dtype('complex128'))

    The definition, term by term, for the default periodic Hann window:

    >>> L, M, a = 64, 16, 4
    >>> g = np.zeros(L)
    >>> g[(np.arange(M) - M // 2) % L] = gaborcore.get_window("hann", M)  # centred at 0
    >>> t = np.arange(L)
    >>> c_def = [[np.sum(f * g[(t - a * n) % L] * np.exp(-2j * np.pi * m * t / M))
    ...           for n in range(L // a)] for m in range(M // 2 + 1)]
    >>> bool(np.allclose(c, c_def))
    True
    """
    f = _validation.signal("f", f, min_length=2, allow_complex=True)
    plan = _torus_plan(n_fft, hop_length, win_length, window, f.shape[-1])
    n_coef = f.shape[-1] // plan.hop_length
    # the STFT's range check, under this function's name for the signal
    m = _validation.absmax(f)
    _validation.check_range("f", _validation.log2(m) + _validation.log2(
        float(np.abs(plan.window).sum())), f.dtype, f"max |f| = {m:.3g}")
    return plan.stft(f, workers=workers, backend=backend)[..., :n_coef]


def idgt(coef, *, length: int, n_fft: int | None = None, hop_length: int, window="hann",
         win_length: int | None = None, workers=None, backend=None) -> np.ndarray:
    """Inverse of :func:`dgt` with the canonical dual window (exact in the painless case).

    Synthesis with the canonical dual window ``g / D``, where ``D`` is the diagonal of the frame
    operator on the torus (the shifted windows' squares summed modulo ``L``): for the
    coefficients of a real signal, ``idgt(dgt(f)) == f`` up to rounding.

    Parameters
    ----------
    coef : ndarray, shape (..., n_fft // 2 + 1, length // hop_length)
        The complex64 or complex128 coefficients of a real signal, as :func:`dgt` returns them.
    length : int
        Length ``L`` of the signal, a multiple of ``hop_length`` and of ``n_fft``.
    n_fft : int, optional
        Number of frequency channels ``M``; default ``2 * (coef.shape[-2] - 1)``.
    hop_length : int
        Time step ``a`` of the analysis.
    window : str, tuple, float, callable or array_like, default "hann"
        The analysis window (see :func:`get_window`).
    win_length : int, optional
        Window length, at most ``n_fft``; default ``n_fft``.
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., length)
        The real signal, float64 for complex128 coefficients, float32 for complex64.

    Raises
    ------
    ParameterError
        If ``coef`` is not a complex array of the expected shape, ``length`` is not a multiple of
        ``hop_length`` and ``n_fft``, or the shifted windows leave samples of the torus uncovered
        (the Gabor system is not a frame).

    See Also
    --------
    dgt : The forward transform.
    dual_window : The canonical dual window.
    istft : The inverse of the finite (padded) transform.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> f = np.random.default_rng(0).standard_normal(64)
    >>> c = gaborcore.dgt(f, n_fft=16, hop_length=4, win_length=8)
    >>> f_hat = gaborcore.idgt(c, length=64, hop_length=4, win_length=8)
    >>> f_hat.shape, bool(np.allclose(f_hat, f))
    ((64,), True)
    """
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
    diag = frame_diagonal(plan.window, plan.hop_length, n_coef)

    def fold(a):
        k = -(-a.shape[-1] // length)
        ext = np.zeros(a.shape[:-1] + (k * length,), a.dtype)
        ext[..., : a.shape[-1]] = a
        return np.roll(ext.reshape(a.shape[:-1] + (k, length)).sum(-2), -plan.pad, axis=-1)

    d = fold(diag)
    if not d.min() > 1e-12 * d.max():
        # the frame does not cover the torus: the coefficients determine nothing there
        raise ParameterError(
            f"hop_length={plan.hop_length} is too large for this window and n_fft={plan.n_fft}: "
            "the shifted windows leave samples of the torus uncovered, so the Gabor system is not "
            "a frame and idgt cannot invert it"
        )
    S = coef.copy()
    plan._apply_phase(S, +1)
    rdt = _validation.real_dtype_for(S.dtype)
    n_lin = (n_coef - 1) * plan.hop_length + plan.n_fft
    lin = np.empty(S.shape[:-2] + (n_lin,), rdt)
    kern = plan._kernel(_backend.resolve_backend(backend), rdt)
    kern.inverse(S.reshape(-1, *S.shape[-2:]), np.ones(n_lin, rdt), 0, lin.reshape(-1, n_lin),
                 _n_threads(workers, S.size // S.shape[-2]))
    return (fold(lin) / d).astype(rdt)
