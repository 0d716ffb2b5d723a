"""Mel (and other filter-bank) spectrograms with a fused kernel; decibel and log compression.

``MelSpectrogram`` computes ``M[..., b, t] = sum_k W[b, k] |X[..., k, t]|**power`` (Eq. (2) of the
paper: ``MS(n, nu) = sum_k S0(n, k) Lambda_nu(k)``), where ``X`` is the STFT of :mod:`gaborcore.stft`
and ``W`` a filter bank of :mod:`gaborcore.filterbanks`.  The kernels window, transform, square and
project one block of frames at a time, so no full-size spectrogram is ever written to memory.
"""

from __future__ import annotations

import numpy as np

from . import _validation
from ._cache import plan_cache
from ._features_db import amplitude_to_db, db_to_amplitude, db_to_power, log1p_compress, power_to_db
from ._features_mel import MelSpectrogram
from ._validation import ParameterError
from .filterbanks import design_filterbank
from .windows import window_cache_key

__all__ = [
    "MelSpectrogram",
    "melspectrogram",
    "power_to_db",
    "amplitude_to_db",
    "db_to_power",
    "db_to_amplitude",
    "log1p_compress",
]

# One module per responsibility: _features_mel (the MelSpectrogram plan), _features_db (decibels
# and log compression).  This module holds melspectrogram, which runs a cached plan.


def melspectrogram(y=None, *, sr: float = 22050, S=None, n_fft: int = 2048,
                   hop_length: int | None = 512, win_length: int | None = None, window="hann",
                   center: bool = True, pad_mode: str = "constant", power: float = 2.0,
                   n_mels: int = 128, fmin: float = 0.0, fmax: float | None = None,
                   htk: bool = False, norm="slaney", scale: str = "mel", mel_basis=None,
                   dtype=None, out=None, workers=None, backend=None) -> np.ndarray:
    """Mel spectrogram, as :func:`librosa.feature.melspectrogram` for the same arguments.

    Either a signal ``y`` (fused kernel, through a cached plan) or a precomputed spectrogram
    ``S`` of shape ``(..., n_fft // 2 + 1, n_frames)`` (then only the projection is applied;
    as librosa, ``n_fft`` is used when ``n_fft // 2 + 1`` matches the rows of ``S``, and
    ``2 * (rows - 1)`` otherwise).

    ``dtype`` is librosa's filter-bank precision: the result has the higher of it and the
    input's precision (default: the input's; librosa's default float32 filter bank makes its
    float64 results round the weights to float32, gaborcore's do not).  float16 input is
    computed in float32.

    Parameters
    ----------
    y : ndarray, shape (..., n_samples), optional
        The float32 or float64 signal; leading axes are batch and channels.  Give ``y`` or ``S``.
    sr : float, default 22050
        Sampling rate in Hz.
    S : ndarray, shape (..., n_fft // 2 + 1, n_frames), optional
        A precomputed (power) spectrogram, projected on the filters as it is.
    n_fft : int, default 2048
        FFT length.
    hop_length : int, default 512
        Samples between frames (librosa's default; None: ``win_length // 4``).
    win_length : int, optional
        Window length, at most ``n_fft``; default ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window (see :func:`get_window`).
    center : bool, default True
        Centre frame ``t`` at sample ``t * hop_length`` (pad ``n_fft // 2`` on each side).
    pad_mode : str or callable, default "constant"
        Padding when centred (see :func:`stft`).
    power : float, default 2.0
        Exponent of the magnitude: 2 for energy, 1 for magnitude, any positive number.
    n_mels : int, default 128
        Number of bands.
    fmin : float, default 0.0
        Lowest frequency of the filters, Hz.
    fmax : float, optional
        Highest frequency, Hz; default ``sr / 2``.
    htk : bool, default False
        HTK's mel formula instead of Slaney's.
    norm : {"slaney", None} or float, default "slaney"
        Normalisation of the filters (see :func:`filterbank`).
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        Frequency scale of the triangular filters; ``"mel"`` gives librosa's.
    mel_basis : array_like, shape (n_bands, n_fft // 2 + 1), optional
        A filter matrix to use instead of the designed one.
    dtype : {float32, float64}, optional
        Precision of the filters; the result has the higher of it and the input's precision.
    out : ndarray, optional
        Array of the result's shape and dtype to write it to.
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., n_mels, n_frames)
        The mel spectrogram, in the precision of the input (or of ``dtype`` if higher).

    Raises
    ------
    ParameterError
        If both or neither of ``y`` and ``S`` are given, ``S`` is not at least 2-D or
        ``mel_basis`` does not match its rows, a parameter is out of range (see
        :class:`MelSpectrogram`), the signal contains NaN or Inf, or ``out`` does not fit.

    See Also
    --------
    MelSpectrogram : The reusable plan.
    spectrogram : The spectrogram without the projection.
    mfcc : Cepstral coefficients of the log mel spectrogram.
    power_to_db : Decibels of the result.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> M = gaborcore.melspectrogram(y, sr=22050, n_mels=64)
    >>> M.shape, M.dtype
    ((64, 44), dtype('float32'))

    From a precomputed power spectrogram, the same numbers:

    >>> S = gaborcore.spectrogram(y, n_fft=2048, hop_length=512)
    >>> bool(np.allclose(gaborcore.melspectrogram(S=S, sr=22050, n_mels=64), M, rtol=1e-4))
    True
    """
    if dtype is not None:
        dtype = _validation.float_dtype("dtype", dtype)
    if S is not None:
        if y is not None:
            raise ParameterError("give either y or S, not both")
        if isinstance(S, np.ndarray) and S.dtype == np.float16:
            S = S.astype(np.float32)
        S = _validation.signal("S", S, min_length=1)
        if S.ndim < 2:
            raise ParameterError(f"S has shape {S.shape}; expected (..., n_freq, n_frames)")
        rows = S.shape[-2]
        n_fft_s = (n_fft if _validation.positive_int("n_fft", n_fft) // 2 + 1 == rows
                   else 2 * (rows - 1))
        W = (np.asarray(mel_basis, np.float64) if mel_basis is not None else
             design_filterbank(sr=sr, n_fft=n_fft_s, n_bands=n_mels, fmin=fmin, fmax=fmax,
                               htk=htk, norm=norm, scale=scale, dtype=np.float64,
                               bands_argument="n_mels"))
        if W.ndim != 2 or W.shape[1] != rows:
            raise ParameterError(f"mel_basis has shape {W.shape}; S has {rows} bins")
        rdt = S.dtype if dtype is None else np.promote_types(S.dtype, dtype)
        if out is None:
            return np.matmul(W.astype(rdt), S.astype(rdt, copy=False))
        shape = S.shape[:-2] + (W.shape[0], S.shape[-1])
        out = _validation.out_array("out", out, shape, rdt)
        return np.matmul(W.astype(rdt), S.astype(rdt, copy=False), out=out)
    if y is None:
        raise ParameterError("melspectrogram needs a signal y or a spectrogram S")
    if isinstance(y, np.ndarray) and dtype is not None and np.promote_types(y.dtype, dtype) != y.dtype:
        y = y.astype(np.promote_types(y.dtype, dtype))
    plan = _cached_plan(sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                        window=window, center=center, pad_mode=pad_mode, power=power,
                        n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, scale=scale,
                        mel_basis=mel_basis)
    return plan(y, out=out, workers=workers, backend=backend)


def _cached_plan(**params) -> MelSpectrogram:
    basis = params.pop("mel_basis")
    window = params["window"]
    # windows by value (names, tuples, callables) or by dtype, shape and bytes (samples)
    key = ("mel", *sorted((k, v) for k, v in params.items() if k != "window"),
           window_cache_key(window),
           None if basis is None else (np.asarray(basis).shape, np.asarray(basis).tobytes()))
    return plan_cache.get_or_create(key, lambda: MelSpectrogram(mel_basis=basis, **params))
