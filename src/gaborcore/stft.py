"""The stationary Gabor frame: short-time Fourier transform, its inverse, spectrograms.

Definitions (``n = n_fft``, ``a = hop_length``, ``w`` the window centred in ``n`` samples)::

    padded signal   x_p = pad(y, n // 2 on both sides, pad_mode)   if center else y
    frame t         x_p[t a : t a + n] * w
    X[..., m, t]  = sum_j x_p[t a + j] w[j] exp(-2 pi i m j / n)          ("timeinv", librosa)
    X[..., m, t]  = sum_s y[s] w(s - s_t) exp(-2 pi i m s / n)             ("freqinv", theory)

with ``s_t = t a - (n // 2 if center else 0)`` the first sample of frame t in the coordinates of
the unpadded signal.  The two conventions differ by the factor ``exp(-2 pi i m s_t / n)``.
"timeinv" (phase relative to each frame) is librosa's and the default; "freqinv" references the
phase to sample 0 of the signal, as LTFAT's ``dgt`` and the theory page (:doc:`/theory`) do.

The inverse divides the overlap-add of the windowed inverse FFTs by the exact frame-operator
diagonal ``sum_t w(p - t a)^2``: the canonical dual frame, so ``istft(stft(y)) == y`` wherever the
frames cover the signal (with ``center=True``: everywhere; otherwise the uncovered ends are 0).
"""

from __future__ import annotations

import numpy as np

from ._stft_frames import NUMPY_PAD_MODES as NUMPY_PAD_MODES  # importable from here, as before
from ._stft_frames import PAD_MODES as PAD_MODES
from ._stft_frames import PHASE_CONVENTIONS as PHASE_CONVENTIONS
from ._stft_gabor import dgt, idgt
from ._stft_plan import STFT, cached_plan

__all__ = ["STFT", "stft", "istft", "spectrogram", "dgt", "idgt"]

# One module per responsibility: _stft_plan (the STFT plan: parameters, shapes, kernels),
# _stft_forward and _stft_inverse (its transforms, which STFT inherits), _stft_frames (what they
# share: pad modes, threads, the phase factor, dtype= and out= checks) and _stft_gabor (dgt and
# idgt on the torus).  This module holds the functions that run a cached plan.


def stft(y, *, n_fft: int = 2048, hop_length: int | None = None, win_length: int | None = None,
         window="hann", center: bool = True, pad_mode: str = "constant",
         phase_convention: str = "timeinv", dtype=None, out=None, workers=None,
         backend=None) -> np.ndarray:
    """Short-time Fourier transform of ``y`` along its last axis.

    Same parameters, defaults and results as :func:`librosa.stft` (with the default
    ``phase_convention="timeinv"``), computed by the compiled kernels through a cached
    :class:`STFT` plan.  A centred signal shorter than ``n_fft`` warns and is transformed (as
    librosa); float16 input is computed in float32.

    Parameters
    ----------
    y : array_like, shape (..., n_samples)
        Real (float32 or float64) or complex signal; leading axes are batch and channels and are
        transformed independently.  Must be finite.
    n_fft : int, default 2048
        FFT length, any size >= 2 (not only powers of two).
    hop_length : int, optional
        Samples between successive frames; default ``win_length // 4``.
    win_length : int, optional
        Window length, at most ``n_fft``; the window is centred in ``n_fft`` samples.  Default
        ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window, as :func:`get_window` reads it (scipy's names, ``(name, parameter)`` tuples,
        a Kaiser beta, a callable, or the samples); periodic.
    center : bool, default True
        Pad ``n_fft // 2`` samples on each side, so that frame ``t`` is centred at sample
        ``t * hop_length``; otherwise frame ``t`` starts there.
    pad_mode : str or callable, default "constant"
        Padding when ``center`` is true: ``"constant"`` (zeros), ``"reflect"``, ``"wrap"``, any
        other mode of :func:`numpy.pad` (``"edge"``, ``"symmetric"``, ...) or a callable in
        :func:`numpy.pad`'s function form (see :class:`STFT`).
    phase_convention : {"timeinv", "freqinv"}, default "timeinv"
        Phase relative to each frame's first sample (librosa) or to sample 0 of the signal
        (LTFAT's ``dgt``); the moduli are the same.
    dtype : {complex64, complex128}, optional
        Precision of the result; default complex64 for float32 input, complex128 for float64.
        The transform runs in the higher of this and the input's precision.
    out : ndarray, optional
        Array to write the result to, of the result's shape and dtype, or longer along the last
        axis (then the result is the view ``out[..., :n_frames]``, as librosa).
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them (-1: all CPUs); default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., 1 + n_fft // 2, n_frames)
        Complex coefficients ``X[..., m, t]``: one-sided (``1 + n_fft // 2`` rows) for real
        input, all ``n_fft`` rows for complex input.  ``n_frames = 1 + n_samples // hop_length``
        when centred (even ``n_fft``; ``1 + (n_samples - 1) // hop_length`` for odd), else
        ``1 + (n_samples - n_fft) // hop_length``.

    Raises
    ------
    ParameterError
        If a parameter is out of range (see :class:`STFT`), ``y`` contains NaN or Inf or is so
        large that the sums would overflow, ``center=False`` and ``y`` is shorter than
        ``n_fft``, ``dtype`` is not complex, or ``out`` has the wrong shape or dtype.

    See Also
    --------
    istft : The inverse transform.
    spectrogram : ``|X| ** power`` without storing the complex coefficients.
    STFT : The reusable plan, with the definitions.
    dgt : The Gabor transform on the torus.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> X = gaborcore.stft(y, n_fft=512, hop_length=128)
    >>> X.shape, X.dtype
    ((257, 173), dtype('complex64'))
    >>> gaborcore.stft(y.astype(np.float64), n_fft=512, hop_length=128).dtype
    dtype('complex128')

    The moduli do not depend on the phase convention:

    >>> Xf = gaborcore.stft(y, n_fft=512, hop_length=128, phase_convention="freqinv")
    >>> bool(np.allclose(np.abs(Xf), np.abs(X)))
    True
    """
    return cached_plan(n_fft, hop_length, win_length, window, center, pad_mode,
                       phase_convention).stft(y, dtype=dtype, out=out, workers=workers,
                                              backend=backend)


def istft(stft_matrix, *, n_fft: int | None = None, hop_length: int | None = None,
          win_length: int | None = None, window="hann", center: bool = True,
          phase_convention: str = "timeinv", dtype=None, length: int | None = None, out=None,
          workers=None, backend=None) -> np.ndarray:
    """Inverse STFT: the signal whose :func:`stft` is ``stft_matrix``, as :func:`librosa.istft`.

    The overlap-add of the windowed inverse FFTs is divided by the frame-operator diagonal
    ``sum_t w(p - t hop_length)^2``: synthesis with the canonical dual window, so that
    ``istft(stft(y)) == y`` up to rounding wherever the frames cover the signal (everywhere when
    centred).  Samples that no window reaches (a hop longer than the window) cannot be recovered:
    they are returned as 0, with a warning.

    Parameters
    ----------
    stft_matrix : ndarray, shape (..., 1 + n_fft // 2, n_frames)
        The complex64 or complex128 one-sided coefficients, as :func:`stft` returns them.
    n_fft : int, optional
        FFT length of the analysis; default ``2 * (stft_matrix.shape[-2] - 1)`` (as librosa).
    hop_length : int, optional
        Hop of the analysis; default ``win_length // 4``.
    win_length : int, optional
        Window length of the analysis; default ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        Window of the analysis (see :func:`get_window`).
    center : bool, default True
        Whether the analysis centred the frames (then ``n_fft // 2`` samples are dropped at each
        end).
    phase_convention : {"timeinv", "freqinv"}, default "timeinv"
        Phase convention of the analysis.
    dtype : {float32, float64}, optional
        Precision of the result; default float32 for complex64 input, float64 for complex128.
    length : int, optional
        Length of the output, cut or zero-filled past the last frame (as librosa); default the
        longest signal the frames determine, ``n_fft + hop_length * (n_frames - 1)`` minus the
        padding.
    out : ndarray, optional
        Array of shape ``(..., length)`` and the result's dtype to write the result to.
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., length)
        The real signal.

    Raises
    ------
    ParameterError
        If ``stft_matrix`` is not a complex array of ``1 + n_fft // 2`` rows, contains NaN or
        Inf, a parameter is out of range, there are too few frames to determine a signal (pass
        ``length``), or ``out`` has the wrong shape or dtype.

    See Also
    --------
    stft : The forward transform.
    STFT.istft : The same through a reusable plan.
    dual_window : The canonical dual window of the periodic (painless) frame.

    Notes
    -----
    The frame operator of a finite, padded signal and its canonical dual are derived on the
    theory page, :doc:`/theory`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> X = gaborcore.stft(y, n_fft=512, hop_length=128)
    >>> y_hat = gaborcore.istft(X, hop_length=128, length=y.shape[-1])
    >>> y_hat.shape, y_hat.dtype
    ((22050,), dtype('float32'))
    >>> bool(np.allclose(y_hat, y, atol=1e-5))
    True
    """
    if n_fft is None:
        rows = getattr(stft_matrix, "shape", (0, 0))[-2] if np.ndim(stft_matrix) >= 2 else 0
        n_fft = 2 * (rows - 1)
    return cached_plan(n_fft, hop_length, win_length, window, center, "constant",
                       phase_convention).istft(stft_matrix, length=length, dtype=dtype, out=out,
                                               workers=workers, backend=backend)


def spectrogram(y, *, n_fft: int = 2048, hop_length: int | None = None,
                win_length: int | None = None, window="hann", center: bool = True,
                pad_mode: str = "constant", power: float = 2.0, out=None, workers=None,
                backend=None) -> np.ndarray:
    """Power (or magnitude) spectrogram ``|STFT|**power``, same precision as ``y``.

    The kernels square (and raise to ``power``) each block of frames as it is transformed: the
    complex STFT of the whole signal is never stored.  ``spectrogram(y, power=2)`` equals
    ``np.abs(stft(y)) ** 2`` up to rounding (librosa's ``power`` spectrogram).

    Parameters
    ----------
    y : ndarray, shape (..., n_samples)
        The float32 or float64 signal; leading axes are batch and channels.  Must be finite.
    n_fft : int, default 2048
        FFT length, any size >= 2 (not only powers of two).
    hop_length : int, optional
        Samples between successive frames; default ``win_length // 4``.
    win_length : int, optional
        Window length, at most ``n_fft``; the window is centred in ``n_fft`` samples.  Default
        ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window, as :func:`get_window` reads it (scipy's names, ``(name, parameter)`` tuples,
        a Kaiser beta, a callable, or the samples); periodic.
    center : bool, default True
        Pad ``n_fft // 2`` samples on each side, so that frame ``t`` is centred at sample
        ``t * hop_length``; otherwise frame ``t`` starts there.
    pad_mode : str or callable, default "constant"
        Padding when ``center`` is true (see :func:`stft`).
    power : float, default 2.0
        Exponent of the magnitude: 2 for energy, 1 for magnitude, any positive number.
    out : ndarray, optional
        Pre-allocated output of the right shape and dtype (see :meth:`STFT.output_shape`).
    workers : int, optional
        Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

    Returns
    -------
    ndarray, shape (..., 1 + n_fft // 2, n_frames)
        ``|X| ** power``, in the dtype of ``y``.

    Raises
    ------
    ParameterError
        If ``power`` is not positive, a parameter is out of range (see :class:`STFT`), ``y``
        contains NaN or Inf or is too large for ``|X| ** power`` to fit its dtype, or ``out``
        has the wrong shape or dtype.

    See Also
    --------
    stft : The complex coefficients.
    melspectrogram : The spectrogram projected on a filter bank, in one pass.
    power_to_db : Decibels of a power spectrogram.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> S = gaborcore.spectrogram(np.zeros(22050, np.float32), n_fft=512, hop_length=512)
    >>> S.shape, S.dtype
    ((257, 44), dtype('float32'))
    """
    return cached_plan(n_fft, hop_length, win_length, window, center, pad_mode).spectrogram(
        y, power=power, out=out, workers=workers, backend=backend
    )
