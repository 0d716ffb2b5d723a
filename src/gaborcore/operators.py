"""Time-frequency operators of the paper (see :doc:`/theory`), in exact discrete form.

Signals live on the torus ``Z_L``; a window ``g`` is a length-L array with ``g[0]`` at time 0
(use :func:`torus_window` to centre a short window at 0).  Two-dimensional arrays on
``Z_L x Z_L`` are indexed ``[time (lag) x, frequency w]`` as on the theory page; lattice arrays
``[n, k]`` (frame, channel) for a lattice with hop ``a`` and ``M`` channels, ``L = a N = b M``.

* :func:`ambiguity`: ``V_g g(x, w) = sum_t g(t) conj(g(t - x)) exp(-2 pi i w t / L)`` (the paper's
  ambiguity function, LTFAT ``dgt(g, g, 1, L)``), full grid or on a lattice.
* :func:`symplectic_fft`: ``F_s F(x, w) = (1/L) sum_{y,v} F(y, v) exp(-2 pi i (w y - x v) / L)``,
  its own inverse; :func:`lattice_symplectic_fft` / :func:`lattice_symplectic_ifft` for kernels on
  a lattice (periodic with periods M in time lag and N in frequency lag).
* :class:`GaborMultiplier`: ``G_m f = sum_{n,k} m[n, k] <f, g_{n,k}> g_{n,k}``,
  ``g_{n,k} = M_{bk} T_{an} g``; also on an NSGT frame (:class:`NSGTMultiplier`).
* :func:`spreading_function` of a matrix, :func:`multiplier_spreading_function`
  (``eta = P_m . V_g g``) and :func:`operator_from_spreading`.
* :func:`wigner`: the Wigner distribution for odd L.
"""

from __future__ import annotations

import numpy as np

from . import _validation
from ._validation import ParameterError
from .stft import dgt, idgt
from .windows import frame_diagonal

__all__ = [
    "torus_window",
    "ambiguity",
    "ambiguity_rows",
    "ambiguity_lattice",
    "symplectic_fft",
    "lattice_symplectic_fft",
    "lattice_symplectic_ifft",
    "GaborMultiplier",
    "NSGTMultiplier",
    "spreading_function",
    "multiplier_spreading_function",
    "operator_from_spreading",
    "wigner",
]


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


def _torus(name: str, g) -> np.ndarray:
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


def _grid(name: str, a, *, square: bool = False) -> np.ndarray:
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


def _centred(g: np.ndarray, n_fft: int) -> np.ndarray:
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
    g = _torus("g", g)
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
    g = _torus("g", g)
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
    from .stft import STFT

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
    g = _torus("g", g)
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
    w = _centred(g, n_fft)
    c = dgt(g.astype(np.complex128), window=w, hop_length=hop_length, n_fft=n_fft,
            backend=backend)
    return c.T  # [frequency, frame] -> [frame n, channel m]


def symplectic_fft(F) -> np.ndarray:
    """``F_s F`` on ``Z_L x Z_L`` (involutive: ``symplectic_fft(symplectic_fft(F)) == F``).

    ``F_s F(x, w) = (1/L) sum_{y,v} F(y, v) exp(-2 pi i (w y - x v) / L)``, the symplectic Fourier
    transform of the paper: for example ``F_s(|V_g f|^2) = V_f f . conj(V_g g)`` (identity I3).

    Parameters
    ----------
    F : array_like, shape (L, L)
        Finite real or complex values, indexed ``[x, w]``.

    Returns
    -------
    ndarray of complex128, shape (L, L)
        The transform, indexed ``[x, w]``.

    Raises
    ------
    ParameterError
        If ``F`` is not a square, finite, numeric 2-D array.

    See Also
    --------
    lattice_symplectic_fft : The transform of a kernel on a lattice.

    Notes
    -----
    Identity I5 of :ref:`theory-identities` (involution and the convolution theorem).

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import operators
    >>> F = np.random.default_rng(0).standard_normal((48, 48))
    >>> bool(np.allclose(operators.symplectic_fft(operators.symplectic_fft(F)), F))
    True
    """
    F = _grid("F", F, square=True)
    return np.fft.ifft(np.fft.fft(F, axis=0), axis=1).T


def lattice_symplectic_fft(w, *, length: int) -> np.ndarray:
    """``P_w(x, v) = (1/L) sum_{n,k} w[n, k] exp(-2 pi i (v n / N - x k / M))``, shape (M, N).

    ``w`` is a kernel on the lattice, shape ``(N, M)`` (frames, channels); ``P_w`` is periodic
    with period M in the time lag x and N in the frequency lag v.

    Parameters
    ----------
    w : array_like, shape (N, M)
        The kernel (or a multiplier's mask) on the lattice, finite real or complex.
    length : int
        The signal length ``L = a N = b M``.

    Returns
    -------
    ndarray of complex128, shape (M, N)
        One period of ``P_w``, indexed ``[x, v]``.

    Raises
    ------
    ParameterError
        If ``w`` is not a finite numeric 2-D array or ``length`` is not a positive integer.

    See Also
    --------
    lattice_symplectic_ifft : The inverse.
    multiplier_spreading_function : ``P_m`` times the ambiguity function.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import operators
    >>> w = np.random.default_rng(0).standard_normal((12, 16))
    >>> P = operators.lattice_symplectic_fft(w, length=48)
    >>> P.shape, bool(np.allclose(operators.lattice_symplectic_ifft(P, length=48), w))
    ((16, 12), True)
    """
    w = _grid("w", w)
    length = _validation.positive_int("length", length)
    M = w.shape[1]
    return (M / length) * np.fft.ifft(np.fft.fft(w, axis=0), axis=1).T


def lattice_symplectic_ifft(P, *, length: int) -> np.ndarray:
    """Inverse of :func:`lattice_symplectic_fft`: the kernel ``w[n, k]`` from ``P`` (M, N).

    Parameters
    ----------
    P : array_like, shape (M, N)
        One period of ``P_w``, indexed ``[x, v]``.
    length : int
        The signal length ``L = a N = b M``.

    Returns
    -------
    ndarray of complex128, shape (N, M)
        The kernel on the lattice, indexed ``[n, k]``.

    Raises
    ------
    ParameterError
        If ``P`` is not a finite numeric 2-D array or ``length`` is not a positive integer.

    See Also
    --------
    lattice_symplectic_fft : The forward transform.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import operators
    >>> P = np.random.default_rng(0).standard_normal((16, 12))
    >>> w = operators.lattice_symplectic_ifft(P, length=48)
    >>> w.shape, bool(np.allclose(operators.lattice_symplectic_fft(w, length=48), P))
    ((12, 16), True)
    """
    P = _grid("P", P)
    length = _validation.positive_int("length", length)
    M = P.shape[0]
    return (length / M) * np.fft.ifft(np.fft.fft(P, axis=0), axis=1).T


def tile_lattice(P: np.ndarray, length: int, rows=None) -> np.ndarray:
    """A periodic lattice array ``P`` (M, N) evaluated on the full grid (selected rows)."""
    M, N = P.shape
    xs = np.arange(length) if rows is None else np.asarray(rows) % length
    return P[xs % M][:, np.arange(length) % N]


class GaborMultiplier:
    """``G_m f = sum_{n,k} m[n, k] <f, g_{n,k}> g_{n,k}`` on the lattice (hop, n_fft).

    ``g_{n,k} = M_{bk} T_{an} g`` with ``a = hop_length``, ``b = L / n_fft``.  Real signals, a
    real window supported within ``n_fft`` samples and a real mask symmetric in frequency
    (``m[n, k] == m[n, -k]``) use the compiled Gabor transform both ways; anything else uses the
    explicit (NumPy) synthesis.

    The multiplier is applied with ``G(f)`` or ``G.apply(f)`` (``f`` of shape ``(..., L)``);
    ``G.coefficients(f)`` is the analysis (shape ``(..., N, M)``), ``G.synthesize(d)`` the
    synthesis, ``G.adjoint()`` the multiplier of ``conj(m)`` and ``G.matrix()`` the explicit
    ``L x L`` matrix (``L <= 4096``).

    Parameters
    ----------
    mask : array_like, shape (N, M)
        The symbol ``m[n, k]`` (frame n, channel k), real or complex; ``N = L / hop``.
    window : array_like, shape (L,)
        The window g on ``Z_L`` (see :func:`torus_window`); its length is the signal length.
    hop_length : int
        Time step ``a`` of the lattice; divides ``L``.
    n_fft : int
        Number of channels ``M``; divides ``L``.

    Raises
    ------
    ParameterError
        If ``window`` is not a finite 1-D array, ``L`` is not a multiple of ``hop_length`` and
        ``n_fft``, ``mask`` does not have shape ``(L // hop_length, n_fft)`` or is not finite, or
        the products would overflow float64.

    See Also
    --------
    multiplier_spreading_function : Its spreading function (identity I7).
    NSGTMultiplier : The same on a non-stationary Gabor frame.
    frame_bounds : A mask of ones gives the frame operator.

    Notes
    -----
    ``<G_m f, f> = sum m[n, k] |<f, g_{n,k}>|^2`` (identity I6 of :ref:`theory-identities`): a
    multiplier weights the spectrogram samples on the lattice.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> G = operators.GaborMultiplier(np.ones((12, 16)), g, hop_length=4, n_fft=16)
    >>> f = np.random.default_rng(0).standard_normal(48)
    >>> A, B = gaborcore.frame_bounds("hann", hop_length=4, n_fft=16)
    >>> bool(np.allclose(G(f), A * f))  # a tight frame: the mask of ones is A times identity
    True
    >>> bool(np.allclose(G.matrix() @ f, G(f)))
    True
    """

    def __init__(self, mask, window, *, hop_length: int, n_fft: int):
        g = _torus("window", window)
        L = g.shape[0]
        hop_length = _validation.positive_int("hop_length", hop_length)
        n_fft = _validation.positive_int("n_fft", n_fft)
        self.length, self.hop_length, self.n_fft = L, hop_length, n_fft
        if L % self.hop_length or L % self.n_fft:
            raise ParameterError(
                f"length {L} must be a multiple of hop_length={hop_length} and n_fft={n_fft}"
            )
        m = np.asarray(mask)
        N = L // self.hop_length
        if m.shape != (N, self.n_fft):
            raise ParameterError(f"mask has shape {m.shape}; expected (N, M) = ({N}, {n_fft})")
        if m.dtype.kind not in "fciu" or not np.isfinite(m).all():
            raise ParameterError(f"mask must hold finite real or complex numbers (dtype "
                                 f"{m.dtype})")
        # |G_m f| <= max|m| max|g|^2 L^2 max|f| bounds every sum of analysis and synthesis
        mm = _validation.absmax(m.astype(np.result_type(m.dtype, np.float64)))
        self._log2_gain = (_validation.log2(mm) + 2 * _validation.log2(_validation.absmax(g))
                           + 2 * np.log2(L) + 1)
        _validation.check_range("mask", self._log2_gain, np.float64, f"max |mask| = {mm:.3g}")
        self.mask = m
        self.window = g
        k = np.arange(self.n_fft)
        self._fast = (not np.iscomplexobj(g) and not np.iscomplexobj(m)
                      and np.allclose(m, m[:, (-k) % self.n_fft], rtol=0, atol=0))
        try:
            self._w = _centred(g, self.n_fft) if not np.iscomplexobj(g) else None
        except ParameterError:
            self._w, self._fast = None, False

    def adjoint(self) -> GaborMultiplier:
        """The adjoint multiplier ``G_m^* = G_{conj(m)}``.

        Returns
        -------
        GaborMultiplier
            The multiplier of the conjugate mask, same window and lattice.

        See Also
        --------
        GaborMultiplier.matrix : Its matrix is the conjugate transpose.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> bool(np.allclose(G.adjoint().matrix(), G.matrix().conj().T))
        True
        """
        return GaborMultiplier(np.conj(self.mask), self.window, hop_length=self.hop_length,
                               n_fft=self.n_fft)

    def coefficients(self, f) -> np.ndarray:
        """The analysis coefficients ``<f, g_{n,k}>``, shape ``(..., N, M)``.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s).

        Returns
        -------
        ndarray of complex128, shape (..., N, M)
            Indexed ``[frame n, channel k]``, all ``M`` channels.

        See Also
        --------
        GaborMultiplier.synthesize : The synthesis.
        gaborcore.dgt : The same coefficients, one-sided and transposed.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> c = G.coefficients(f)
        >>> c.shape, bool(np.allclose(c[:, :9], gaborcore.dgt(f, n_fft=16, hop_length=4).T))
        ((12, 16), True)
        """
        f = np.asarray(f)
        if self._w is not None:
            c = dgt(f.astype(np.complex128), window=self._w, hop_length=self.hop_length,
                    n_fft=self.n_fft)
            return np.swapaxes(c, -1, -2)
        L, a, M = self.length, self.hop_length, self.n_fft
        t = np.arange(L)
        out = np.empty(f.shape[:-1] + (L // a, M), np.complex128)
        for n in range(L // a):
            u = f * np.conj(self.window[(t - a * n) % L])
            out[..., n, :] = np.fft.fft(u.reshape(f.shape[:-1] + (L // M, M)).sum(-2), axis=-1)
        return out

    def synthesize(self, d) -> np.ndarray:
        """The synthesis ``sum_{n,k} d[n, k] g_{n,k}`` for coefficients ``d[..., n, k]``.

        Parameters
        ----------
        d : array_like, shape (..., N, M)
            Coefficients on the lattice.

        Returns
        -------
        ndarray of complex128, shape (..., L)
            The synthesised signal(s).

        See Also
        --------
        GaborMultiplier.coefficients : The analysis.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> y = G.synthesize(G.mask * G.coefficients(f))  # the multiplier, explicitly
        >>> bool(np.allclose(y, G(f)))
        True
        """
        d = np.asarray(d)
        L, a, M = self.length, self.hop_length, self.n_fft
        t = np.arange(L)
        out = np.zeros(d.shape[:-2] + (L,), np.complex128)
        for n in range(L // a):
            u = M * np.fft.ifft(d[..., n, :], axis=-1)  # sum_k d e^{2 pi i k t / M}, period M
            out += u[..., t % M] * self.window[(t - a * n) % L]
        return out

    def apply(self, f) -> np.ndarray:
        """``G_m f`` for ``f[..., L]`` (real in, real out on the compiled path).

        ``G(f)`` is the same call.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s), real or complex, finite.

        Returns
        -------
        ndarray, shape (..., L)
            ``G_m f``: real (float64) on the compiled path (real signal, window and
            frequency-symmetric mask), complex128 otherwise.

        Raises
        ------
        ParameterError
            If ``f`` does not have ``L`` samples, is not finite, or the result would overflow.

        See Also
        --------
        GaborMultiplier.matrix : The same as a matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> bool(np.allclose(G.apply(f), G.matrix() @ f))
        True
        """
        f = _validation.signal("f", f, min_length=self.length, allow_complex=True)
        if f.shape[-1] != self.length:
            raise ParameterError(f"f has {f.shape[-1]} samples; the multiplier has L={self.length}")
        m = _validation.absmax(f)
        _validation.check_range("f", _validation.log2(m) + self._log2_gain,
                                np.result_type(f.dtype, np.float64), f"max |f| = {m:.3g}")
        if self._fast and not np.iscomplexobj(f):
            out = self._apply_fast(f)
            # the fast path divides by the frame diagonal D and multiplies by it again: a window
            # whose D spans hundreds of decades can overflow in between, the explicit sums cannot
            if _validation.all_finite(out):
                return out
        return self.synthesize(self.mask * self.coefficients(f))

    __call__ = apply

    def _apply_fast(self, f):
        # analysis and synthesis through the compiled STFT kernels: idgt is synthesis with the
        # canonical dual g / D, so synthesis with g itself is idgt times D
        L, a, M = self.length, self.hop_length, self.n_fft
        n_freq = M // 2 + 1
        c = dgt(f, window=self._w, hop_length=a, n_fft=M)
        d = c * self.mask[:, :n_freq].T.astype(c.dtype)
        y = idgt(d, window=self._w, hop_length=a, n_fft=M, length=L)
        return y * self._diagonal()

    def _diagonal(self) -> np.ndarray:
        D = getattr(self, "_D", None)
        if D is None:
            L, a, M = self.length, self.hop_length, self.n_fft
            lin = frame_diagonal(self._w, a, L // a)
            k = -(-lin.shape[0] // L)
            ext = np.zeros(k * L)
            ext[: lin.shape[0]] = lin
            D = self._D = M * np.roll(ext.reshape(k, L).sum(0), -(M // 2))
        return D

    def matrix(self) -> np.ndarray:
        """The explicit L x L matrix (small L only).

        Returns
        -------
        ndarray of complex128, shape (L, L)
            ``K`` with ``G_m f = K @ f``.

        Raises
        ------
        ParameterError
            If ``L > 4096``.

        See Also
        --------
        spreading_function : The spreading function of a matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> K = G.matrix()
        >>> K.shape, bool(np.allclose(K @ f, G(f)))
        ((48, 48), True)
        """
        if self.length > 4096:
            raise ParameterError(f"matrix() is for small L; L={self.length}")
        return self.synthesize(self.mask * self.coefficients(np.eye(self.length))).T


class NSGTMultiplier:
    """A multiplier on the frame of an NSGT plan, ``sum_{k,n} m_k[n] <f, phi_{k,n}> phi_{k,n}``.

    The frame is that of an :class:`~gaborcore.NSGT` plan, with the analysis windows (not the
    duals) on both sides.  Apply it with ``mult(f)`` or ``mult.apply(f, backend=None)``, ``f`` of
    shape ``(..., L)``: real for a real plan.

    Parameters
    ----------
    plan : NSGT
        The plan whose atoms ``phi_{k,n}`` the multiplier uses.
    mask : ndarray, shape (plan.total,), or NSGTCoefficients
        The symbol, in the plan's coefficient layout.

    Raises
    ------
    ParameterError
        If ``mask`` does not have ``plan.total`` entries.

    See Also
    --------
    GaborMultiplier : The stationary case.
    gaborcore.NSGT : The plan.

    Notes
    -----
    The NSGT frame is described on the theory page, :ref:`theory-nsgt`.

    Examples
    --------
    A mask of ones gives the frame operator, diagonal in frequency for a painless plan:

    >>> import numpy as np, gaborcore
    >>> from gaborcore.operators import NSGTMultiplier
    >>> plan = gaborcore.NSGT(sr=22050, length=8192, fmin=100.0, fmax=8000.0, bins_per_octave=12)
    >>> mult = NSGTMultiplier(plan, np.ones(plan.total))
    >>> f = np.random.default_rng(0).standard_normal(8192)
    >>> Sf = plan.length * np.fft.ifft(plan.diagonal * np.fft.fft(f)).real
    >>> bool(np.allclose(mult(f), Sf))
    True
    """

    def __init__(self, plan, mask):
        self.plan = plan
        data = getattr(mask, "data", mask)
        data = np.asarray(data)
        if data.shape != (plan.total,):
            raise ParameterError(f"mask has shape {data.shape}; the plan has {plan.total} "
                                 "coefficients")
        self.mask = data

    def apply(self, f, *, backend=None) -> np.ndarray:
        """The multiplier applied to ``f[..., L]``; ``mult(f)`` is the same call.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s), as the plan's ``forward`` takes them.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend of the NSGT.

        Returns
        -------
        ndarray, shape (..., L)
            Real for a real plan, complex otherwise.

        See Also
        --------
        gaborcore.NSGT.forward : The analysis it uses.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore.operators import NSGTMultiplier
        >>> plan = gaborcore.NSGT(sr=22050, length=8192, fmin=100.0, fmax=8000.0,
        ...                       bins_per_octave=12)
        >>> y = NSGTMultiplier(plan, np.ones(plan.total)).apply(np.zeros(8192))
        >>> y.shape, y.dtype
        ((8192,), dtype('float64'))
        """
        c = self.plan.forward(f, backend=backend).data * self.mask
        y = self.plan.inverse(c.astype(np.result_type(c.dtype, np.complex64)), backend=backend)
        # inverse() synthesises with the duals G / D (and 1/L); the atoms
        # phi_kn(t) = sum_j G_k[j] exp(-2 pi i n (j - j_k) / M_k) exp(2 pi i j t / L) give
        # sum d phi = L ifft(sum_k G_k FFT(d_k)) = L ifft(D fft(inverse(d)))
        out = self.plan.length * np.fft.ifft(self.plan.diagonal * np.fft.fft(y, axis=-1), axis=-1)
        return out.real if self.plan.real else out

    __call__ = apply


def spreading_function(K) -> np.ndarray:
    """``eta(x, w) = (1/L) sum_t K[t, t - x] exp(-2 pi i w t / L)`` of an L x L matrix.

    The spreading function writes the operator as ``K = sum_{x,w} eta(x, w) M_w T_x``
    (modulations of translations); :func:`operator_from_spreading` rebuilds the matrix.

    Parameters
    ----------
    K : array_like, shape (L, L)
        The operator's matrix, finite real or complex.

    Returns
    -------
    ndarray of complex128, shape (L, L)
        ``eta`` indexed ``[x, w]``.

    Raises
    ------
    ParameterError
        If ``K`` is not a square, finite, numeric 2-D array.

    See Also
    --------
    operator_from_spreading : The inverse.
    multiplier_spreading_function : The closed form for a Gabor multiplier.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import operators
    >>> K = np.random.default_rng(0).standard_normal((16, 16))
    >>> eta = operators.spreading_function(K)
    >>> bool(np.allclose(operators.operator_from_spreading(eta), K))
    True
    >>> bool(np.allclose(operators.spreading_function(np.eye(16))[0], [1] + [0] * 15))
    True
    """
    K = _grid("K", K, square=True)
    L = K.shape[0]
    t = np.arange(L)
    diags = K[t[None, :], (t[None, :] - t[:, None]) % L]  # [x, t] = K[t, t - x]
    return np.fft.fft(diags, axis=1) / L


def operator_from_spreading(eta) -> np.ndarray:
    """The matrix of ``H = sum_{x,w} eta(x, w) M_w T_x``.

    Parameters
    ----------
    eta : array_like, shape (L, L)
        A spreading function indexed ``[x, w]``.

    Returns
    -------
    ndarray of complex128, shape (L, L)
        The operator's matrix ``K`` (``H f = K @ f``).

    Raises
    ------
    ParameterError
        If ``eta`` is not a square, finite, numeric 2-D array.

    See Also
    --------
    spreading_function : The inverse.

    Notes
    -----
    Identity I8 of :ref:`theory-identities`: the operator rebuilt from a multiplier's spreading
    function is the multiplier.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> G = operators.GaborMultiplier(np.ones((12, 16)), g, hop_length=4, n_fft=16)
    >>> K = operators.operator_from_spreading(operators.multiplier_spreading_function(G))
    >>> bool(np.allclose(K, G.matrix()))
    True
    """
    eta = _grid("eta", eta, square=True)
    L = eta.shape[0]
    t = np.arange(L)
    diags = L * np.fft.ifft(eta, axis=1)  # [x, t] = K[t, t - x]
    K = np.zeros((L, L), np.complex128)
    K[t[None, :], (t[None, :] - t[:, None]) % L] = diags
    return K


def multiplier_spreading_function(mult: GaborMultiplier) -> np.ndarray:
    """Spreading function of a Gabor multiplier on the full grid, ``P_m * V_g g``.

    Identity I7 of :ref:`theory-identities`: ``eta_{G_m}(x, w) = P_m(x, w) V_g g(x, w)`` with
    ``P_m`` the lattice symplectic transform of the mask, periodised to the full grid.

    Parameters
    ----------
    mult : GaborMultiplier
        The multiplier.

    Returns
    -------
    ndarray of complex128, shape (L, L)
        Its spreading function, indexed ``[x, w]``.

    Raises
    ------
    ParameterError
        If ``mult`` is not a :class:`GaborMultiplier`, or the ``L x L`` result would not fit in
        memory.

    See Also
    --------
    spreading_function : The same from the matrix.
    lattice_symplectic_fft : ``P_m``.
    ambiguity : ``V_g g``.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> mask = np.random.default_rng(0).uniform(size=(12, 16))
    >>> G = operators.GaborMultiplier(mask, g, hop_length=4, n_fft=16)
    >>> eta = operators.multiplier_spreading_function(G)
    >>> bool(np.allclose(eta, operators.spreading_function(G.matrix())))
    True
    """
    if not isinstance(mult, GaborMultiplier):
        raise ParameterError(f"mult={mult!r} must be a GaborMultiplier")
    L = mult.length
    _validation.check_size("mult", (L, L), np.complex128, what="the spreading function")
    P = lattice_symplectic_fft(mult.mask, length=L)
    return tile_lattice(P, L) * ambiguity(mult.window)


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
    f = _torus("f", f)
    L = f.shape[0]
    if L % 2 == 0:
        raise ParameterError(f"the discrete Wigner distribution needs an odd length, L={L}")
    _validation.check_size("f", (L, L), np.complex128, what="the L x L distribution")
    t = np.arange(L)
    prod = f[(t[:, None] + t[None, :]) % L] * np.conj(f[(t[:, None] - t[None, :]) % L])
    # sum_t prod[x, t] exp(-2 pi i (2 w) t / L): an FFT evaluated at 2w mod L
    return np.fft.fft(prod, axis=1)[:, (2 * t) % L]
