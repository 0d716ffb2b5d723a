"""Frequency scales and triangular filter banks on STFT bins (mel, Bark, ERB, log, linear).

Scales (``hz_to_scale`` / ``scale_to_hz``, exact inverses of each other):

* ``"mel"`` Slaney (the default, as librosa and the Auditory Toolbox): linear below 1 kHz,
  ``m = 3 f / 200``; logarithmic above, ``m = 15 + 27 ln(f / 1000) / ln(6.4)``.
* ``"mel"`` with ``htk=True``: ``m = 2595 log10(1 + f / 700)``.
* ``"bark"``: Traunmüller (1990), ``z = 26.81 f / (1960 + f) - 0.53``.
* ``"erb"``: Glasberg & Moore (1990) ERB-rate, ``E = 21.4 log10(1 + 0.00437 f)``.
* ``"log"``: octaves above 1 Hz, ``log2(f)`` (requires ``fmin > 0``).
* ``"linear"``: hertz.

A filter bank of ``n_bands`` triangles has ``n_bands + 2`` edge frequencies equally spaced on the
scale between ``fmin`` and ``fmax``; band ``i`` rises from edge ``i`` to edge ``i + 1`` and falls to
edge ``i + 2``, evaluated at the STFT bin frequencies ``k sr / n_fft`` (the construction of Slaney's
Auditory Toolbox, also used by librosa).  ``norm="slaney"`` divides each triangle by half its width
in Hz (constant area); a number p normalises each row to unit Lp norm; None leaves peaks at 1.

The kernels use the sparse form (:class:`SparseFilterbank`): per band the first bin, the number of
bins and the weights, concatenated.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._validation import ParameterError, check_size, positive_int, real_values, sample_rate
from ._warn import warn

__all__ = [
    "SCALES",
    "hz_to_scale",
    "scale_to_hz",
    "hz_to_mel",
    "mel_to_hz",
    "scale_frequencies",
    "mel_frequencies",
    "fft_frequencies",
    "filterbank",
    "mel",
    "SparseFilterbank",
    "EmptyFilterWarning",
]

SCALES = ("mel", "bark", "erb", "log", "linear")

_F_SP = 200.0 / 3.0  # Slaney: Hz per mel below the break
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


class EmptyFilterWarning(UserWarning):
    """A band of a filter bank covers no STFT bin, so it will always output zero.

    Issued by :func:`filterbank` (and so by :func:`mel`, :func:`melspectrogram`,
    :class:`MelSpectrogram` and :func:`mfcc`) when bands are narrower than the bin spacing
    ``sr / n_fft``, librosa's "Empty filters detected" case.  A subclass of :class:`UserWarning`,
    so it can be filtered on its own with :func:`warnings.filterwarnings`.

    See Also
    --------
    filterbank : Where it is issued.
    fft_frequencies : The bin frequencies the bands are evaluated at.

    Examples
    --------
    >>> import warnings, gaborcore
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     W = gaborcore.filterbank(sr=16000, n_fft=256, n_bands=128)  # 128 bands, 129 bins
    >>> caught[0].category.__name__
    'EmptyFilterWarning'
    """


def _scale_name(scale: str) -> str:
    if not isinstance(scale, str) or scale.lower() not in SCALES:
        raise ParameterError(f"scale={scale!r} is not one of {list(SCALES)}")
    return scale.lower()


def hz_to_scale(frequencies, scale: str = "mel", *, htk: bool = False):
    """Convert hertz to the given scale (element-wise; scalars stay scalars).

    Parameters
    ----------
    frequencies : float or array_like
        Frequencies in Hz.
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        The frequency scale (formulas in the module description below).
    htk : bool, default False
        With ``scale="mel"``: HTK's formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        (linear below 1 kHz, logarithmic above, as librosa's default).  Ignored by the other
        scales.

    Returns
    -------
    float or ndarray
        The values on the scale: a float for a scalar input, else a float64 array of the same
        shape.

    Raises
    ------
    ParameterError
        If ``scale`` is unknown, or a frequency is outside the scale's domain: below 0 Hz for
        ``"bark"`` and ``"erb"``, not above 0 Hz for ``"log"``, not above -700 Hz for HTK mel.

    See Also
    --------
    scale_to_hz : The exact inverse.
    hz_to_mel : The mel scale under librosa's name.
    scale_frequencies : Frequencies equally spaced on a scale.

    Examples
    --------
    >>> import gaborcore
    >>> round(gaborcore.hz_to_scale(1000.0, "mel"), 6)  # Slaney: the linear part ends at 15 mel
    15.0
    >>> round(gaborcore.hz_to_scale(1000.0, "erb"), 4)
    15.6214
    >>> gaborcore.hz_to_scale([100.0, 1600.0], "log")
    array([ 6.64385619, 10.64385619])
    """
    scale = _scale_name(scale)
    f = real_values("frequencies", frequencies, finite=False)
    if scale in ("bark", "erb") and np.any(f < 0):
        # their formulas have a pole or a logarithm of a negative number below 0 Hz
        raise ParameterError(f"the {scale} scale needs frequencies >= 0 Hz; got {f.min():g}")
    if scale == "mel" and htk and np.any(f <= -700):
        raise ParameterError(f"the HTK mel formula needs frequencies > -700 Hz; got {f.min():g}")
    if scale == "mel":
        if htk:
            out = 2595.0 * np.log10(1.0 + f / 700.0)
        else:
            out = f / _F_SP
            high = f >= _MIN_LOG_HZ
            out = np.where(high, _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ)
                           / _LOGSTEP, out)
    elif scale == "bark":
        out = 26.81 * (f / (1960.0 + f)) - 0.53  # (26.81 f overflows for f near 1e308)
    elif scale == "erb":
        out = 21.4 * np.log10(1.0 + 0.00437 * f)
    elif scale == "log":
        if np.any(f <= 0):
            raise ParameterError("the log scale needs frequencies > 0 Hz (set fmin > 0)")
        out = np.log2(f)
    else:
        out = f.copy()
    return out if out.ndim else float(out)


def scale_to_hz(values, scale: str = "mel", *, htk: bool = False):
    """Convert values on the given scale back to hertz (the exact inverse of hz_to_scale).

    Parameters
    ----------
    values : float or array_like
        Values on the scale.
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        The frequency scale (formulas in the module description below).
    htk : bool, default False
        With ``scale="mel"``: HTK's formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        (linear below 1 kHz, logarithmic above, as librosa's default).  Ignored by the other
        scales.

    Returns
    -------
    float or ndarray
        Frequencies in Hz: a float for a scalar input, else a float64 array of the same shape.

    Raises
    ------
    ParameterError
        If ``scale`` is unknown, or a Bark value is 26.28 or more (infinite frequency).

    See Also
    --------
    hz_to_scale : The forward conversion.
    mel_to_hz : The mel scale under librosa's name.

    Examples
    --------
    >>> import gaborcore
    >>> round(gaborcore.scale_to_hz(gaborcore.hz_to_scale(440.0, "bark"), "bark"), 9)
    440.0
    >>> gaborcore.scale_to_hz([0.0, 7.5], "mel")
    array([  0., 500.])
    """
    scale = _scale_name(scale)
    v = real_values("values", values, finite=False)
    if scale == "bark" and np.any(v >= 26.28):
        # the inverse diverges at 26.28 Bark (infinite frequency); below -0.53 Bark (0 Hz) it
        # gives the negative frequencies that hz_to_scale maps there (band edges below fmin)
        raise ParameterError("bark values must be below 26.28 (infinite frequency)")
    if scale == "mel":
        if htk:
            out = 700.0 * (10.0 ** (v / 2595.0) - 1.0)
        else:
            out = np.where(v >= _MIN_LOG_MEL,
                           _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(v, _MIN_LOG_MEL)
                                                            - _MIN_LOG_MEL)),
                           _F_SP * v)
    elif scale == "bark":
        out = 1960.0 * (v + 0.53) / (26.28 - v)
    elif scale == "erb":
        out = (10.0 ** (v / 21.4) - 1.0) / 0.00437
    elif scale == "log":
        out = 2.0 ** v
    else:
        out = v.copy()
    return out if out.ndim else float(out)


def hz_to_mel(frequencies, *, htk: bool = False):
    """Hertz to mel (Slaney by default, HTK with ``htk=True``), as :func:`librosa.hz_to_mel`.

    Parameters
    ----------
    frequencies : float or array_like
        Frequencies in Hz.
    htk : bool, default False
        HTK's formula ``2595 log10(1 + f / 700)`` instead of Slaney's.

    Returns
    -------
    float or ndarray
        Mel values: a float for a scalar input, else a float64 array.

    Raises
    ------
    ParameterError
        If ``frequencies`` are not real numbers, or (HTK) not above -700 Hz.

    See Also
    --------
    mel_to_hz : The inverse.
    hz_to_scale : The other scales.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.hz_to_mel(np.array([0.0, 500.0, 2000.0]))
    array([ 0.        ,  7.5       , 25.08188016])
    >>> round(gaborcore.hz_to_mel(1000.0, htk=True), 3)
    999.986
    """
    return hz_to_scale(frequencies, "mel", htk=htk)


def mel_to_hz(mels, *, htk: bool = False):
    """Mel to hertz, the inverse of :func:`hz_to_mel`, as :func:`librosa.mel_to_hz`.

    Parameters
    ----------
    mels : float or array_like
        Mel values.
    htk : bool, default False
        HTK's formula instead of Slaney's.

    Returns
    -------
    float or ndarray
        Frequencies in Hz: a float for a scalar input, else a float64 array.

    Raises
    ------
    ParameterError
        If ``mels`` are not real numbers.

    See Also
    --------
    hz_to_mel : The forward conversion.
    scale_to_hz : The other scales.

    Examples
    --------
    >>> import gaborcore
    >>> round(gaborcore.mel_to_hz(15.0), 6)
    1000.0
    """
    real_values("mels", mels, finite=False)  # named as the caller knows it
    return scale_to_hz(mels, "mel", htk=htk)


def scale_frequencies(n: int, *, fmin: float = 0.0, fmax: float = 11025.0, scale: str = "mel",
                      htk: bool = False) -> np.ndarray:
    """``n`` frequencies (Hz) equally spaced on ``scale`` from ``fmin`` to ``fmax`` inclusive.

    The band edges of :func:`filterbank` are ``scale_frequencies(n_bands + 2, ...)``.

    Parameters
    ----------
    n : int
        Number of frequencies (0 gives an empty array).
    fmin : float, default 0.0
        First frequency, Hz (above 0 for ``scale="log"``).
    fmax : float, default 11025.0
        Last frequency, Hz.
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        The frequency scale (formulas in the module description below).
    htk : bool, default False
        With ``scale="mel"``: HTK's formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        (linear below 1 kHz, logarithmic above, as librosa's default).  Ignored by the other
        scales.

    Returns
    -------
    ndarray of float64, shape (n,)
        The frequencies in Hz, increasing from ``fmin`` to ``fmax``.

    Raises
    ------
    ParameterError
        If ``n`` is negative or not an integer, or ``fmin``/``fmax`` is outside the scale's
        domain (see :func:`hz_to_scale`).

    See Also
    --------
    mel_frequencies : The mel case, as librosa names it.
    filterbank : Triangular filters between such frequencies.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.scale_frequencies(5, fmin=100.0, fmax=1600.0, scale="log")
    array([ 100.,  200.,  400.,  800., 1600.])
    """
    n = positive_int("n", n, minimum=0)
    check_size("n", (n,), np.float64, what="the frequencies")
    lo, hi = hz_to_scale(fmin, scale, htk=htk), hz_to_scale(fmax, scale, htk=htk)
    return np.asarray(scale_to_hz(np.linspace(lo, hi, n), scale, htk=htk), dtype=np.float64)


def mel_frequencies(n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0,
                    htk: bool = False) -> np.ndarray:
    """``n_mels`` frequencies equally spaced on the mel scale (as :func:`librosa.mel_frequencies`).

    Parameters
    ----------
    n_mels : int, default 128
        Number of frequencies.
    fmin : float, default 0.0
        First frequency, Hz.
    fmax : float, default 11025.0
        Last frequency, Hz.
    htk : bool, default False
        HTK's mel formula instead of Slaney's.

    Returns
    -------
    ndarray of float64, shape (n_mels,)
        The frequencies in Hz.

    Raises
    ------
    ParameterError
        If ``n_mels`` is not a non-negative integer, or ``fmin``/``fmax`` is not a real number.

    See Also
    --------
    scale_frequencies : The same on any scale.
    mel : The mel filter bank (its band edges are such frequencies).

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.mel_frequencies(5, fmax=8000.0).round(1)
    array([   0. ,  754.1, 1688.9, 3675.8, 8000. ])
    """
    n_mels = positive_int("n_mels", n_mels, minimum=0)  # named as the caller knows them
    check_size("n_mels", (n_mels,), np.float64, what="the frequencies")
    real_values("fmin", fmin, finite=False), real_values("fmax", fmax, finite=False)
    return scale_frequencies(n_mels, fmin=fmin, fmax=fmax, scale="mel", htk=htk)


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048) -> np.ndarray:
    """Centre frequencies of the ``n_fft // 2 + 1`` STFT bins, ``k sr / n_fft``.

    As :func:`librosa.fft_frequencies`, with its defaults.

    Parameters
    ----------
    sr : float, default 22050
        Sampling rate in Hz.
    n_fft : int, default 2048
        FFT length.

    Returns
    -------
    ndarray of float64, shape (n_fft // 2 + 1,)
        The frequencies of the rows of :func:`stft`, from 0 Hz to (at most) ``sr / 2``.

    Raises
    ------
    ParameterError
        If ``sr`` or ``n_fft`` is not positive.

    See Also
    --------
    stft : The transform whose rows these are.
    filterbank : Filters evaluated at these frequencies.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.fft_frequencies(sr=16000, n_fft=8)
    array([   0., 2000., 4000., 6000., 8000.])
    """
    sr = sample_rate("sr", sr)
    n_fft = positive_int("n_fft", n_fft)
    check_size("n_fft", (n_fft // 2 + 1,), np.float64, what="the frequencies")
    return np.arange(n_fft // 2 + 1) * (sr / n_fft)


def _check_band_args(sr, n_fft, n_bands, fmin, fmax, name="n_mels"):
    sr = sample_rate("sr", sr)
    n_fft = positive_int("n_fft", n_fft, minimum=2)
    n_bands = positive_int(name, n_bands)
    # the weights and three work arrays of their size, before any is made
    check_size(name, (4, n_bands + 2, n_fft // 2 + 1), np.float64,
               what="the filter bank and its work arrays")
    nyquist = sr / 2.0
    fmax = nyquist if fmax is None else float(real_values("fmax", fmax, finite=False))
    fmin = float(real_values("fmin", fmin, finite=False))
    if not fmin >= 0:
        raise ParameterError(f"fmin={fmin} must be >= 0 Hz")
    if not np.isfinite(fmax):
        raise ParameterError(f"fmax={fmax} must be a finite frequency in Hz")
    if not fmin < fmax:
        raise ParameterError(f"fmin={fmin} Hz must be below fmax={fmax} Hz")
    if fmax > nyquist * (1 + 1e-12):
        # as librosa: the triangles are evaluated on the bins up to Nyquist, the part above is
        # cut off (and bands entirely above it are empty, which warns below)
        warn(f"fmax={fmax:g} Hz is above the Nyquist frequency sr/2={nyquist:g} Hz: the bands "
             "are cut off at Nyquist")
    # more bands than bins is allowed (as librosa); the bands that cover no bin warn below
    return sr, n_fft, n_bands, fmin, fmax


def _normalise(weights: np.ndarray, edges: np.ndarray, norm) -> np.ndarray:
    if norm is None:
        return weights
    if isinstance(norm, str):
        if norm != "slaney":
            raise ParameterError(f"norm={norm!r} must be 'slaney', None or a number p >= 1")
        return weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]
    try:
        p = float(norm)
    except (TypeError, ValueError):
        raise ParameterError(f"norm={norm!r} must be 'slaney', None or a number p >= 1") from None
    if isinstance(norm, bool) or not p >= 1:
        raise ParameterError(f"norm={norm!r} must be 'slaney', None or a number p >= 1")
    if np.isinf(p):
        scale = np.max(np.abs(weights), axis=1)
    else:
        scale = np.sum(np.abs(weights) ** p, axis=1) ** (1.0 / p)
    return weights / np.where(scale > 0, scale, 1.0)[:, None]


def filterbank(*, sr: float, n_fft: int, n_bands: int = 128, fmin: float = 0.0,
               fmax: float | None = None, scale: str = "mel", htk: bool = False,
               norm="slaney", dtype=np.float32, _name: str = "n_bands",
               _stacklevel: int = 2) -> np.ndarray:
    """Triangular filters, shape ``(n_bands, n_fft // 2 + 1)``, on the given frequency scale.

    Designed in float64 and cast once to ``dtype``.  Warns with :class:`EmptyFilterWarning` when
    a band covers no STFT bin (the bands are narrower than the bin spacing there).

    The ``n_bands + 2`` band edges are equally spaced on the scale from ``fmin`` to ``fmax``
    (:func:`scale_frequencies`); band ``i`` rises linearly from edge ``i`` to edge ``i + 1`` and
    falls to edge ``i + 2``, evaluated at the bin frequencies (:func:`fft_frequencies`), as in
    Slaney's Auditory Toolbox and librosa.

    Parameters
    ----------
    sr : float
        Sampling rate in Hz.
    n_fft : int
        FFT length (at least 2); the filters have ``n_fft // 2 + 1`` columns.
    n_bands : int, default 128
        Number of bands.
    fmin : float, default 0.0
        Lowest band edge, Hz (above 0 for ``scale="log"``).
    fmax : float, optional
        Highest band edge, Hz; default ``sr / 2``.  Above it warns and the bands are cut at
        Nyquist.
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        The frequency scale (formulas in the module description below).
    htk : bool, default False
        With ``scale="mel"``: HTK's formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        (linear below 1 kHz, logarithmic above, as librosa's default).  Ignored by the other
        scales.
    norm : {"slaney", None} or float, default "slaney"
        ``"slaney"`` divides each triangle by half its width in Hz (constant area, librosa's
        default); a number ``p >= 1`` scales each row to unit Lp norm (``np.inf``: unit
        maximum); None leaves the peaks at 1.
    dtype : numpy dtype, default float32
        Type of the result.
    _name : str, default "n_bands"
        Internal: the argument name that error and warning messages give for ``n_bands``
        (:func:`mel` and the mel spectrograms pass ``"n_mels"``).
    _stacklevel : int, default 2
        Internal and unused (warnings are attributed to the first caller outside gaborcore);
        accepted for the callers that pass it.

    Returns
    -------
    ndarray, shape (n_bands, n_fft // 2 + 1)
        The filter weights, rows of bands, columns of STFT bins.

    Raises
    ------
    ParameterError
        If ``sr`` is not positive, ``n_fft`` < 2, ``n_bands`` < 1, ``fmin`` < 0, ``fmin >= fmax``,
        ``fmax`` is not finite, ``scale`` or ``norm`` is not one of the above, the log scale has
        ``fmin = 0``, or the band edges coincide in float64.

    Warns
    -----
    EmptyFilterWarning
        When a band covers no STFT bin.
    UserWarning
        When ``fmax`` is above ``sr / 2``.

    See Also
    --------
    mel : The mel filters under librosa's name.
    melspectrogram : A spectrogram projected on these filters.
    SparseFilterbank : The sparse form the kernels use.

    Notes
    -----
    The mel spectrogram as an average of spectrogram rows is described on the theory page,
    :ref:`theory-mel-average`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> W = gaborcore.filterbank(sr=22050, n_fft=2048, n_bands=40, scale="erb")
    >>> W.shape, W.dtype
    ((40, 1025), dtype('float32'))
    >>> P = gaborcore.filterbank(sr=22050, n_fft=2048, n_bands=40, scale="erb", norm=None)
    >>> bool(P.max() <= 1.0)
    True
    """
    scale = _scale_name(scale)
    sr, n_fft, n_bands, fmin, fmax = _check_band_args(sr, n_fft, n_bands, fmin, fmax, _name)
    if scale == "log" and fmin <= 0:
        raise ParameterError(f"fmin={fmin}: the log scale needs fmin > 0 Hz")
    try:
        edges = scale_frequencies(n_bands + 2, fmin=fmin, fmax=fmax, scale=scale, htk=htk)
    except ParameterError as e:
        raise ParameterError(f"fmin={fmin:g} Hz and fmax={fmax:g} Hz have no band edges on the "
                             f"{scale} scale: {e}") from None
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    widths = np.diff(edges)
    if not np.all(widths > 0):
        raise ParameterError(
            f"fmin={fmin:g} Hz and fmax={fmax:g} Hz are too close for {n_bands} bands: their "
            "band edges coincide in float64"
        )
    ramps = edges[:, None] - freqs[None, :]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # checked below
        rising = -ramps[:-2] / widths[:-1, None]
        falling = ramps[2:] / widths[1:, None]
        weights = np.maximum(0.0, np.minimum(rising, falling))
        weights = _normalise(weights, edges, norm)
    if not np.isfinite(weights).all():
        # edges of subnormal width (fmin=5e-324 on the log scale) overflow the slopes
        raise ParameterError(f"fmin={fmin:g} Hz and fmax={fmax:g} Hz give band edges too close "
                             f"together on the {scale} scale for {n_bands} bands")
    # as librosa: a band is empty when it has no positive weight; a band starting at 0 Hz is not
    # counted (its rising edge may fall between DC and the first bin)
    empty = ~np.any(weights > 0, axis=1) & (edges[:-2] != 0)
    if empty.any():
        warn(
            f"Empty filters detected in {scale} frequency basis. Some channels will produce "
            f"empty responses. Try increasing your sampling rate (and fmax) or reducing "
            f"{_name}. ({int(empty.sum())} of {n_bands} bands, the first centred at "
            f"{edges[1:-1][empty][0]:.1f} Hz, cover no STFT bin of n_fft={n_fft} at sr={sr:g}: "
            "they will always be zero.)",
            EmptyFilterWarning,
        )
    return weights.astype(dtype)


def mel(*, sr: float, n_fft: int, n_mels: int = 128, fmin: float = 0.0,
        fmax: float | None = None, htk: bool = False, norm="slaney",
        dtype=np.float32) -> np.ndarray:
    """Mel filter bank, shape ``(n_mels, n_fft // 2 + 1)``, as :func:`librosa.filters.mel`.

    ``filterbank(..., scale="mel")`` under librosa's name and argument names.

    Parameters
    ----------
    sr : float
        Sampling rate in Hz.
    n_fft : int
        FFT length.
    n_mels : int, default 128
        Number of bands.
    fmin : float, default 0.0
        Lowest band edge, Hz.
    fmax : float, optional
        Highest band edge, Hz; default ``sr / 2``.
    htk : bool, default False
        HTK's mel formula instead of Slaney's.
    norm : {"slaney", None} or float, default "slaney"
        Normalisation of the rows (see :func:`filterbank`).
    dtype : numpy dtype, default float32
        Type of the result.

    Returns
    -------
    ndarray, shape (n_mels, n_fft // 2 + 1)
        The filter weights.

    Raises
    ------
    ParameterError
        As :func:`filterbank`.

    Warns
    -----
    EmptyFilterWarning
        When a band covers no STFT bin.

    See Also
    --------
    filterbank : The other scales.
    mel_frequencies : The band edges' spacing.
    melspectrogram : A spectrogram projected on these filters.

    Examples
    --------
    >>> import gaborcore
    >>> W = gaborcore.mel(sr=22050, n_fft=2048, n_mels=128)
    >>> W.shape, W.dtype
    ((128, 1025), dtype('float32'))
    """
    return filterbank(sr=sr, n_fft=n_fft, n_bands=n_mels, fmin=fmin, fmax=fmax, scale="mel",
                      htk=htk, norm=norm, dtype=dtype, _name="n_mels", _stacklevel=3)


@dataclasses.dataclass(frozen=True)
class SparseFilterbank:
    """Sparse, per-band form of a filter matrix, as the fused mel kernels read it.

    Band ``i`` has weights ``data[offset[i]:offset[i+1]]`` on the bins
    ``start[i] : start[i] + (offset[i+1] - offset[i])``.

    Zeros outside each band's first and last non-zero weight are dropped; zeros inside are kept.
    This is the form the fused mel kernels read; make one from a dense matrix with
    :meth:`from_dense` and go back with :meth:`todense`.  Frozen (immutable).

    Parameters
    ----------
    start : ndarray of int64, shape (n_bands,)
        First bin of each band's support.
    offset : ndarray of int64, shape (n_bands + 1,)
        Where each band's weights start in ``data``; ``offset[-1]`` is the number of stored
        weights (``nnz``).
    data : ndarray of float, shape (nnz,)
        The weights of all bands, concatenated.
    n_freq : int
        Number of STFT bins (columns of the dense matrix).

    See Also
    --------
    filterbank : Dense filter matrices.
    MelSpectrogram : Holds one (attribute ``sparse``).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> W = gaborcore.mel(sr=22050, n_fft=2048, n_mels=128)
    >>> fb = gaborcore.SparseFilterbank.from_dense(W)
    >>> fb.n_bands, fb.n_freq, fb.nnz
    (128, 1025, 2018)
    >>> bool(np.array_equal(fb.todense(), W))
    True
    """

    start: np.ndarray  # int64, (n_bands,)
    offset: np.ndarray  # int64, (n_bands + 1,)
    data: np.ndarray  # float, (nnz,)
    n_freq: int

    @classmethod
    def from_dense(cls, weights: np.ndarray) -> SparseFilterbank:
        """The sparse form of a dense filter matrix.

        Parameters
        ----------
        weights : array_like, shape (n_bands, n_freq)
            Real, finite filter weights, at least one band.

        Returns
        -------
        SparseFilterbank
            Each band from its first to its last non-zero weight (an all-zero band is empty).

        Raises
        ------
        ParameterError
            If ``weights`` is not 2-D with at least one row, or not real and finite.

        See Also
        --------
        SparseFilterbank.todense : The inverse.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.start, fb.offset, fb.data
        (array([1, 2]), array([0, 2, 4]), array([0.5 , 1.  , 0.25, 0.75]))
        """
        W = np.asarray(weights)
        if W.ndim != 2 or W.shape[0] < 1:
            raise ParameterError(f"a filter matrix must be 2-D (n_bands, n_freq), got {W.shape}")
        if W.dtype.kind not in "fiu" or not np.isfinite(W).all():
            raise ParameterError("a filter matrix must be real and finite")
        starts, offsets, chunks = [], [0], []
        for row in W:
            nz = np.flatnonzero(row)
            a, b = (int(nz[0]), int(nz[-1]) + 1) if nz.size else (0, 0)
            starts.append(a)
            chunks.append(row[a:b])
            offsets.append(offsets[-1] + (b - a))
        data = np.concatenate(chunks) if offsets[-1] else np.zeros(0, W.dtype)
        return cls(np.asarray(starts, np.int64), np.asarray(offsets, np.int64),
                   np.ascontiguousarray(data), W.shape[1])

    @property
    def n_bands(self) -> int:
        """Number of bands.

        Returns
        -------
        int
            ``len(start)``.

        See Also
        --------
        SparseFilterbank.nnz : The number of stored weights.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.n_bands
        2
        """
        return self.start.shape[0]

    @property
    def nnz(self) -> int:
        """Number of stored weights (zeros inside a band's support included).

        Returns
        -------
        int
            ``offset[-1]``, the length of ``data``.

        See Also
        --------
        SparseFilterbank.n_bands : The number of bands.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.nnz
        4
        """
        return int(self.offset[-1])

    def astype(self, dtype) -> SparseFilterbank:
        """The same filter bank with its weights cast to ``dtype``.

        Parameters
        ----------
        dtype : numpy dtype
            The weights' new type (the kernels use the signal's precision).

        Returns
        -------
        SparseFilterbank
            A new filter bank sharing ``start`` and ``offset``.

        See Also
        --------
        SparseFilterbank.todense : The dense matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> fb.astype(np.float32).data.dtype
        dtype('float32')
        """
        return dataclasses.replace(self, data=self.data.astype(dtype))

    def todense(self) -> np.ndarray:
        """The dense filter matrix.

        Returns
        -------
        ndarray, shape (n_bands, n_freq)
            The weights, in the dtype of ``data``; zeros outside each band's support.

        See Also
        --------
        SparseFilterbank.from_dense : The inverse.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> W = np.array([[0.0, 0.5, 1.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
        >>> fb = gaborcore.SparseFilterbank.from_dense(W)
        >>> bool(np.array_equal(fb.todense(), W))
        True
        """
        W = np.zeros((self.n_bands, self.n_freq), self.data.dtype)
        for i in range(self.n_bands):
            a, b = self.offset[i], self.offset[i + 1]
            W[i, self.start[i]:self.start[i] + (b - a)] = self.data[a:b]
        return W
