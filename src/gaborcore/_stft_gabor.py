"""The Gabor transform on the torus Z_L and its inverse (LTFAT's ``dgt`` / ``idgt``).

Both run on an :class:`~gaborcore.STFT` plan with ``center=True``, wrap-around padding and
``phase_convention="freqinv"``; the signal's length must be a multiple of the hop and of
``n_fft`` (``L = a N = b M``).
"""

from __future__ import annotations

import numpy as np

from . import _backend, _validation
from ._stft_frames import apply_phase, n_threads
from ._stft_plan import cached_plan
from ._validation import ParameterError
from .windows import frame_diagonal


def _torus_plan(n_fft, hop_length, win_length, window, length):
    plan = cached_plan(n_fft, hop_length, win_length, window, True, "wrap", "freqinv")
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
    apply_phase(plan, S, +1)
    rdt = _validation.real_dtype_for(S.dtype)
    n_lin = (n_coef - 1) * plan.hop_length + plan.n_fft
    lin = np.empty(S.shape[:-2] + (n_lin,), rdt)
    kern = plan.kernel(_backend.resolve_backend(backend), rdt)
    kern.inverse(S.reshape(-1, *S.shape[-2:]), np.ones(n_lin, rdt), 0, lin.reshape(-1, n_lin),
                 n_threads(workers, S.size // S.shape[-2]))
    return (fold(lin) / d).astype(rdt)
