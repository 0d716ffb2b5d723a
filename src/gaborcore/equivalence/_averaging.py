"""Proposition IV.5's two sides, shared by the mel designs: the time-averaging operator TA and
the spectrogram on the full grid that the mel bands project."""

from __future__ import annotations

import numpy as np

from .._validation import ParameterError

__all__ = ["time_average", "full_spectrogram"]


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


def full_spectrogram(f, g) -> np.ndarray:
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
