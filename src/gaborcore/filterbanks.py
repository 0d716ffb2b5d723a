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
    """A band of a filter bank covers no STFT bin, so it will always output zero."""


def _scale_name(scale: str) -> str:
    if not isinstance(scale, str) or scale.lower() not in SCALES:
        raise ParameterError(f"scale={scale!r} is not one of {list(SCALES)}")
    return scale.lower()


def hz_to_scale(frequencies, scale: str = "mel", *, htk: bool = False):
    """Convert hertz to the given scale (element-wise; scalars stay scalars)."""
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
        out = 26.81 * f / (1960.0 + f) - 0.53
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
    """Convert values on the given scale back to hertz (the exact inverse of hz_to_scale)."""
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
    """Hertz to mel (Slaney by default, HTK with ``htk=True``); see :func:`hz_to_scale`."""
    return hz_to_scale(frequencies, "mel", htk=htk)


def mel_to_hz(mels, *, htk: bool = False):
    """Mel to hertz; the inverse of :func:`hz_to_mel`."""
    return scale_to_hz(mels, "mel", htk=htk)


def scale_frequencies(n: int, *, fmin: float = 0.0, fmax: float = 11025.0, scale: str = "mel",
                      htk: bool = False) -> np.ndarray:
    """``n`` frequencies (Hz) equally spaced on ``scale`` from ``fmin`` to ``fmax`` inclusive."""
    n = positive_int("n", n, minimum=0)
    check_size("n", (n,), np.float64, what="the frequencies")
    lo, hi = hz_to_scale(fmin, scale, htk=htk), hz_to_scale(fmax, scale, htk=htk)
    return np.asarray(scale_to_hz(np.linspace(lo, hi, n), scale, htk=htk), dtype=np.float64)


def mel_frequencies(n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0,
                    htk: bool = False) -> np.ndarray:
    """``n_mels`` frequencies equally spaced on the mel scale (as :func:`librosa.mel_frequencies`)."""
    return scale_frequencies(n_mels, fmin=fmin, fmax=fmax, scale="mel", htk=htk)


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048) -> np.ndarray:
    """Centre frequencies of the ``n_fft // 2 + 1`` STFT bins: ``k sr / n_fft`` (as
    :func:`librosa.fft_frequencies`, with its defaults)."""
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

    Examples
    --------
    >>> import gaborcore
    >>> W = gaborcore.filterbank(sr=22050, n_fft=2048, n_bands=40, scale="erb")
    >>> W.shape
    (40, 1025)
    """
    scale = _scale_name(scale)
    sr, n_fft, n_bands, fmin, fmax = _check_band_args(sr, n_fft, n_bands, fmin, fmax, _name)
    if scale == "log" and fmin <= 0:
        raise ParameterError(f"fmin={fmin}: the log scale needs fmin > 0 Hz")
    edges = scale_frequencies(n_bands + 2, fmin=fmin, fmax=fmax, scale=scale, htk=htk)
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    widths = np.diff(edges)
    if not np.all(widths > 0):
        raise ParameterError(
            f"fmin={fmin:g} Hz and fmax={fmax:g} Hz are too close for {n_bands} bands: their "
            "band edges coincide in float64"
        )
    ramps = edges[:, None] - freqs[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights = _normalise(weights, edges, norm)
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
    """Mel filter bank, shape ``(n_mels, n_fft // 2 + 1)``, as :func:`librosa.filters.mel`."""
    return filterbank(sr=sr, n_fft=n_fft, n_bands=n_mels, fmin=fmin, fmax=fmax, scale="mel",
                      htk=htk, norm=norm, dtype=dtype, _name="n_mels", _stacklevel=3)


@dataclasses.dataclass(frozen=True)
class SparseFilterbank:
    """Per-band support of a filter matrix: band ``i`` has weights ``data[offset[i]:offset[i+1]]``
    on the bins ``start[i] : start[i] + (offset[i+1] - offset[i])``.

    Zeros outside each band's first and last non-zero weight are dropped; zeros inside are kept.
    """

    start: np.ndarray  # int64, (n_bands,)
    offset: np.ndarray  # int64, (n_bands + 1,)
    data: np.ndarray  # float, (nnz,)
    n_freq: int

    @classmethod
    def from_dense(cls, weights: np.ndarray) -> SparseFilterbank:
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
        return self.start.shape[0]

    @property
    def nnz(self) -> int:
        return int(self.offset[-1])

    def astype(self, dtype) -> SparseFilterbank:
        return dataclasses.replace(self, data=self.data.astype(dtype))

    def todense(self) -> np.ndarray:
        W = np.zeros((self.n_bands, self.n_freq), self.data.dtype)
        for i in range(self.n_bands):
            a, b = self.offset[i], self.offset[i + 1]
            W[i, self.start[i]:self.start[i] + (b - a)] = self.data[a:b]
        return W
