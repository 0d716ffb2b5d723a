"""A store being written: creating, opening, repairing and recording runs, through zarr's API.

The store is a Zarr 3 group (a local folder or an fsspec URL).  Its group attribute
``"gaborcore"`` holds the configuration, the layout, the number of entries and a log of the runs;
every array is made from :func:`gaborcore.extract.layout.arrays`.  Metadata is consolidated at the
end of every run (``xarray.open_zarr`` and :func:`~gaborcore.extract.reader.open_store` then read
one document); a run that starts writing removes the consolidated copy first, so that a store
interrupted mid-run is read from its arrays' own metadata, never from a stale summary.
"""

from __future__ import annotations

import datetime
import os
import shutil
import warnings

import numpy as np
import zarr

from .. import io
from .._validation import ParameterError
from .chunkfiles import remove_partial_files
from .config import ExtractConfig, config_diff
from .layout import FORMAT_VERSION, STATUS, TEXT, arrays, per_file_names, row_names
from .lock import StoreLock

__all__ = ["Store", "location", "now", "codecs", "COMPRESSIONS", "consolidate"]

#: Codecs of the feature arrays (``compression=``).
COMPRESSIONS = ("lz4", "zstd", "none")
PENDING, OK, FAILED = STATUS["pending"], STATUS["ok"], STATUS["failed"]
#: Chunk keys ``c.<i>.<j>``: every array here is chunked along one axis only, so the default
#: ``c/<i>/<j>`` would make a folder per chunk (and one per chunk inside it) without spreading
#: the chunks any better, and making a folder costs as much as writing the chunk.
CHUNK_KEYS = {"name": "default", "separator": "."}


def now() -> str:
    """The time, UTC, to the second (ISO 8601)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def codecs(compression: str):
    """The ``compressors`` of the feature arrays for ``compression``."""
    from zarr.codecs import BloscCodec, ZstdCodec

    return {"lz4": [BloscCodec(cname="lz4", clevel=5, shuffle="bitshuffle")],
            "zstd": [ZstdCodec(level=3)], "none": None}[compression]


def location(store) -> tuple[str, str | None]:
    """``(where, local folder)``: an absolute path (its folder too) or a URL (no folder)."""
    where = os.fspath(store)
    if io.is_url(where):
        if where.startswith("file://"):
            where = where[len("file://"):]
        else:
            return where, None
    where = os.path.abspath(where)
    return where, where


def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


def _listing(where: str, folder: str | None) -> list | None:
    """What is at ``where``: None when nothing (no folder), else the names in it."""
    if folder is not None:
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise ParameterError(f"store {folder!r} is a file; a Zarr store is a directory")
        return os.listdir(folder) if os.path.isdir(folder) else None
    fs, path = _fs(where)
    return fs.ls(path, detail=False) if fs.exists(path) else None


def _clear(where: str, folder: str | None) -> None:
    """Remove everything in the store (the folder itself stays: it holds the lock)."""
    if folder is not None:
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        return
    fs, path = _fs(where)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def consolidate(group) -> None:
    """Consolidate the group's metadata (zarr warns that Zarr 3 does not specify it yet; xarray
    and zarr read it, and that is why it is written)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Consolidated metadata", UserWarning)
        zarr.consolidate_metadata(group.store, path=group.path or None, zarr_format=3)


def _gaborcore_attrs(where: str) -> dict | None:
    """The ``gaborcore`` attribute of the group at ``where``; None if it has none."""
    try:
        group = zarr.open_group(where, mode="r", use_consolidated=False)
    except (FileNotFoundError, ValueError, KeyError, TypeError, zarr.errors.BaseZarrError):
        return None
    meta = dict(group.attrs).get("gaborcore")
    return meta if isinstance(meta, dict) else None


class Store:
    """A store being written: its group, its arrays, what is finished.

    Attributes
    ----------
    where : str
        Its path or URL.
    created : bool
        Made by this run (every array but ``files`` holds its fill value).
    per_file, rows : list of str
        The arrays with one entry per file; those that grow by rows or frames.
    """

    def __init__(self, where: str, group, config: ExtractConfig, feats: dict,
                 lock: StoreLock, columns: tuple):
        self.where = where
        self.group = group
        self.config = config
        self.feats = feats
        self.lock = lock
        self.columns = tuple(columns)
        self.created = False
        self.layout = config.layout
        self.per_file = per_file_names(config, feats, self.columns)
        self.rows = row_names(config, feats)

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, store, config: ExtractConfig, feats: dict, *, overwrite: bool,
             compression: str, entries=None) -> Store:
        """Open or create the store; a new one gets ``entries`` (an
        :class:`~gaborcore.extract.inputs.Entries`) as its list of files (``created``)."""
        where, folder = location(store)
        if folder is not None:
            _listing(where, folder)  # a file there: refused, naming it
            os.makedirs(folder, exist_ok=True)  # an unwritable place fails here, naming it
        lock = StoreLock(folder)
        try:
            listing = _listing(where, folder)
            attrs = _gaborcore_attrs(where) if listing else None
            if listing and attrs is None:
                raise ParameterError(
                    f"{where!r} exists and is not a gaborcore store; choose another output "
                    "(it is not overwritten, not even with overwrite)")
            new = config.to_dict()
            ready = attrs is not None and attrs.get("ready", False)
            if ready and attrs.get("format") != FORMAT_VERSION and not overwrite:
                raise ParameterError(
                    f"store {where!r} has layout version {attrs.get('format')}, this version "
                    f"writes {FORMAT_VERSION}; use overwrite (--overwrite) or another output")
            if ready and attrs.get("config") != new and not overwrite:
                changes = config_diff(attrs.get("config") or {}, new)
                raise ParameterError(
                    f"store {where!r} holds features made with other parameters "
                    f"({'; '.join(changes[:4])}{'; ...' if len(changes) > 4 else ''}); "
                    "use overwrite (--overwrite) to replace it, or another output")
            columns = tuple(entries.column_names) if entries is not None else ()
            if ready and not overwrite and tuple(attrs.get("columns", ())) != columns and (
                    entries is not None and entries.from_manifest):
                raise ParameterError(
                    f"store {where!r} was made with manifest columns "
                    f"{attrs.get('columns', [])}, these inputs have {list(columns)}; use "
                    "overwrite (--overwrite) or another output")
            # replaced when asked, or when its creation was interrupted (it holds nothing yet)
            if attrs is not None and (overwrite or not ready):
                _clear(where, folder)
                attrs = None
            if attrs is None:
                group = zarr.open_group(where, mode="a", zarr_format=3)
                self = cls(where, group, config, feats, lock, columns)
                self._create(compression, entries)
                self.created = True
            else:
                group = zarr.open_group(where, mode="r+", use_consolidated=False)
                self = cls(where, group, config, feats, lock, tuple(attrs.get("columns", ())))
                self.set_attrs(writing=now())  # drops the consolidated copy: see the module doc
                self._repair()
        except BaseException:
            lock.release()
            raise
        return self

    def writable(self, name: str):
        """Array ``name`` opened for writing its chunks whole: zarr's ``write_empty_chunks`` on.

        Otherwise zarr compares every chunk written with the fill value first, to leave out one
        that holds only that value: for a feature chunk, which almost never does, the comparison
        cost about as much CPU as compressing it (14 ms of a 0.23 s job, measured).  The setting
        is not stored with the array, so it is given on every opening: ``Array.with_config``
        (zarr >= 3.1.6), else zarr's documented configuration, set only while the array is
        opened (it is read then).
        """
        arr = self.group[name]
        if hasattr(arr, "with_config"):
            return arr.with_config({"write_empty_chunks": True})
        with zarr.config.set({"array.write_empty_chunks": True}):
            return self.group[name]

    def _create(self, compression: str, entries) -> None:
        """A new store: every array with no row, the per-file arrays with the entries pending.

        The attributes come first, marked not ready until every array exists: a store whose
        creation was interrupted is recognised as ours, and made again.
        """
        from .. import __version__

        cfg = self.config
        meta = {name: {"dims": None, "units": f.units, "dtype": f.dtype.name,
                       "hop_seconds": f.hop_seconds}
                for name, f in self.feats.items()}
        n = 0 if entries is None else len(entries)
        specs = arrays(cfg, self.feats, n, self.columns)
        for spec in specs:
            if spec.name in meta:
                meta[spec.name]["dims"] = list(spec.dims)
        self.write_attrs({
            "format": FORMAT_VERSION, "version": __version__, "created": now(),
            "config": cfg.to_dict(), "layout": self.layout, "feature_names": list(cfg.features),
            "features": meta, "status_codes": STATUS, "columns": list(self.columns),
            "n_files": 0, "runs": [], "ready": False, "writing": now(),
        })
        for spec in specs:
            arr = self.group.create_array(
                spec.name, shape=spec.shape, chunks=spec.chunks, dtype=spec.dtype,
                fill_value=spec.fill_value, dimension_names=spec.dims,
                attributes=spec.attributes, chunk_key_encoding=CHUNK_KEYS,
                compressors=codecs(compression) if spec.compressed else "auto", overwrite=True,
                config={"write_empty_chunks": True})  # (else zarr compares every chunk to 0)
            if spec.data is not None:
                arr[...] = spec.data
        if entries is not None and len(entries):
            self._write_entries(0, entries)
        self.set_attrs(ready=True, n_files=n)

    def _write_entries(self, start: int, entries) -> None:
        stop = start + len(entries)
        self.group["files"][start:stop] = np.array(entries.paths, dtype=TEXT)
        for col in self.columns:
            values = entries.columns[col]
            dtype = TEXT if col in ("id", "label") else np.float64
            self.group[col][start:stop] = np.array(values, dtype=dtype)

    @property
    def attrs(self) -> dict:
        """The store's ``gaborcore`` attribute."""
        return dict(self.group.attrs["gaborcore"])

    def write_attrs(self, meta: dict) -> None:
        """Set the ``gaborcore`` attribute."""
        self.group.attrs["gaborcore"] = meta

    def set_attrs(self, **changes) -> None:
        """Change entries of the ``gaborcore`` attribute."""
        self.write_attrs({**self.attrs, **changes})

    def _repair(self) -> None:
        """Undo what an interrupted run left unfinished: entries being added, uncommitted rows,
        temporary files of chunk writes killed half way."""
        n = self.attrs["n_files"]
        for name in self.rows:
            remove_partial_files(self.group[name])
        for name in self.per_file:
            if self.group[name].shape[0] != n:
                self.group[name].resize((n,))
        # rows belong to the store only through an ok status (a failed file being retried may
        # have its new offset written and its status not yet)
        done = self.status() == OK
        if self.layout == "clips":
            end = committed_end(self.group["offset"][:], self.group["count"][:], done)
            for name in self.rows:
                cut_rows(self.group[name], 0, end)
            return
        for name in self.feats:
            end = committed_end(self.group[f"{name}_offset"][:], self.group[f"{name}_count"][:],
                                done)
            cut_rows(self.group[name], -1, end)
            if f"{name}_time" in self.rows:
                cut_rows(self.group[f"{name}_time"], 0, end)

    # ---- entries ---------------------------------------------------------------------------
    def status(self) -> np.ndarray:
        """The status of every entry."""
        return np.asarray(self.group["status"][:], np.int8)

    def keys(self) -> list[str]:
        """The identity of every entry (see :meth:`Entries.keys`)."""
        from .inputs import entry_keys

        cols = {c: self.group[c][:].tolist() for c in self.columns}
        return entry_keys(self.group["files"][:].tolist(), cols)

    def add_entries(self, entries) -> np.ndarray:
        """Indices of ``entries`` in the store, appending those not in it yet (as pending)."""
        known = {k: i for i, k in enumerate(self.keys())}
        keys = entries.keys()
        new = [j for j, k in enumerate(keys) if k not in known]
        if new:
            n0 = len(known)
            n1 = n0 + len(new)
            for name in self.per_file:
                self.group[name].resize((n1,))
            self._write_entries(n0, entries.subset(new))
            self.set_attrs(n_files=n1)  # the commit point of the new entries
            known.update((keys[j], n0 + i) for i, j in enumerate(new))
        return np.array([known[k] for k in keys], np.int64)

    def finish(self, entry: dict) -> None:
        """Record a run in the log and consolidate the metadata."""
        runs = list(self.attrs.get("runs", []))[-99:]
        meta = self.attrs
        meta.pop("writing", None)
        self.write_attrs({**meta, "runs": [*runs, entry]})
        consolidate(self.group)


def committed_end(offset: np.ndarray, count: np.ndarray, done: np.ndarray) -> int:
    """One past the last committed row: the append position."""
    ends = (offset + count)[done & (count > 0)]
    return int(ends.max()) if ends.size else 0


def cut_rows(arr, axis: int, end: int) -> None:
    """Cut ``arr`` to ``end`` rows along ``axis``; zarr removes the chunks past them."""
    if arr.shape[axis] != end:
        shape = list(arr.shape)
        shape[axis] = end
        arr.resize(tuple(shape))
