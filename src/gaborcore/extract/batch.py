"""The work of one batch of files, as it runs on a worker: decode, cut into clips, compute.

Pure functions of their arguments (the configuration travels as JSON text; the plans are made
once per process by :func:`gaborcore.extract.features.prepared`), so that a batch runs the same
on a local thread and on a Dask worker.  A file that fails is returned with its reason; the batch
goes on.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from .. import io
from .config import ExtractConfig
from .features import Feature, compute_all, prepared

__all__ = ["Item", "FileResult", "BatchResult", "run_batch", "clip_starts", "describe"]


@dataclasses.dataclass(frozen=True)
class Item:
    """One entry of the job: its index in the store, its path and, from a manifest, the part of
    the file to take (seconds; None: from the start, to the end)."""

    index: int
    path: str
    start: float | None = None
    end: float | None = None


@dataclasses.dataclass
class FileResult:
    """What a worker made of one entry: its features, or why it failed."""

    index: int
    error: str = ""
    duration: float = math.nan
    source_sr: int = 0
    source_channels: int = 0
    clip_start: np.ndarray | None = None  # seconds from the start of the entry, clips layout
    arrays: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class BatchResult:
    """The results of a batch, in the order of its entries, and where the worker's time went.

    ``rows``, with clips computed in one call per feature, holds those calls' outputs: the rows
    of every file with clips, one file after another, as one array per feature (the files'
    ``arrays`` are views of them), for the writer to take whole.
    """

    files: list
    decode_seconds: float = 0.0
    compute_seconds: float = 0.0
    rows: dict | None = None


def clip_starts(n: int, clip: int, hop: int, pad: bool) -> np.ndarray:
    """First samples of the excerpts of a signal of ``n`` samples."""
    starts = list(range(0, n - clip + 1, hop)) if n >= clip else []
    nxt = starts[-1] + hop if starts else 0
    if pad and nxt < n and (not starts or starts[-1] + clip < n):
        starts.append(nxt)
    return np.asarray(starts, np.int64)


def cut(y: np.ndarray, starts: np.ndarray, clip: int) -> np.ndarray:
    """Excerpts ``(len(starts), [channels,] clip)``, zero-padded past the end of ``y``."""
    if len(starts) == 1 and y.shape[-1] == clip:  # a file of exactly one clip: no copy
        return y[None]
    out = np.zeros((len(starts), *y.shape[:-1], clip), y.dtype)
    for i, s in enumerate(starts):
        part = y[..., s:s + clip]
        out[i, ..., :part.shape[-1]] = part
    return out


def describe(exc: BaseException) -> str:
    """An exception as one line: its type and message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def decode(r: FileResult, item: Item, cfg: ExtractConfig) -> np.ndarray | None:
    """The entry's samples at ``cfg.sr``, or None with ``r.error`` set.

    With ``channels=N``, a mono file is duplicated to the N channels (its ``source_channels``
    of 1 records it); a file with another number of channels fails.
    """
    duration = None if item.end is None else item.end - (item.start or 0.0)
    try:
        y, src = io.read(item.path, sr=cfg.sr, mono=cfg.mono, dtype=cfg.dtype,
                         quality=cfg.resample_quality, offset=item.start or 0.0,
                         duration=duration)
    except io.AudioFileError as exc:
        r.error = exc.reason
        return None
    except Exception as exc:  # noqa: BLE001 - any failure of one file is recorded, the job goes on
        r.error = f"decoding failed: {describe(exc)}"
        return None
    r.source_sr, r.source_channels = src.sr, src.channels
    r.duration = y.shape[-1] / cfg.sr
    if not cfg.mono and y.shape[0] != cfg.channels:
        if y.shape[0] != 1:
            r.error = (f"has {y.shape[0]} channels; channels={cfg.channels} keeps "
                       f"{cfg.channels} (and duplicates a mono file)")
            return None
        y = np.repeat(y, cfg.channels, axis=0)
    return y


def _compute_file(r: FileResult, feats: dict[str, Feature], y: np.ndarray, backend,
                  ragged: bool) -> None:
    """The features of one file's signal (ragged) or excerpts (clips), or its error."""
    try:
        if ragged:
            r.arrays = {name: a[0] for name, a in compute_all(feats, y[None], backend).items()}
        else:
            r.arrays = compute_all(feats, y, backend)
    except Exception as exc:  # noqa: BLE001 - recorded, the job goes on
        r.error = f"feature computation failed: {describe(exc)}"
        r.arrays = {}


def _compute_clips(feats: dict[str, Feature], cfg: ExtractConfig, signals: list, backend,
                   stacked: np.ndarray | None = None) -> dict | None:
    """The excerpts of all files through each kernel in one call, split back per file; returns
    the calls' outputs (None when there were no excerpts or a file failed).

    ``stacked``, when given, is the excerpts of ``signals`` already lying one after another in
    one array (the batch decoded straight into its rows): no copy to make, and no check for NaN
    either (the row reader takes only files whose samples are finite).
    """
    filled = []
    for r, y in signals:
        if len(y):
            filled.append((r, y))
        else:  # a file shorter than clip, with pad=False: no row
            r.arrays = {name: np.empty((0, *y.shape[1:-1], *f.shape(cfg.clip_samples)), f.dtype)
                        for name, f in feats.items()}
    if not filled:
        return None
    try:
        x = stacked if stacked is not None else np.concatenate([y for _, y in filled])
        arrays = compute_all(feats, x, backend, finite=stacked is not None)
    except Exception:  # noqa: BLE001 - one file at a time, to find and record the one at fault
        for r, y in filled:
            _compute_file(r, feats, y, backend, ragged=False)
        return None
    pos = 0
    for r, y in filled:
        r.arrays = {name: a[pos:pos + len(y)] for name, a in arrays.items()}
        pos += len(y)
    return arrays


_FIRST_CLIP = np.zeros(1)  # the clip start (s) of a file of exactly one clip
_FIRST_CLIP.flags.writeable = False


def _decode_rows(cfg: ExtractConfig, items: list[Item]):
    """The batch's plain WAV files decoded straight into one row each
    (:func:`gaborcore.io.read_rows`): ``(rows, table)``, or None where that does not apply
    (whole files, channels kept, parts of files, or no compiled reader)."""
    if cfg.layout != "clips" or not cfg.mono or any(
            it.start is not None or it.end is not None for it in items):
        return None
    rows = np.empty((len(items), cfg.clip_samples), cfg.dtype)
    table = io.read_rows([it.path for it in items], rows, cfg.sr)
    return None if table is None else (rows, table)


def run_batch(config_json: str, items: list[Item], backend: str | None) -> BatchResult:
    """Decode and compute a batch of entries; one that fails is returned with its reason.

    Parameters
    ----------
    config_json : str
        :meth:`ExtractConfig.to_json` of the job.
    items : list of Item
        The entries, in store order.
    backend : str or None
        Kernel backend.

    Returns
    -------
    BatchResult
        One :class:`FileResult` per entry, in order.
    """
    cfg, feats = prepared(config_json)
    out = BatchResult([])
    signals = []
    t0 = time.perf_counter()
    direct = _decode_rows(cfg, items)
    table = direct[1].tolist() if direct is not None else None
    stacked = direct is not None  # every excerpt is its file's row, in order, so far
    for k, item in enumerate(items):
        r = FileResult(item.index)
        out.files.append(r)
        if table is not None and table[k][0] == 0:  # decoded into its row: at most a clip
            _, frames, r.source_sr, r.source_channels = table[k][:4]
            r.duration = frames / cfg.sr
            if frames == cfg.clip_samples:  # exactly one clip, the usual case
                r.clip_start = _FIRST_CLIP
                signals.append((r, direct[0][k:k + 1]))
                continue
            starts = clip_starts(frames, cfg.clip_samples, cfg.clip_hop_samples, cfg.pad)
            r.clip_start = starts / cfg.sr
            signals.append((r, direct[0][k:k + len(starts)]))
            stacked = stacked and len(starts) == 1
            continue
        stacked = False
        y = decode(r, item, cfg)
        if y is None:
            continue
        if cfg.layout == "clips":
            starts = clip_starts(y.shape[-1], cfg.clip_samples, cfg.clip_hop_samples, cfg.pad)
            r.clip_start = starts / cfg.sr
            y = cut(y, starts, cfg.clip_samples)
        signals.append((r, y))
    t1 = time.perf_counter()
    out.decode_seconds = t1 - t0
    if cfg.layout == "clips":
        out.rows = _compute_clips(feats, cfg, signals, backend, direct[0] if stacked else None)
    else:
        for r, y in signals:
            _compute_file(r, feats, y, backend, ragged=True)
    out.compute_seconds = time.perf_counter() - t1
    return out
