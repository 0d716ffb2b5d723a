"""Proposition IV.5 exactly: Gaussian window and Gaussian bands, for which the time-averaged
band energies equal the mel spectrogram."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._averaging import full_spectrogram, time_average

__all__ = ["GaussianMelDesign", "gaussian_mel_design"]


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
        S0 = full_spectrogram(f, self.window)  # (..., L time, L freq)
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
