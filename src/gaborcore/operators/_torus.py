"""Signals and windows on the torus ``Z_L``: :func:`torus_window`, and the argument checks the
operators share (a signal on ``Z_L``, an array on the grid, a window the compiled STFT kernels
take)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError

__all__ = ["torus_window", "torus_signal", "grid_array", "centred_window"]


def torus_window(window: np.ndarray, length: int) -> np.ndarray:
    """Place a short window (centre at ``len(window) // 2``) on ``Z_L`` with its centre at 0.

    Sample ``j`` of ``window`` goes to time ``(j - len(window) // 2) mod L``: the window's
    centre to 0, its first half to the end of the torus.  This is the form every function of
    this module takes a window in.

    Parameters
    ----------
    window : ndarray, shape (n,)
        Finite float or complex samples, for example from :func:`gaborcore.get_window`.
    length : int
        The torus length ``L >= n``.

    Returns
    -------
    ndarray, shape (length,)
        The window on ``Z_L`` (float64, or complex128 for a complex window).

    Raises
    ------
    ParameterError
        If ``window`` is not a non-empty 1-D finite float or complex array, or is longer than
        ``length``.

    See Also
    --------
    ambiguity : The ambiguity function of such a window.
    GaborMultiplier : A multiplier with such a window.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> g.shape
    (48,)
    >>> g[[-4, 0, 4]]  # the centre at 0, the first half at the end of the torus
    array([0.5, 1. , 0.5])
    """
    w = np.asarray(window)
    if w.ndim != 1 or w.size == 0 or w.dtype.kind not in "fc" or not np.isfinite(w).all():
        raise ParameterError(
            f"window must be a non-empty 1-D array of finite float or complex samples, got shape "
            f"{w.shape} and dtype {w.dtype}"
        )
    n = w.shape[-1]
    L = _validation.positive_int("length", length)
    if n > L:
        raise ParameterError(f"window has {n} samples, more than length={L}")
    dtype = np.result_type(w.dtype, np.float64)
    _validation.check_size("length", (L,), dtype, what="the torus window")
    g = np.zeros(L, dtype=dtype)
    g[(np.arange(n) - n // 2) % L] = w
    return g


def torus_signal(name: str, g) -> np.ndarray:
    """``g`` as a finite 1-D float or complex array on ``Z_L`` (L >= 2), at least float64.

    Refuses a signal whose sums of L products of two samples would overflow.
    """
    g = np.asarray(g)
    if g.ndim != 1 or g.size < 2:
        raise ParameterError(f"{name} must be a 1-D array on Z_L (L >= 2), got shape {g.shape}")
    if g.dtype.kind not in "fc" or not np.isfinite(g).all():
        raise ParameterError(f"{name} must be a finite float or complex array")
    # float16 inputs overflow in the products: compute in double precision
    g = g.astype(np.result_type(g.dtype, np.float64), copy=False)
    # the operators sum L products of two samples (ambiguity, Wigner, Gabor coefficients)
    m = _validation.absmax(g)
    _validation.check_range(name, 2 * _validation.log2(m) + np.log2(g.shape[0]) + 1, g.dtype,
                            f"max |{name}| = {m:.3g}")
    return g


def grid_array(name: str, a, *, square: bool = False) -> np.ndarray:
    """A finite 2-D float or complex array (square when ``square``); integers are widened."""
    a = np.asarray(a)
    if a.ndim != 2 or a.size == 0 or (square and a.shape[0] != a.shape[1]):
        want = "a square L x L array" if square else "a non-empty 2-D array"
        raise ParameterError(f"{name} must be {want}, got shape {a.shape}")
    if a.dtype.kind not in "fciu" or not np.isfinite(a).all():
        raise ParameterError(f"{name} must hold finite real or complex numbers (dtype {a.dtype})")
    # the 2-D transforms sum all the values, times L for the synthesis of an operator
    m = _validation.absmax(a)
    _validation.check_range(name, _validation.log2(m) + 2 * np.log2(a.size) + 1,
                            np.result_type(a.dtype, np.float32), f"max |{name}| = {m:.3g}")
    return a


def centred_window(g: np.ndarray, n_fft: int) -> np.ndarray:
    """The STFT kernels' window for a real torus window supported within n_fft samples of 0."""
    L = g.shape[0]
    idx = (np.arange(n_fft) - n_fft // 2) % L
    w = g[idx]
    outside = np.ones(L, bool)
    outside[idx] = False
    if np.any(g[outside] != 0):
        raise ParameterError(
            f"the window is longer than n_fft={n_fft} around 0: only painless lattices are "
            "supported by the fast path"
        )
    if not np.any(w):
        raise ParameterError("g is all zeros: the Gabor transform's fast path needs a window")
    return w.real.astype(np.float64)
