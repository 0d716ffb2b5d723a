"""The ambiguity function ``V_g g`` (full grid, a block of lags, a lattice) and the Wigner
distribution."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..stft import STFT, dgt
from ._torus import centred_window, torus_signal

__all__ = ["ambiguity", "ambiguity_rows", "ambiguity_lattice", "wigner"]


def ambiguity(g, *, rows=None) -> np.ndarray:
    """``V_g g`` on the full grid ``Z_L x Z_L`` (or only the time lags in ``rows``).

    Row x is ``fft(g * conj(roll(g, x)))``.  For a window of support W only the lags
    ``|x| < W`` are non-zero; pass ``rows`` to compute a subset (memory ``len(rows) * L``).

    Parameters
    ----------
    g : array_like, shape (L,)
        The window on ``Z_L`` (float or complex, finite; see :func:`torus_window`).
    rows : array_like of int, optional
        Time lags to compute (taken modulo ``L``); default all ``L``.

    Returns
    -------
    ndarray of complex128, shape (L, L) or (len(rows), L)
        ``V_g g(x, w) = sum_t g(t) conj(g(t - x)) exp(-2 pi i w t / L)``, indexed ``[x, w]``.

    Raises
    ------
    ParameterError
        If ``g`` is not a finite 1-D array of at least two samples, or ``rows`` is not a 1-D
        integer array.

    See Also
    --------
    ambiguity_rows : Consecutive lags through the compiled STFT.
    ambiguity_lattice : The values on a lattice.
    multiplier_spreading_function : Where it enters the spreading function (identity I7).

    Notes
    -----
    The ambiguity function and its symmetries are identities I3-I4 of
    :ref:`theory-identities`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> V = operators.ambiguity(g)
    >>> V.shape, V.dtype
    ((48, 48), dtype('complex128'))
    >>> bool(np.isclose(V[0, 0], np.sum(g ** 2)))  # at the origin: the energy
    True
    """
    g = torus_signal("g", g)
    L = g.shape[0]
    if rows is None:
        xs = np.arange(L)
    else:
        xs = np.asarray(rows)
        if xs.ndim != 1 or xs.dtype.kind not in "iu":
            raise ParameterError(f"rows must be a 1-D array of integer time lags, got shape "
                                 f"{xs.shape} and dtype {xs.dtype}")
        xs = xs % L
    _validation.check_size("rows", (len(xs), L), np.complex128)
    out = np.empty((len(xs), L), np.complex128)
    t = np.arange(L)
    for i0 in range(0, len(xs), 256):  # blocks of rows: bounded temporaries
        x = xs[i0:i0 + 256]
        prod = g[None, :] * np.conj(g[(t[None, :] - x[:, None]) % L])
        out[i0:i0 + len(x)] = np.fft.fft(prod, axis=-1)
    return out


def ambiguity_rows(g, x0: int, n_rows: int, *, backend=None) -> np.ndarray:
    """A block of consecutive time lags of the ambiguity function, through the compiled STFT.

    Returns rows ``x0`` to ``x0 + n_rows - 1`` of ``V_g g``, shape ``(n_rows, L)``: for a real
    window they are frames of the STFT of g with window g (n_fft = L, hop 1).

    Frame n of the STFT of ``g[x0 - L//2 + i]`` with the window ``w[j] = g(j - L//2)`` is
    ``sum_t g(t) g(t - x) exp(-2 pi i m (t - x + L//2) / L)`` with ``x = x0 + n``: the row of
    ``V_g g`` up to the phase ``exp(2 pi i m (x - L//2) / L)``; negative frequencies are the
    conjugates.  Complex windows use :func:`ambiguity`.

    Parameters
    ----------
    g : array_like, shape (L,)
        The window on ``Z_L`` (see :func:`torus_window`).
    x0 : int
        First time lag (any integer, taken modulo ``L``; negative lags are allowed).
    n_rows : int
        Number of consecutive lags.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend of the STFT; default the :func:`gaborcore.set_backend` context.

    Returns
    -------
    ndarray of complex128, shape (n_rows, L)
        Rows ``x0 .. x0 + n_rows - 1`` of :func:`ambiguity`.

    Raises
    ------
    ParameterError
        If ``g`` is not a valid window, or ``x0``/``n_rows`` is not an integer (``n_rows >= 1``),
        or the result would not fit in memory.

    See Also
    --------
    ambiguity : All lags, or any set of them, directly.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> R = operators.ambiguity_rows(g, -3, 6)
    >>> R.shape, bool(np.allclose(R, operators.ambiguity(g, rows=np.arange(-3, 3))))
    ((6, 48), True)
    """
    g = torus_signal("g", g)
    L = g.shape[0]
    x0 = _validation.positive_int("x0", x0, minimum=-(1 << 62), maximum=1 << 62)
    n_rows = _validation.positive_int("n_rows", n_rows)
    # the result and about three more arrays of its size (the STFT, the phases, their
    # product), before anything is made
    _validation.check_size("n_rows", (4, n_rows, L), np.complex128,
                           what="the result and its work arrays")
    if np.iscomplexobj(g):
        return ambiguity(g, rows=np.arange(x0, x0 + n_rows))
    if not np.any(g):  # V_0 0 = 0 (the STFT refuses a zero window)
        return np.zeros((n_rows, L), np.complex128)
    half = L // 2
    w = g[(np.arange(L) - half) % L].astype(np.float64)
    plan = STFT.cached(n_fft=L, hop_length=1, window=w, center=False)
    seg = g[(np.arange(n_rows + L - 1) + x0 - half) % L].astype(np.float64)
    X = plan.stft(seg, backend=backend)[:, :n_rows]  # (L // 2 + 1, n_rows)
    m = np.arange(half + 1, dtype=np.int64)
    x = x0 + np.arange(n_rows, dtype=np.int64)
    r = np.mod(m[:, None] * np.mod(x - half, L)[None, :], L)  # exact phase arguments
    Vh = X * np.exp(-2j * np.pi * r / L)
    out = np.empty((n_rows, L), np.complex128)
    out[:, : half + 1] = Vh.T
    neg = np.arange(half + 1, L)
    out[:, neg] = np.conj(Vh.T[:, L - neg])
    return out


def ambiguity_lattice(g, *, hop_length: int, n_fft: int, backend=None) -> np.ndarray:
    """``V_g g(a n, b m)`` on the lattice, shape ``(N, M)``, through the compiled Gabor transform.

    ``g`` must be real and supported within ``n_fft`` samples around 0 (painless lattice) for the
    compiled path; a complex window is computed from :func:`ambiguity`.

    Parameters
    ----------
    g : array_like, shape (L,)
        The window on ``Z_L`` (see :func:`torus_window`).
    hop_length : int
        Time step ``a`` of the lattice; divides ``L``.
    n_fft : int
        Number of channels ``M``; divides ``L`` (frequency step ``b = L / M``).
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend of the Gabor transform; default the :func:`gaborcore.set_backend` context.

    Returns
    -------
    ndarray of complex128, shape (L // hop_length, n_fft)
        ``V_g g(a n, b m)`` indexed ``[n, m]``.

    Raises
    ------
    ParameterError
        If ``L`` is not a multiple of ``hop_length`` and ``n_fft``, or a real window has
        non-zero samples outside the ``n_fft`` samples around 0 (times ``-(n_fft // 2)`` to
        ``n_fft - n_fft // 2 - 1``).

    See Also
    --------
    ambiguity : The full grid.
    gaborcore.dgt : The transform it uses.

    Notes
    -----
    Identity I1 of :ref:`theory-identities`: the lattice transform samples the full STFT.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> A = operators.ambiguity_lattice(g, hop_length=4, n_fft=16)
    >>> A.shape, bool(np.allclose(A, operators.ambiguity(g)[::4, ::3]))
    ((12, 16), True)
    """
    g = torus_signal("g", g)
    L = g.shape[0]
    hop_length = _validation.positive_int("hop_length", hop_length, maximum=L)
    n_fft = _validation.positive_int("n_fft", n_fft, maximum=L)
    if L % hop_length or L % n_fft:
        raise ParameterError(f"the length of g, L={L}, must be a multiple of hop_length="
                             f"{hop_length} and n_fft={n_fft}")
    if np.iscomplexobj(g):
        V = ambiguity(g, rows=np.arange(0, g.shape[0], hop_length))
        return V[:, :: g.shape[0] // n_fft]
    if not np.any(g):  # V_0 0 = 0 (the Gabor transform refuses a zero window: no frame)
        return np.zeros((L // hop_length, n_fft), np.complex128)
    w = centred_window(g, n_fft)
    c = dgt(g.astype(np.complex128), window=w, hop_length=hop_length, n_fft=n_fft,
            backend=backend)
    return c.T  # [frequency, frame] -> [frame n, channel m]


def wigner(f) -> np.ndarray:
    """Wigner distribution ``W(x, w) = sum_t f(x + t) conj(f(x - t)) exp(-4 pi i w t / L)``.

    Defined for odd L (where 2 is invertible mod L); its marginals are ``L |f(x)|^2`` (summing
    over w) and ``|F(w)|^2`` (summing over x, F the DFT).

    Parameters
    ----------
    f : array_like, shape (L,)
        A finite float or complex signal on ``Z_L``, ``L`` odd.

    Returns
    -------
    ndarray of complex128, shape (L, L)
        ``W`` indexed ``[x, w]`` (real up to rounding for any ``f``).

    Raises
    ------
    ParameterError
        If ``L`` is even, ``f`` is not a finite 1-D array, or the result would not fit in memory.

    See Also
    --------
    ambiguity : The ambiguity function ``V_g g``.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import operators
    >>> f = np.random.default_rng(0).standard_normal(47)
    >>> W = operators.wigner(f)
    >>> W.shape
    (47, 47)
    >>> bool(np.allclose(W.sum(axis=1), 47 * np.abs(f) ** 2))
    True
    >>> bool(np.allclose(W.sum(axis=0), np.abs(np.fft.fft(f)) ** 2))
    True
    """
    f = torus_signal("f", f)
    L = f.shape[0]
    if L % 2 == 0:
        raise ParameterError(f"the discrete Wigner distribution needs an odd length, L={L}")
    _validation.check_size("f", (L, L), np.complex128, what="the L x L distribution")
    t = np.arange(L)
    prod = f[(t[:, None] + t[None, :]) % L] * np.conj(f[(t[:, None] - t[None, :]) % L])
    # sum_t prod[x, t] exp(-2 pi i (2 w) t / L): an FFT evaluated at 2w mod L
    return np.fft.fft(prod, axis=1)[:, (2 * t) % L]
