"""Whole chunks written straight into a local store's files: the one path below zarr's API.

Every other write of the job goes through zarr's public API.  This module takes over one kind of
write, the one the job makes most: a whole chunk of a feature array, appended past the rows
already committed.  Through zarr (``arr[a:b] = block``), each such write runs through zarr's
event loop, its codec pipeline and a thread of its store: about 0.7 ms of CPU per 2 MB chunk
besides the compression itself, and on two cores, which the workers keep busy, every such
millisecond is taken from them (measured on 1,000 clips, 33 chunks: the whole job 223 -> 209 ms,
its CPU 415 -> 390 ms; see docs/extraction.rst).

Here the chunk's bytes are made with the array's own codec parameters (numcodecs, which zarr's
own codecs call) and written to a temporary file next to the chunk's file, then renamed onto it,
as zarr's ``LocalStore`` writes it (a chunk being replaced is never seen half written).

It is used only where the result is known to be what zarr writes:

* zarr's version within :data:`TESTED_ZARR` (the range the tests run);
* the environment variable ``GABORCORE_ZARR_DIRECT`` not ``0`` (the tests run with it on and
  off);
* the store a :class:`zarr.storage.LocalStore`, the array not sharded and without filters, its
  serializer a :class:`zarr.codecs.BytesCodec` in this machine's byte order, C order, and at
  most one compressor, a :class:`zarr.codecs.BloscCodec` or :class:`zarr.codecs.ZstdCodec`;
* and, for each array in each run, once its first whole chunk has been written through zarr:
  the file zarr wrote holds exactly the bytes this module would have written.  Until then, and
  for good if they differ, every chunk goes through zarr.

Anything else (another store, codec or zarr version, a partly filled chunk) goes through zarr.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

import numpy as np

__all__ = ["ChunkFiles", "TESTED_ZARR", "ENVIRONMENT", "enabled", "remove_partial_files"]

#: zarr versions (lowest included, highest excluded) whose stores the tests compare byte for
#: byte with this module on and off.
TESTED_ZARR = ((3, 0, 10), (3, 2))
#: Set to ``0`` to write every chunk through zarr.
ENVIRONMENT = "GABORCORE_ZARR_DIRECT"


def _version(text: str) -> tuple:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def enabled() -> bool:
    """Whether the direct path may be used at all: the switch and zarr's version."""
    if os.environ.get(ENVIRONMENT, "1").strip() == "0":
        return False
    import zarr

    low, high = TESTED_ZARR
    return low <= _version(zarr.__version__) < high


def remove_partial_files(arr) -> int:
    """Remove the temporary files that writes interrupted by a kill left in ``arr``'s folder
    (``*.partial``: this module's and zarr's ``LocalStore``'s own); returns how many.  Only for
    the process that holds the store's lock: no other write can be under way then."""
    from zarr.storage import LocalStore

    if not isinstance(arr.store, LocalStore):
        return 0
    folder = os.path.join(os.fspath(arr.store.root), *arr.path.split("/"))
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name.endswith(".partial"):
            try:
                os.unlink(os.path.join(folder, name))
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def _encoder(arr) -> Callable[[np.ndarray], bytes] | None:
    """Bytes of one chunk as zarr would store them, for the codecs this module knows; else
    None."""
    from zarr.codecs import BloscCodec, BytesCodec, ZstdCodec

    serializer = getattr(arr, "serializer", None)
    if not isinstance(serializer, BytesCodec) or getattr(arr, "shards", None) is not None:
        return None
    if tuple(getattr(arr, "filters", ())) or getattr(arr, "order", "C") != "C":
        return None
    dtype = np.dtype(arr.dtype) if isinstance(arr.dtype, np.dtype) else None
    if dtype is None or dtype.kind not in "biuf" or not dtype.isnative:
        return None
    endian = getattr(serializer.endian, "value", serializer.endian)
    if dtype.itemsize > 1 and endian != sys.byteorder:
        return None
    compressors = tuple(arr.compressors)
    if not compressors:
        return lambda chunk: chunk.tobytes()
    if len(compressors) != 1:
        return None
    codec = compressors[0]
    if isinstance(codec, BloscCodec):
        from numcodecs import Blosc

        shuffle = {"noshuffle": Blosc.NOSHUFFLE, "shuffle": Blosc.SHUFFLE,
                   "bitshuffle": Blosc.BITSHUFFLE}.get(getattr(codec.shuffle, "value", None))
        if shuffle is None or codec.typesize not in (None, dtype.itemsize):
            return None
        blosc = Blosc(cname=codec.cname.value, clevel=codec.clevel, shuffle=shuffle,
                      blocksize=codec.blocksize)
        return lambda chunk: bytes(blosc.encode(chunk))
    if isinstance(codec, ZstdCodec):
        from numcodecs import Zstd

        zstd = Zstd(level=codec.level, checksum=codec.checksum)
        return lambda chunk: bytes(zstd.encode(chunk))
    return None


class ChunkFiles:
    """Writes whole chunks of one array of a local store into their files.

    Made by :meth:`for_array`, which returns None where this module does not apply; then
    :meth:`write` is given each whole chunk, with the call that writes it through zarr.
    """

    def __init__(self, arr, encode: Callable[[np.ndarray], bytes], folder: str):
        self.arr = arr
        self.encode = encode
        self.folder = folder
        self.chunks = tuple(arr.chunks)
        self.dtype = np.dtype(arr.dtype)
        self.checked: bool | None = None  # the first chunk zarr wrote: the same bytes?
        self.written = 0  # chunks written here (not through zarr)
        self._lock = threading.Lock()

    @classmethod
    def for_array(cls, arr) -> ChunkFiles | None:
        """The writer of ``arr``'s chunks, or None: see the module's conditions."""
        from zarr.storage import LocalStore

        if not enabled() or not isinstance(arr.store, LocalStore):
            return None
        encode = _encoder(arr)
        if encode is None:
            return None
        folder = os.path.join(os.fspath(arr.store.root), *arr.path.split("/"))
        return cls(arr, encode, folder)

    def path(self, coords: tuple) -> str:
        """The file of the chunk at chunk coordinates ``coords``."""
        key = self.arr.metadata.encode_chunk_key(tuple(int(c) for c in coords))
        return os.path.join(self.folder, *key.split("/"))

    def write(self, coords: tuple, data: np.ndarray, through_zarr: Callable[[], None]) -> None:
        """Store ``data``, exactly one chunk, as the chunk at ``coords``: into its file once the
        check has passed, else with ``through_zarr()`` (the first time, followed by the check)."""
        with self._lock:
            checked = self.checked
        if data.shape != self.chunks or data.dtype != self.dtype or checked is False:
            through_zarr()
            return
        chunk = np.ascontiguousarray(data)
        if checked is None:
            through_zarr()
            ok = self._same(coords, chunk)
            with self._lock:
                self.checked = ok if self.checked is None else self.checked and ok
            return
        self._put(self.path(coords), self.encode(chunk))
        self.written += 1

    def _same(self, coords: tuple, chunk: np.ndarray) -> bool:
        """Whether the file zarr just wrote holds the bytes this module makes of ``chunk``."""
        try:
            with open(self.path(coords), "rb") as f:
                return f.read() == self.encode(chunk)
        except (OSError, ValueError, TypeError, RuntimeError):
            return False

    @staticmethod
    def _put(path: str, payload: bytes) -> None:
        """``payload`` into ``path``: a temporary file beside it, renamed onto it."""
        folder, name = os.path.split(path)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.{threading.get_ident()}.partial")
        try:
            with open(tmp, "wb") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
