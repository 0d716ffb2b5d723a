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

    Integers; a scalar gives a scalar.
    """
    hop_length = positive_int("hop_length", hop_length)
    frames = _numbers("frames", frames)
    return (frames * hop_length + _offset(n_fft)).astype(int)


def samples_to_frames(samples, *, hop_length: int = 512, n_fft: int | None = None):
    """The frame each sample falls in, ``floor((s - n_fft // 2) / a)`` (integers)."""
    hop_length = positive_int("hop_length", hop_length)
    samples = _numbers("samples", samples)
    return np.asarray(np.floor((samples - _offset(n_fft)) // hop_length), dtype=int)


def samples_to_time(samples, *, sr: float = 22050):
    """Seconds of sample indices: ``s / sr``."""
    return _numbers("samples", samples) / _sr(sr)


def time_to_samples(times, *, sr: float = 22050):
    """Sample indices of times in seconds, truncated to integers: ``int(t sr)``."""
    return (_numbers("times", times) * _sr(sr)).astype(int)


def frames_to_time(frames, *, sr: float = 22050, hop_length: int = 512,
                   n_fft: int | None = None):
    """Time in seconds of each frame, ``(t a + n_fft // 2) / sr``, as
    :func:`librosa.frames_to_time`.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.frames_to_time([0, 1, 2], sr=22050, hop_length=512)
    array([0.        , 0.02321995, 0.04643991])
    """
    return samples_to_time(frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft), sr=sr)


def time_to_frames(times, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None):
    """Frame index of times in seconds (the inverse of :func:`frames_to_time`, floored)."""
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
    """Time in seconds of every frame of ``X`` (frames along ``axis``), or of ``X`` frames when
    ``X`` is a number, as :func:`librosa.times_like`.

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
    """Sample index of every frame of ``X`` (frames along ``axis``), as
    :func:`librosa.samples_like`."""
    return frames_to_samples(_axis_frames(X, axis), hop_length=hop_length, n_fft=n_fft)
