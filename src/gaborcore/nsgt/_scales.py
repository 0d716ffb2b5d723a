"""NSGT scale design: centre frequencies and bandwidths of the bands (docs/theory.rst)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from .._warn import warn
from ..filterbanks import hz_to_scale, scale_to_hz

__all__ = ["nsgt_frequencies", "NSGT_SCALES"]

NSGT_SCALES = ("cqt", "vqt", "mel", "bark", "erb", "log", "linear")
#: Most bands a scale may have (each band costs a window, a table row and an FFT plan).
MAX_BANDS = 100_000


def nsgt_frequencies(*, sr: float, scale: str = "cqt", fmin: float = 32.7,
                     fmax: float | None = None, n_bins: int | None = None,
                     bins_per_octave: int = 12, gamma: float = 0.0,
                     frequencies=None, htk: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Centre frequencies and bandwidths (both in Hz) of the scale's bands (no DC / Nyquist band).

    * ``"cqt"``: ``xi_k = fmin 2^(k / B)``; with ``n_bins`` given, ``k < n_bins``; otherwise
      ``ceil(B log2(fmax / fmin)) + 1`` bands spaced evenly in log frequency from ``fmin`` to
      ``fmax`` inclusive (the band count and centres of the ``nsgt`` package's ``OctScale``).
      Bandwidth ``xi_k / Q`` with ``Q = 1 / (2^(1/B) - 2^(-1/B))``: the support of band ``k``
      reaches the centres of its neighbours.
    * ``"vqt"``: the same centres, bandwidth ``xi_k / Q + gamma`` (constant bandwidth ``gamma``
      dominates at low frequencies).
    * ``"mel"``, ``"bark"``, ``"erb"``, ``"log"``, ``"linear"``: ``n_bins`` centres evenly spaced on
      that scale from ``fmin`` to ``fmax``; bandwidth ``xi_{k+1} - xi_{k-1}`` (neighbours
      extrapolated on the scale at both ends, clipped to 0 Hz and sr/2; no band reaches below
      0 Hz, and one centred close to sr/2 may cross it: its mirror image completes it).
      The mel scale is the theory page's ``2595 log10(1 + f / 700)`` (``htk=True``,
      the default here) or Slaney's (``htk=False``).
    * ``frequencies``: any increasing array of centres in ``(0, sr/2)``; bandwidths as above,
      on a log-frequency extrapolation at the ends.

    Centres at or above ``sr / 2`` are dropped with a warning (as the nsgt package does).

    Parameters
    ----------
    sr : float
        Sampling rate in Hz.
    scale : {"cqt", "vqt", "mel", "bark", "erb", "log", "linear"}
        The frequency scale (ignored when ``frequencies`` is given).
    fmin, fmax : float
        Lowest centre and, for the constant-Q scales without ``n_bins`` and for the others,
        highest centre in Hz (default for the mel-like scales: 0.95 ``sr / 2``).
    n_bins : int, optional
        Number of bands (required by the mel-like scales; with it the constant-Q scales ignore
        ``fmax``).
    bins_per_octave : int
        ``B`` of the constant-Q scales.
    gamma : float
        Added bandwidth of the variable-Q scale, in Hz.
    frequencies : array_like, optional
        Explicit centres in Hz.
    htk : bool
        Mel formula: HTK's (default) or Slaney's.

    Returns
    -------
    xi, bw : ndarray
        Centre frequencies and bandwidths in Hz, float64, one per band.

    Raises
    ------
    ParameterError
        An unknown ``scale``; ``fmin`` at or above Nyquist or above ``fmax``; a constant-Q
        scale without ``fmax`` or ``n_bins``, or whose bands would pass Nyquist; a negative
        ``gamma``; ``n_bins`` missing where the scale needs it; ``frequencies`` that are not 2
        or more increasing values between 0 and Nyquist.

    See Also
    --------
    NSGT : the transform built on these bands.
    gaborcore.scale_frequencies : evenly spaced frequencies on a scale.

    Examples
    --------
    >>> import gaborcore
    >>> xi, bw = gaborcore.nsgt_frequencies(sr=22050, fmin=110.0, n_bins=3, bins_per_octave=12)
    >>> xi.round(2), (xi / bw).round(3)
    (array([110.  , 116.54, 123.47]), array([8.651, 8.651, 8.651]))
    """
    sr = _validation.sample_rate("sr", sr)
    nyquist = sr / 2
    if frequencies is not None:
        xi = _validation.real_values("frequencies", frequencies)
        if xi.ndim != 1 or not 2 <= xi.size <= MAX_BANDS:
            raise ParameterError(f"frequencies must be a 1-D array of 2 to {MAX_BANDS} "
                                 f"finite centres; got shape {xi.shape}")
        if not np.all(np.diff(xi) > 0) or xi[0] <= 0 or xi[-1] >= nyquist:
            raise ParameterError(
                f"frequencies must increase strictly within (0, sr/2={nyquist}) Hz"
            )
        lx = np.log(xi)
        ext = np.concatenate([[2 * lx[0] - lx[1]], lx, [2 * lx[-1] - lx[-2]]])
        e = np.exp(ext)
        return xi, e[2:] - e[:-2]
    if scale not in NSGT_SCALES:
        raise ParameterError(f"scale={scale!r} is not one of {list(NSGT_SCALES)}")
    fmin = _validation.positive_float("fmin", fmin)
    if fmin >= nyquist:
        raise ParameterError(f"fmin={fmin} Hz must be below the Nyquist frequency "
                             f"sr/2={nyquist} Hz")
    if fmax is not None:
        fmax = _validation.positive_float("fmax", fmax)
        if not fmax > fmin:
            raise ParameterError(f"fmin={fmin} Hz must be below fmax={fmax} Hz")
    if scale in ("cqt", "vqt"):
        B = _validation.positive_int("bins_per_octave", bins_per_octave, maximum=MAX_BANDS)
        if n_bins is not None:
            n_bins = _validation.positive_int("n_bins", n_bins, minimum=2, maximum=MAX_BANDS)
            xi = fmin * 2.0 ** (np.arange(n_bins) / B)
        else:
            if fmax is None:
                raise ParameterError("give fmax or n_bins for the constant-Q scale")
            n = int(np.ceil(np.log2(fmax / fmin) * B)) + 1
            if n > MAX_BANDS:
                raise ParameterError(f"fmin={fmin}, fmax={fmax} and bins_per_octave={B} make {n} "
                                     f"bands; at most {MAX_BANDS} are allowed")
            xi = fmin * (fmax / fmin) ** (np.arange(n) / (n - 1))
            B = (n - 1) / np.log2(fmax / fmin)  # the exact spacing of these centres
        q_inv = 2.0 ** (1.0 / B) - 2.0 ** (-1.0 / B)
        bw = xi * q_inv
        if scale == "vqt":
            gamma = float(_validation.real_values("gamma", gamma))
            if not gamma >= 0:
                raise ParameterError(f"gamma={gamma} must be >= 0 Hz")
            bw = bw + gamma
        return _below_nyquist(xi, bw, nyquist)
    if n_bins is None:
        raise ParameterError(f"n_bins is required for the {scale} scale")
    n_bins = _validation.positive_int("n_bins", n_bins, minimum=2, maximum=MAX_BANDS)
    fmax = nyquist * 0.95 if fmax is None else fmax
    lo, hi = hz_to_scale(fmin, scale, htk=htk), hz_to_scale(fmax, scale, htk=htk)
    step = (hi - lo) / (n_bins - 1)
    xi = np.asarray(scale_to_hz(lo + step * np.arange(n_bins), scale, htk=htk), dtype=np.float64)
    # neighbours extrapolated on the scale; outside its domain (Bark beyond its pole, below 0 Hz)
    # the band simply reaches 0 Hz or sr/2
    below = _scale_point(lo - step, scale, htk, 0.0)
    above = _scale_point(hi + step, scale, htk, np.inf)
    f = np.concatenate([[below], xi, [above]])
    bw = np.minimum(f[2:], nyquist) - np.maximum(f[:-2], 0.0)
    bw = np.minimum(bw, 2 * xi)  # no band reaches below 0 Hz
    return _below_nyquist(xi, bw, nyquist)


def _scale_point(value: float, scale: str, htk: bool, outside: float) -> float:
    """``scale_to_hz(value)``, or ``outside`` where the value lies outside the scale's domain."""
    try:
        return float(scale_to_hz(value, scale, htk=htk))
    except ParameterError:
        return outside


def _below_nyquist(xi: np.ndarray, bw: np.ndarray, nyquist: float):
    """Drop the bands centred at or above the Nyquist frequency, with a warning (as the nsgt
    package does); bands just below it may cross sr/2, their mirror images complete them."""
    keep = xi < nyquist * (1 - 1e-9)  # a centre computed as sr/2 may round just below it
    if not keep.all():
        dropped = int((~keep).sum())
        if keep.sum() < 2:
            raise ParameterError(
                f"only {int(keep.sum())} band centre(s) lie below the Nyquist frequency "
                f"{nyquist} Hz; at least 2 are needed: lower fmin, fmax or n_bins"
            )
        warn(f"{dropped} band(s) centred at or above the Nyquist frequency {nyquist} Hz "
             f"(up to {xi[-1]:.1f} Hz) are dropped; {int(keep.sum())} bands remain")
    return xi[keep], bw[keep]
