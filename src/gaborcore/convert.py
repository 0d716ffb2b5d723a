"""Frame, sample and time indices of an STFT lattice (librosa's conversion helpers).

Frame ``t`` of an STFT with hop ``a`` starts at sample ``t a``.  With ``n_fft`` given, the helpers
refer to the frame's centre instead, ``t a + n_fft // 2`` (the sample that frame t of an
uncentred STFT is centred on); without it (the default, right for ``center=True``, where frame t
is centred at ``t a`` already) to its start.  Times are ``samples / sr`` in seconds.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import ParameterError, positive_int

__all__ = [
    "frames_to_samples",
    "frames_to_time",
    "samples_to_frames",
    "samples_to_time",
    "time_to_frames",
    "time_to_samples",
    "times_like",
    "samples_like",
]


def _sr(sr) -> float:
    if isinstance(sr, bool) or not isinstance(sr, numbers.Real) or not (0 < float(sr) < np.inf):
        raise ParameterError(f"sr={sr!r} must be a positive finite number of samples per second")
    return float(sr)


def _offset(n_fft) -> int:
    return 0 if n_fft is None else positive_int("n_fft", n_fft) // 2


def _numbers(name: str, values) -> np.ndarray:
    a = np.asanyarray(values)
    if a.dtype.kind not in "iuf" or a.dtype == np.bool_:
        raise ParameterError(f"{name} must be real numbers, got dtype {a.dtype}")
    return a


def frames_to_samples(frames, *, hop_length: int = 512, n_fft: int | None = None):
    """First sample (or, with ``n_fft``, centre sample) of each frame: ``t a + n_fft // 2``.

    Parameters
    ----------
    frames : int or array_like
        Frame indices.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: refer to the frames' centres (for ``center=False`` transforms).

    Returns
    -------
    int or ndarray of int
        The sample indices, of the shape of ``frames``.

    Raises
    ------
    ParameterError
        If ``hop_length`` or ``n_fft`` is not a positive integer, or the frames are not real
        numbers.

    See Also
    --------
    samples_to_frames : The inverse.
    frames_to_time : The same in seconds.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.frames_to_samples([0, 1, 2], hop_length=512, n_fft=2048)
    array([1024, 1536, 2048])
    """
    hop_length = positive_int("hop_length", hop_length)
    frames = _numbers("frames", frames)
    return (frames * hop_length + _offset(n_fft)).astype(int)


def samples_to_frames(samples, *, hop_length: int = 512, n_fft: int | None = None):
    """The frame each sample falls in, ``floor((s - n_fft // 2) / a)``.

    Parameters
    ----------
    samples : int or array_like
        Sample indices.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: frames referred to by their centres.

    Returns
    -------
    ndarray of int
        The frame indices, of the shape of ``samples``.

    Raises
    ------
    ParameterError
        If ``hop_length`` or ``n_fft`` is not a positive integer, or the samples are not real
        numbers.

    See Also
    --------
    frames_to_samples : The inverse.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.samples_to_frames([0, 511, 512, 2000], hop_length=512)
    array([0, 0, 1, 3])
    """
    hop_length = positive_int("hop_length", hop_length)
    samples = _numbers("samples", samples)
    return np.asarray(np.floor((samples - _offset(n_fft)) // hop_length), dtype=int)


def samples_to_time(samples, *, sr: float = 22050):
    """Convert sample indices to seconds, ``s / sr``.

    Parameters
    ----------
    samples : int or array_like
        Sample indices.
    sr : float, default 22050
        Sampling rate in Hz.

    Returns
    -------
    float or ndarray
        Times in seconds.

    Raises
    ------
    ParameterError
        If ``sr`` is not a positive finite number, or the samples are not real numbers.

    See Also
    --------
    time_to_samples : The inverse (truncated to integers).

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.samples_to_time([0, 11025, 22050], sr=22050)
    array([0. , 0.5, 1. ])
    """
    return _numbers("samples", samples) / _sr(sr)


def time_to_samples(times, *, sr: float = 22050):
    """Sample indices of times in seconds, truncated to integers: ``int(t sr)``.

    Parameters
    ----------
    times : float or array_like
        Times in seconds.
    sr : float, default 22050
        Sampling rate in Hz.

    Returns
    -------
    int or ndarray of int
        Sample indices.

    Raises
    ------
    ParameterError
        If ``sr`` is not a positive finite number, or the times are not real numbers.

    See Also
    --------
    samples_to_time : The inverse.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.time_to_samples([0.0, 0.5, 1.0], sr=22050)
    array([    0, 11025, 22050])
    """
    return (_numbers("times", times) * _sr(sr)).astype(int)


def frames_to_time(frames, *, sr: float = 22050, hop_length: int = 512,
                   n_fft: int | None = None):
    """Time in seconds of each frame, ``(t a + n_fft // 2) / sr``.

    As :func:`librosa.frames_to_time`.

    Parameters
    ----------
    frames : int or array_like
        Frame indices.
    sr : float, default 22050
        Sampling rate in Hz.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: the times of the frames' centres (for ``center=False`` transforms).

    Returns
    -------
    float or ndarray
        Times in seconds, of the shape of ``frames``.

    Raises
    ------
    ParameterError
        If ``sr`` is not a positive finite number, ``hop_length`` or ``n_fft`` is not a
        positive integer, or the frames are not real numbers.

    See Also
    --------
    times_like : The times of every frame of an array.
    time_to_frames : The inverse.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.frames_to_time([0, 1, 2], sr=22050, hop_length=512)
    array([0.        , 0.02321995, 0.04643991])
    """
    return samples_to_time(frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft), sr=sr)


def time_to_frames(times, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None):
    """Frame index of times in seconds (the inverse of :func:`frames_to_time`, floored).

    Parameters
    ----------
    times : float or array_like
        Times in seconds.
    sr : float, default 22050
        Sampling rate in Hz.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: frames referred to by their centres.

    Returns
    -------
    ndarray of int
        Frame indices.

    Raises
    ------
    ParameterError
        If ``sr`` is not a positive finite number, ``hop_length`` or ``n_fft`` is not a
        positive integer, or the times are not real numbers.

    See Also
    --------
    frames_to_time : The inverse.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.time_to_frames([0.0, 1.0, 2.0], sr=22050, hop_length=512)
    array([ 0, 43, 86])
    """
    return samples_to_frames(time_to_samples(times, sr=sr), hop_length=hop_length, n_fft=n_fft)


def _axis_frames(X, axis: int) -> np.ndarray:
    if np.isscalar(X):
        return np.arange(positive_int("X", X, minimum=0))
    shape = np.shape(X)
    if not shape:
        raise ParameterError("X must be an array with a frame axis or a number of frames")
    try:
        return np.arange(shape[axis])
    except IndexError:
        raise ParameterError(f"axis={axis} is out of range for X of shape {shape}") from None


def times_like(X, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None,
               axis: int = -1) -> np.ndarray:
    """Time in seconds of every frame of ``X``, as :func:`librosa.times_like`.

    The frames are along ``axis``; a number ``X`` stands for ``X`` frames.

    Parameters
    ----------
    X : ndarray or int
        A feature array with frames along ``axis``, or a number of frames.
    sr : float, default 22050
        Sampling rate in Hz.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: the times of the frames' centres (for ``center=False`` transforms).
    axis : int, default -1
        The frame axis of ``X``.

    Returns
    -------
    ndarray
        One time in seconds per frame.

    Raises
    ------
    ParameterError
        If ``X`` is neither an array with a frame axis nor a non-negative number of frames,
        ``axis`` is out of range, or a parameter is invalid.

    See Also
    --------
    frames_to_time : The times of given frames.
    samples_like : The same in samples.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> S = gaborcore.spectrogram(np.zeros(22050, np.float32))
    >>> gaborcore.times_like(S, sr=22050)[:3]
    array([0.        , 0.02321995, 0.04643991])
    """
    return frames_to_time(_axis_frames(X, axis), sr=sr, hop_length=hop_length, n_fft=n_fft)


def samples_like(X, *, hop_length: int = 512, n_fft: int | None = None,
                 axis: int = -1) -> np.ndarray:
    """Sample index of every frame of ``X``, as :func:`librosa.samples_like`.

    The frames are along ``axis``; a number ``X`` stands for ``X`` frames.

    Parameters
    ----------
    X : ndarray or int
        A feature array with frames along ``axis``, or a number of frames.
    hop_length : int, default 512
        Samples between frames.
    n_fft : int, optional
        Frame length: the frames' centre samples.
    axis : int, default -1
        The frame axis of ``X``.

    Returns
    -------
    ndarray of int
        One sample index per frame.

    Raises
    ------
    ParameterError
        If ``X`` is neither an array with a frame axis nor a non-negative number of frames,
        ``axis`` is out of range, or a parameter is invalid.

    See Also
    --------
    frames_to_samples : The samples of given frames.
    times_like : The same in seconds.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.samples_like(np.zeros((128, 4)), hop_length=256)
    array([  0, 256, 512, 768])
    """
    return frames_to_samples(_axis_frames(X, axis), hop_length=hop_length, n_fft=n_fft)
