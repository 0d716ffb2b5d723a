"""Triangular mel bands approximated by band-pass filters averaged in time, with the error per
band."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..filterbanks import design_filterbank, mel_frequencies
from ._averaging import full_spectrogram, time_average

__all__ = ["TriangularMelDesign", "triangular_mel_design"]


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
        S0 = full_spectrogram(f, self.window)
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
    L = _validation.positive_int("length", length)
    g = np.asarray(window)
    if g.shape != (L,):
        raise ParameterError(f"window must be a length-{L} array on Z_L, got {g.shape}")
    Lam_half = design_filterbank(sr=sr, n_fft=L, n_bands=n_mels, fmin=fmin, fmax=fmax,
                                 scale="mel", htk=htk, norm=norm, dtype=np.float64,
                                 bands_argument="n_mels")
    Lam = np.zeros((n_mels, L))
    Lam[:, : Lam_half.shape[1]] = Lam_half  # non-negative frequencies only (analytic bands)
    centres = mel_frequencies(n_mels + 2, fmin=fmin, fmax=sr / 2 if fmax is None else fmax,
                              htk=htk)[1:-1]
    return TriangularMelDesign(np.sqrt(Lam), L * np.abs(g) ** 2, Lam, g, centres)
