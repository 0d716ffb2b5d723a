"""Proposition IV.2: the kernel for one window's spectrogram that reproduces a kernel made for
another's, on the full grid or on a lattice."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..operators import (
    ambiguity,
    ambiguity_rows,
    lattice_symplectic_fft,
    lattice_symplectic_ifft,
    symplectic_fft,
    tile_lattice,
)

__all__ = ["TransferResult", "transfer_kernel"]


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
