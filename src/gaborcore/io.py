"""Audio input for the extraction job: finding files, decoding, mixing down, resampling.

Decoding is libsndfile's, through :mod:`soundfile`: WAV, FLAC, OGG (Vorbis, Opus), AIFF and the
other formats of :func:`soundfile.available_formats`, and MP3 where the installed libsndfile
supports it (1.1 and later).  Resampling is :mod:`soxr`'s (``quality="HQ"`` unless told otherwise),
always through a :class:`soxr.ResampleStream`, whose output does not depend on how the input is cut
into blocks: reading a long file block by block gives the same samples as reading it whole.

Samples are returned in the library's layout: ``(n_samples,)`` for mono, ``(n_channels,
n_samples)`` when channels are kept.  Every failure to read a file raises :class:`AudioFileError`,
which names the file and the reason; the extraction job records that reason in its store.

Plain ``.wav`` files of 16- or 32-bit integer PCM or of 32- or 64-bit float samples (``WAV`` or
``WAVEX``, little-endian, a data chunk that lies whole within the file) are read directly, a short
header parse and then a read into a preallocated buffer per block and one NumPy conversion: the
same samples, bit for bit, and the same :class:`AudioInfo` as through libsndfile, at a fraction of
its per-file cost and with the GIL released during the reads and conversions.  Every other file,
and any file whose header raises the slightest doubt, goes through libsndfile, so that errors and
their reasons are libsndfile's.  Setting the environment variable ``GABORCORE_NO_FAST_WAV=1``
(before this module is imported) sends every file through libsndfile.

The extraction job goes one step further for its batches of clips: a compiled reader
(``csrc/gc_wav.c``) decodes the plain WAV files of a whole batch that are at the job's rate, have
1 or 2 channels and fit in one clip straight into the rows of the batch's array, mixed down as
:func:`load` does, with the GIL released for the whole batch (see :func:`read_rows`).  It takes a
subset of the files the direct reader above takes (no ``LIST`` chunks, no resampling, no NaN) and
leaves every other file to :func:`load`; the rows it writes are bit for bit what :func:`load`
returns.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import stat
import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from io import FileIO
from pathlib import Path

import numpy as np
import soundfile
import soxr

from . import _validation
from ._validation import ParameterError

__all__ = ["AUDIO_EXTENSIONS", "LIST_EXTENSIONS", "RESAMPLE_QUALITIES", "AudioFileError",
           "AudioInfo", "info", "stream", "load", "read", "read_rows", "find_audio", "is_url"]

#: File name extensions taken from folders (case-insensitive).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au")
#: An input file with one of these extensions is a list of paths, one per line.
LIST_EXTENSIONS = (".txt", ".lst", ".list")
#: soxr's quality recipes, best first.
RESAMPLE_QUALITIES = ("VHQ", "HQ", "MQ", "LQ", "QQ")
#: Frames read per block (about 12 s at 22.05 kHz): bounds the temporaries of a long file.
BLOCK_FRAMES = 1 << 18
_MAX_PREALLOC = 1 << 26  # samples per channel allocated from a header's frame count
#: Plain WAV files read without libsndfile (see the module docstring); GABORCORE_NO_FAST_WAV=1 turns it off.
_FAST_WAV = sys.byteorder == "little" and os.environ.get("GABORCORE_NO_FAST_WAV", "").strip() in ("", "0")


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


def is_url(path) -> bool:
    """Whether ``path`` is a URL (``scheme://...``) for :mod:`fsspec`, not a local path.

    Parameters
    ----------
    path : object
        A path, a URL or anything else.

    Returns
    -------
    bool

    See Also
    --------
    load, gaborcore.extract.extract : which read URLs through fsspec.

    Examples
    --------
    >>> from gaborcore.io import is_url
    >>> is_url("s3://bucket/a.flac"), is_url("/data/a.flac"), is_url(r"C:\\data\\a.wav")
    (True, False, False)
    """
    if not isinstance(path, str):
        return False
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()


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


def _check_options(sr, mono, dtype, quality, block_frames):
    if sr is not None:
        sr = _validation.positive_int("sr", sr)
    dtype = _validation.float_dtype("dtype", dtype)
    quality = _validation.choice("quality", quality, RESAMPLE_QUALITIES)
    block_frames = _validation.positive_int("block_frames", block_frames)
    return sr, bool(mono), dtype, quality, block_frames


# -- plain WAV files, read without libsndfile -------------------------------------------------------
# A header parse of our own, as strict as it can be: it accepts only what libsndfile reads in a known
# way (the samples, their count and its subtype name are then certain) and answers None on anything
# else, for libsndfile to read the file or to say what is wrong with it.

#: (format tag, bits per sample) -> (sample type in the file, libsndfile's subtype name).
_WAV_LAYOUTS = {
    (1, 16): (np.dtype("<i2"), "PCM_16"),
    (1, 32): (np.dtype("<i4"), "PCM_32"),
    (3, 32): (np.dtype("<f4"), "FLOAT"),
    (3, 64): (np.dtype("<f8"), "DOUBLE"),
}
#: A WAVE_FORMAT_EXTENSIBLE subformat GUID after its first two bytes (the format tag): the
#: standard KSDATAFORMAT_SUBTYPE_* ones only (not the ambisonic B-format ones).
_WAVEX_GUID_TAIL = bytes.fromhex("0000" "0000" "1000" "800000aa00389b71")
#: Top-level chunks libsndfile interprets (or may refuse) rather than steps over; "fmt ", "data",
#: "fact", "PEAK" and "LIST" are checked one by one, the others send the file to libsndfile.
_WAV_SPECIAL = frozenset({b"RIFF", b"RIFX", b"fmt ", b"data", b"fact", b"PEAK", b"LIST", b"INFO",
                          b"cue ", b"smpl", b"acid", b"bext", b"cart"})
#: Markers within a LIST chunk that libsndfile does not simply step over.
_LIST_SPECIAL = frozenset({b"INFO", b"adtl", b"exif", b"data", b"labl", b"\0\0\0\0"})
_WAV_HEAD = 4096  # bytes read first: the header of nearly every file
_WAV_MAX_CHUNKS = 1000
_WAV_MAX_LIST = 1 << 20
_MAX_CHANNELS = 1024  # libsndfile's limit
_O_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _plain_list(body: bytes) -> bool:
    """Whether libsndfile steps over this LIST chunk's payload exactly (an INFO or adtl list of
    plain sub-chunks that fill it)."""
    if body[:4] not in (b"INFO", b"adtl"):
        return False
    pos, n = 4, len(body)
    while pos < n:
        if n - pos < 8:
            return False
        sub, size = struct.unpack_from("<4sI", body, pos)
        if sub in _LIST_SPECIAL:
            return False
        pos += 8 + size + (size & 1)
    return pos == n


def _wav_fmt(b: bytes, size: int):
    """``(sr, channels, sample type, subtype, format, block align)`` from a "fmt " chunk, or None."""
    tag, channels, sr, _, align, bits = struct.unpack_from("<HHIIHH", b)
    container = "WAV"
    if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the format tag is in the subformat GUID
        if size < 40 or b[26:40] != _WAVEX_GUID_TAIL:
            return None
        tag, container = b[24] | b[25] << 8, "WAVEX"
    layout = _WAV_LAYOUTS.get((tag, bits))
    if (layout is None or not 1 <= channels <= _MAX_CHANNELS or not 1 <= sr < 1 << 31
            or align != channels * layout[0].itemsize):
        return None
    return sr, channels, layout[0], layout[1], container, align


def _wav_layout(fd: int):
    """How the samples of a plain WAV file lie, or None when libsndfile is to read it.

    ``fd`` is the file opened at its start.  The chunks are walked to the end of the file as
    libsndfile walks them; the answer is ``(sr, channels, sample type, subtype, format, data
    offset, frames)``.
    """
    head = os.read(fd, _WAV_HEAD)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    size = len(head) if len(head) < _WAV_HEAD else os.lseek(fd, 0, os.SEEK_END)

    def at(pos: int, n: int) -> bytes:  # n bytes (fewer at the end of the file) at pos
        if pos + n <= len(head):
            return head[pos:pos + n]
        os.lseek(fd, pos, os.SEEK_SET)
        return os.read(fd, n)

    fmt = layout = None
    pos = 12
    for _ in range(_WAV_MAX_CHUNKS):
        if pos == size:
            return layout
        if size - pos < 8:
            return None
        cid, n = struct.unpack("<4sI", at(pos, 8))
        body = pos + 8
        if cid == b"data":
            if fmt is None or layout is not None:
                return None
            sr, channels, sample, subtype, container, align = fmt
            # libsndfile refuses data starting with these; n is a multiple of align, hence even
            if not 0 < n <= size - body or n % align or at(body, 4) in (b"wvpk", b"OggS"):
                return None
            layout = (sr, channels, sample, subtype, container, body, n // align)
            pos = body + n
            continue
        end = body + n + (n & 1)
        if end > size or n >= 0xFFFF0000:
            return None
        if cid == b"fmt ":
            if fmt is not None or n < 16:
                return None
            fmt = _wav_fmt(at(body, min(n, 40)), n)
            if fmt is None:
                return None
        elif cid == b"fact":
            if n < 4:
                return None
        elif cid == b"PEAK":
            if fmt is None or n != 8 + 8 * fmt[1]:
                return None
        elif cid == b"LIST":
            if n > _WAV_MAX_LIST or not _plain_list(at(body, n)):
                return None
        elif cid in _WAV_SPECIAL or cid[:3] == b"TAG" or not all(32 <= c < 127 for c in cid):
            return None
        pos = end
    return None


def _readinto_fileio(fd: int, buf) -> int:
    with FileIO(fd, closefd=False) as f:
        return f.readinto(buf)  # releases the GIL


def _readinto_readv(fd: int, buf) -> int:
    return os.readv(fd, [buf])  # releases the GIL; no file object to make


_readinto = _readinto_readv if hasattr(os, "readv") else _readinto_fileio  # (Windows: no readv)


def _read_frames(fd: int, raw: np.ndarray) -> int:
    """Fill the C-contiguous ``(m, channels)`` array ``raw`` from the file: the whole frames read."""
    want = raw.nbytes
    got = _readinto(fd, raw)
    if 0 < got < want:  # a read cut short (by the system, or at the end of the file): go on
        view = memoryview(raw).cast("B")
        while got < want:
            k = _readinto(fd, view[got:])
            if not k:
                break
            got += k
    return got // (raw.itemsize * raw.shape[1])


def _wav_reader(fd: int, sample: np.dtype, channels: int, frames: int,
                dtype: np.dtype) -> Callable[[int], np.ndarray]:
    """``read(n)``: the next ``min(n, frames left)`` frames, ``(m, channels)`` in ``dtype``, with
    libsndfile's conversions: integer PCM scaled by ``2**-(bits - 1)`` after its cast to ``dtype``,
    float samples cast (or read as they are)."""
    same = sample == dtype  # read straight into the block: a new array for each block
    scale = dtype.type(2.0 ** (1 - 8 * sample.itemsize)) if sample.kind == "i" else None
    buf = None
    left = frames

    def read(n: int) -> np.ndarray:
        nonlocal buf, left
        m = min(n, left)
        if same:
            raw = np.empty((m, channels), dtype)
        else:
            if buf is None or buf.shape[0] < m:  # one buffer for the raw samples of every block
                buf = np.empty((min(n, frames), channels), sample)
            raw = buf[:m]
        got = _read_frames(fd, raw) if m else 0
        if got < m:  # the file is shorter than when its header was read
            raw, left = raw[:got], got
        left -= got
        if same:
            return raw
        if scale is not None:  # exact: the same as np.multiply(raw, scale, dtype=dtype), faster
            block = raw.astype(dtype)
            return np.multiply(block, scale, out=block)
        with np.errstate(over="ignore"):  # float64 beyond float32's range: inf, as libsndfile gives
            return raw.astype(dtype)

    return read


def _open_plain_wav(path: str, dtype: np.dtype, offset: float = 0.0):
    """``(info, read, close)`` of a plain WAV file (see :func:`_open_source`), or None."""
    try:
        fd = os.open(path, _O_READ)
    except (OSError, ValueError):
        return None  # libsndfile says why
    layout = None
    try:
        layout = _wav_layout(fd)
        if layout is not None:
            skip = _first_frame(layout[0], layout[6], offset)
            os.lseek(fd, layout[5] + skip * layout[1] * layout[2].itemsize, os.SEEK_SET)
    except Exception:  # any doubt: libsndfile reads it
        layout = None
    finally:
        if layout is None:
            os.close(fd)
    if layout is None:
        return None
    sr, channels, sample, subtype, container, _, frames = layout
    return (AudioInfo(path=path, sr=sr, channels=channels, frames=frames, format=container,
                      subtype=subtype),
            _wav_reader(fd, sample, channels, frames - skip, dtype),
            functools.partial(os.close, fd))


def _first_frame(sr: int, frames: int, offset: float) -> int:
    """The frame at ``offset`` seconds (rounded as librosa rounds it), at most ``frames``."""
    return min(frames, int(round(offset * sr))) if offset else 0


def _limited(read: Callable[[int], np.ndarray], count: int) -> Callable[[int], np.ndarray]:
    """``read`` that stops after ``count`` frames in all."""
    left = count

    def limited(n: int) -> np.ndarray:
        nonlocal left
        block = read(min(n, left))
        left -= block.shape[0]
        return block

    return limited


def _open_source(path: str, dtype: np.dtype, offset: float = 0.0,
                 duration: float | None = None) -> tuple[AudioInfo, Callable[[int], np.ndarray],
                                                         Callable[[], None]]:
    """Open a file for reading blocks: ``(info, read, close)``, where ``read(n)`` gives the next
    ``min(n, frames left)`` frames, ``(m, channels)`` in ``dtype``, exactly as libsndfile does,
    from ``offset`` seconds on and for ``duration`` seconds (None: to the end)."""
    opened = None
    if _FAST_WAV and not is_url(path) and path[-4:].lower() == ".wav":
        opened = _open_plain_wav(path, dtype, offset)
    if opened is None:
        opened = _open_libsndfile(path, dtype, offset)
    source, read, close = opened
    if duration is not None:
        read = _limited(read, int(round(duration * source.sr)))
    return source, read, close


def _open_libsndfile(path: str, dtype: np.dtype, offset: float):
    """``(info, read, close)`` of any file libsndfile reads (see :func:`_open_source`)."""
    f = _open(path)
    source = _info_of(f, path)
    skip = _first_frame(source.sr, source.frames, offset)
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


try:
    from ._ext import _wav as _wav_ext
except ImportError:  # no compiled core: every file goes through load
    _wav_ext = None


def read_rows(paths: list[str], out: np.ndarray, sr: int) -> np.ndarray | None:
    """Decode the plain WAV files among ``paths`` straight into the rows of ``out``, without the
    GIL: the extraction job's path for a batch of clips.

    File ``i`` is taken when it is a local ``.wav`` file the fast reader would read (see the
    module docstring) at rate ``sr``, with 1 or 2 channels and at most ``n`` frames, all finite:
    ``out[i]`` then holds exactly what ``read(path, sr=sr)`` gives (the mean of the channels),
    zero-padded to ``n``.  The rows of the files not taken hold no meaningful values.

    Parameters
    ----------
    paths : list of str
        The files.
    out : ndarray, shape (len(paths), n)
        C-contiguous float32 or float64: where the samples go.
    sr : int
        The rate a file must have to be taken (nothing is resampled here).

    Returns
    -------
    ndarray of int64, shape (len(paths), 6), or None
        Per file: status (0 taken, 1 not taken: read it with :func:`load`, which also says what
        is wrong with it), frames, rate, channels and two codes of the sample type; None when
        the compiled reader is not available (or ``GABORCORE_NO_FAST_WAV`` is set).

    See Also
    --------
    read : every file, one at a time.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(path, np.full(100, 0.5, np.float32), 16000, subtype="FLOAT")
    >>> out = np.empty((1, 160), np.float32)
    >>> table = io.read_rows([path], out, 16000)
    >>> table is None or bool(table[0, :2].tolist() == [0, 100] and out[0, 99] == 0.5)
    True
    """
    if _wav_ext is None or not _FAST_WAV:
        return None
    wav = [p[-4:].lower() == ".wav" and not is_url(p) for p in paths]
    if all(wav):
        return _wav_ext.read_rows(paths, out, sr, 2)
    table = np.zeros((len(paths), 6), np.int64)
    table[:, 0] = _wav_ext.OTHER
    pick = np.flatnonzero(wav)
    if pick.size:
        rows = np.empty((pick.size, out.shape[1]), out.dtype)
        table[pick] = _wav_ext.read_rows([paths[i] for i in pick], rows, sr, 2)
        taken = table[pick, 0] == 0
        out[pick[taken]] = rows[taken]
    return table


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
    source, read_block, close = _open_source(path, dtype, offset, duration)
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
    source, read_block, close = _open_source(path, dtype, offset, duration)
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


def _normal_absolute(p: str) -> bool:
    """Whether ``os.path.abspath(p) == p`` is sure without computing it (a POSIX path that
    starts with "/" and holds no "//", "/./", "/../" and no trailing "/" or "/." is normal)."""
    return (os.sep == "/" and p[:1] == "/" and "//" not in p and "/." not in p
            and p[-1:] != "/")


def find_audio(inputs: Iterable[str | os.PathLike], *,
               extensions: Iterable[str] = AUDIO_EXTENSIONS) -> list[str]:
    """The audio files named by ``inputs``, as absolute paths, in order, without duplicates.

    Each input is a file (taken whatever its extension), a folder (searched recursively for
    ``extensions``, in sorted order, hidden files and folders skipped) or a list file (extension
    in :data:`LIST_EXTENSIONS`: one path per line, relative to the list's folder; ``#`` comments).
    Paths in a list file are not checked here: a missing one becomes a failed entry of the job.

    Parameters
    ----------
    inputs : str, path-like or iterable of them
        Files, folders and list files.
    extensions : iterable of str
        Extensions taken from folders (case-insensitive; with or without the dot).

    Returns
    -------
    list of str
        Absolute paths.

    Raises
    ------
    ParameterError
        An input does not exist, or no audio file was found.

    See Also
    --------
    gaborcore.extract.gather : manifests and URLs too.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore import io
    >>> d = tempfile.mkdtemp()
    >>> for name in ("b.wav", "a.flac", ".hidden.wav"):
    ...     open(os.path.join(d, name), "wb").close()
    >>> [os.path.basename(p) for p in io.find_audio(d)]
    ['a.flac', 'b.wav']
    """
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    if not exts:
        raise ParameterError("extensions is empty: no file in a folder would be taken")
    found: dict[str, None] = {}
    inputs = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    for item in inputs:
        p = os.fspath(item)
        if p[:1] == "~":
            p = os.path.expanduser(p)
        try:  # one system call per input: thousands of files may be named one by one
            mode = os.stat(p).st_mode
        except (FileNotFoundError, NotADirectoryError, ValueError):
            raise ParameterError(f"input {str(item)!r} does not exist") from None
        except OSError as exc:
            raise ParameterError(f"input {str(item)!r} cannot be read: {exc.strerror}") from None
        if stat.S_ISDIR(mode):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith(".") and name.lower().endswith(exts):
                        found.setdefault(os.path.abspath(os.path.join(root, name)))
        elif (stat.S_ISREG(mode) and p.lower().endswith(LIST_EXTENSIONS)
              and os.path.splitext(p)[1].lower() in LIST_EXTENSIONS):
            for entry in _list_file(Path(p)):
                found.setdefault(os.path.abspath(entry))
        else:
            found.setdefault(p if _normal_absolute(p) else os.path.abspath(p))
    if not found:
        raise ParameterError(
            f"no audio files found in {[str(i) for i in inputs]} (extensions: {', '.join(exts)})"
        )
    return list(found)
