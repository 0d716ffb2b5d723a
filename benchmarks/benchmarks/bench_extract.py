"""Throughput of the extraction job (:func:`gaborcore.extract.extract`): WAV files to a Zarr store.

Workload: ``N`` clips of 3 s at 22.05 kHz (white noise of standard deviation 0.1, seeded per clip)
written once as 16-bit PCM WAV files into a cache folder
(``$TMPDIR/gaborcore-bench-extract/<N>x3s``, reused by later runs).  ``N`` is 1,000, or
``$GABORCORE_BENCH_EXTRACT_CLIPS`` (e.g. 200 for a shorter run).  The job extracts float32 mel
spectrograms with librosa's defaults (``n_fft=2048``, ``hop_length=512``, 128 Slaney bands), one
clip per file (``clip=3.0``, "clips" layout), into a fresh store in a temporary folder.

Parameter ``runner``:

* ``"threads-1"``, ``"threads-2"``: the local pool (``workers=1`` or ``2``; ``python
  bench_extract.py --runners threads-8`` takes any number, for machines with more cores);
* ``"dask-2"``: a ``dask.distributed.LocalCluster`` of 2 single-threaded worker processes,
  started in ``setup`` (not timed); skipped when dask is not installed.

Benchmarks (each runs one whole ``extract`` call, FFT plans made beforehand):

* ``Extract.time_extract``: its wall time;
* ``Extract.track_audio_seconds_per_second``: seconds of audio per second of that wall time;
* ``Extract.track_decode_share``: the workers' time spent decoding, over decoding + computing;
* ``Extract.track_ratio_to_kernel``: the throughput over that of the bare mel kernel on the same
  clips already decoded in memory, with as many threads as the runner has workers;
* ``ExtractKernel.track_audio_seconds_per_second``: that bare kernel (``workers`` 1 and 2);
* ``ExtractMemory.peakmem_extract``: the peak memory of a process running the job on 250 and on
  1,000 of the clips (bounded: the same for both);
* ``ExtractWriter.track_writing_thread_audio_seconds_per_second``: the writing side alone
  (:func:`measure_writer`), fed the computed batches as fast as it takes them: what the thread
  that takes the results (bookkeeping; chunks are encoded and written on a thread of their own)
  can take, a ceiling on the job that no number of cores lifts.

Fresh memory.  On a virtual machine whose memory the host backs lazily (this project's
firecracker VMs) the first touch of a guest page costs about 1.6 ms per MB, and the page cache
that the store's new files take is such memory until the guest has used it once: writing the
66 MB of features then costs 0.13-0.17 s of system time instead of 0.02 s, more than the rest
of the writer.  ``setup`` therefore touches ``$GABORCORE_BENCH_PREFAULT_MB`` MiB (default 1024;
0 turns it off) of memory once per process and frees it, so that the figures are those of a
machine in steady state; ``python bench_extract.py --prefault-mb 0`` shows the other case.

Fresh inodes.  A store is a few dozen files.  After each run its files are truncated (their page
cache freed for the next run, as above) and the stores of a measurement are removed only at its
end (asv's ``teardown``).  Removing a store right before the next run made that run pay for it:
on an ext4 file system without a journal (this project's VMs) the inode allocator steps over
every inode freed in the last minute (six while its inode table block is dirty), and creating a
file then cost about 430 us instead of 130 us here, some 15 ms per run of 1,000 clips.  Users'
runs do not follow such deletions.

``asv run --python=same --quick --bench Extract`` runs them all once, in a few minutes with
1,000 clips (the first run also writes the WAV files, about 130 MB).

:func:`measure_extract` runs the same measurements outside asv (best of ``repeat`` runs, the
runners interleaved with the bare kernel so that a noisy machine affects them alike; the local
runners first, then "dask-2" with its cluster, whose idle processes would slow the others) and
returns one dict per runner;
``python benchmarks/benchmarks/bench_extract.py`` prints them.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import soundfile

import gaborcore
from gaborcore import extract as ex
from gaborcore import io
from gaborcore.extract import batch as ex_batch
from gaborcore.extract import features as ex_features
from gaborcore.extract import job as ex_job
from gaborcore.extract import store as ex_store
from gaborcore.extract import writer as ex_writer

__all__ = ["RUNNERS", "MEL", "measure_extract", "measure_writer", "print_rows", "print_writer",
           "workload_files", "prefault", "default_prefault_mb", "default_clips"]

RUNNERS = ["threads-1", "threads-2", "dask-2"]
SR = 22050
SECONDS = 3.0
#: The features extracted: float32 mel spectrograms, librosa's defaults.
MEL = {"n_fft": 2048, "hop_length": 512, "n_mels": 128}


def default_prefault_mb() -> int:
    """MiB of memory touched once per process before measuring (``$GABORCORE_BENCH_PREFAULT_MB``)."""
    return int(os.environ.get("GABORCORE_BENCH_PREFAULT_MB", "1024"))


@functools.cache
def prefault(mb: int) -> None:
    """Touch ``mb`` MiB of fresh memory once (per process) and free it (see the module docstring)."""
    if mb > 0:
        block = np.ones(mb << 20, np.uint8)
        del block


def default_clips() -> int:
    """Clips in the workload (``$GABORCORE_BENCH_EXTRACT_CLIPS``, default 1,000)."""
    return int(os.environ.get("GABORCORE_BENCH_EXTRACT_CLIPS", "1000"))


@functools.cache
def workload_files(n_clips: int, seconds: float = SECONDS) -> tuple[str, ...]:
    """The workload's WAV files, written on first use into a cache folder and reused."""
    folder = Path(tempfile.gettempdir()) / "gaborcore-bench-extract" / f"{n_clips}x{seconds:g}s"
    files = tuple(str(folder / f"{i:05d}.wav") for i in range(n_clips))
    done = folder / "complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        n = int(round(seconds * SR))
        for i, path in enumerate(files):
            rng = np.random.default_rng([20261124, i])
            y = (0.1 * rng.standard_normal(n)).astype(np.float32)
            soundfile.write(path, y, SR, subtype="PCM_16")
        done.write_text("ok\n")
    return files


def _decoded(files: tuple[str, ...]) -> np.ndarray:
    """The clips decoded as the job decodes them, ``(n_clips, n_samples)`` float32."""
    first = io.load(files[0], sr=None)[0]
    x = np.empty((len(files), first.shape[0]), np.float32)
    for i, path in enumerate(files):
        x[i] = io.load(path, sr=None)[0]
    return x


class _Cluster:
    """A LocalCluster of 2 single-threaded worker processes and its client."""

    def __init__(self):
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    dashboard_address=None, silence_logs=40)
        self.client = Client(self.cluster)

    def close(self):
        self.client.close()
        self.cluster.close()


def _emptied(store: str) -> None:
    """Truncate every file of ``store``: its page cache is freed for the next run, its inodes are
    kept (see "Fresh inodes" in the module docstring)."""
    for root, _, names in os.walk(store):
        for name in names:
            os.truncate(os.path.join(root, name), 0)


def _run(files, runner: str, folder: str, cluster: _Cluster | None,
         keep: bool = True, compression: str = "lz4") -> ex.ExtractReport:
    """One whole extraction into a fresh store in ``folder``: emptied afterwards and kept until
    the folder is removed (``keep``), or removed."""
    kwargs = ({"scheduler": cluster.client} if runner.startswith("dask")
              else {"workers": int(runner.split("-")[1])})
    store = os.path.join(folder, f"{uuid.uuid4().hex}.zarr")
    try:
        return ex.extract(list(files), "mel", store, sr=SR, clip=SECONDS,
                               compression=compression, **MEL, **kwargs)
    finally:
        if keep:
            _emptied(store)
        else:
            shutil.rmtree(store, ignore_errors=True)


def _kernel_rate(x: np.ndarray, out: np.ndarray, workers: int, repeat: int = 3) -> float:
    """Seconds of audio per second of the bare mel kernel on decoded clips (best of ``repeat``)."""
    plan = gaborcore.MelSpectrogram(sr=SR, **MEL)
    plan(x[:4], out=out[:4], workers=workers)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        plan(x, out=out, workers=workers)
        best = min(best, time.perf_counter() - t0)
    return x.shape[0] * x.shape[1] / SR / best


class _Setup:
    """Files written, FFT plans made, the cluster started (for "dask-2"): nothing of it timed."""

    params = (RUNNERS,)
    param_names = ["runner"]
    timeout = 600.0
    number = 1  # every call writes a whole store
    repeat = (1, 3, 60.0)

    def setup(self, runner):
        self.cluster = None
        if runner.startswith("dask"):
            try:
                self.cluster = _Cluster()
            except ImportError:
                raise NotImplementedError("dask.distributed is not installed") from None
        self.files = workload_files(default_clips())
        prefault(default_prefault_mb())
        self.folder = tempfile.mkdtemp(prefix="gaborcore-bench-store-")
        _run(self.files[:8], runner, self.folder, self.cluster)  # plans, on every worker

    def teardown(self, runner):
        if self.cluster is not None:
            self.cluster.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Extract(_Setup):
    """``extract`` of the workload's mel spectrograms into a fresh Zarr store."""

    def time_extract(self, runner):
        _run(self.files, runner, self.folder, self.cluster)

    def track_audio_seconds_per_second(self, runner):
        report = _run(self.files, runner, self.folder, self.cluster)
        return report.audio_seconds / report.elapsed_seconds

    track_audio_seconds_per_second.unit = "s of audio / s"

    def track_decode_share(self, runner):
        return _run(self.files, runner, self.folder, self.cluster).decode_share

    track_decode_share.unit = "fraction"

    def track_ratio_to_kernel(self, runner):
        report = _run(self.files, runner, self.folder, self.cluster)
        x = _decoded(self.files)
        kernel = _kernel_rate(x, np.empty((x.shape[0], 128, 130), np.float32),
                              int(runner.split("-")[1]))
        return report.audio_seconds / report.elapsed_seconds / kernel

    track_ratio_to_kernel.unit = "ratio"


class ExtractKernel:
    """The reference: the bare mel kernel on the workload's clips, decoded in memory."""

    params = ([1, 2],)
    param_names = ["workers"]
    timeout = 600.0

    def setup(self, workers):
        self.x = _decoded(workload_files(default_clips()))
        self.out = np.empty((self.x.shape[0], 128, 130), np.float32)

    def track_audio_seconds_per_second(self, workers):
        return _kernel_rate(self.x, self.out, workers)

    track_audio_seconds_per_second.unit = "s of audio / s"


def measure_writer(n_clips: int = 1000, *, repeat: int = 3, compression: str = "lz4") -> dict:
    """How fast the writing side alone takes results: the ceiling of the job on many cores.

    The workload's batches are computed first; then their results are given to the writer of a
    new store (as :func:`gaborcore.extract.extract` does, in batches of its default size) as fast
    as it takes them, and the final commit is made.  Returns the best of ``repeat``: ``seconds`` (wall),
    ``cpu_seconds`` (all threads), ``thread_seconds`` (the thread taking the results: what no
    number of cores spreads), and ``audio_seconds_per_second`` of each.
    """
    files = list(workload_files(n_clips))
    prefault(default_prefault_mb())
    cfg = ex.ExtractConfig.build("mel", sr=SR, clip=SECONDS, **MEL)
    config_json = cfg.to_json()
    feats = ex_features.prepared(config_json)[1]
    items = [ex_batch.Item(i, p) for i, p in enumerate(files)]
    size = ex_job.default_batch_size(cfg, feats)
    batches = [ex_batch.run_batch(config_json, items[i:i + size], None)
               for i in range(0, len(items), size)]
    audio = sum(r.duration for b in batches for r in b.files)
    folder = tempfile.mkdtemp(prefix="gaborcore-bench-store-")
    best = None
    try:
        for _ in range(repeat):
            path = os.path.join(folder, f"{uuid.uuid4().hex}.zarr")
            st = ex_store.Store.open(path, cfg, feats, overwrite=False, compression=compression,
                                     entries=ex.Entries(files))
            try:
                # copies of the results: the writer drops the arrays it has taken
                given = [([dataclasses.replace(r, arrays=dict(r.arrays)) for r in b.files],
                          b.rows) for b in batches]
                t0, c0, m0 = time.perf_counter(), time.process_time(), time.thread_time()
                writer = ex_writer.Writer(st)
                for files, rows in given:
                    writer.add(files, rows)
                writer.commit()
                writer.close()
                run = (time.perf_counter() - t0, time.process_time() - c0,
                       time.thread_time() - m0)
            finally:
                st.lock.release()
                _emptied(path)
            best = run if best is None or run[0] < best[0] else best
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    wall, cpu, thread = best
    return {"seconds": wall, "cpu_seconds": cpu, "thread_seconds": thread,
            "audio_seconds_per_second": audio / wall,
            "thread_audio_seconds_per_second": audio / thread}


class ExtractWriter:
    """The writing side alone (see :func:`measure_writer`): seconds of audio per second that the
    writing thread itself could take, which bounds the job on any number of cores."""

    timeout = 600.0

    def track_writing_thread_audio_seconds_per_second(self):
        return measure_writer(default_clips(), repeat=1)["thread_audio_seconds_per_second"]

    track_writing_thread_audio_seconds_per_second.unit = "s of audio / s"


class ExtractMemory:
    """Peak memory of the process running ``extract`` (2 worker threads) on 250 and on 1,000 clips:
    the same whatever the number of files (features are written as they come; at most about
    64 MB of them wait).  No memory is touched beforehand here (it would be the peak)."""

    params = ([250, 1000],)
    param_names = ["clips"]
    timeout = 600.0

    def setup(self, clips):
        self.files = workload_files(1000)[:clips]
        self.folder = tempfile.mkdtemp(prefix="gaborcore-bench-store-")

    def teardown(self, clips):
        shutil.rmtree(self.folder, ignore_errors=True)

    def peakmem_extract(self, clips):
        _run(self.files, "threads-2", self.folder, None, keep=False)


def measure_extract(n_clips: int = 1000, *, runners=tuple(RUNNERS), repeat: int = 3,
                    prefault_mb: int | None = None, compression: str = "lz4") -> list:
    """Extraction throughput per runner, against the bare kernel; for ``benchmarks/compare.py``.

    Parameters
    ----------
    n_clips : int
        Clips of 3 s in the workload (WAV files cached as for the asv suite).
    runners : sequence of str
        ``"threads-N"`` (the local pool with N workers, any N; the bare kernel is measured with
        as many threads) or ``"dask-2"``, which is left out when dask is not installed.
    repeat : int
        Runs per runner, interleaved; the best is kept.
    prefault_mb : int, optional
        Memory touched once beforehand (see the module docstring); default
        ``$GABORCORE_BENCH_PREFAULT_MB`` or 1024.
    compression : {"lz4", "zstd", "none"}
        Codec of the store's feature arrays (the job's default is lz4).

    Returns
    -------
    list of dict
        One per runner: ``runner``, ``workers``, ``audio_seconds``, ``seconds`` (best whole call),
        ``audio_seconds_per_second``, ``decode_share`` and ``compute_share`` (of the workers'
        time, that run), ``write_seconds`` (this process writing the store),
        ``kernel_audio_seconds_per_second`` (the bare kernel on decoded clips with as many
        threads) and ``ratio_to_kernel``; and ``kernel_1_thread`` (the bare kernel on one thread).
    """
    files = workload_files(n_clips)
    prefault(default_prefault_mb() if prefault_mb is None else prefault_mb)
    x = _decoded(files)
    out = np.empty((x.shape[0], 128, 130), np.float32)
    local = [r for r in runners if not r.startswith("dask")]
    rows = _measure_phase(files, local, None, x, out, repeat, compression) if local else []
    if "dask-2" in runners:  # its processes run apart: their idle activity would slow the others
        try:
            cluster = _Cluster()
        except ImportError:
            return rows
        try:
            rows += _measure_phase(files, ["dask-2"], cluster, x, out, repeat, compression)
        finally:
            cluster.close()
    return rows


def _measure_phase(files, runners, cluster, x, out, repeat, compression) -> list:
    """:func:`measure_extract`'s rows of ``runners``, run interleaved with the bare kernel."""
    folder = tempfile.mkdtemp(prefix="gaborcore-bench-store-")
    try:
        for runner in runners:
            _run(files[:8], runner, folder, cluster, compression=compression)
        best: dict = {}
        kernel = dict.fromkeys({1, *(int(r.split("-")[1]) for r in runners)}, 0.0)
        for _ in range(repeat):
            for runner in runners:
                report = _run(files, runner, folder, cluster, compression=compression)
                if runner not in best or report.elapsed_seconds < best[runner].elapsed_seconds:
                    best[runner] = report
            for w in kernel:
                kernel[w] = max(kernel[w], _kernel_rate(x, out, w, repeat=1))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for runner in runners:
        r = best[runner]
        workers = int(runner.split("-")[1])
        rate = r.audio_seconds / r.elapsed_seconds
        rows.append({
            "runner": runner, "workers": workers, "audio_seconds": r.audio_seconds,
            "seconds": r.elapsed_seconds, "audio_seconds_per_second": rate,
            "decode_share": r.decode_share, "compute_share": 1 - r.decode_share,
            "write_seconds": r.write_seconds,
            "kernel_audio_seconds_per_second": kernel[workers],
            "ratio_to_kernel": rate / kernel[workers], "kernel_1_thread": kernel[1],
        })
    return rows


def print_rows(rows: list, n_clips: int, repeat: int, prefault_mb: int,
               compression: str = "lz4") -> None:
    """The table of :func:`measure_extract`'s rows."""
    print(f"extract: {n_clips} WAV clips of 3 s -> mel (float32, n_fft 2048, hop 512, 128 "
          f"bands) in a Zarr store, compression {compression}; best of {repeat}; {prefault_mb} MiB "
          "prefaulted")
    print(f"{'runner':10s} {'s':>7s} {'audio s/s':>10s} {'decode':>7s} {'compute':>8s} "
          f"{'write s':>8s} {'kernel s/s':>11s} {'ratio':>6s} {'vs 1 thr':>8s}")
    for r in rows:
        print(f"{r['runner']:10s} {r['seconds']:7.2f} {r['audio_seconds_per_second']:10,.0f} "
              f"{r['decode_share']:7.0%} {r['compute_share']:8.0%} {r['write_seconds']:8.2f} "
              f"{r['kernel_audio_seconds_per_second']:11,.0f} {r['ratio_to_kernel']:6.2f} "
              f"{r['audio_seconds_per_second'] / r['kernel_1_thread']:8.2f}")
    print("ratio: throughput / the bare mel kernel's on the decoded clips with as many threads; "
          "vs 1 thr: / the bare kernel's on one thread")
    from gaborcore.extract import chunkfiles

    print("whole feature chunks: " + (
        "into their files (gaborcore.extract.chunkfiles; GABORCORE_ZARR_DIRECT=0 sends them "
        "through zarr)" if chunkfiles.enabled() else
        f"through zarr ({chunkfiles.ENVIRONMENT}=0, or a zarr outside "
        f"{chunkfiles.TESTED_ZARR})"))


def print_writer(w: dict, rows: list) -> None:
    """One line on :func:`measure_writer`'s result, against the 1-thread kernel of ``rows``."""
    kernel = rows[0]["kernel_1_thread"] if rows else float("nan")
    print(f"writer alone: {w['seconds']:.3f} s wall, {w['cpu_seconds']:.3f} s CPU, of which "
          f"{w['thread_seconds']:.3f} s on the writing thread: it keeps up with "
          f"{w['thread_audio_seconds_per_second'] / kernel:.0f} one-thread kernels "
          f"({w['thread_audio_seconds_per_second']:,.0f} s audio/s), its threads with "
          f"{w['audio_seconds_per_second'] / kernel:.0f} here")


def _runner(text: str) -> str:
    """A ``--runners`` value: ``threads-N`` for any N >= 1, or ``dask-2``."""
    kind, _, n = text.partition("-")
    if text == "dask-2" or (kind == "threads" and n.isdigit() and int(n) >= 1):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: expected threads-N or dask-2")


def main() -> None:
    parser = argparse.ArgumentParser(description="Throughput of gaborcore.extract.extract.")
    parser.add_argument("--clips", type=int, default=default_clips())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prefault-mb", type=int, default=default_prefault_mb(),
                        help="MiB of memory touched once beforehand (0: none)")
    parser.add_argument("--runners", nargs="+", default=RUNNERS, type=_runner,
                        help="threads-N (the local pool, N workers; any N) and dask-2 "
                             f"(default: {' '.join(RUNNERS)})")
    parser.add_argument("--compression", default="lz4", choices=ex.COMPRESSIONS,
                        help="codec of the store's feature arrays (the job's default: lz4)")
    args = parser.parse_args()
    rows = measure_extract(args.clips, runners=args.runners, repeat=args.repeat,
                           compression=args.compression,
                           prefault_mb=args.prefault_mb)
    print_rows(rows, args.clips, args.repeat, args.prefault_mb, args.compression)
    print_writer(measure_writer(args.clips, repeat=args.repeat, compression=args.compression),
                 rows)


if __name__ == "__main__":
    main()
