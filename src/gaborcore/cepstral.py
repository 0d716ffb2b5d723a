"""Cepstral features: MFCCs and their time derivatives (librosa's ``mfcc`` and ``delta``).

``mfcc`` is the DCT (:func:`scipy.fft.dct`, along the band axis) of a log-power mel spectrogram,
``C[..., q, t] = DCT(power_to_db(M))[..., q, t]`` for ``q < n_mfcc``, optionally liftered by
``1 + (L / 2) sin(pi (q + 1) / L)``.  ``delta`` is the local least-squares derivative of a
feature sequence, a Savitzky-Golay filter (:func:`scipy.signal.savgol_filter`).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validation
from ._validation import ParameterError
from .features import melspectrogram, power_to_db

__all__ = ["mfcc", "delta"]

_DCT_NORMS = (None, "ortho", "backward", "forward")


def mfcc(y=None, *, sr: float = 22050, S=None, n_mfcc: int = 20, dct_type: int = 2,
         norm: str | None = "ortho", lifter: float = 0, mel_norm="slaney",
         **kwargs) -> np.ndarray:
    """Mel-frequency cepstral coefficients, as :func:`librosa.feature.mfcc`.

    Parameters
    ----------
    y : ndarray, shape (..., n_samples), optional
        Signal; its log-power mel spectrogram is ``power_to_db(melspectrogram(y, sr=sr,
        norm=mel_norm, **kwargs))`` (every :func:`gaborcore.melspectrogram` argument works).
    sr : float
        Sampling rate of ``y`` in Hz.
    S : ndarray, shape (..., n_mels, n_frames), optional
        A log-power mel spectrogram given instead of ``y``.
    n_mfcc : int
        Number of coefficients kept (at most the number of bands).
    dct_type : {1, 2, 3, 4}
        DCT type of :func:`scipy.fft.dct` (2, the default, is the usual MFCC).
    norm : {"ortho", None, "backward", "forward"}
        DCT normalisation of :func:`scipy.fft.dct`.
    lifter : float
        Cepstral liftering ``L >= 0``; 0 disables it.
    mel_norm : {"slaney", None} or float
        The mel filters' normalisation (``norm`` of :func:`gaborcore.melspectrogram`).

    **kwargs
        Arguments of :func:`gaborcore.melspectrogram` (``n_fft``, ``hop_length``, ``n_mels``,
        ``fmin``, ``fmax``, ``htk``, ``backend``, ...), used with ``y``.

    Returns
    -------
    ndarray, shape (..., n_mfcc, n_frames)
        The coefficients, in the precision of the mel spectrogram.

    Raises
    ------
    ParameterError
        If both or neither of ``y`` and ``S`` are given, ``S`` is not a real array of at least
        two dimensions, ``n_mfcc`` exceeds the number of bands, ``dct_type``, ``norm`` or
        ``lifter`` is not one of the values above (``dct_type=1`` needs two bands), or a
        :func:`gaborcore.melspectrogram` argument is invalid.

    See Also
    --------
    melspectrogram : The mel spectrogram of ``y``.
    power_to_db : Its logarithm.
    delta : Time derivatives of the coefficients.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> gaborcore.mfcc(y, sr=22050, n_mfcc=13).shape
    (13, 44)
    """
    import scipy.fft

    n_mfcc = _validation.positive_int("n_mfcc", n_mfcc)
    if isinstance(dct_type, bool) or dct_type not in (1, 2, 3, 4):
        raise ParameterError(f"dct_type={dct_type!r} must be 1, 2, 3 or 4")
    if norm not in _DCT_NORMS:
        raise ParameterError(f"norm={norm!r} must be one of {list(_DCT_NORMS)}")
    if (isinstance(lifter, bool) or not isinstance(lifter, numbers.Real)
            or not 0 <= float(lifter) < np.inf):
        raise ParameterError(f"lifter={lifter!r} must be a non-negative number (0: none)")
    if S is None:
        if y is None:
            raise ParameterError("mfcc needs a signal y or a log-power mel spectrogram S")
        S = power_to_db(melspectrogram(y, sr=sr, norm=mel_norm, **kwargs))
    else:
        if y is not None:
            raise ParameterError("give either y or S, not both")
        S = np.asarray(S)
        if S.dtype.kind not in "fiu" or S.ndim < 2:
            raise ParameterError(
                f"S must be a real array (..., n_mels, n_frames); got dtype {S.dtype}, shape "
                f"{S.shape}"
            )
    if n_mfcc > S.shape[-2]:
        raise ParameterError(f"n_mfcc={n_mfcc} exceeds the {S.shape[-2]} mel bands of S")
    if dct_type == 1 and S.shape[-2] < 2:
        raise ParameterError("dct_type=1 needs at least 2 mel bands")
    M = scipy.fft.dct(S, type=dct_type, norm=norm, axis=-2)[..., :n_mfcc, :]
    if lifter > 0:
        q = np.arange(1, n_mfcc + 1, dtype=M.dtype)
        M *= (1 + (float(lifter) / 2) * np.sin(np.pi * q / float(lifter)))[:, None]
    return M


def delta(data, *, width: int = 9, order: int = 1, axis: int = -1, mode: str = "interp",
          **kwargs) -> np.ndarray:
    """Local derivative of order ``order`` of ``data`` along ``axis``, as librosa's ``delta``.

    :func:`librosa.feature.delta`'s computation: a Savitzky-Golay filter of window ``width`` and
    polynomial order ``order`` (:func:`scipy.signal.savgol_filter`, whose other arguments
    ``kwargs`` go to).

    Parameters
    ----------
    data : array_like
        Real features, e.g. MFCCs ``(..., n_mfcc, n_frames)``.
    width : int
        Odd window length ``>= 3``; with ``mode="interp"`` at most ``data.shape[axis]``.
    order : int
        Derivative order ``>= 1`` (also the polynomial order unless ``polyorder`` is given).
    axis : int
        The axis along which to differentiate (default: the last, frames).
    mode : {"interp", "mirror", "constant", "nearest", "wrap"}
        Edge handling of :func:`scipy.signal.savgol_filter`.
    **kwargs
        Further arguments of :func:`scipy.signal.savgol_filter` (``polyorder``, ``cval``).

    Returns
    -------
    ndarray
        The derivative, of the shape and precision of ``data``.

    Raises
    ------
    ParameterError
        If ``data`` is not real, ``axis`` is out of range, ``width`` is not an odd integer
        ``>= 3`` (or exceeds the data's length with ``mode="interp"``), ``order`` is not a
        positive integer, ``mode`` is unknown, or ``polyorder`` is not in
        ``[order, width)``.

    See Also
    --------
    mfcc : The usual input.
    scipy.signal.savgol_filter : The filter.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.delta(np.arange(10.0), width=3)
    array([1., 1., 1., 1., 1., 1., 1., 1., 1., 1.])
    """
    import scipy.signal

    data = np.atleast_1d(np.asarray(data))
    if data.dtype.kind not in "fiu":
        raise ParameterError(f"data must be real numbers, got dtype {data.dtype}")
    if not -data.ndim <= axis < data.ndim:
        raise ParameterError(f"axis={axis} is out of range for data of shape {data.shape}")
    if (isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 3
            or width % 2 != 1):
        raise ParameterError(f"width={width!r} must be an odd integer >= 3")
    if mode == "interp" and width > data.shape[axis]:
        raise ParameterError(
            f"width={width} cannot exceed data.shape[axis]={data.shape[axis]} when "
            "mode='interp' (use a smaller width or another mode)"
        )
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1:
        raise ParameterError(f"order={order!r} must be a positive integer")
    modes = ("interp", "mirror", "constant", "nearest", "wrap")
    if mode not in modes:
        raise ParameterError(f"mode={mode!r} is not one of {list(modes)}")
    kwargs.pop("deriv", None)
    polyorder = kwargs.pop("polyorder", order)
    if isinstance(polyorder, bool) or not isinstance(polyorder, numbers.Integral) or not (
            order <= polyorder < width):
        raise ParameterError(
            f"polyorder={polyorder!r} must be an integer with order={order} <= polyorder < "
            f"width={width}"
        )
    return scipy.signal.savgol_filter(data, int(width), int(polyorder), deriv=int(order),
                                      axis=axis, mode=mode, **kwargs)
