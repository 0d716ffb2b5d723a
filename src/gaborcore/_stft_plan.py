"""The STFT plan: its parameters, its lattice's shapes and its compiled kernels.

:class:`STFT` checks its parameters once, makes the window and keeps the compiled kernels of each
backend and precision it is used with.  Its transforms are inherited: :meth:`~STFT.stft`,
:meth:`~STFT.spectrogram` and :meth:`~STFT.filterbank_spectrogram` from
:class:`~gaborcore._stft_forward.StftForward`, :meth:`~STFT.istft` from
:class:`~gaborcore._stft_inverse.StftInverse`.  The definitions are those of
:mod:`gaborcore.stft`.
"""

from __future__ import annotations

import threading

import numpy as np

from . import _backend, _fftw, _validation
from ._cache import plan_cache
from ._stft_forward import StftForward
from ._stft_frames import NUMPY_PAD_MODES, PAD_MODES, PHASE_CONVENTIONS
from ._stft_inverse import StftInverse
from ._validation import ParameterError
from .windows import get_window, is_window_spec, pad_center, window_cache_key


def _window_name(window):
    if isinstance(window, str | tuple) or (is_window_spec(window) and not callable(window)):
        return window
    if callable(window):
        return getattr(window, "__name__", "callable")
    return "array"


class STFT(StftForward, StftInverse):
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
        super().__init__()  # StftInverse: the inverse's cache of frame diagonals

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

    def kernel(self, backend: str, dtype: np.dtype):
        """The compiled kernel of one backend and precision, made once per plan.

        The transforms call it; it is thread-safe, and the kernel it returns can be used from
        any number of threads.

        Parameters
        ----------
        backend : {"c", "numba", "numpy"}
            A resolved backend name (see :func:`gaborcore.available_backends`).
        dtype : numpy.dtype
            The working precision, float32 or float64.

        Returns
        -------
        object
            The backend's ``StftPlan`` for this plan's ``n_fft``, ``hop_length`` and window cast
            to ``dtype`` (its ``forward``, ``inverse`` and ``filterbank`` methods).

        See Also
        --------
        gaborcore.available_backends : The backends this installation has.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> k = plan.kernel("numpy", np.dtype(np.float32))
        >>> k is plan.kernel("numpy", np.dtype(np.float32))
        True
        """
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


def cached_plan(n_fft, hop_length, win_length, window, center, pad_mode,
                phase_convention="timeinv") -> STFT:
    """:meth:`STFT.cached` with the parameters by position (the functions' shorthand)."""
    return STFT.cached(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                       center=center, pad_mode=pad_mode, phase_convention=phase_convention)
