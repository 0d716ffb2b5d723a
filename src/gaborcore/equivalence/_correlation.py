"""Two-dimensional circular correlation and convolution on the torus (a CNN's first layer
without edge effects) and the lattice spectrogram it is applied to."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..stft import dgt

__all__ = ["correlate2d", "convolve2d", "lattice_spectrogram"]


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
