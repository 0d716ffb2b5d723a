"""The paper's propositions as functions: kernel transfer between windows (Prop. IV.2,
Thm. IV.4), the mel spectrogram as time-averaged band energies (Prop. IV.5, Thm. IV.6), and an
empirical check of Definition IV.1.  Conventions: the theory page (:doc:`/theory`); arrays on
the grid are indexed ``[time, frequency]``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import _validation
from ._validation import ParameterError
from .operators import (
    ambiguity,
    ambiguity_rows,
    lattice_symplectic_fft,
    lattice_symplectic_ifft,
    symplectic_fft,
    tile_lattice,
)
from .stft import dgt

__all__ = [
    "correlate2d",
    "convolve2d",
    "lattice_spectrogram",
    "transfer_kernel",
    "TransferResult",
    "time_average",
    "gaussian_mel_design",
    "GaussianMelDesign",
    "triangular_mel_design",
    "TriangularMelDesign",
    "check_equivalence",
    "EquivalenceReport",
    "kernel_transfer_networks",
    "time_average_networks",
]


# ---------------------------------------------------------------------------------------------
# two-dimensional circular correlation / convolution on the torus
# ---------------------------------------------------------------------------------------------
def _torus_pair(S, w) -> tuple[np.ndarray, np.ndarray]:
    """``S (..., F, T)`` and ``w (F, T)`` on the torus Z_F x Z_T: finite, real or complex."""
    arrays = []
    for name, a in (("S", S), ("w", w)):
        try:
            a = np.asarray(a)
        except (TypeError, ValueError):
            raise ParameterError(f"{name} must be a 2-D array of numbers") from None
        if a.ndim < 2 or (name == "w" and a.ndim != 2) or a.size == 0:
            want = "(F, T)" if name == "w" else "(..., F, T)"
            raise ParameterError(f"{name} must be a non-empty array of shape {want}, got shape "
                                 f"{a.shape}")
        if a.dtype.kind not in "biufc" or not np.isfinite(a).all():
            raise ParameterError(f"{name} must hold finite real or complex numbers (dtype "
                                 f"{a.dtype})")
        arrays.append(a)
    if arrays[0].shape[-2:] != arrays[1].shape:
        raise ParameterError(f"S has shape {arrays[0].shape} and w {arrays[1].shape}; on the "
                             "torus w must have the shape (F, T) of S's planes (pad it with zeros)")
    # the product of two 2-D DFTs, each a sum of F T values
    mS, mw = _validation.absmax(arrays[0]), _validation.absmax(arrays[1])
    dt = np.result_type(arrays[0].dtype, arrays[1].dtype, np.float32)
    _validation.check_range("S", _validation.log2(mS) + _validation.log2(mw)
                            + 2 * np.log2(arrays[1].size), dt, f"max |S| = {mS:.3g}, max |w| = "
                            f"{mw:.3g}")
    return arrays[0], arrays[1]


def correlate2d(S, w) -> np.ndarray:
    """CNN-style correlation ``(S * w)(z0) = sum_z S(z) w(z - z0)`` on the torus (same shape).

    Computed with 2-D FFTs, circularly in both axes: what a CNN's first layer (a correlation,
    "convolution" in deep-learning terms) does to a spectrogram, without the edge effects.

    Parameters
    ----------
    S : array_like, shape (..., F, T)
        Finite real or complex planes (leading axes are batch).
    w : array_like, shape (F, T)
        The kernel, zero-padded to the planes' shape; index ``(0, 0)`` is lag 0.

    Returns
    -------
    ndarray, shape (..., F, T)
        The correlation; real when both inputs are real.

    Raises
    ------
    ParameterError
        If the shapes do not match, an input is not a finite numeric array, or the sums would
        overflow.

    See Also
    --------
    convolve2d : True convolution (the kernel flipped).
    transfer_kernel : Move a kernel from one window's spectrogram to another's.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> S = np.random.default_rng(0).standard_normal((8, 6))
    >>> w = np.zeros((8, 6))
    >>> w[0, 0], w[1, 0] = 1.0, 0.5
    >>> out = equivalence.correlate2d(S, w)
    >>> bool(np.allclose(out, S + 0.5 * np.roll(S, -1, axis=0)))
    True
    """
    S, w = _torus_pair(S, w)
    out = np.fft.ifft2(np.fft.fft2(S) * np.conj(np.fft.fft2(np.conj(w))))
    return out.real if not (np.iscomplexobj(S) or np.iscomplexobj(w)) else out


def convolve2d(S, w) -> np.ndarray:
    """True convolution ``(S (*) w)(z0) = sum_z S(z) w(z0 - z)`` on the torus.

    Parameters
    ----------
    S : array_like, shape (..., F, T)
        Finite real or complex planes (leading axes are batch).
    w : array_like, shape (F, T)
        The kernel, zero-padded to the planes' shape; index ``(0, 0)`` is lag 0.

    Returns
    -------
    ndarray, shape (..., F, T)
        The circular convolution; real when both inputs are real.

    Raises
    ------
    ParameterError
        If the shapes do not match, an input is not a finite numeric array, or the sums would
        overflow.

    See Also
    --------
    correlate2d : The CNN-style correlation.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> S = np.random.default_rng(0).standard_normal((8, 6))
    >>> w = np.zeros((8, 6))
    >>> w[0, 0], w[1, 0] = 1.0, 0.5
    >>> out = equivalence.convolve2d(S, w)
    >>> bool(np.allclose(out, S + 0.5 * np.roll(S, 1, axis=0)))
    True
    """
    S, w = _torus_pair(S, w)
    out = np.fft.ifft2(np.fft.fft2(S) * np.fft.fft2(w))
    return out.real if not (np.iscomplexobj(S) or np.iscomplexobj(w)) else out


def lattice_spectrogram(f, window, *, hop_length: int, n_fft: int, backend=None) -> np.ndarray:
    """``|c[n, m]|^2`` on the lattice, all ``n_fft`` channels, shape ``(..., N, M)``.

    ``window`` is a short window (centred at ``len // 2``), as for :func:`gaborcore.dgt`.

    Parameters
    ----------
    f : array_like, shape (..., L)
        Signal on the torus; ``L`` a multiple of ``hop_length`` and ``n_fft``.
    window : str, tuple, float, callable or array_like
        The short window (at most ``n_fft`` samples), as :func:`gaborcore.dgt` takes it.
    hop_length : int
        Time step ``a`` of the lattice.
    n_fft : int
        Number of channels ``M``.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend of the Gabor transform.

    Returns
    -------
    ndarray of float64, shape (..., L // hop_length, n_fft)
        ``|c[n, m]|^2`` indexed ``[frame, channel]``, every channel (the negative frequencies
        too), the layout of the paper's CNN input.

    Raises
    ------
    ParameterError
        As :func:`gaborcore.dgt`: ``L`` not a multiple of ``hop_length`` and ``n_fft``, a window
        longer than ``n_fft``, or a signal that is not finite.

    See Also
    --------
    gaborcore.dgt : The coefficients.
    correlate2d : A CNN layer on this spectrogram.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence
    >>> f = np.random.default_rng(0).standard_normal(48)
    >>> S = equivalence.lattice_spectrogram(f, "hann", hop_length=4, n_fft=16)
    >>> c = gaborcore.dgt(f, n_fft=16, hop_length=4)
    >>> S.shape, bool(np.allclose(S[:, :9], np.abs(c.T) ** 2))
    ((12, 16), True)
    """
    f = np.asarray(f)
    c = dgt(f.astype(np.complex128), window=window, hop_length=hop_length, n_fft=n_fft,
            backend=backend)
    return np.swapaxes(np.abs(c) ** 2, -1, -2)


# ---------------------------------------------------------------------------------------------
# Proposition IV.2: kernel transfer
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class TransferResult:
    """Kernel for the new window with its guarantees, as :func:`transfer_kernel` returns it.

    ``Phi_g = F_s(w_g) V_g g`` and ``Phi_h = F_s(w_h) V_h h`` are the two sides of the transfer
    condition (on the lattice: with the lattice symplectic transforms, periodised).

    Parameters
    ----------
    kernel : ndarray
        ``w_h``, the same shape as ``w_g`` (real when ``w_g`` is real).
    bound : float
        ``sum_z |Phi_g(z) - Phi_h(z)|``, so that ``|S_g f * w_g - S_h f * w_h| <= bound *
        ||f||^2`` everywhere.
    residual : float
        The relative L2 misfit ``||Phi_g - Phi_h|| / ||Phi_g||`` (0 for an exact transfer).

    See Also
    --------
    transfer_kernel : Computes it.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence, operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> h = operators.torus_window(gaborcore.get_window("hann", 12), 48)
    >>> w_g = np.zeros((48, 48))
    >>> w_g[0, [0, 1, -1]] = 1.0, 0.5, 0.5
    >>> result = equivalence.transfer_kernel(w_g, g, h)
    >>> result.kernel.shape, result.residual < 0.05
    ((48, 48), True)
    """

    kernel: np.ndarray
    bound: float
    residual: float


def _overlap_rows(g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Time lags x where ``V_g g`` or ``V_h h`` can be non-zero (support differences)."""
    L = g.shape[0]
    rows = np.zeros(L, bool)
    for win in (g, h):
        ind = (win != 0).astype(float)
        ac = np.fft.ifft(np.abs(np.fft.fft(ind)) ** 2).real
        rows |= ac > 0.5
    return np.flatnonzero(rows)


def _lag_rows(win: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Rows x of ``V_win win``: compiled STFT frames for a contiguous block of a real window."""
    if not np.iscomplexobj(win) and len(x) > 1 and x[-1] - x[0] == len(x) - 1:
        return ambiguity_rows(win, int(x[0]), len(x))
    return ambiguity(win, rows=x)


def transfer_kernel(w_g, g, h, *, hop_length: int | None = None, n_fft: int | None = None,
                    mode: str = "correlation", eps: float = 1e-8) -> TransferResult:
    """The kernel ``w_h`` for window ``h`` that reproduces ``S_g f * w_g`` (Proposition IV.2).

    Full grid: regularised division, exact wherever ``V_h h`` covers the support of
    ``F_s(w_g) V_g g``.  Lattice: least squares over the periodic copies (cosets) of each
    lattice point, the best approximation of one Gabor multiplier by another.

    Parameters
    ----------
    w_g : array_like
        Full grid: shape ``(L, L)`` ``[time, frequency]``.  Lattice: shape ``(N, M)`` ``[frame,
        channel]`` with ``hop_length`` = a, ``n_fft`` = M.
    g : array_like, shape (L,)
        The window the kernel was made for, on ``Z_L``
        (:func:`gaborcore.operators.torus_window`).
    h : array_like, shape (L,)
        The new window, on the same ``Z_L``.
    hop_length : int, optional
        Time step ``a`` of the lattice; None (default) for the full grid.
    n_fft : int, optional
        Number of channels ``M`` of the lattice (with ``hop_length``).
    mode : {"correlation", "convolution"}, default "correlation"
        CNN-style correlation (condition ``F_s(w_g) V_g g = F_s(w_h) V_h h``) or true
        convolution (``F_s(w_g) conj(V_g g) = F_s(w_h) conj(V_h h)``).
    eps : float, default 1e-8
        Regularisation, relative to the largest ``|V_h h|^2`` (or coset sum).

    Returns
    -------
    TransferResult
        The kernel ``w_h``, the bound on the output difference and the relative residual.

    Raises
    ------
    ParameterError
        If ``mode`` is unknown, ``g`` and ``h`` are not 1-D arrays of the same length, ``w_g``
        has the wrong shape, or ``L`` is not a multiple of ``hop_length`` and ``n_fft``.

    See Also
    --------
    correlate2d : The layer the kernels are used in.
    kernel_transfer_networks : Theorem IV.4 tested with this transfer.

    Notes
    -----
    The condition and its solution are on the theory page, :ref:`theory-transfer` (identities
    I9 and I10 of :ref:`theory-identities`).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence, operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> h = operators.torus_window(gaborcore.get_window("hann", 12), 48)
    >>> w_g = np.zeros((12, 16))  # a kernel on the lattice (hop 4, 16 channels)
    >>> w_g[0, [0, 1, -1]] = 1.0, 0.5, 0.5
    >>> result = equivalence.transfer_kernel(w_g, g, h, hop_length=4, n_fft=16)
    >>> result.kernel.shape, result.kernel.dtype
    ((12, 16), dtype('float64'))
    """
    _validation.choice("mode", mode, ("correlation", "convolution"))
    g = np.asarray(g)
    h = np.asarray(h)
    if g.ndim != 1 or g.shape != h.shape:
        raise ParameterError(f"g and h must be windows on the same Z_L, got {g.shape}, {h.shape}")
    L = g.shape[0]
    w_g = np.asarray(w_g)
    conv = mode == "convolution"
    if hop_length is None:
        if w_g.shape != (L, L):
            raise ParameterError(f"w_g has shape {w_g.shape}; the full grid needs ({L}, {L})")
        Vg, Vh = ambiguity(g), ambiguity(h)
        if conv:
            Vg, Vh = np.conj(Vg), np.conj(Vh)
        Fg = symplectic_fft(w_g)
        B = np.abs(Vh) ** 2
        Fh = Fg * Vg * np.conj(Vh) / (B + eps * B.max())
        w_h = symplectic_fft(Fh)
        phi_g, phi_h = Fg * Vg, Fh * Vh
        diff = phi_g - phi_h
        res = TransferResult(w_h if np.iscomplexobj(w_g) else w_h.real, float(np.abs(diff).sum()),
                             float(np.linalg.norm(diff) / max(np.linalg.norm(phi_g), 1e-300)))
        return res
    a = _validation.positive_int("hop_length", hop_length)
    M = _validation.positive_int("n_fft", n_fft)
    if L % a or L % M:
        raise ParameterError(f"L={L} must be a multiple of hop_length={a} and n_fft={M}")
    N = L // a
    if w_g.shape != (N, M):
        raise ParameterError(f"w_g has shape {w_g.shape}; the lattice needs (N, M) = ({N}, {M})")
    rows = _overlap_rows(g, h)
    A = np.zeros((M, N), np.complex128)
    B = np.zeros((M, N))
    for r0 in range(0, len(rows), 128):  # coset sums, a block of time lags at a time
        x = rows[r0:r0 + 128]
        Vg, Vh = _lag_rows(g, x), _lag_rows(h, x)
        if conv:
            Vg, Vh = np.conj(Vg), np.conj(Vh)
        prod = (Vg * np.conj(Vh)).reshape(len(x), L // N, N).sum(1)
        energy = (np.abs(Vh) ** 2).reshape(len(x), L // N, N).sum(1)
        np.add.at(A, x % M, prod)
        np.add.at(B, x % M, energy)
    P_g = lattice_symplectic_fft(w_g, length=L)
    P_h = P_g * A / (B + eps * B.max())
    w_h = lattice_symplectic_ifft(P_h, length=L)
    # the guarantee: sum over the full grid of |P_g V_g g - P_h V_h h|
    bound, d2, p2 = 0.0, 0.0, 0.0
    for r0 in range(0, len(rows), 128):
        x = rows[r0:r0 + 128]
        Vg, Vh = _lag_rows(g, x), _lag_rows(h, x)
        if conv:
            Vg, Vh = np.conj(Vg), np.conj(Vh)
        phi_g = tile_lattice(P_g, L, x) * Vg
        diff = phi_g - tile_lattice(P_h, L, x) * Vh
        bound += float(np.abs(diff).sum())
        d2 += float(np.sum(np.abs(diff) ** 2))
        p2 += float(np.sum(np.abs(phi_g) ** 2))
    return TransferResult(w_h if np.iscomplexobj(w_g) else w_h.real, bound,
                          float(np.sqrt(d2 / max(p2, 1e-300))))


# ---------------------------------------------------------------------------------------------
# Proposition IV.5: the mel spectrogram as time-averaged band energies
# ---------------------------------------------------------------------------------------------
def time_average(S, averaging, *, hops=None):
    """Time averaging per band (the paper's TA operator, Eq. 8).

    ``TA(l, k) = sum_l' S(l', k) avg_k(l' - l)``, a circular correlation along time.

    Parameters
    ----------
    S : array, shape (..., n_bands, T)
        Band energies over time (circular in time).
    averaging : array (T,) or (n_bands, T), or list of arrays
        The averaging function of each band on ``Z_T`` (index 0 = lag 0).
    hops : int or sequence of int, optional
        Per-band output hop: band k is returned at ``l = 0, hops[k], 2 hops[k], ...`` (then the
        result is a list of arrays, one per band).

    Returns
    -------
    ndarray or list of ndarray
        Without ``hops``: ``TA``, the shape of ``S`` (real when both inputs are real).  With
        ``hops``: one array per band, ``(..., ceil(T / hops[k]))``.

    Raises
    ------
    ParameterError
        If the averaging functions do not have ``T`` samples.

    See Also
    --------
    gaussian_mel_design : Averaging functions for which ``TA`` equals the mel spectrogram.
    correlate2d : The 2-D correlation.

    Notes
    -----
    See :ref:`theory-mel-average`.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> S = np.random.default_rng(0).uniform(size=(3, 20))
    >>> avg = np.zeros(20)
    >>> avg[:2] = 0.5  # the mean of frames l and l + 1
    >>> TA = equivalence.time_average(S, avg)
    >>> bool(np.allclose(TA, 0.5 * S + 0.5 * np.roll(S, -1, axis=-1)))
    True
    >>> [a.shape for a in equivalence.time_average(S, avg, hops=[2, 4, 5])]
    [(10,), (5,), (4,)]
    """
    S = np.asarray(S)
    T = S.shape[-1]
    avg = np.asarray(averaging)
    if avg.shape[-1] != T:
        raise ParameterError(f"averaging functions need {T} samples, got {avg.shape}")
    out = np.fft.ifft(np.fft.fft(S, axis=-1) * np.conj(np.fft.fft(np.conj(avg), axis=-1)),
                      axis=-1)
    out = out.real if not (np.iscomplexobj(S) or np.iscomplexobj(avg)) else out
    if hops is None:
        return out
    hops = np.broadcast_to(np.asarray(hops), (S.shape[-2],))
    return [out[..., k, :: int(hops[k])] for k in range(S.shape[-2])]


def _periodic_gaussian(L: int, centre: float, width: float) -> np.ndarray:
    d = (np.arange(L) - centre) % L
    out = np.zeros(L)
    for k in range(-3, 4):
        out += np.exp(-np.pi * (d + k * L) ** 2 / width**2)
    return out


@dataclasses.dataclass
class GaussianMelDesign:
    """The exact design of Proposition IV.5 for Gaussian windows and Gaussian bands.

    Made by :func:`gaussian_mel_design`.  Its methods give the arrays on ``Z_L``: ``window``
    (property, ``g``), ``bands()`` (``Lambda_k``, shape ``(K, L)``), ``filters()`` (``h_k``),
    ``averaging()`` (``avg_k``), and the two sides of the identity for a signal ``f``:
    ``mel_spectrogram(f)`` and ``time_averaged(f)``, both of shape ``(..., K, L)``.

    Parameters
    ----------
    length : int
        ``L``, the length of the torus.
    sigma_g : float
        Width of the Gaussian window ``g(t) = exp(-pi t^2 / sigma_g^2)``, samples.
    centres : ndarray, shape (K,)
        Band centres ``c_k``, in fine frequency bins (of ``L``).
    betas : ndarray, shape (K,)
        Band widths ``beta_k``, fine bins: ``Lambda_k(nu) = exp(-pi (nu - c_k)^2 / beta_k^2)``.
    sigma_h : ndarray, shape (K,)
        Widths of the band-pass filters ``h_k``, samples.
    r : ndarray, shape (K,)
        Widths of the averaging functions, samples.
    amplitude : ndarray, shape (K,)
        Amplitudes ``A_k`` of the averaging functions.

    See Also
    --------
    gaussian_mel_design : Makes one from the band or filter widths.
    TriangularMelDesign : The approximate design for triangular bands.

    Notes
    -----
    See :ref:`theory-mel-average` (identity I14 of :ref:`theory-identities`).

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
    >>> f = np.random.default_rng(0).standard_normal(256)
    >>> MS, TA = design.mel_spectrogram(f), design.time_averaged(f)
    >>> MS.shape, bool(np.allclose(TA, MS))
    ((3, 256), True)
    """

    length: int
    sigma_g: float
    centres: np.ndarray  # c_k, fine frequency bins
    betas: np.ndarray  # beta_k, fine bins
    sigma_h: np.ndarray
    r: np.ndarray
    amplitude: np.ndarray

    @property
    def window(self) -> np.ndarray:
        """g: the periodised Gaussian ``exp(-pi t^2 / sigma_g^2)`` on Z_L.

        Returns
        -------
        ndarray of float64, shape (L,)
            The window, centred at 0 (peak 1 there).

        See Also
        --------
        GaussianMelDesign.filters : The band-pass filters.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> design.window.shape, int(np.argmax(design.window))
        ((256,), 0)
        """
        return _periodic_gaussian(self.length, 0.0, self.sigma_g)

    def bands(self) -> np.ndarray:
        """``Lambda_k(nu) = exp(-pi (nu - c_k)^2 / beta_k^2)`` (periodised), shape (K, L).

        Returns
        -------
        ndarray of float64, shape (K, L)
            The Gaussian bands on the fine frequency grid.

        See Also
        --------
        GaussianMelDesign.mel_spectrogram : The spectrogram projected on them.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> np.argmax(design.bands(), axis=1)  # peaks at the centres
        array([20, 40, 60])
        """
        return np.array([_periodic_gaussian(self.length, c, b)
                         for c, b in zip(self.centres, self.betas, strict=False)])

    def filters(self) -> np.ndarray:
        """``h_k = M_{c_k} exp(-pi t^2 / sigma_h^2)``, shape (K, L).

        Returns
        -------
        ndarray of complex128, shape (K, L)
            The band-pass filters: Gaussians of width ``sigma_h`` modulated to the centres.

        See Also
        --------
        GaussianMelDesign.time_averaged : Their outputs' energies, averaged.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> np.argmax(np.abs(np.fft.fft(design.filters(), axis=-1)), axis=1)
        array([20, 40, 60])
        """
        t = np.arange(self.length)
        return np.array([np.exp(2j * np.pi * c * t / self.length)
                         * _periodic_gaussian(self.length, 0.0, s)
                         for c, s in zip(self.centres, self.sigma_h, strict=False)])

    def averaging(self) -> np.ndarray:
        """``avg_k(y) = A_k exp(-pi y^2 / r_k^2)``, shape (K, L).

        Returns
        -------
        ndarray of float64, shape (K, L)
            The averaging function of each band, on ``Z_L`` (index 0 = lag 0).

        See Also
        --------
        time_average : The averaging they define.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> design.averaging().shape
        (3, 256)
        """
        return np.array([A * _periodic_gaussian(self.length, 0.0, r)
                         for A, r in zip(self.amplitude, self.r, strict=False)])

    def mel_spectrogram(self, f) -> np.ndarray:
        """``MS(n, k) = sum_nu |V_g f(n, nu)|^2 Lambda_k(nu)``, full grid, shape (..., K, L).

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s) on ``Z_L``.

        Returns
        -------
        ndarray of float64, shape (..., K, L)
            The mel spectrogram with the Gaussian bands, indexed ``[band, time]``.

        See Also
        --------
        GaussianMelDesign.time_averaged : Equal to it (Proposition IV.5).

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> design.mel_spectrogram(np.random.default_rng(0).standard_normal((2, 256))).shape
        (2, 3, 256)
        """
        S0 = _full_spectrogram(f, self.window)  # (..., L time, L freq)
        return np.einsum("...nv,kv->...kn", S0, self.bands())

    def time_averaged(self, f) -> np.ndarray:
        """``TA(n, k) = sum_n' |V_{h_k} f(n', 0)|^2 avg_k(n' - n)``, shape (..., K, L).

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s) on ``Z_L``.

        Returns
        -------
        ndarray of float64, shape (..., K, L)
            The time-averaged band energies, indexed ``[band, time]``.

        See Also
        --------
        GaussianMelDesign.mel_spectrogram : Equal to it (Proposition IV.5).

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
        ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
        >>> f = np.random.default_rng(0).standard_normal(256)
        >>> bool(np.allclose(design.time_averaged(f), design.mel_spectrogram(f)))
        True
        """
        f = np.asarray(f)
        F = np.fft.fft(f, axis=-1)
        h = self.filters()
        # V_{h_k} f(x, 0) = sum_t f(t) conj(h_k(t - x)): a correlation, via the DFT
        band = np.fft.ifft(F[..., None, :] * np.conj(np.fft.fft(h, axis=-1)), axis=-1)
        return time_average(np.abs(band) ** 2, self.averaging())


def _full_spectrogram(f, g) -> np.ndarray:
    """``|V_g f(x, w)|^2`` on the full grid, shape (..., L, L) [time, frequency]."""
    f = np.asarray(f)
    L = f.shape[-1]
    t = np.arange(L)
    out = np.empty(f.shape[:-1] + (L, L))
    for x0 in range(0, L, 256):
        x = np.arange(x0, min(L, x0 + 256))
        prod = f[..., None, :] * np.conj(g[(t[None, :] - x[:, None]) % L])
        out[..., x0:x0 + len(x), :] = np.abs(np.fft.fft(prod, axis=-1)) ** 2
    return out


def gaussian_mel_design(*, length: int, sigma_g: float, centres, betas=None,
                        sigma_h=None) -> GaussianMelDesign:
    """Exact mel-as-time-average design for a Gaussian window (Proposition IV.5).

    Give the band widths ``betas`` (fine bins) or the filter widths ``sigma_h``:
    ``1 / sigma_h^2 = 2 beta^2 / L^2 + 1 / sigma_g^2``, ``r^2 = (sigma_g^2 - sigma_h^2) / 2``,
    ``A = beta sigma_g / (sigma_h r)``.  Then ``TA = MS`` exactly (to rounding).

    Parameters
    ----------
    length : int
        ``L``, the length of the torus.
    sigma_g : float
        Width of the Gaussian window, samples.
    centres : array_like, shape (K,)
        Band centres, fine frequency bins (of ``L``).
    betas : float or array_like, optional
        Band widths, fine bins (broadcast to the centres).  Give this or ``sigma_h``.
    sigma_h : float or array_like, optional
        Filter widths, samples, in ``(0, sigma_g)``.  Give this or ``betas``.

    Returns
    -------
    GaussianMelDesign
        The window, bands, filters and averaging functions.

    Raises
    ------
    ParameterError
        If both or neither of ``betas`` and ``sigma_h`` are given, a width is not positive,
        ``sigma_h`` is not below ``sigma_g``, or ``length``/``sigma_g`` is not positive.

    See Also
    --------
    time_average_networks : Theorem IV.6 tested with this design.
    triangular_mel_design : The approximate design for triangular bands.

    Notes
    -----
    The derivation is on the theory page, :ref:`theory-mel-average`.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
    >>> design.sigma_h.round(3), design.r.round(3), design.amplitude
    (array([15.085, 15.085, 15.085]), array([3.771, 3.771, 3.771]), array([1.125, 1.125, 1.125]))
    """
    L = _validation.positive_int("length", length)
    sg = _validation.positive_float("sigma_g", sigma_g)
    c = np.atleast_1d(np.asarray(centres, np.float64))
    if (betas is None) == (sigma_h is None):
        raise ParameterError("give exactly one of betas and sigma_h")
    if betas is None:
        sh = np.broadcast_to(np.asarray(sigma_h, np.float64), c.shape).copy()
        if np.any(sh >= sg) or np.any(sh <= 0):
            raise ParameterError(f"sigma_h must lie in (0, sigma_g={sg})")
        b = L * np.sqrt((1 / sh**2 - 1 / sg**2) / 2)
    else:
        b = np.broadcast_to(np.asarray(betas, np.float64), c.shape).copy()
        if np.any(b <= 0):
            raise ParameterError("betas must be positive")
        sh = 1 / np.sqrt(2 * b**2 / L**2 + 1 / sg**2)
    r = np.sqrt((sg**2 - sh**2) / 2)
    A = b * sg / (sh * r)
    return GaussianMelDesign(L, sg, c, b, sh, r, A)


@dataclasses.dataclass
class TriangularMelDesign:
    """Triangular mel bands approximated by band-pass filters averaged in time.

    Band-pass filters ``|H_k| = sqrt(Lambda_k)`` averaged with ``L |g|^2``: an approximation of
    the triangular mel spectrogram whose error is reported per band (see
    :ref:`theory-mel-average`).  Made by :func:`triangular_mel_design`; ``mel_spectrogram(f)``
    and ``time_averaged(f)`` give the two sides (shape ``(..., K, L)``), ``band_errors(f)`` the
    relative L2 error of each band.

    Parameters
    ----------
    filters_hat : ndarray, shape (K, L)
        Zero-phase frequency responses ``sqrt(Lambda_k)`` of the band-pass filters.
    averaging : ndarray, shape (L,)
        The averaging function ``L |g|^2``.
    bands_hat : ndarray, shape (K, L)
        The triangular bands ``Lambda_k`` on the fine grid (non-negative frequencies).
    window : ndarray, shape (L,)
        The window ``g`` on ``Z_L``.
    centres_hz : ndarray, shape (K,)
        Band centres, Hz.

    See Also
    --------
    triangular_mel_design : Makes one.
    GaussianMelDesign : The exact design for Gaussian bands.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence, operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 128), 512)
    >>> design = equivalence.triangular_mel_design(sr=8000, length=512, window=g, n_mels=8)
    >>> errors = design.band_errors(np.random.default_rng(0).standard_normal(512))
    >>> errors.shape, bool(errors.max() < 0.1)
    ((8,), True)
    """

    filters_hat: np.ndarray  # (K, L) zero-phase frequency responses sqrt(Lambda_k)
    averaging: np.ndarray  # (L,)
    bands_hat: np.ndarray  # (K, L) Lambda_k on the fine grid
    window: np.ndarray  # g on Z_L
    centres_hz: np.ndarray

    def mel_spectrogram(self, f) -> np.ndarray:
        """``MS(n, k) = sum_nu |V_g f(n, nu)|^2 Lambda_k(nu)`` (full grid), shape (..., K, L).

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s) on ``Z_L``.

        Returns
        -------
        ndarray of float64, shape (..., K, L)
            The triangular mel spectrogram on the full grid, indexed ``[band, time]``.

        See Also
        --------
        TriangularMelDesign.time_averaged : Its approximation.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import equivalence, operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 128), 512)
        >>> design = equivalence.triangular_mel_design(sr=8000, length=512, window=g, n_mels=8)
        >>> f = np.random.default_rng(0).standard_normal(512)
        >>> design.mel_spectrogram(f).shape
        (8, 512)
        """
        S0 = _full_spectrogram(f, self.window)
        return np.einsum("...nv,kv->...kn", S0, self.bands_hat)

    def time_averaged(self, f) -> np.ndarray:
        """``sum_n' |f * h_k|^2(n') L |g(n' - n)|^2``, shape (..., K, L).

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s) on ``Z_L``.

        Returns
        -------
        ndarray of float64, shape (..., K, L)
            The time-averaged band-pass energies, indexed ``[band, time]``.

        See Also
        --------
        TriangularMelDesign.band_errors : How far it is from the mel spectrogram.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import equivalence, operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 128), 512)
        >>> design = equivalence.triangular_mel_design(sr=8000, length=512, window=g, n_mels=8)
        >>> f = np.random.default_rng(0).standard_normal(512)
        >>> design.time_averaged(f).shape
        (8, 512)
        """
        F = np.fft.fft(np.asarray(f), axis=-1)
        band = np.fft.ifft(F[..., None, :] * self.filters_hat, axis=-1)
        return time_average(np.abs(band) ** 2, self.averaging)

    def band_errors(self, f) -> np.ndarray:
        """Relative L2 error ``||TA_k - MS_k|| / ||MS_k||`` of every band for signal(s) f.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s) on ``Z_L``.

        Returns
        -------
        ndarray of float64, shape (K,)
            One error per band, over all signals and times.

        See Also
        --------
        TriangularMelDesign.mel_spectrogram, TriangularMelDesign.time_averaged : The two sides.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import equivalence, operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 128), 512)
        >>> design = equivalence.triangular_mel_design(sr=8000, length=512, window=g, n_mels=8)
        >>> f = np.random.default_rng(0).standard_normal(512)
        >>> errors = design.band_errors(f)
        >>> errors.shape, bool(errors.max() < 0.1)
        ((8,), True)
        """
        ms, ta = self.mel_spectrogram(f), self.time_averaged(f)
        axes = tuple(i for i in range(ms.ndim) if i != ms.ndim - 2)
        num = np.sqrt(np.sum((ta - ms) ** 2, axis=axes))
        den = np.sqrt(np.sum(ms**2, axis=axes))
        return num / np.where(den > 0, den, 1.0)


def triangular_mel_design(*, sr: float, length: int, window, n_mels: int = 40,
                          fmin: float = 0.0, fmax: float | None = None, htk: bool = False,
                          norm=None) -> TriangularMelDesign:
    """Adaptive-filter approximation of triangular mel filters on the fine grid of ``length``.

    ``window`` is g on Z_L (e.g. ``torus_window(get_window("hann", 1024), L)``).  The relative
    error grows like (duration of h_k) / (duration of g): about 1 % in the top bands and tens of
    per cent in the lowest bands for a 1024-sample window at 22.05 kHz; see
    :meth:`TriangularMelDesign.band_errors`.

    Parameters
    ----------
    sr : float
        Sampling rate, Hz.
    length : int
        ``L``, the length of the torus (the fine frequency grid has ``L`` bins).
    window : array_like, shape (length,)
        The window ``g`` on ``Z_L``.
    n_mels : int, default 40
        Number of bands.
    fmin : float, default 0.0
        Lowest band edge, Hz.
    fmax : float, optional
        Highest band edge, Hz; default ``sr / 2``.
    htk : bool, default False
        HTK's mel formula instead of Slaney's.
    norm : {None, "slaney"} or float, default None
        Normalisation of the triangles (see :func:`gaborcore.filterbank`); None keeps peaks at 1.

    Returns
    -------
    TriangularMelDesign
        The filters, the averaging function and the bands.

    Raises
    ------
    ParameterError
        If ``window`` does not have ``length`` samples, or the band parameters are invalid (see
        :func:`gaborcore.filterbank`).

    See Also
    --------
    gaussian_mel_design : The exact design for Gaussian bands.
    gaborcore.mel : The triangular filters.

    Examples
    --------
    >>> import gaborcore
    >>> from gaborcore import equivalence, operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 128), 512)
    >>> design = equivalence.triangular_mel_design(sr=8000, length=512, window=g, n_mels=8)
    >>> design.filters_hat.shape, design.centres_hz.round(1)[:3]
    ((8, 512), array([260.5, 520.9, 781.4]))
    """
    from .filterbanks import filterbank, mel_frequencies

    L = _validation.positive_int("length", length)
    g = np.asarray(window)
    if g.shape != (L,):
        raise ParameterError(f"window must be a length-{L} array on Z_L, got {g.shape}")
    Lam_half = filterbank(sr=sr, n_fft=L, n_bands=n_mels, fmin=fmin, fmax=fmax, htk=htk,
                          norm=norm, dtype=np.float64, _name="n_mels", _stacklevel=3)
    Lam = np.zeros((n_mels, L))
    Lam[:, : Lam_half.shape[1]] = Lam_half  # non-negative frequencies only (analytic bands)
    centres = mel_frequencies(n_mels + 2, fmin=fmin, fmax=sr / 2 if fmax is None else fmax,
                              htk=htk)[1:-1]
    return TriangularMelDesign(np.sqrt(Lam), L * np.abs(g) ** 2, Lam, g, centres)


# ---------------------------------------------------------------------------------------------
# Definition IV.1, tested empirically
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class EquivalenceReport:
    """Outcome of :func:`check_equivalence` over all parameter draws.

    ``equivalent`` (property) is True when every draw predicted the same label for every
    example; ``str(report)`` summarises the three arrays.

    Parameters
    ----------
    agreement : ndarray, shape (draws,)
        Per draw: the fraction of examples with the same predicted label.
    min_margin : ndarray, shape (draws,)
        Per draw: the smallest top-1 minus top-2 score of the first network.
    max_output_difference : ndarray, shape (draws,)
        Per draw: the largest ``|score_1 - score_2|``.

    See Also
    --------
    check_equivalence : Makes it.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> report = equivalence.EquivalenceReport(np.array([1.0, 1.0]), np.array([0.3, 0.2]),
    ...                                        np.array([1e-12, 2e-12]))
    >>> report.equivalent
    True
    >>> print(report)
    agreement 1.000..1.000 over 2 draws; smallest margin 0.2; largest output difference 2e-12
    """

    agreement: np.ndarray  # per draw: fraction of examples with the same predicted label
    min_margin: np.ndarray  # per draw: smallest top-1 minus top-2 score of the first network
    max_output_difference: np.ndarray  # per draw: largest |score_1 - score_2|

    @property
    def equivalent(self) -> bool:
        """True when every draw predicted the same label for every example.

        Returns
        -------
        bool
            ``all(agreement == 1)``.

        See Also
        --------
        check_equivalence : Makes the report.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> report = equivalence.EquivalenceReport(np.array([1.0, 0.9]), np.array([0.3, 0.2]),
        ...                                        np.array([1e-3, 0.5]))
        >>> report.equivalent
        False
        """
        return bool(np.all(self.agreement == 1.0))

    def __str__(self) -> str:
        return (f"agreement {self.agreement.min():.3f}..{self.agreement.max():.3f} over "
                f"{len(self.agreement)} draws; smallest margin {self.min_margin.min():.3g}; "
                f"largest output difference {self.max_output_difference.max():.3g}")


def check_equivalence(pair1, pair2, dataset, *, draws: int = 5, seed: int = 0,
                      build=None) -> EquivalenceReport:
    """Test Definition IV.1 on a data set of ``(signal, label)`` pairs.

    ``pair1`` and ``pair2`` are ``(feature, network_factory)``: ``feature(signal)`` returns the
    representation, ``network_factory(theta)`` a function from a representation to class
    scores.  For each draw, ``theta1`` is sampled by ``build(rng)`` which returns
    ``(theta1, theta2)``: the second network's parameters constructed from the first as the
    theorem prescribes (kernel transfer for Thm. IV.4, an added time-averaging layer for
    Thm. IV.6; see :func:`kernel_transfer_networks`).  The predicted labels of both pairs are
    compared on every example.

    Parameters
    ----------
    pair1 : tuple
        ``(feature, network_factory)`` of the first representation.
    pair2 : tuple
        ``(feature, network_factory)`` of the second representation.
    dataset : iterable of (signal, label)
        The examples; only the signals are used.
    draws : int, default 5
        Number of parameter draws.
    seed : int, default 0
        Seed of the :func:`numpy.random.default_rng` passed to ``build``.
    build : callable
        ``build(rng) -> (theta1, theta2)``; required.

    Returns
    -------
    EquivalenceReport
        Agreement, margins and output differences per draw.

    Raises
    ------
    ParameterError
        If ``build`` is missing, ``dataset`` is empty or ``draws`` is not a positive integer.

    See Also
    --------
    kernel_transfer_networks : Pairs for Theorem IV.4.
    time_average_networks : Pairs for Theorem IV.6.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
    >>> pair_mel, pair_ta, build = equivalence.time_average_networks(design)
    >>> rng = np.random.default_rng(0)
    >>> data = [(rng.standard_normal(256), 0) for _ in range(4)]
    >>> report = equivalence.check_equivalence(pair_mel, pair_ta, data, draws=2, build=build)
    >>> report.equivalent, report.agreement
    (True, array([1., 1.]))
    """
    if build is None:
        raise ParameterError("build(rng) -> (theta1, theta2) is required")
    (feat1, net1), (feat2, net2) = pair1, pair2
    rng = np.random.default_rng(seed)
    signals = [np.asarray(s) for s, _ in dataset]
    if not signals:
        raise ParameterError("dataset is empty")
    X1 = [feat1(s) for s in signals]
    X2 = [feat2(s) for s in signals]
    agree, margin, diff = [], [], []
    for _ in range(_validation.positive_int("draws", draws)):
        th1, th2 = build(rng)
        n1, n2 = net1(th1), net2(th2)
        s1 = np.array([n1(x) for x in X1])
        s2 = np.array([n2(x) for x in X2])
        top = np.sort(s1, axis=1)
        agree.append(np.mean(np.argmax(s1, 1) == np.argmax(s2, 1)))
        margin.append(float(np.min(top[:, -1] - top[:, -2])) if s1.shape[1] > 1 else np.inf)
        diff.append(float(np.max(np.abs(s1 - s2))))
    return EquivalenceReport(np.array(agree), np.array(margin), np.array(diff))


def kernel_transfer_networks(g_window, h_window, *, hop_length: int, n_fft: int, length: int,
                             n_classes: int = 4, pool: int = 4, beta: float = 10.0):
    """Pairs and a builder for Theorem IV.4 on the lattice (hop_length, n_fft).

    Returns ``(pair_g, pair_h, build)`` for :func:`check_equivalence`: features are lattice
    spectrograms with the short windows ``g_window`` and ``h_window`` (centred arrays); the
    network is correlation with a first-layer kernel, ReLU, ``pool x pool`` max pooling and a
    dense layer.  ``build`` draws a random kernel smooth along frequency (``beta`` bins) and a
    random dense layer for the g-network and transfers the kernel to h.

    Parameters
    ----------
    g_window : ndarray
        The first short window (centred at ``len // 2``, at most ``n_fft`` samples).
    h_window : ndarray
        The second short window.
    hop_length : int
        Time step of the lattice.
    n_fft : int
        Number of channels of the lattice.
    length : int
        Signal length, a multiple of ``hop_length`` and ``n_fft``.
    n_classes : int, default 4
        Number of class scores of the networks.
    pool : int, default 4
        Side of the max-pooling blocks.
    beta : float, default 10.0
        Width, in channels, of the random kernels' Gaussian profile along frequency.

    Returns
    -------
    tuple
        ``(pair_g, pair_h, build)``: two ``(feature, network_factory)`` pairs and the
        parameter builder, for :func:`check_equivalence`.

    See Also
    --------
    check_equivalence : Runs the test.
    transfer_kernel : The transfer ``build`` uses.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence
    >>> pair_g, pair_h, build = equivalence.kernel_transfer_networks(
    ...     gaborcore.get_window("hann", 16), gaborcore.get_window("hann", 12),
    ...     hop_length=4, n_fft=16, length=48)
    >>> rng = np.random.default_rng(0)
    >>> data = [(rng.standard_normal(48), k % 2) for k in range(6)]
    >>> report = equivalence.check_equivalence(pair_g, pair_h, data, draws=3, build=build)
    >>> report.agreement.shape
    (3,)
    """
    from .operators import torus_window

    L = length
    g = torus_window(g_window, L)
    h = torus_window(h_window, L)
    g = g / np.linalg.norm(g)
    h = h / np.linalg.norm(h)
    N, M = L // hop_length, n_fft

    def features(win):
        w = win / np.linalg.norm(win)
        return lambda s: lattice_spectrogram(s, w, hop_length=hop_length, n_fft=n_fft)

    def network(theta):
        kernel, dense = theta

        def run(S):
            y = np.maximum(correlate2d(S, kernel), 0.0)
            y = y[: N - N % pool, : M - M % pool]
            y = y.reshape(y.shape[0] // pool, pool, y.shape[1] // pool, pool).max(axis=(1, 3))
            return dense @ y.ravel()

        return run

    def build(rng):
        k = np.arange(M)
        k = np.minimum(k, M - k)
        w_g = np.zeros((N, M))
        w_g[0] = np.exp(-np.pi * k**2 / beta**2) * (1 + 0.2 * rng.standard_normal())
        w_g[1] = 0.3 * rng.standard_normal() * np.exp(-np.pi * k**2 / (2 * beta) ** 2)
        w_h = transfer_kernel(w_g, g, h, hop_length=hop_length, n_fft=n_fft).kernel
        n_feat = (N // pool) * (M // pool)
        dense = rng.standard_normal((n_classes, n_feat)) / np.sqrt(n_feat)
        return (w_g, dense), (w_h, dense)

    return (features(g_window), network), (features(h_window), network), build


def time_average_networks(design: GaussianMelDesign, *, n_classes: int = 4, pool: int = 16):
    """Pairs and a builder for Theorem IV.6 with the exact Gaussian design.

    ``pair_mel`` feeds the mel spectrogram ``MS`` (bands x time) to a network (ReLU of a random
    per-band gain, time max pooling, dense layer); ``pair_ta`` feeds the band-pass energies
    ``|V_{h_k} f(., 0)|^2`` to the same network with a time-averaging layer (Eq. (8)) added in
    front.  Since ``TA = MS`` exactly, the two pairs are equivalent.

    Parameters
    ----------
    design : GaussianMelDesign
        The exact design (:func:`gaussian_mel_design`).
    n_classes : int, default 4
        Number of class scores.
    pool : int, default 16
        Length of the time max-pooling blocks.

    Returns
    -------
    tuple
        ``(pair_mel, pair_ta, build)``: two ``(feature, network_factory)`` pairs and the
        parameter builder (both networks get the same parameters), for
        :func:`check_equivalence`.

    See Also
    --------
    check_equivalence : Runs the test.
    time_average : The added layer.

    Examples
    --------
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0], betas=4.0)
    >>> pair_mel, pair_ta, build = equivalence.time_average_networks(design, n_classes=3)
    >>> len(pair_mel), callable(build)
    (2, True)
    """
    K, L = len(design.centres), design.length
    avg = design.averaging()
    h_hat = np.conj(np.fft.fft(design.filters(), axis=-1))

    def band_energies(f):
        F = np.fft.fft(np.asarray(f), axis=-1)
        return np.abs(np.fft.ifft(F[None, :] * h_hat, axis=-1)) ** 2

    def network(theta, averaging=False):
        gain, bias, dense = theta

        def run(X):
            if averaging:
                X = time_average(X, avg)
            y = np.maximum(gain[:, None] * X + bias[:, None], 0.0)
            y = y[:, : L - L % pool].reshape(K, -1, pool).max(axis=2)
            return dense @ y.ravel()

        return run

    def build(rng):
        n_feat = K * (L // pool)
        theta = (rng.uniform(0.5, 1.5, K), -0.1 * rng.uniform(size=K),
                 rng.standard_normal((n_classes, n_feat)) / np.sqrt(n_feat))
        return theta, theta

    pair_mel = (design.mel_spectrogram, lambda th: network(th, averaging=False))
    pair_ta = (band_energies, lambda th: network(th, averaging=True))
    return pair_mel, pair_ta, build
