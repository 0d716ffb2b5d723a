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

# One module per responsibility: _filterbanks_scales (the scales, conversions and frequency grids),
# _filterbanks_sparse (SparseFilterbank); the filter matrices are designed here.

from __future__ import annotations

import numpy as np

from ._filterbanks_scales import (
    SCALES,
    fft_frequencies,
    hz_to_mel,
    hz_to_scale,
    mel_frequencies,
    mel_to_hz,
    scale_frequencies,
    scale_name,
    scale_to_hz,
)
from ._filterbanks_sparse import SparseFilterbank
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
               norm="slaney", dtype=np.float32) -> np.ndarray:
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
    return design_filterbank(sr=sr, n_fft=n_fft, n_bands=n_bands, fmin=fmin, fmax=fmax,
                             scale=scale, htk=htk, norm=norm, dtype=dtype)


def design_filterbank(*, sr, n_fft, n_bands, fmin, fmax, scale, htk, norm, dtype,
                      bands_argument: str = "n_bands") -> np.ndarray:
    """:func:`filterbank`, whose messages call the number of bands ``bands_argument``: the
    name the caller's user gave it (``"n_mels"`` for :func:`mel` and the mel spectrograms)."""
    _name = bands_argument
    scale = scale_name(scale)
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
    return design_filterbank(sr=sr, n_fft=n_fft, n_bands=n_mels, fmin=fmin, fmax=fmax,
                             scale="mel", htk=htk, norm=norm, dtype=dtype,
                             bands_argument="n_mels")
