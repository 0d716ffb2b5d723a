"""Mel (and other filter-bank) spectrograms with a fused kernel; decibel and log compression.

``MelSpectrogram`` computes ``M[..., b, t] = sum_k W[b, k] |X[..., k, t]|**power`` (Eq. (2) of the
paper: ``MS(n, nu) = sum_k S0(n, k) Lambda_nu(k)``), where ``X`` is the STFT of :mod:`gaborcore.stft`
and ``W`` a filter bank of :mod:`gaborcore.filterbanks`.  The kernels window, transform, square and
project one block of frames at a time, so no full-size spectrogram is ever written to memory.
"""

from __future__ import annotations

import threading

import numpy as np

from . import _validation
from ._cache import plan_cache
from ._validation import ParameterError
from ._warn import warn
from .filterbanks import SparseFilterbank, filterbank
from .stft import STFT
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
            weights = filterbank(sr=sr, n_fft=n_fft, n_bands=n_mels, fmin=fmin, fmax=fmax,
                                 scale=scale, htk=htk, norm=norm, dtype=np.float64,
                                 _name="n_mels", _stacklevel=3)
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
             filterbank(sr=sr, n_fft=n_fft_s, n_bands=n_mels, fmin=fmin, fmax=fmax, htk=htk,
                        norm=norm, scale=scale, dtype=np.float64, _name="n_mels"))
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


def _spectrum(S, caller: str | None = None, fix: str = "") -> np.ndarray:
    S = np.asarray(S)
    if S.dtype.kind not in "biufc":
        raise ParameterError(f"S has dtype {S.dtype}; a real or complex spectrogram is required")
    if S.dtype.kind == "c":
        if caller is not None:  # librosa's warning, in its words
            warn(f"{caller} was called on complex input so phase information will be "
                 f"discarded. To suppress this warning, call {caller}({fix}) instead.")
        S = np.abs(S)
    if S.dtype.kind not in "f":
        S = S.astype(np.float64)
    elif S.dtype == np.float16:
        S = S.astype(np.float32)  # half precision is computed in single precision (amin, logs)
    return S


def _ref_value(ref, S) -> float:
    """``|ref|`` or ``|ref(S)|``: one finite real number (a string, None or NaN is refused)."""
    if callable(ref) and S.size == 0:
        return 1.0  # nothing to scale (np.max of an empty array would raise)
    value = ref(S) if callable(ref) else ref
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise ParameterError(f"ref={ref!r} must be a number or a function of S returning one")
    return float(np.abs(_validation.real_values("ref", value)))


def power_to_db(S, *, ref=1.0, amin: float = 1e-10, top_db: float | None = 80.0) -> np.ndarray:
    """``10 log10(max(S, amin) / max(ref, amin))``, clipped to ``top_db`` below the maximum.

    librosa's semantics: ``ref`` may be a number or a function of ``S`` (e.g. ``np.max``); the
    ``top_db`` floor is taken relative to the maximum of the whole array.  Keeps float32.
    Complex input warns (as librosa) and is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A power spectrogram (values >= 0).
    ref : float or callable, default 1.0
        The power that maps to 0 dB, or a function of ``S`` returning it (``np.max``: the
        maximum is 0 dB).  Its absolute value is used.
    amin : float, default 1e-10
        Smallest power: ``S`` and ``ref`` are raised to at least ``amin`` before the logarithm.
    top_db : float or None, default 80.0
        Floor, in dB below the maximum of the result; None for no floor.

    Returns
    -------
    ndarray
        ``S`` in decibels, same shape and floating-point dtype (integers give float64).

    Raises
    ------
    ParameterError
        If ``S`` is not numeric, ``amin`` is not positive, ``top_db`` is negative or not a
        number, or ``ref`` is not (or does not return) one finite number.

    See Also
    --------
    db_to_power : The inverse (without the clipping).
    amplitude_to_db : The same for magnitudes (``20 log10``).
    log1p_compress : A logarithmic compression without a floor.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> S = np.array([1.0, 10.0, 100.0, 1e-12])
    >>> gaborcore.power_to_db(S)  # the last is floored at 80 dB below the maximum
    array([  0.,  10.,  20., -60.])
    >>> gaborcore.power_to_db(S[:3], ref=np.max)
    array([-20., -10.,   0.])
    """
    S = _spectrum(S, "power_to_db", "np.abs(D)**2")
    amin = _validation.positive_float("amin", amin)
    if top_db is not None:
        if isinstance(top_db, bool) or np.ndim(top_db) != 0:
            raise ParameterError(f"top_db={top_db!r} must be a non-negative number or None")
        top_db = float(_validation.real_values("top_db", top_db, nonnegative=True))
    ref_value = _ref_value(ref, S)
    dt = S.dtype
    log_spec = 10.0 * np.log10(np.maximum(S, dt.type(amin)))
    # the reference's logarithm in S's precision, as librosa: the maximum of S with ref=np.max
    # is then exactly 0 dB
    log_spec -= dt.type(10.0) * np.log10(np.maximum(dt.type(amin), dt.type(ref_value)))
    if top_db is not None and log_spec.size:
        log_spec = np.maximum(log_spec, log_spec.max() - dt.type(top_db))
    return log_spec.astype(dt, copy=False)


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db: float | None = 80.0) -> np.ndarray:
    """``20 log10(|S| / ref)`` with the same ``amin`` / ``top_db`` handling as librosa.

    Computed as ``power_to_db(S ** 2, ref=ref ** 2, amin=amin ** 2, top_db=top_db)``; float32
    squares that would overflow are taken in float64 (the result stays float32).  Complex input
    warns (as librosa) and is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A magnitude spectrogram.
    ref : float or callable, default 1.0
        The magnitude that maps to 0 dB, or a function of ``|S|`` returning it.
    amin : float, default 1e-5
        Smallest magnitude considered.
    top_db : float or None, default 80.0
        Floor, in dB below the maximum of the result; None for no floor.

    Returns
    -------
    ndarray
        ``|S|`` in decibels, same shape and floating-point dtype (integers give float64).

    Raises
    ------
    ParameterError
        As :func:`power_to_db`, and when ``S``, ``ref`` or ``amin`` exceeds 1e150 (its square
        would overflow float64).

    See Also
    --------
    db_to_amplitude : The inverse (without the clipping).
    power_to_db : The same for powers (``10 log10``).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.amplitude_to_db(np.array([1.0, 10.0, 0.1]))
    array([  0.,  20., -20.])
    """
    S = _spectrum(S, "amplitude_to_db", "np.abs(S)")
    ref_value = _ref_value(ref, S)
    amin = _validation.positive_float("amin", amin)
    s_max = _validation.absmax(S)  # NaN where S holds NaN: power_to_db reports that
    big = max(ref_value, amin, s_max if s_max == s_max else 0.0)
    if big > 1e150:
        raise ParameterError(f"S or ref: {big:g} is too large: its square (a power) would overflow "
                             "float64 (amplitudes up to 1e150 are supported)")
    if big ** 2 < np.finfo(S.dtype).max / 4:  # librosa's computation, in S's precision
        return power_to_db(np.square(S), ref=ref_value**2, amin=amin**2, top_db=top_db)
    # the squares overflow float32: take them in float64, return float32
    return power_to_db(np.square(S, dtype=np.float64), ref=ref_value**2, amin=amin**2,
                       top_db=top_db).astype(S.dtype)


def db_to_power(S_db, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`power_to_db` (without the clipping): ``ref * 10 ** (S_db / 10)``.

    Values beyond the range of the dtype give inf (float32 overflows above about 385 dB).

    Parameters
    ----------
    S_db : array_like
        Decibels (real numbers).
    ref : float, default 1.0
        The power of 0 dB.

    Returns
    -------
    ndarray
        The powers, same shape; float32 stays float32.

    Raises
    ------
    ParameterError
        If ``S_db`` is not real or ``ref`` is not a finite number.

    See Also
    --------
    power_to_db : The forward conversion.
    db_to_amplitude : The same for magnitudes.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.db_to_power(np.array([0.0, 10.0, 20.0]))
    array([  1.,  10., 100.])
    """
    S_db = np.asarray(S_db)
    if S_db.dtype.kind not in "biuf":
        raise ParameterError(f"S_db has dtype {S_db.dtype}; real numbers (decibels) are required")
    ref = float(_validation.real_values("ref", ref))
    with np.errstate(over="ignore"):
        return ref * np.power(S_db.dtype.type(10.0), S_db / 10)


def db_to_amplitude(S_db, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`amplitude_to_db` (without the clipping): ``ref * 10 ** (S_db / 20)``.

    Parameters
    ----------
    S_db : array_like
        Decibels (real numbers).
    ref : float, default 1.0
        The magnitude of 0 dB.

    Returns
    -------
    ndarray
        The magnitudes, same shape; float32 stays float32.

    Raises
    ------
    ParameterError
        If ``S_db`` is not real or ``ref`` is not a finite number.

    See Also
    --------
    amplitude_to_db : The forward conversion.
    db_to_power : The same for powers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.db_to_amplitude(np.array([0.0, 20.0, -20.0]))
    array([ 1. , 10. ,  0.1])
    """
    return db_to_power(S_db, ref=ref**2) ** 0.5


def log1p_compress(S, *, gain: float = 1.0) -> np.ndarray:
    """Logarithmic compression ``log(1 + gain * S)``, common for CNN inputs; keeps float32.

    ``S`` is a power or magnitude spectrogram: negative values (``log1p`` of ``gain * S < -1``
    would be NaN) raise :class:`ParameterError`; complex input is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A power or magnitude spectrogram (values >= 0).
    gain : float, default 1.0
        Positive factor applied before the logarithm; larger gains compress more.

    Returns
    -------
    ndarray
        ``log(1 + gain * S)``, same shape; float32 stays float32, integers give float64.

    Raises
    ------
    ParameterError
        If ``S`` has negative values or is not numeric, or ``gain`` is not positive.

    See Also
    --------
    power_to_db : Decibels, with a floor.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.log1p_compress(np.array([0.0, 1.0, np.e - 1]))
    array([0.        , 0.69314718, 1.        ])
    >>> gaborcore.log1p_compress(np.array([0.0, 1.0], np.float32), gain=10.0).dtype
    dtype('float32')
    """
    S = _spectrum(S)
    gain = _validation.positive_float("gain", gain)
    if S.size and np.nanmin(S) < 0:
        raise ParameterError(
            f"S has negative values (min {np.nanmin(S):g}); log1p_compress compresses a power or "
            "magnitude spectrogram, whose values are >= 0"
        )
    return np.log1p(S * S.dtype.type(gain))
