"""The mel-spectrogram plan: an STFT plan, a sparse filter bank and the fused kernel.

``M[..., b, t] = sum_k W[b, k] |X[..., k, t]|**power`` with ``X`` the STFT of
:mod:`gaborcore.stft` and ``W`` a filter bank of :mod:`gaborcore.filterbanks`, computed block by
block by :meth:`STFT.filterbank_spectrogram <gaborcore.STFT.filterbank_spectrogram>`.
"""

from __future__ import annotations

import threading

import numpy as np

from . import _validation
from ._validation import ParameterError
from .filterbanks import SparseFilterbank, design_filterbank
from .stft import STFT


class MelSpectrogram:
    """A reusable mel-spectrogram plan (STFT plan + sparse filter bank + compiled kernels).

    Parameters
    ----------
    sr : float, default 22050
        Sampling rate in Hz.
    n_fft : int, default 2048
        FFT length, as for :class:`gaborcore.STFT`.
    hop_length : int, optional
        Samples between frames; default ``win_length // 4`` (the function
        :func:`melspectrogram` defaults to librosa's 512).
    win_length : int, optional
        Window length, at most ``n_fft``; default ``n_fft``.
    window : str, tuple, float, callable or array_like, default "hann"
        The window (see :func:`gaborcore.get_window`).
    center : bool, default True
        Centre frame ``t`` at sample ``t * hop_length``.
    pad_mode : str or callable, default "constant"
        Padding when centred (see :class:`gaborcore.STFT`).
    power : float, default 2.0
        Exponent of the magnitude: 2 (energy, default) or 1 (magnitude), or any positive number.
    n_mels : int, default 128
        Number of bands.
    fmin : float, default 0.0
        Lowest frequency of the filters, Hz.
    fmax : float, optional
        Highest frequency, Hz; default ``sr / 2``.
    htk : bool, default False
        HTK mel formula instead of Slaney's.
    norm : {"slaney", None} or float, default "slaney"
        Filter normalisation (see :func:`gaborcore.filterbank`).
    scale : {"mel", "bark", "erb", "log", "linear"}, default "mel"
        Frequency scale of the triangular filters (``"mel"`` gives librosa's mel filters).
    mel_basis : array_like, shape (n_bands, n_fft // 2 + 1), optional
        Any filter matrix given by the user; replaces the designed one.

    Raises
    ------
    ParameterError
        If ``sr`` or ``power`` is not positive, an STFT parameter is out of range (see
        :class:`gaborcore.STFT`), the band parameters cannot make a filter bank (see
        :func:`gaborcore.filterbank`), or ``mel_basis`` does not have ``n_fft // 2 + 1`` columns.

    Warns
    -----
    EmptyFilterWarning
        When a designed band covers no STFT bin (it always outputs zero).

    See Also
    --------
    melspectrogram : The same through a cached plan, or from a precomputed spectrogram.
    filterbank : The filters.
    STFT : The underlying STFT plan (the attribute ``stft``).
    power_to_db : Decibels of the result.

    Notes
    -----
    ``M[..., b, t] = sum_k W[b, k] |X[..., k, t]| ** power``, the mel spectrogram of
    :doc:`/theory` (Eq. (2) of the paper), computed block by block: the kernels window,
    transform, square and project a block of frames at a time, so no full spectrogram is
    stored.  The plan is called as ``plan(y, out=None, workers=None, backend=None)``; its
    ``filters`` property is the dense filter matrix.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.MelSpectrogram(sr=22050, n_fft=2048, hop_length=512, n_mels=128)
    >>> M = plan(np.zeros((4, 66150), np.float32))
    >>> M.shape, M.dtype
    ((4, 128, 130), dtype('float32'))
    """

    def __init__(self, *, sr: float = 22050, n_fft: int = 2048, hop_length: int | None = None,
                 win_length: int | None = None, window="hann", center: bool = True,
                 pad_mode: str = "constant", power: float = 2.0, n_mels: int = 128,
                 fmin: float = 0.0, fmax: float | None = None, htk: bool = False,
                 norm="slaney", scale: str = "mel", mel_basis=None):
        sr = _validation.sample_rate("sr", sr)
        self.stft = STFT.cached(n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                                window=window, center=center, pad_mode=pad_mode)
        self.sr = sr
        self.power = _validation.positive_float("power", power)
        if mel_basis is None:
            weights = design_filterbank(sr=sr, n_fft=n_fft, n_bands=n_mels, fmin=fmin,
                                        fmax=fmax, scale=scale, htk=htk, norm=norm,
                                        dtype=np.float64, bands_argument="n_mels")
        else:
            weights = np.asarray(mel_basis)
            if weights.ndim != 2 or weights.shape[1] != self.stft.n_freq:
                raise ParameterError(
                    f"mel_basis has shape {weights.shape}; expected (n_bands, "
                    f"{self.stft.n_freq}) for n_fft={self.stft.n_fft}"
                )
            weights = weights.astype(np.float64)
        self.sparse = SparseFilterbank.from_dense(weights)
        self.n_mels = self.sparse.n_bands
        self._lock = threading.Lock()
        self._cast: dict = {}

    def __repr__(self) -> str:
        return f"MelSpectrogram(sr={self.sr:g}, n_mels={self.n_mels}, power={self.power}, {self.stft!r})"

    @property
    def filters(self) -> np.ndarray:
        """The dense filter matrix ``(n_mels, n_fft // 2 + 1)`` in float64.

        Returns
        -------
        ndarray of float64, shape (n_mels, n_fft // 2 + 1)
            The filters the plan projects on (a new array on each access).

        See Also
        --------
        gaborcore.mel : The same mel filters, designed directly.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=40)
        >>> plan.filters.shape
        (40, 257)
        """
        return self.sparse.todense()

    def output_shape(self, input_shape: tuple) -> tuple:
        """Shape of the mel spectrogram of a signal of shape ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the signal, ``(..., n_samples)``.

        Returns
        -------
        tuple of int
            ``(..., n_mels, n_frames)``.

        Raises
        ------
        ParameterError
            If the signal is shorter than the STFT plan's ``min_length``.

        See Also
        --------
        STFT.output_shape : The spectrogram's shape.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=40)
        >>> plan.output_shape((8, 16000))
        (8, 40, 101)
        """
        input_shape = tuple(input_shape)
        return input_shape[:-1] + (self.n_mels, self.stft.n_frames(input_shape[-1]))

    def _fb(self, dtype: np.dtype) -> SparseFilterbank:
        with self._lock:
            fb = self._cast.get(dtype.str)
            if fb is None:
                fb = self._cast[dtype.str] = self.sparse.astype(dtype)
        return fb

    def __call__(self, y, *, out=None, workers=None, backend=None,
                 check_finite: bool = True) -> np.ndarray:
        """Mel spectrogram of ``y[..., n]``: shape ``(..., n_mels, n_frames)``, same dtype.

        ``check_finite=False`` skips the pass that refuses NaN and Inf (signals known to be
        finite, such as decoded PCM audio).  ``plan.transform(y)`` is the same call.

        Parameters
        ----------
        y : array_like, shape (..., n_samples)
            The float32 or float64 signal; leading axes are batch and channels.
        out : ndarray, optional
            Array of the result's shape and dtype to write it to.
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`gaborcore.get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`gaborcore.set_backend` context.
        check_finite : bool, default True
            Refuse NaN and Inf in ``y`` (one pass over it).

        Returns
        -------
        ndarray, shape (..., n_mels, n_frames)
            The mel spectrogram, in the dtype of ``y``.

        Raises
        ------
        ParameterError
            If ``y`` is not finite (with ``check_finite``), too short or too large for its
            dtype, or ``out`` does not fit.

        See Also
        --------
        gaborcore.melspectrogram : The same through a cached plan.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=40)
        >>> y = np.random.default_rng(0).standard_normal((2, 16000)).astype(np.float32)
        >>> M = plan(y)
        >>> M.shape, M.dtype
        ((2, 40, 101), dtype('float32'))
        >>> bool(np.array_equal(plan.transform(y), M))
        True
        """
        return self._apply(y, out, workers, backend, check_finite=check_finite)

    def _apply(self, y, out, workers, backend, check_finite=True) -> np.ndarray:
        """:meth:`__call__`; ``check_finite=False`` for a caller whose signals are known to be
        finite (the extraction job's decoded clips), which spares a pass over them."""
        y = np.asarray(y) if not isinstance(y, np.ndarray) else y
        fb = self._fb(np.dtype(np.float64 if y.dtype == np.float64 else np.float32)
                      if y.dtype.kind == "f" else np.dtype(np.float64))
        return self.stft.filterbank_spectrogram(y, fb, power=self.power, out=out,
                                                workers=workers, backend=backend,
                                                check_finite=check_finite)

    transform = __call__
