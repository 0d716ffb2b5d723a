"""Audio input for the extraction job: finding files, decoding, mixing down, resampling.

Decoding is libsndfile's, through :mod:`soundfile`: WAV, FLAC, OGG (Vorbis, Opus), AIFF and the
other formats of :func:`soundfile.available_formats`, and MP3 where the installed libsndfile
supports it (1.1 and later).  Resampling is :mod:`soxr`'s (``quality="HQ"`` unless told otherwise),
always through a :class:`soxr.ResampleStream`, whose output does not depend on how the input is cut
into blocks: reading a long file block by block gives the same samples as reading it whole.

Samples are returned in the library's layout: ``(n_samples,)`` for mono, ``(n_channels,
n_samples)`` when channels are kept.  Every failure to read a file raises :class:`AudioFileError`,
which names the file and the reason; the extraction job records that reason in its store.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import soundfile
import soxr

from . import _validation
from ._validation import ParameterError

__all__ = ["AUDIO_EXTENSIONS", "LIST_EXTENSIONS", "RESAMPLE_QUALITIES", "AudioFileError",
           "AudioInfo", "info", "stream", "load", "find_audio"]

#: File name extensions taken from folders (case-insensitive).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au")
#: An input file with one of these extensions is a list of paths, one per line.
LIST_EXTENSIONS = (".txt", ".lst", ".list")
#: soxr's quality recipes, best first.
RESAMPLE_QUALITIES = ("VHQ", "HQ", "MQ", "LQ", "QQ")
#: Frames read per block (about 12 s at 22.05 kHz): bounds the temporaries of a long file.
BLOCK_FRAMES = 1 << 18
_MAX_PREALLOC = 1 << 26  # samples per channel allocated from a header's frame count


class AudioFileError(ParameterError):
    """A file cannot be decoded; ``path`` and ``reason`` say which and why."""

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
    """

    path: str
    sr: int
    channels: int
    frames: int
    format: str
    subtype: str

    @property
    def duration(self) -> float:
        """Seconds of audio, ``frames / sr``."""
        return self.frames / self.sr


def _open(path: str) -> soundfile.SoundFile:
    """Open for reading, turning every failure into an :class:`AudioFileError`."""
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

    Raises
    ------
    AudioFileError
        The file is missing, empty or not in a format libsndfile reads.
    """
    path = os.fspath(path)
    with _open(path) as f:
        return _info_of(f, path)


def _check_options(sr, mono, dtype, quality, block_frames):
    if sr is not None:
        sr = _validation.positive_int("sr", sr)
    dtype = _validation.float_dtype("dtype", dtype)
    quality = _validation.choice("quality", quality, RESAMPLE_QUALITIES)
    block_frames = _validation.positive_int("block_frames", block_frames)
    return sr, bool(mono), dtype, quality, block_frames


def _blocks(f: soundfile.SoundFile, path: str, sr, mono, dtype, quality,
            block_frames) -> Iterator[np.ndarray]:
    """Decoded, mixed-down and resampled blocks of an open file, ``(n,)`` or ``(n, channels)``."""
    n_ch = 1 if mono else f.channels
    check_finite = f.subtype in ("FLOAT", "DOUBLE")  # integer PCM and codecs cannot hold NaN
    # libsndfile's own conversion is slower than NumPy's; x / 32768 is exact in float32 and float64
    pcm16 = f.subtype == "PCM_16"
    resampler = None
    if sr is not None and sr != f.samplerate:
        resampler = soxr.ResampleStream(f.samplerate, sr, n_ch, dtype=dtype.name, quality=quality)
    read = 0
    while True:
        try:
            if pcm16:
                raw = f.read(block_frames, dtype="int16", always_2d=True)
                block = np.multiply(raw, dtype.type(1 / 32768), dtype=dtype)
            else:
                block = f.read(block_frames, dtype=dtype.name, always_2d=True)
        except (soundfile.LibsndfileError, RuntimeError) as exc:
            raise AudioFileError(path, f"decoding failed after {read} frames: {exc}") from None
        last = block.shape[0] < block_frames
        read += block.shape[0]
        if check_finite and not _validation.all_finite(block):
            raise AudioFileError(path, f"NaN or Inf samples within the first {read} frames")
        if mono:
            block = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=dtype)
        if resampler is not None:
            block = resampler.resample_chunk(block, last=last)
        if block.shape[0]:
            yield block
        if last:
            break
    if read == 0:
        raise AudioFileError(path, "no audio samples")


def stream(path: str | os.PathLike, *, sr: int | None = None, mono: bool = True,
           dtype="float32", quality: str = "HQ",
           block_frames: int = BLOCK_FRAMES) -> Iterator[np.ndarray]:
    """Read a file block by block: decoded, mixed down or not, resampled to ``sr``.

    Parameters
    ----------
    path : str or path-like
        An audio file.
    sr : int, optional
        Output sampling rate in Hz; ``None`` keeps the file's own.
    mono : bool
        Average the channels (``True``) or keep them.
    dtype : {"float32", "float64"}
        Sample type (PCM is scaled to [-1, 1)).
    quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's resampling quality.
    block_frames : int
        Frames of the file decoded per block.

    Yields
    ------
    ndarray, shape (n,) or (n_channels, n)
        Consecutive blocks; their concatenation is what :func:`load` returns.  A block's length
        is about ``block_frames * sr / file_sr``.

    Raises
    ------
    AudioFileError
        The file cannot be opened or decoded, has no samples, or holds NaN or Inf.
    """
    path = os.fspath(path)
    sr, mono, dtype, quality, block_frames = _check_options(sr, mono, dtype, quality,
                                                            block_frames)
    with _open(path) as f:
        for block in _blocks(f, path, sr, mono, dtype, quality, block_frames):
            yield block if mono else block.T


def load(path: str | os.PathLike, *, sr: int | None = None, mono: bool = True, dtype="float32",
         quality: str = "HQ", block_frames: int = BLOCK_FRAMES) -> tuple[np.ndarray, AudioInfo]:
    """Decode a whole file (block by block), mixed down or not, resampled to ``sr``.

    Parameters are those of :func:`stream`.  A file of one block is returned as decoded; a
    longer one is copied block by block into an output allocated from the header's frame count,
    so it costs its output plus one block, not several copies.

    Returns
    -------
    y : ndarray, shape (n_samples,) or (n_channels, n_samples)
        C-contiguous samples of type ``dtype`` at ``sr`` (the file's own rate when ``sr`` is None).
    info : AudioInfo
        The file's own rate, channel count and format.

    Raises
    ------
    AudioFileError
        The file cannot be opened or decoded, has no samples, or holds NaN or Inf.

    Examples
    --------
    >>> import tempfile, os, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(path, np.zeros((44100, 2), np.float32), 44100)
    >>> y, src = io.load(path, sr=22050)
    >>> y.shape, y.dtype, src.sr, src.channels
    ((22050,), dtype('float32'), 44100, 2)
    """
    path = os.fspath(path)
    sr, mono, dtype, quality, block_frames = _check_options(sr, mono, dtype, quality,
                                                            block_frames)
    with _open(path) as f:
        source = _info_of(f, path)
        blocks = _blocks(f, path, sr, mono, dtype, quality, block_frames)
        first = next(blocks)
        second = next(blocks, None)
        if second is None:  # a short file: one block, no copy
            return (first if mono else np.ascontiguousarray(first.T)), source
        out_sr = sr or source.sr
        n_ch = 1 if mono else source.channels
        # the header's count at the output rate: may be wrong (grow) or absurd (cap)
        expected = min(max(1, int(np.ceil(source.frames * out_sr / source.sr))), _MAX_PREALLOC)
        out = np.empty((n_ch, expected), dtype)
        n = 0
        for block in itertools.chain((first, second), blocks):
            m = block.shape[0]
            if n + m > out.shape[1]:
                grown = np.empty((n_ch, max(n + m, 2 * out.shape[1])), dtype)
                grown[:, :n] = out[:, :n]
                out = grown
            out[:, n:n + m] = block.T if block.ndim == 2 else block
            n += m
    y = out[0, :n] if mono else out[:, :n]
    return (y if n == out.shape[1] else np.ascontiguousarray(y)), source


def _list_file(path: Path) -> list[str]:
    """Paths in a list file: one per line, relative to the list's folder; ``#`` starts a comment."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParameterError(f"list file {str(path)!r} is not UTF-8 text") from None
    out = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            p = Path(entry).expanduser()
            out.append(str(p if p.is_absolute() else path.parent / p))
    return out


def find_audio(inputs: Iterable[str | os.PathLike], *,
               extensions: Iterable[str] = AUDIO_EXTENSIONS) -> list[str]:
    """The audio files named by ``inputs``, as absolute paths, in order, without duplicates.

    Each input is a file (taken whatever its extension), a folder (searched recursively for
    ``extensions``, in sorted order, hidden files and folders skipped) or a list file (extension
    in :data:`LIST_EXTENSIONS`: one path per line, relative to the list's folder; ``#`` comments).
    Paths in a list file are not checked here: a missing one becomes a failed entry of the job.

    Raises
    ------
    ParameterError
        An input does not exist, or no audio file was found.
    """
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    if not exts:
        raise ParameterError("extensions is empty: no file in a folder would be taken")
    found: dict[str, None] = {}
    inputs = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    for item in inputs:
        p = Path(item).expanduser()
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith(".") and name.lower().endswith(exts):
                        found.setdefault(os.path.abspath(os.path.join(root, name)))
        elif p.is_file() and p.suffix.lower() in LIST_EXTENSIONS:
            for entry in _list_file(p):
                found.setdefault(os.path.abspath(entry))
        elif p.exists():
            found.setdefault(os.path.abspath(p))
        else:
            raise ParameterError(f"input {str(item)!r} does not exist")
    if not found:
        raise ParameterError(
            f"no audio files found in {[str(i) for i in inputs]} (extensions: {', '.join(exts)})"
        )
    return list(found)
