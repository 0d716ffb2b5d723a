"""Spreading functions: of a matrix, back to the matrix, and of a Gabor multiplier in closed
form (identity I7)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._ambiguity import ambiguity
from ._multipliers import GaborMultiplier
from ._symplectic import lattice_symplectic_fft, tile_lattice
from ._torus import grid_array

__all__ = ["spreading_function", "operator_from_spreading", "multiplier_spreading_function"]


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
    K = grid_array("K", K, square=True)
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
    eta = grid_array("eta", eta, square=True)
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
