"""Plain WAV files read without libsndfile: a strict header parse of our own, then a read into a
preallocated buffer per block and one NumPy conversion (see :mod:`gaborcore.io`)."""

from __future__ import annotations

import functools
import os
import struct
import sys
from collections.abc import Callable
from io import FileIO

import numpy as np

from ._source import AudioInfo, first_frame

#: Plain WAV files read without libsndfile (see the module docstring); GABORCORE_NO_FAST_WAV=1 turns it off.
FAST_WAV = sys.byteorder == "little" and os.environ.get("GABORCORE_NO_FAST_WAV", "").strip() in ("", "0")


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


def open_plain_wav(path: str, dtype: np.dtype, offset: float = 0.0):
    """``(info, read, close)`` of a plain WAV file (see ``_decode.open_source``), or None."""
    try:
        fd = os.open(path, _O_READ)
    except (OSError, ValueError):
        return None  # libsndfile says why
    layout = None
    try:
        layout = _wav_layout(fd)
        if layout is not None:
            skip = first_frame(layout[0], layout[6], offset)
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
