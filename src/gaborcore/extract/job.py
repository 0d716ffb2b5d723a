"""The job: entries cut into batches, batches submitted with back-pressure, results written in
order, progress shown, an interruption committed, a report returned."""

from __future__ import annotations

import collections
import itertools
import math
import os
import sys
import time
from collections.abc import Iterable

import numpy as np
from tqdm.auto import tqdm

from .. import _backend, _validation, io
from .batch import BatchResult, FileResult, Item, describe, run_batch
from .config import ExtractConfig
from .features import compute_all, prepared
from .inputs import gather
from .layout import STATUS, clip_rows
from .params import check_bool
from .report import ExtractReport
from .runners import DaskRunner, LocalRunner, check_scheduler
from .store import COMPRESSIONS, Store, location, now
from .writer import Writer

__all__ = ["extract", "default_batch_size"]

WINDOW_BYTES = 64 << 20  # features computed and not yet written, at most (about)


def extract(files, feature=None, store: str | os.PathLike = "features.zarr", *, config=None,
            workers: int | None = None, scheduler=None, batch_size: int | None = None,
            overwrite: bool = False, retry_failed: bool = False, compression: str = "lz4",
            extensions: Iterable[str] = io.AUDIO_EXTENSIONS, backend: str | None = None,
            progress: bool = False, dry_run: bool = False, **options) -> ExtractReport:
    """Extract features of many audio files into a Zarr store; resumable.

    Parameters
    ----------
    files : str, path-like or sequence of them
        Audio files, folders (searched recursively for ``extensions``), list files (``.txt``,
        ``.lst``: one path per line), a CSV/TSV manifest (``path`` and optional ``id``,
        ``label``, ``start``, ``end`` columns, carried into the store) or fsspec URLs.
    feature : str, sequence of str or mapping, optional
        ``"stft"``, ``"mel"``, ``"mfcc"``, ``"nsgt"``, ``"cqt"``, several, or ``{name: params}``;
        default: the config's features, else ``"mel"``.
    store : str or path-like
        The Zarr store (a folder, or an fsspec URL such as ``s3://bucket/f.zarr``), created if
        needed; an existing one of the same configuration is resumed.
    config : str, path-like, dict or ExtractConfig, optional
        A TOML file (:func:`load_config`) or its contents: the base that ``feature`` and
        ``**options`` override.
    workers : int, optional
        Threads decoding and computing in this process (files in parallel); ``None``: the
        :func:`gaborcore.set_workers` default (1); negative values count back from the CPUs.
        The features do not depend on it, to the bit.
    scheduler : str or dask.distributed.Client, optional
        ``"tcp://HOST:PORT"`` (an existing Dask scheduler), ``"local:N"`` (a
        ``dask.distributed.LocalCluster`` of N single-threaded worker processes, closed at the
        end) or a client.  Workers decode and compute; this process writes the store.  The audio
        paths must be readable by the workers.
    batch_size : int, optional
        Files per task; the excerpts of a task's files go through each kernel in one call.
        Default (:func:`default_batch_size`): with clips, the clips of a chunk of the largest
        feature (31 for librosa's default mel of 3 s clips), or a multiple of it from 8 to 64
        clips, about 64 with ``scheduler``: a task of one-clip files then fills whole chunks,
        which are written as computed, without a copy; whole files: 16, 64 with
        ``scheduler``.  The last two tasks per worker are cut a quarter as large, so that the
        workers finish together.
    overwrite : bool
        Replace a store made with other parameters (or start this one afresh).  A path that is not
        a gaborcore store is never replaced.
    retry_failed : bool
        Process again the files that failed in an earlier run.
    compression : {"lz4", "zstd", "none"}
        Codec of the feature arrays when the store is created: ``"lz4"`` is Blosc-LZ4 with bit
        shuffle, ``"zstd"`` plain zstd level 3 (for readers without Blosc), ``"none"``.
    extensions : sequence of str
        Extensions taken from folders.
    backend : str, optional
        Kernel backend (``"c"``, ``"numba"``, ``"numpy"``); default as everywhere.
    progress : bool
        Show a progress bar (files, and seconds of audio per second) on stderr.
    dry_run : bool
        Check everything (parameters, inputs, the store's configuration) and count what would be
        done, computing and writing nothing.
    **options
        Job options (``sr``, ``channels``, ``clip``, ``clip_hop``, ``pad``, ``dtype``,
        ``resample_quality``) and feature parameters (``n_fft``, ``n_mels``, ``db``, ...: see
        :data:`FEATURE_PARAMETERS`), applied to every feature that has them.

    Returns
    -------
    ExtractReport
        Counts, failures, throughput and where the time went.

    Raises
    ------
    gaborcore.ParameterError
        A bad argument (unknown feature or parameter, missing input, no audio file found, a store
        made with other parameters, a path that is not a store).  Files that cannot be decoded
        do not raise: they are recorded as failed, with the reason, and the job goes on.
    OSError
        The store cannot be written.
    KeyboardInterrupt
        After committing every file finished so far; run again to resume.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore.extract import extract, open_store
    >>> d = tempfile.mkdtemp()
    >>> for i in range(3):
    ...     soundfile.write(os.path.join(d, f"{i}.wav"), np.zeros(22050, np.float32), 22050)
    >>> report = extract(d, "mel", os.path.join(d, "f.zarr"), clip=0.5, n_mels=64)
    >>> report.n_ok, report.n_failed
    (3, 0)
    >>> open_store(os.path.join(d, "f.zarr")).feature("mel", 0).shape
    (2, 64, 22)

    See Also
    --------
    open_store : reads the store.
    gaborcore.cli.main : the same job as the ``gaborcore extract`` command.
    """
    t_start = time.perf_counter()
    compression = _validation.choice("compression", compression, COMPRESSIONS)
    overwrite = check_bool("overwrite", overwrite)
    retry_failed = check_bool("retry_failed", retry_failed)
    dry_run = check_bool("dry_run", dry_run)
    if batch_size is not None:
        batch_size = _validation.positive_int("batch_size", batch_size)
    cfg = ExtractConfig.build(feature, config=config, **options)
    if backend is not None:
        _backend.resolve_backend(backend)
    scheduler = check_scheduler(scheduler, workers)
    n_workers = None if scheduler is not None else _backend.resolve_workers(workers)
    config_json = cfg.to_json()
    feats = prepared(config_json)[1]
    if batch_size is None:
        batch_size = default_batch_size(cfg, feats, distributed=scheduler is not None)
    entries = gather(files, extensions=extensions)
    where, folder = location(store)
    report = ExtractReport(store=where, features=tuple(cfg.features), n_inputs=len(entries),
                           dry_run=dry_run)
    if dry_run:
        return _dry_run(report, where, cfg, entries, retry_failed, overwrite, t_start)
    started = now()
    jobs = None
    if scheduler is None and _is_new(where, folder):
        # nothing to resume: every entry is to do, in input order, so the workers start on them
        # while this thread makes the store
        jobs = Jobs(_items(entries, range(len(entries))),
                    _local_runner(n_workers, feats, cfg, backend), config_json, backend,
                    batch_size, _batch_bytes(feats, cfg, batch_size))
    try:
        st = Store.open(store, cfg, feats, overwrite=overwrite, compression=compression,
                        entries=entries)
    except BaseException:
        if jobs is not None:
            jobs.runner.close(cancel=True)
        raise
    try:
        if jobs is not None and not st.created:  # made by another run meanwhile: resume it
            jobs.runner.close(cancel=True)
            jobs = None
        if jobs is None:
            index = np.arange(len(entries)) if st.created else st.add_entries(entries)
            todo = _todo(st.status()[index], retry_failed)
            if todo.size:
                runner = (_local_runner(n_workers, feats, cfg, backend) if scheduler is None
                          else DaskRunner(scheduler))
                jobs = Jobs(_items(entries, todo, index), runner, config_json, backend,
                            batch_size, _batch_bytes(feats, cfg, batch_size))
        if jobs is not None:
            report.n_skipped = len(entries) - len(jobs.todo)
            report.runner = jobs.runner.description
            report.setup_seconds = jobs.started - t_start
            try:
                run(jobs, st, progress, report)
            finally:
                from .. import __version__

                st.finish({"started": started, "finished": now(), "version": __version__,
                           "files": report.n_ok + report.n_failed, "failed": report.n_failed})
        else:
            report.n_skipped = len(entries)
            report.runner = "nothing to do"
            st.finish({"started": started, "finished": now(), "files": 0, "failed": 0})
    finally:
        st.lock.release()
    report.elapsed_seconds = time.perf_counter() - t_start
    return report


def default_batch_size(cfg: ExtractConfig, feats: dict, *, distributed: bool = False) -> int:
    """Files per task when ``batch_size`` is not given.

    With clips, a multiple of the clips per chunk of the feature whose clips take the most
    bytes (:func:`~gaborcore.extract.layout.clip_rows`): the smallest one of at least 8 clips
    (64 on Dask, whose per-task overhead is larger), and at most 64 (256 on Dask); a task of
    one-clip files then fills whole chunks of that feature, written as computed.  Whole files:
    16 (64 on Dask).
    """
    low, high = (64, 256) if distributed else (8, 64)
    if cfg.layout != "clips":
        return 64 if distributed else 16
    rows = min(clip_rows(cfg, f) for f in feats.values())
    return min(high, rows * -(-low // rows))


def _todo(status: np.ndarray, retry_failed: bool) -> np.ndarray:
    """Positions (in the inputs) of the entries to do."""
    return np.flatnonzero((status == STATUS["pending"])
                          | (retry_failed & (status == STATUS["failed"])))


def _items(entries, positions, index=None) -> list[Item]:
    """Work items of the entries at ``positions`` (their store indices: ``index``)."""
    out = []
    for j in positions:
        j = int(j)
        start, end = entries.span(j)
        out.append(Item(j if index is None else int(index[j]), entries.paths[j], start, end))
    return out


def _dry_run(report: ExtractReport, where: str, cfg: ExtractConfig, entries, retry_failed,
             overwrite, t_start) -> ExtractReport:
    """Count what a run would do; the store is read (its configuration checked), never written."""
    from .reader import open_store

    report.runner = "dry run"
    report.n_ok = len(entries)
    try:
        existing = open_store(where)
    except _validation.ParameterError:
        existing = None
    if existing is not None and not overwrite:
        if existing.config != cfg.to_dict():
            raise _validation.ParameterError(
                f"store {where!r} holds features made with other parameters; use overwrite "
                "(--overwrite) to replace it, or another output")
        status = dict(zip(existing.keys(), existing.status.tolist(), strict=True))
        keys = entries.keys()
        st = np.array([status.get(k, STATUS["pending"]) for k in keys], np.int8)
        report.n_ok = int(_todo(st, retry_failed).size)
        report.n_skipped = len(entries) - report.n_ok
    report.elapsed_seconds = time.perf_counter() - t_start
    return report


def _is_new(where: str, folder: str | None) -> bool:
    """Whether a store at ``where`` would be made from nothing (no folder, or an empty one)."""
    if folder is None:
        return False  # a URL: look before writing (Store.open does)
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True
    except OSError:  # not a folder, not readable: Store.open says what is wrong
        return False


def _local_runner(workers: int, feats: dict, cfg: ExtractConfig, backend) -> LocalRunner:
    """The thread pool, after one call of each feature in this thread: kernels and FFT plans are
    made before the workers start (they share these plans), and the first batch is not slower
    than the others."""
    n = cfg.clip_samples or cfg.sr
    y = np.zeros((1, *(() if cfg.mono else (cfg.channels,)), n), cfg.dtype)
    compute_all(feats, y, backend)
    return LocalRunner(workers)


def batches(todo: list, size: int, slots: int) -> list[list]:
    """``todo`` cut into batches of ``size``, in order, but for the last two per worker, which
    are cut a quarter as large: the workers then finish within a small batch of each other
    instead of one idling for up to a whole batch at the end of the job."""
    small = max(1, size // 4)
    cut = max(0, len(todo) - 2 * slots * size)
    cut -= cut % size
    return ([todo[i:i + size] for i in range(0, cut, size)]
            + [todo[i:i + small] for i in range(cut, len(todo), small)])


class Jobs:
    """The entries to do, cut into batches, and the batches submitted to a runner, oldest first.

    ``depth`` batches are submitted at once (a new store is made while they are computed), then
    a batch is submitted whenever fewer than two per worker are queued or running: the workers
    never wait for this thread, and the results waiting to be written are at most ``depth``
    batches (about :data:`WINDOW_BYTES` of features, 2 to 16 batches per worker; 2 when the size
    of a result is not known beforehand), whatever the number of files.
    """

    def __init__(self, todo: list[Item], runner, config_json: str, backend, batch_size: int,
                 batch_bytes: int | None = None):
        self.todo = todo
        self.runner = runner
        self.args = (config_json, backend)
        self.batches = iter(batches(todo, batch_size, runner.slots))
        self.window: collections.deque = collections.deque()
        slots = runner.slots
        per_slot = 2 if not batch_bytes else min(16, max(2, WINDOW_BYTES // (batch_bytes * slots)))
        self.depth = per_slot * slots
        self.started = time.perf_counter()  # the first task submitted
        self._submit(self.depth)

    def _submit(self, n: int) -> None:
        for batch in itertools.islice(self.batches, max(n, 0)):
            self.window.append((batch, self.runner.submit(run_batch, self.args[0], batch,
                                                          self.args[1])))

    def fill(self) -> None:
        """Keep two batches per worker queued or running, and at most ``depth`` not yet taken."""
        busy = sum(not future.done() for _, future in self.window)
        self._submit(min(self.depth - len(self.window), 2 * self.runner.slots - busy))


def _batch_bytes(feats: dict, cfg: ExtractConfig, batch_size: int) -> int | None:
    """Bytes of the features of a batch of files of one excerpt each; None without clips."""
    if cfg.layout != "clips":
        return None
    lead = 1 if cfg.mono else cfg.channels
    return batch_size * lead * sum(math.prod(f.shape(cfg.clip_samples)) * f.dtype.itemsize
                                   for f in feats.values())


def run(jobs: Jobs, st: Store, progress: bool, report: ExtractReport) -> None:
    """Take the batches' results in order, write and commit them; commit what is done on Ctrl-C."""
    writer = Writer(st, expected_files=len(jobs.todo))
    paths = {item.index: item.path for item in jobs.todo}
    window = jobs.window
    t0 = jobs.started
    bar = tqdm(total=len(jobs.todo), unit="file", desc="extract", disable=not progress,
               dynamic_ncols=True, file=sys.stderr)
    cancel = True
    try:
        while window:
            batch, future = window.popleft()
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost task (dead worker): its files fail
                reason = f"task failed: {describe(exc)}"
                result = BatchResult([FileResult(item.index, error=reason) for item in batch])
            jobs.fill()
            writer.add(result.files, result.rows)
            for r in result.files:
                if r.error:
                    report.n_failed += 1
                    report.failures.append((paths[r.index], r.error))
                else:
                    report.n_ok += 1
                    report.audio_seconds += r.duration
            report.decode_seconds += result.decode_seconds
            report.compute_seconds += result.compute_seconds
            bar.update(len(batch))
            rate = report.audio_seconds / max(time.perf_counter() - t0, 1e-9)
            bar.set_postfix_str(f"{rate:,.0f} s audio/s" +
                                (f", {report.n_failed} failed" if report.n_failed else ""),
                                refresh=False)
            if writer.due():
                writer.commit()
        cancel = False
    finally:
        bar.close()
        jobs.runner.close(cancel=cancel)
        # every result taken is a whole file: commit them, also when interrupted
        try:
            writer.commit()
        finally:
            writer.close()
        report.write_seconds = writer.seconds
