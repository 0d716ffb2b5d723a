"""Constant-Q magnitudes on a hop grid, from the NSGT's band filters (librosa.cqt's layout)."""

from __future__ import annotations

import warnings

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._plan import NSGT
from ._scales import nsgt_frequencies

__all__ = ["cqt"]


def cqt(y, *, sr: float = 22050, hop_length: int = 512, fmin: float = 32.70319566257483,
        n_bins: int = 84, bins_per_octave: int = 12, gamma: float = 0.0, window: str = "hann",
        power: float = 1.0, workers=None, backend=None) -> np.ndarray:
    """Constant-Q (or variable-Q) magnitudes ``|C|**power`` on a grid of ``hop_length`` samples.

    ``C[k, n]`` is the output of the NSGT's band filter ``k`` (docs/theory.rst: the window
    ``G_k`` on the DFT grid, centre ``xi_k = fmin 2^(k / B)``, bandwidth ``xi_k / Q + gamma``)
    at sample ``n * hop_length`` of the signal::

        C[k, n] = sum_j F[j] conj(G_k[j]) exp(2 pi i j n hop / L')

    where ``F`` is the DFT of the signal zero-padded to ``L'`` (a multiple of ``hop_length``, with
    room for the longest filter, so no output wraps around).  This is the NSGT with
    ``M_k = L' / hop_length`` coefficients in every band (identity I13: coefficients are
    subsampled filter outputs); where a band is wider than that, its spectrum is folded, so ``C``
    holds exact
    samples of the filter output (aliased in time, as any CQT on a fixed hop is), not an
    invertible frame.  For an invertible transform use :class:`NSGT` or :class:`SlicedNSGT`.

    Frame ``n`` is centred at sample ``n * hop_length`` and there are ``1 + len // hop_length``
    frames, as ``librosa.cqt`` (centre padding with zeros).  Scaling: a sinusoid of amplitude
    ``a`` at a band's centre frequency gives ``|C| = a L' / 2`` there (the window's peak is 1 and
    the DFT is unnormalised), so ``C * 2 / L'`` reads in signal amplitude; the measured relation
    to ``librosa.cqt`` is on the NSGT docs page.

    Parameters
    ----------
    y : array_like, shape (..., n_samples)
        float32 or float64 signal; leading axes are batch and channels.
    sr : float
        Sampling rate in Hz.
    hop_length : int
        Samples between frames.
    fmin, n_bins, bins_per_octave, gamma
        Centres ``fmin 2^(k / bins_per_octave)``, ``k < n_bins``, all below ``sr / 2``;
        ``gamma > 0`` gives the variable-Q bandwidths of :func:`nsgt_frequencies`.
    window : {"hann", "blackmanharris", "gaussian"}
        Window shape in frequency.
    power : float
        Exponent of the magnitude (1: magnitude, 2: power).
    workers, backend
        Threads and backend, as everywhere.

    Returns
    -------
    C : ndarray, shape (..., n_bins, 1 + n_samples // hop_length)
        Same precision as ``y``.

    Raises
    ------
    ParameterError
        ``n_bins`` bands from ``fmin`` that would pass Nyquist; an empty or non-finite ``y``, or
        a ``sr``, ``hop_length``, ``power`` or scale parameter out of range.

    See Also
    --------
    NSGT : the invertible transform whose band filters these are.
    SlicedNSGT.forward : invertible constant-Q coefficients of long signals and streams.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> C = gaborcore.cqt(np.cos(2 * np.pi * 440.0 * t), sr=sr, fmin=110.0, n_bins=36)
    >>> C.shape
    (36, 44)
    >>> int(C[:, 10:30].mean(axis=1).argmax())  # 440 Hz is two octaves above fmin
    24
    """
    y = _validation.signal("y", y, min_length=1)
    sr = _validation.sample_rate("sr", sr)
    hop = _validation.positive_int("hop_length", hop_length, maximum=_validation.MAX_INDEX)
    power = _validation.positive_float("power", power)
    scale = "vqt" if gamma else "cqt"
    with warnings.catch_warnings():  # bands beyond Nyquist: refused below, not dropped
        warnings.simplefilter("ignore", UserWarning)
        xi, bw = nsgt_frequencies(sr=sr, scale=scale, fmin=fmin, n_bins=n_bins,
                                  bins_per_octave=bins_per_octave, gamma=gamma)
    if len(xi) != n_bins:
        raise ParameterError(f"n_bins={n_bins} bands from fmin={fmin} Hz at {bins_per_octave} "
                             f"per octave reach the Nyquist frequency {sr / 2} Hz; at most "
                             f"{len(xi)} fit")
    n = y.shape[-1]
    n_frames = 1 + n // hop
    # zeros after the signal for the longest filter (a Hann spectrum of width b Hz has an impulse
    # response whose main lobe is 2/b s long and whose tails fall as 1/t^3): the outputs near
    # both ends wrap around by less than 1e-3 of their size
    reach = int(np.ceil(4 * sr / bw.min()))
    length = hop * -(-(n + hop + reach) // hop)
    plan = NSGT.cached(length=length, sr=sr, scale=scale, fmin=float(fmin), n_bins=int(n_bins),
                       bins_per_octave=int(bins_per_octave), gamma=float(gamma),
                       window=window, layout="full", M=length // hop, painless=False,
                       min_win=1)
    padded = np.zeros(y.shape[:-1] + (length,), y.dtype)
    padded[..., :n] = y
    data = plan.forward(padded, workers=workers, backend=backend).data
    # the full layout stores the scale bands first, each with length // hop coefficients
    m = length // hop
    c = data[..., :n_bins * m].reshape(y.shape[:-1] + (n_bins, m))
    S = np.abs(c[..., :n_frames])
    if power != 1:
        S **= power
    return S
