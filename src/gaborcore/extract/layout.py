"""The store's layout as data: every array's name, axes, chunks, type, fill value and attributes.

One function, :func:`arrays`, says what a new store holds; :mod:`~gaborcore.extract.store` makes
it and :mod:`~gaborcore.extract.reader` reads it.  Every array carries Zarr 3
``dimension_names`` and coordinate arrays name the axes (frequencies in Hz, frame times in
seconds), so that ``xarray.open_zarr`` labels the store without help.  Axes::

    file                      one entry per input (per manifest row)
    clip                      one row per excerpt ("clips" layout)
    channel                   kept channels (channels=N)
    <feature>_frequency       rows of stft, mel, cqt (Hz coordinate)
    <feature>_coefficient     mfcc's coefficients, nsgt's flat coefficients
    <feature>_time            frames of a clip (seconds coordinate, "clips" layout)
    <feature>_frame           frames of all files one after another ("ragged" layout); the
                              coordinate <feature>_time gives each frame's time in its file
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .config import ExtractConfig
from .features import Feature

__all__ = ["FORMAT_VERSION", "STATUS", "ArraySpec", "arrays", "per_file_names", "row_names",
           "COLUMNS", "clip_rows"]

#: Version of the store layout written by this module.
FORMAT_VERSION = 2
#: Per-file status codes.
STATUS = {"pending": 0, "ok": 1, "failed": 2}
#: Manifest columns carried into the store, with their types and fill values.
COLUMNS = {"id": (str, ""), "label": (str, ""), "start": ("float64", math.nan),
           "end": ("float64", math.nan)}

CHUNK_BYTES = 2 << 20  # target size of a feature chunk
FILE_CHUNK = 16384  # entries per chunk of the per-file arrays
TEXT = str  # the dtype of text arrays (Zarr 3 variable-length UTF-8)


@dataclasses.dataclass(frozen=True)
class ArraySpec:
    """One array of the store.

    ``grows`` is the axis along which rows are appended (None: fixed size); ``compressed``
    says whether the job's ``compression`` applies (feature arrays) or zarr's default does.
    """

    name: str
    shape: tuple
    chunks: tuple
    dtype: object
    fill_value: object
    dims: tuple
    attributes: dict = dataclasses.field(default_factory=dict)
    grows: int | None = None
    compressed: bool = False
    data: np.ndarray | None = None  # values of a coordinate array, written at creation


def per_file_names(config: ExtractConfig, feats: dict, columns: tuple = ()) -> list[str]:
    """The arrays with one entry per file, ``status`` among them (written last at a commit)."""
    names = ["files", "status", "error", "duration", "source_sr", "source_channels", *columns]
    if config.layout == "clips":
        return [*names, "offset", "count"]
    return [*names, *(f"{n}_{k}" for n in feats for k in ("offset", "count"))]


def row_names(config: ExtractConfig, feats: dict) -> list[str]:
    """The arrays that grow as files are added (rows of clips, frames of files)."""
    if config.layout == "clips":
        return ["clip_file", "clip_start", *feats]
    return [*feats, *(f"{n}_time" for n in feats if feats[n].time_axis)]


def clip_rows(config: ExtractConfig, f: Feature) -> int:
    """Clips per chunk of feature ``f`` in the "clips" layout: as many as fill about
    :data:`CHUNK_BYTES`."""
    lead = 1 if config.mono else config.channels
    return max(1, CHUNK_BYTES // (lead * math.prod(f.shape(config.clip_samples))
                                  * f.dtype.itemsize))


def _feature_specs(config: ExtractConfig, name: str, f: Feature) -> list[ArraySpec]:
    lead = () if config.mono else (config.channels,)
    lead_dims = () if config.mono else ("channel",)
    attrs = f.attributes()
    if config.layout == "clips":
        shape = (*lead, *f.shape(config.clip_samples))
        rows = clip_rows(config, f)
        n_frames = shape[-1] if f.time_axis else None
        coords = f.coordinates(n_frames)
        attrs["coordinates"] = "clip_file clip_start"
        out = [ArraySpec(name, (0, *shape), (rows, *shape), f.dtype, 0, ("clip", *lead_dims,
                                                                          *f.dims),
                         attrs, grows=0, compressed=True)]
    else:
        shape = (*lead, *f.shape(config.sr)[:-1])
        cols = max(64, CHUNK_BYTES // (math.prod(shape) * f.dtype.itemsize))
        frame_dim = f"{name}_frame"
        coords = f.coordinates(None)
        attrs["coordinates"] = f"{name}_time"
        out = [ArraySpec(name, (*shape, 0), (*shape, cols), f.dtype, 0,
                         (*lead_dims, *f.dims[:-1], frame_dim), attrs, grows=-1, compressed=True),
               ArraySpec(f"{name}_time", (0,), (max(cols, 4096),), "float64", math.nan,
                         (frame_dim,), {"units": "s", "long_name": "frame time in its file"},
                         grows=0)]
    for dim, (values, cattrs) in coords.items():
        dims = (cattrs.pop("dims"),) if "dims" in cattrs else (dim,)
        out.append(ArraySpec(dim, values.shape, values.shape, values.dtype, 0, dims, cattrs,
                             data=values))
    return out


def arrays(config: ExtractConfig, feats: dict[str, Feature], n_files: int,
           columns: tuple = ()) -> list[ArraySpec]:
    """Every array of a new store of ``n_files`` entries, per-file arrays first.

    Parameters
    ----------
    config : ExtractConfig
        The job's configuration.
    feats : dict of Feature
        Its features.
    n_files : int
        Entries of the store.
    columns : tuple of str
        Manifest columns carried into the store (keys of :data:`COLUMNS`).
    """
    nf, fc = (n_files,), (FILE_CHUNK,)
    file_ = ("file",)
    specs = [
        ArraySpec("files", nf, fc, TEXT, "", file_, {"long_name": "path or URL of the file"}),
        ArraySpec("status", nf, fc, "int8", STATUS["pending"], file_,
                  {"long_name": "0 pending, 1 ok, 2 failed", "flag_values": [0, 1, 2],
                   "flag_meanings": "pending ok failed"}),
        ArraySpec("error", nf, fc, TEXT, "", file_, {"long_name": "why the file failed"}),
        ArraySpec("duration", nf, fc, "float64", math.nan, file_,
                  {"units": "s", "long_name": "audio decoded"}),
        ArraySpec("source_sr", nf, fc, "int32", 0, file_,
                  {"units": "Hz", "long_name": "the file's own sampling rate"}),
        ArraySpec("source_channels", nf, fc, "int16", 0, file_,
                  {"long_name": "the file's own channel count (1 and channels=N: duplicated)"}),
    ]
    for col in columns:
        dtype, fill = COLUMNS[col]
        attrs = {"long_name": f"manifest column {col}"}
        if col in ("start", "end"):
            attrs["units"] = "s"
        specs.append(ArraySpec(col, nf, fc, dtype, fill, file_, attrs))
    if config.layout == "clips":
        specs += [ArraySpec("offset", nf, fc, "int64", -1, file_,
                            {"long_name": "first clip row of the file (-1: none)"}),
                  ArraySpec("count", nf, fc, "int64", 0, file_,
                            {"long_name": "clip rows of the file"})]
    else:
        for name in feats:
            specs += [ArraySpec(f"{name}_offset", nf, fc, "int64", -1, file_,
                                {"long_name": f"first {name} frame of the file (-1: none)"}),
                      ArraySpec(f"{name}_count", nf, fc, "int64", 0, file_,
                                {"long_name": f"{name} frames of the file"})]
    if not config.mono:
        ch = np.arange(config.channels, dtype=np.int64)
        specs.append(ArraySpec("channel", ch.shape, ch.shape, ch.dtype, 0, ("channel",), {},
                               data=ch))
    feature_specs = [s for name, f in feats.items() for s in _feature_specs(config, name, f)]
    if config.layout == "clips":
        rows = max(1, min(FILE_CHUNK, 64 * min(s.chunks[0] for s in feature_specs
                                                if s.grows == 0)))
        specs += [ArraySpec("clip_file", (0,), (rows,), "int64", -1, ("clip",),
                            {"long_name": "entry (file) of the clip"}, grows=0),
                  ArraySpec("clip_start", (0,), (rows,), "float64", math.nan, ("clip",),
                            {"units": "s", "long_name": "start of the clip in its file"},
                            grows=0)]
    seen = {s.name for s in specs}
    for s in feature_specs:  # a coordinate shared by two features (same values) is made once
        if s.name not in seen:
            specs.append(s)
            seen.add(s.name)
    return specs
