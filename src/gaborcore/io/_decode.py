"""Decoding a file block by block, mixed down or not and resampled (soxr): :func:`stream`,
:func:`read` and :func:`load`."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import numpy as np
import soundfile
import soxr

from .. import _validation
from . import _plain_wav
from ._files import is_url
from ._source import AudioFileError, AudioInfo, open_libsndfile

#: soxr's quality recipes, best first.
RESAMPLE_QUALITIES = ("VHQ", "HQ", "MQ", "LQ", "QQ")
#: Frames read per block (about 12 s at 22.05 kHz): bounds the temporaries of a long file.
BLOCK_FRAMES = 1 << 18
_MAX_PREALLOC = 1 << 26  # samples per channel allocated from a header's frame count


def _check_options(sr, mono, dtype, quality, block_frames):
    if sr is not None:
        sr = _validation.positive_int("sr", sr)
    dtype = _validation.float_dtype("dtype", dtype)
    quality = _validation.choice("quality", quality, RESAMPLE_QUALITIES)
    block_frames = _validation.positive_int("block_frames", block_frames)
    return sr, bool(mono), dtype, quality, block_frames


def _limited(read: Callable[[int], np.ndarray], count: int) -> Callable[[int], np.ndarray]:
    """``read`` that stops after ``count`` frames in all."""
    left = count

    def limited(n: int) -> np.ndarray:
        nonlocal left
        block = read(min(n, left))
        left -= block.shape[0]
        return block

    return limited


def open_source(path: str, dtype: np.dtype, offset: float = 0.0,
                 duration: float | None = None) -> tuple[AudioInfo, Callable[[int], np.ndarray],
                                                         Callable[[], None]]:
    """Open a file for reading blocks: ``(info, read, close)``, where ``read(n)`` gives the next
    ``min(n, frames left)`` frames, ``(m, channels)`` in ``dtype``, exactly as libsndfile does,
    from ``offset`` seconds on and for ``duration`` seconds (None: to the end)."""
    opened = None
    if _plain_wav.FAST_WAV and not is_url(path) and path[-4:].lower() == ".wav":
        opened = _plain_wav.open_plain_wav(path, dtype, offset)
    if opened is None:
        opened = open_libsndfile(path, dtype, offset)
    source, read, close = opened
    if duration is not None:
        read = _limited(read, int(round(duration * source.sr)))
    return source, read, close


def _blocks(read: Callable[[int], np.ndarray], source: AudioInfo, sr, mono, dtype, quality,
            block_frames) -> Iterator[np.ndarray]:
    """Decoded, mixed-down and resampled blocks of an open file, ``(n,)`` or ``(n, channels)``."""
    n_ch = 1 if mono else source.channels
    check_finite = source.subtype in ("FLOAT", "DOUBLE")  # integer PCM and codecs cannot hold NaN
    resampler = None
    if sr is not None and sr != source.sr:
        resampler = soxr.ResampleStream(source.sr, sr, n_ch, dtype=dtype.name, quality=quality)
    done = 0
    while True:
        try:
            block = read(block_frames)
        except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
            raise AudioFileError(source.path, f"decoding failed after {done} frames: {exc}") from None
        last = block.shape[0] < block_frames
        done += block.shape[0]
        if check_finite and not _validation.all_finite(block):
            raise AudioFileError(source.path, f"NaN or Inf samples within the first {done} frames")
        if mono:
            block = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=dtype)
        if resampler is not None:
            block = resampler.resample_chunk(block, last=last)
        if block.shape[0]:
            yield block
        if last:
            break
    if done == 0:
        raise AudioFileError(source.path, "no audio samples")


def _check_span(offset, duration) -> tuple[float, float | None]:
    if offset is None:
        offset = 0.0
    elif offset != 0:
        offset = _validation.positive_float("offset", offset)
    if duration is not None:
        duration = _validation.positive_float("duration", duration)
    return offset, duration


def stream(path: str | os.PathLike, *, sr: int | None = None, mono: bool = True,
           dtype="float32", quality: str = "HQ", offset: float = 0.0,
           duration: float | None = None,
           block_frames: int = BLOCK_FRAMES) -> Iterator[np.ndarray]:
    """Read a file block by block: decoded, mixed down or not, resampled to ``sr``.

    Parameters
    ----------
    path : str or path-like
        An audio file, or a URL that :mod:`fsspec` opens (``s3://bucket/a.flac``).
    sr : int, optional
        Output sampling rate in Hz; ``None`` keeps the file's own.
    mono : bool
        Average the channels (``True``) or keep them.
    dtype : {"float32", "float64"}
        Sample type (PCM is scaled to [-1, 1)).
    quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's resampling quality.
    offset : float
        Start reading this many seconds into the file.
    duration : float, optional
        Read at most this many seconds; None: to the end.
    block_frames : int
        Frames of the file decoded per block.

    Yields
    ------
    ndarray, shape (n,) or (n_channels, n)
        Consecutive blocks; their concatenation is what :func:`read` returns.  A block's length
        is about ``block_frames * sr / file_sr``.

    Raises
    ------
    AudioFileError
        The file cannot be opened or decoded, has no samples, or holds NaN or Inf.

    See Also
    --------
    read : the whole file at once.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(path, np.zeros(44100, np.float32), 44100)
    >>> blocks = list(io.stream(path, sr=22050, block_frames=30000))
    >>> len(blocks), sum(b.shape[0] for b in blocks)
    (2, 22050)
    """
    path = os.fspath(path)
    sr, mono, dtype, quality, block_frames = _check_options(sr, mono, dtype, quality,
                                                            block_frames)
    offset, duration = _check_span(offset, duration)
    source, read_block, close = open_source(path, dtype, offset, duration)
    try:
        for block in _blocks(read_block, source, sr, mono, dtype, quality, block_frames):
            yield block if mono else block.T
    finally:
        close()


def read(path: str | os.PathLike, *, sr: int | None = None, mono: bool = True, dtype="float32",
         quality: str = "HQ", offset: float = 0.0, duration: float | None = None,
         block_frames: int = BLOCK_FRAMES) -> tuple[np.ndarray, AudioInfo]:
    """Decode a file (block by block), mixed down or not, resampled to ``sr``, with its header.

    A file of one block is returned as decoded; a longer one is copied block by block into an
    output allocated from the header's frame count, so it costs its output plus one block, not
    several copies.

    Parameters
    ----------
    path : str or path-like
        An audio file, or a URL that :mod:`fsspec` opens.
    sr : int, optional
        Output sampling rate in Hz; ``None`` keeps the file's own.
    mono : bool
        Average the channels (``True``) or keep them.
    dtype : {"float32", "float64"}
        Sample type (PCM is scaled to [-1, 1)).
    quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's resampling quality.
    offset : float
        Start reading this many seconds into the file.
    duration : float, optional
        Read at most this many seconds; None: to the end.
    block_frames : int
        Frames of the file decoded per block.

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
    >>> y, src = io.read(path, sr=22050)
    >>> y.shape, y.dtype, src.sr, src.channels
    ((22050,), dtype('float32'), 44100, 2)

    See Also
    --------
    load : the same as :func:`librosa.load`, ``(y, sr)``.
    stream : block after block.
    """
    path = os.fspath(path)
    sr, mono, dtype, quality, block_frames = _check_options(sr, mono, dtype, quality,
                                                            block_frames)
    offset, duration = _check_span(offset, duration)
    source, read_block, close = open_source(path, dtype, offset, duration)
    try:
        blocks = _blocks(read_block, source, sr, mono, dtype, quality, block_frames)
        first = next(blocks)
        second = next(blocks, None)
        if second is None:  # a short file: one block, no copy
            return (first if mono else np.ascontiguousarray(first.T)), source
        out_sr = sr or source.sr
        n_ch = 1 if mono else source.channels
        # the header's count at the output rate: may be wrong (grow) or absurd (cap)
        frames = source.frames if duration is None else min(source.frames,
                                                             int(duration * source.sr) + 1)
        expected = min(max(1, int(np.ceil(frames * out_sr / source.sr))), _MAX_PREALLOC)
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
    finally:
        close()
    y = out[0, :n] if mono else out[:, :n]
    return (y if n == out.shape[1] else np.ascontiguousarray(y)), source


def load(path: str | os.PathLike, *, sr: int | None = 22050, mono: bool = True,
         offset: float = 0.0, duration: float | None = None, dtype="float32",
         quality: str = "HQ") -> tuple[np.ndarray, int]:
    """Decode an audio file as :func:`librosa.load` does: ``(y, sr)``.

    Parameters
    ----------
    path : str or path-like
        An audio file, or a URL that :mod:`fsspec` opens.
    sr : int or None
        Sampling rate of ``y`` (soxr resampling); ``None`` keeps the file's own.  Default 22050,
        as librosa.
    mono : bool
        Average the channels.
    offset : float
        Start reading this many seconds into the file.
    duration : float, optional
        Read at most this many seconds.
    dtype : {"float32", "float64"}
        Sample type.
    quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's recipe.

    Returns
    -------
    y : ndarray, shape (n_samples,) or (n_channels, n_samples)
        The samples.
    sr : int
        Their sampling rate.

    Raises
    ------
    AudioFileError
        The file cannot be opened or decoded, has no samples, or holds NaN or Inf.

    Examples
    --------
    >>> import tempfile, os, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(path, np.zeros(44100, np.float32), 44100)
    >>> y, sr = io.load(path, offset=0.5, duration=0.25)
    >>> y.shape, sr
    ((5513,), 22050)

    See Also
    --------
    read : the file's header too.
    """
    y, source = read(path, sr=sr, mono=mono, dtype=dtype, quality=quality, offset=offset,
                     duration=duration)
    return y, (source.sr if sr is None else int(sr))
