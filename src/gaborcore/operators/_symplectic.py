"""The symplectic Fourier transform on ``Z_L x Z_L`` and on a lattice, and a lattice array
periodised to the full grid."""

from __future__ import annotations

import numpy as np

from .. import _validation
from ._torus import grid_array

__all__ = ["symplectic_fft", "lattice_symplectic_fft", "lattice_symplectic_ifft", "tile_lattice"]


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
    F = grid_array("F", F, square=True)
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
    w = grid_array("w", w)
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
    P = grid_array("P", P)
    length = _validation.positive_int("length", length)
    M = P.shape[0]
    return (length / M) * np.fft.ifft(np.fft.fft(P, axis=0), axis=1).T


def tile_lattice(P: np.ndarray, length: int, rows=None) -> np.ndarray:
    """A periodic lattice array ``P`` (M, N) evaluated on the full grid (selected rows)."""
    M, N = P.shape
    xs = np.arange(length) if rows is None else np.asarray(rows) % length
    return P[xs % M][:, np.arange(length) % N]
