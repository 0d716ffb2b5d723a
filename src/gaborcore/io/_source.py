"""Opening an audio file through libsndfile (or fsspec for a URL): its header, and every failure
as an :class:`AudioFileError` that names the file and the reason."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import soundfile

from .._validation import ParameterError
from ._files import is_url


class AudioFileError(ParameterError):
    """A file cannot be decoded; ``path`` and ``reason`` say which and why.

    Parameters
    ----------
    path : str or path-like
        The file (or URL).
    reason : str
        Why it cannot be decoded, in a few words (what the extraction job records).

    See Also
    --------
    read, load, info : which raise it.
    """

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"cannot decode {self.path!r}: {reason}")


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    """What the header of an audio file says.

    Parameters
    ----------
    path : str
        The file.
    sr : int
        Its own sampling rate in Hz.
    channels : int
        Its number of channels.
    frames : int
        Samples per channel, as the header gives them.
    format, subtype : str
        libsndfile's names, e.g. ``"WAV"`` and ``"PCM_16"``.

    See Also
    --------
    info : the header of a file.
    read : the samples and the header.

    Examples
    --------
    >>> from gaborcore.io import AudioInfo
    >>> AudioInfo("a.wav", sr=16000, channels=1, frames=8000, format="WAV",
    ...           subtype="PCM_16").duration
    0.5
    """

    path: str
    sr: int
    channels: int
    frames: int
    format: str
    subtype: str

    @property
    def duration(self) -> float:
        """Seconds of audio, ``frames / sr``.

        Returns
        -------
        float
            The length the header gives, in seconds at the file's own rate (before any
            resampling).

        See Also
        --------
        info : reads the header this comes from.

        Examples
        --------
        >>> from gaborcore.io import AudioInfo
        >>> AudioInfo("a.wav", sr=44100, channels=2, frames=22050, format="WAV",
        ...           subtype="PCM_16").duration
        0.5
        """
        return self.frames / self.sr


def _open_url(path: str) -> soundfile.SoundFile:
    """Open a URL through :mod:`fsspec` (``s3://``, ``gs://``, ``memory://``, ``file://``, ...)."""
    try:
        import fsspec
    except ImportError:
        raise AudioFileError(path, "URLs need fsspec: pip install fsspec") from None
    try:
        handle = fsspec.open(path, "rb").open()
    except FileNotFoundError:
        raise AudioFileError(path, "no such file") from None
    except Exception as exc:  # noqa: BLE001 - every file system has its own errors
        raise AudioFileError(path, f"cannot be opened: {type(exc).__name__}: {exc}") from None
    try:
        f = soundfile.SoundFile(handle)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, OSError) as exc:
        size = getattr(handle, "size", None)
        handle.close()
        if size == 0:
            raise AudioFileError(path, "empty file (0 bytes)") from None
        detail = getattr(exc, "error_string", None) or str(exc)
        raise AudioFileError(path, f"not a readable audio file (libsndfile: {detail})") from None
    close = f.close

    def close_both():
        close()
        handle.close()

    f.close = close_both
    return f


def _open(path: str) -> soundfile.SoundFile:
    """Open for reading, turning every failure into an :class:`AudioFileError`."""
    if is_url(path):
        return _open_url(path)
    try:
        return soundfile.SoundFile(path)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, OSError) as exc:
        error = exc
    # the reason, from the cheapest checks first (done only on failure: they cost system calls)
    if not os.path.exists(path):
        raise AudioFileError(path, "no such file")
    if os.path.isdir(path):
        raise AudioFileError(path, "is a directory")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise AudioFileError(path, "empty file (0 bytes)")
    if not os.access(path, os.R_OK):
        raise AudioFileError(path, "permission denied")
    if isinstance(error, OSError) and not isinstance(error, soundfile.LibsndfileError):
        raise AudioFileError(path, error.strerror or str(error))
    detail = getattr(error, "error_string", None) or str(error)
    raise AudioFileError(path, f"not a readable audio file (libsndfile: {detail})")


def _info_of(f: soundfile.SoundFile, path: str) -> AudioInfo:
    return AudioInfo(path=path, sr=int(f.samplerate), channels=int(f.channels),
                     frames=int(f.frames), format=f.format, subtype=f.subtype)


def info(path: str | os.PathLike) -> AudioInfo:
    """Header information of an audio file (nothing is decoded).

    Parameters
    ----------
    path : str or path-like
        An audio file, or a URL that :mod:`fsspec` opens.

    Returns
    -------
    AudioInfo
        Its rate, channels, frames and format.

    Raises
    ------
    AudioFileError
        The file is missing, empty or not in a format libsndfile reads.

    See Also
    --------
    read : the samples too.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.flac")
    >>> soundfile.write(path, np.zeros((8000, 2), np.float32), 16000)
    >>> src = io.info(path)
    >>> src.sr, src.channels, src.frames, src.format
    (16000, 2, 8000, 'FLAC')
    """
    path = os.fspath(path)
    with _open(path) as f:
        return _info_of(f, path)


def first_frame(sr: int, frames: int, offset: float) -> int:
    """The frame at ``offset`` seconds (rounded as librosa rounds it), at most ``frames``."""
    return min(frames, int(round(offset * sr))) if offset else 0


def open_libsndfile(path: str, dtype: np.dtype, offset: float):
    """``(info, read, close)`` of any file libsndfile reads (see ``_decode.open_source``)."""
    f = _open(path)
    source = _info_of(f, path)
    skip = first_frame(source.sr, source.frames, offset)
    if skip:
        f.seek(skip)
    if source.subtype == "PCM_16":
        # libsndfile's own conversion is slower than NumPy's; x / 32768 is exact in float32 and float64
        scale = dtype.type(1 / 32768)

        def read(n: int) -> np.ndarray:
            return np.multiply(f.read(n, dtype="int16", always_2d=True), scale, dtype=dtype)
    else:
        def read(n: int) -> np.ndarray:
            return f.read(n, dtype=dtype.name, always_2d=True)
    return source, read, f.close
