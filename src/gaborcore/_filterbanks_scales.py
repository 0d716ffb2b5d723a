"""Frequency scales: mel (Slaney, HTK), Bark, ERB, log and linear; conversions to and from hertz,
frequencies equally spaced on a scale, and the STFT bin frequencies (see :mod:`gaborcore.filterbanks`
for the formulas)."""

from __future__ import annotations

import numpy as np

from ._validation import ParameterError, check_size, positive_int, real_values, sample_rate

SCALES = ("mel", "bark", "erb", "log", "linear")

_F_SP = 200.0 / 3.0  # Slaney: Hz per mel below the break
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def scale_name(scale: str) -> str:
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
    scale = scale_name(scale)
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
    scale = scale_name(scale)
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
