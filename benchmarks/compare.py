"""gaborcore against the libraries a user would otherwise pick, and against the FFT limit.

Usage::

    python benchmarks/compare.py [--tasks stft mel nsgt nn extract] [--workers 1 2] [--repeat N]
                                 [--quick]
                                 [--workloads 60s 256x3s 600s] [--json FILE]

``--tasks`` picks the comparisons by key (default: all): ``stft`` (power spectrogram), ``mel``
(mel spectrogram), ``nsgt`` (constant-Q NSGT forward, forward + inverse, and the sliced NSGT),
``nn`` (the CNN kernels of :mod:`gaborcore.nn` against PyTorch, see below), ``extract`` (the
extraction job against the bare mel kernel, see the last section).
``--workloads`` restricts every audio task to the workloads named (default: each task's own); the
``nn`` workloads are fixed and not affected by it.  ``--json FILE`` also writes the results as
JSON (rewritten after every table): the machine, the load average at the start and the end, the
commit, the versions of gaborcore, NumPy, SciPy, librosa, pyFFTW, Numba, nsgt and torch, and every
table's rows (implementation, workers, best time, throughput, ratio to each compared row, peak
memory), in the form of ``benchmarks/_compare_table.py``, which ``docs/render_performance.py``
reads.

What is measured
----------------
Every task is a table per workload; the rows of a table compute the same result.  The first task
is the power spectrogram ``|STFT|**2`` of a float32 signal: n_fft 2048, hop 512, periodic
Hann window of 2048 samples, frames centred on ``t * hop`` with zero padding (librosa's
``center=True, pad_mode="constant"``), one-sided spectrum of 1025 rows.  Two workloads at
22.05 kHz, from the seeded factories of the asv suite (``benchmarks/benchmarks/_signals.py``):
"60s", one 60 s signal, and "256x3s", a batch of 256 clips of 3 s.

Each row is timed as the best of ``--repeat`` calls (default 5) with :func:`time.perf_counter`,
after one untimed warm-up call; whatever a row prepares once (a plan, an ``out=`` array, a
window, FFTW plans) is built before the warm-up and never timed.  The repeats are taken in rounds
that time every row once, so that a slow spell of a shared machine does not fall on one row only.
The throughput is seconds of audio transformed per wall-clock second.  Ratios follow: the row's
throughput over the FFT limit's, over the reference library's (librosa here) and over any other
row a task names.  A ratio divides by the compared row at the same number of workers where that
row was measured at it, else by its single-threaded result (librosa and the nsgt package are
single-threaded, so they are measured at 1 thread only and every row, whatever its workers, is
compared with that).  A row that fails (an exception while preparing or timing it) is reported
with its error and left out of the table; a row whose library is missing is skipped with a note.

Rows
----
* ``gaborcore[<backend>] out=``: :meth:`gaborcore.STFT.spectrogram` into a preallocated array,
  for each available backend; ``gaborcore[c] new``: the same with a fresh output per call.
* ``librosa``: ``np.abs(librosa.stft(y, n_fft=2048, hop_length=512)) ** 2`` (1 thread).
* ``scipy ShortTimeFFT``: ``ShortTimeFFT(hann(2048, sym=False), hop=512, fs=22050)
  .spectrogram(y, p0=0, p1=1 + n // 512)``, the same frames as librosa's.  ShortTimeFFT takes no
  ``workers`` argument; its FFTs go through :mod:`scipy.fft`, so they run under
  ``scipy.fft.set_workers(workers)``.  The window is passed as float32, but ShortTimeFFT stores
  its STFT as complex128 whatever the input, so its result is float64.
* ``FFT limit``: the pure compute rate of FFTW on this machine, measured as a pyFFTW rfft plan
  over a block of 32 already-windowed frames (float32, n_fft 2048, FFTW_MEASURE) that stays in
  cache, executed as many times as the workload has blocks (number of frames of the workload / 32,
  rounded up), on each of ``workers`` threads in parallel (each thread its own plan and arrays;
  the blocks split over the threads; pyFFTW's ``execute`` releases the GIL, so plain Python threads
  run in parallel).  No framing, windowing, squaring or writing of a full-size output: an upper
  bound that no spectrogram built on FFTW can beat.

A row whose library is not installed (or whose gaborcore backend is unavailable) is skipped with
a printed note.

Mel spectrogram (``--tasks mel``)
---------------------------------
128 Slaney mel bands of the power spectrogram above (n_fft 2048, hop 512, Hann, centred, zero
padding), float32, on "60s" and "256x3s":

* ``gaborcore[<backend>] out=`` / ``new``: ``gaborcore.MelSpectrogram(sr=22050, n_fft=2048,
  hop_length=512, n_mels=128)`` called into a preallocated array / allocating its output;
* ``librosa``: ``librosa.feature.melspectrogram(y=x, sr=sr, n_fft=2048, hop_length=512,
  n_mels=128)`` (1 thread; librosa's mel basis is float32 by default);
* ``FFT limit``: the same row as in the power-spectrogram table (its rfft blocks are the whole
  of FFTW's share of a mel spectrogram).

The memory target of gaborcore here is ``peak <= input + 1.2 x output`` (``extra/out <= 1.2``):
the mel output is 8 times smaller than the spectrogram, so a peak near it shows that no full
spectrogram is held at any time.  The table states whether each gaborcore row meets it.

NSGT (``--tasks nsgt``)
-----------------------
A constant-Q NSGT of the 60 s signal (1,323,000 samples, float32): 84 bins from 32.7 Hz, 12 per
octave, plus DC and Nyquist bands (86 bands), real, ragged layout.  Two tables, the forward
transform and forward + inverse (the coefficients of the forward are fed to the inverse):

* ``gaborcore[<backend>]``: ``gaborcore.NSGT(length=L, sr=22050, scale="cqt", fmin=32.7,
  n_bins=84, bins_per_octave=12, layout="ragged", real=True)``, ``.forward(x)`` (and
  ``.inverse(c)``).  There is no ``out=`` for the NSGT: every call allocates its coefficients.
  The plan is made and used once before timing (its first transform makes an FFTW plan per
  distinct ``M_k``, several seconds without FFTW wisdom).
* ``nsgt``: the ``nsgt`` package, ``nsgt.NSGT(nsgt.OctScale(32.7, 32.7 * 2 ** (83 / 12), 12),
  22050, L, real=True, matrixform=False)``, ``list(n.forward(y))`` (and ``n.backward(c)``), on
  the float64 copy of the signal made inside the timed call (it computes in float64 and returns
  complex128).  Its window design calls ``np.clip(M, min_win, np.inf, out=M)`` on an integer
  array, which NumPy 2 refuses; plan construction runs under :func:`_numpy_clip_without_out`,
  which computes such a clip without ``out`` and assigns the result into ``out``.
* ``librosa.cqt``: ``librosa.cqt(y, sr=22050, hop_length=512, fmin=32.7, n_bins=84,
  bins_per_octave=12)``, forward only (recursive downsampling, 2584 frames on a 512-sample
  hop: a different transform with the same bins, what a user would otherwise pick).
* ``NSGT FFT limit``: what FFTW alone needs for the gaborcore plan: one pyFFTW rfft of the whole
  signal (length L, float32) plus, for the plan's own ``M_k`` (``plan.bands.M``), one batched
  complex inverse FFT per distinct ``M`` (``howmany`` = number of bands with that ``M``), each
  executed once; arrays preallocated, plans made (FFTW_MEASURE) before timing.  For forward +
  inverse it is the rfft, twice the batched FFTs and an irfft of the signal.  With ``workers``
  threads, the rfft/irfft are FFTW-threaded plans and the batched FFTs are split over the threads
  (longest first, each to the least loaded thread).  No gathering, windowing or scattering.

Ratios are printed over the limit, over the nsgt package and over librosa.cqt.

Sliced NSGT: ``gaborcore.SlicedNSGT(slice_length=65536, transition=16384, sr=22050, ...)`` with
the same scale, forward on a 10 min signal ("600s", float32): throughput and peak memory (the
point of slicing: memory bounded by a few slices plus the output).  Its limit, ``sliced FFT
limit``, is the NSGT FFT limit of one slice (rfft of 65536 samples, batched FFTs of the inner
plan's ``M_k``) run once per slice, the slices split over the threads.  Where gaborcore has no
``SlicedNSGT`` the table says so and is skipped.

On a machine with few cores the multi-threaded rows of the 60 s workload last a few milliseconds,
so the time to wake an idle thread (and, in a virtual machine, an idle CPU) shows in them: the
FFT limit's Python threads sleep between calls, while OpenMP threads spin for a moment first.
Compare those rows over several runs.

Peak memory
-----------
``peak/(in+out)`` is the peak resident memory of one call that allocates its result (gaborcore
without ``out=``, librosa, scipy), relative to the size of its input plus its output: 1.0 means
the call needed nothing beyond the output it returns.  Most of that memory is allocated in C
(FFTW, the kernels, NumPy buffers) where :mod:`tracemalloc` does not look, so the resident set size
of the process is measured instead, in a fresh subprocess per measurement::

    make the input signal (its pages are then resident)
    warm up the row on a short piece of the signal (plans, imports, JIT, threads)
    write "5" to /proc/self/clear_refs, which resets VmHWM (the peak) to VmRSS
    baseline = VmRSS        # /proc/self/status, the resident size now
    call once, keep the result
    extra = VmHWM - baseline
    peak/(in+out) = (input bytes + extra) / (input bytes + output bytes)
    extra/out = extra / output bytes      (printed where a task sets a memory target)

Where ``/proc/self/clear_refs`` cannot be written, baseline and peak are
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` before and after the call (the process's peak so
far), and the warm-up is kept small so that it stays below the call's peak; the method used is
printed.  Rows that must do one-time work on the full-size input (an NSGT plan of length L)
do it in their factory, before the baseline (with ru_maxrss, their peak then cannot show above
that warm-up's: read those rows as a lower bound).  The probe runs with glibc's mmap threshold fixed
at 128 KiB (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``): glibc otherwise raises the
threshold when a large block is freed, and the next block of that size reuses resident heap
pages, so a call after a full-size warm-up would seem to need almost nothing.  The output bytes
of a result that is not an array are those of its arrays (``.data`` of NSGT coefficients, the
arrays of a list).  Resident size is counted in pages, so allocations that are never written
(``np.empty`` left untouched) do not count, which is what a user's machine feels.

CNN kernels against PyTorch (``--tasks nn``)
--------------------------------------------
The CNN front-end workloads, float32, with the seeded data, weights and networks of the asv suite
(``benchmarks/benchmarks/bench_nn.py``: ``_array``, ``paper_network()``,
``paper_network_torch(torch)``), one table each:

* (a) conv2d, first layer: x (32, 1, 128, 130), w (32, 1, 3, 3), padding "same" (PyTorch
  ``padding=1``); target: faster than PyTorch;
* (b) conv2d, many channels: x (32, 32, 64, 65), w (64, 32, 3, 3), "same"; target: within
  1.5 x of PyTorch's time (``torch / row >= 1 / 1.5``);
* (c) Lp pooling p = 2, Lp pooling p = 3 and max pooling, 3x3 blocks, stride 3, on a
  (32, 64, 128, 130) array of non-negative values (PyTorch's ``lp_pool2d`` takes no absolute
  value; on such data both compute the same); target: faster than PyTorch;
* (d) the paper-style network (two conv layers with leaky ReLU and 3x3 max pooling, two dense
  layers) on 32 mel spectrograms of 80 x 115; no target.

Rows: ``gaborcore[<backend>]`` for each available backend (:func:`gaborcore.nn.conv2d`,
:func:`~gaborcore.nn.lp_pool2d`, :func:`~gaborcore.nn.max_pool2d` into a preallocated ``out=``
array; ``Network.forward``, which has no ``out=``: it allocates its (32, 1) result and reuses
per-thread buffers for the layers before), ``gaborcore[c] new`` (the C kernels allocating their
result, as PyTorch does) and ``torch`` (``torch.nn.functional.conv2d``, ``lp_pool2d``,
``max_pool2d``, the ``nn.Sequential`` under ``torch.no_grad()``; every call allocates).  The
``output`` column says which rows write into ``out=`` and which allocate.  Each workers count is
timed separately, PyTorch under ``torch.set_num_threads(workers)`` (restored at the end), with the
same best-of-``--repeat`` rounds as above.  ``torch / row`` is PyTorch's best time over the row's
at the same workers (> 1: gaborcore is faster); ``target`` prints ``met`` or ``missed`` for every
gaborcore row.  Without torch its rows are skipped with a note.  No peak-memory probe here.  The
whole task takes about half a minute on two cores, so it runs by default.

Extraction (``--tasks extract``)
--------------------------------
:func:`gaborcore.extract.extract` of 1,000 WAV clips of 3 s (``$GABORCORE_BENCH_EXTRACT_CLIPS``)
into a fresh Zarr store, float32 mel spectrograms with librosa's defaults, with 1 and 2 worker
threads and on a ``dask.distributed.LocalCluster`` of 2 processes (when dask is installed): the
whole call's throughput in seconds of audio per second and its ratio to the bare mel kernel (a
row of the table at 1 and 2 threads) on the same clips already decoded in memory with as many
threads, against the target of 0.7; the notes give the share of the workers' time spent decoding
and computing and the writer's time.  The runners
are interleaved over ``--repeat`` rounds (default 3 here), the best call kept; memory is touched
once first (see ``benchmarks/benchmarks/bench_extract.py``).  The first run writes the WAV files
into a cache folder (about 130 MB).  ``--workers`` and ``--workloads`` do not apply.

Adding rows
-----------
The comparisons are defined in ``benchmarks/_compare_spectrogram.py`` (``stft``, ``mel``),
``_compare_nsgt.py`` (``nsgt``) and ``_compare_nn.py`` (``nn``); how they are timed in
``_compare_run.py``, and the tables (one data model, one printer, the JSON form) in
``_compare_table.py``.  Every row is a :class:`~_compare_run.Row`: a name and a factory
``make(x, sr, workers)`` (``make(workers)`` for ``nn``) that prepares everything and returns the
zero-argument call to time (or raises :class:`~_compare_run.Unavailable`).  A
:class:`~_compare_run.Task` groups the rows that compute the same result, names the rows the others
are compared with (``baselines``: the FFT limit, the reference library, others), its ``--tasks``
key and its workloads; a new comparison is a new task in :data:`TASKS` (append it: the memory
probe finds a task by its index).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the asv suite's package and this script's modules, next to it
from _compare_nn import NN_KEY, NN_NOTES, run_nn  # noqa: E402
from _compare_nsgt import NSGT_FORWARD, NSGT_ROUND_TRIP, SLICED_NSGT  # noqa: E402
from _compare_run import memory_probe, run_task  # noqa: E402
from _compare_spectrogram import MEL_SPECTROGRAM, POWER_SPECTROGRAM  # noqa: E402
from _compare_table import (  # noqa: E402
    Measurement,
    Table,
    load_average,
    new_run,
    now,
    print_table,
)

from benchmarks import _signals  # noqa: E402

EXTRACT_KEY = "extract"
KERNEL_ROW = "bare mel kernel"
TASKS = [POWER_SPECTROGRAM, MEL_SPECTROGRAM, NSGT_FORWARD, NSGT_ROUND_TRIP, SLICED_NSGT]
"""The audio comparisons, in the order they run (the memory probe finds one by its index)."""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    keys = [*dict.fromkeys(task.key for task in TASKS), NN_KEY, EXTRACT_KEY]
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=keys,
        choices=keys,
        help=f"comparisons to run, by key (default: all of {' '.join(keys)}; '{NN_KEY}', the CNN "
        f"kernels against PyTorch, and '{EXTRACT_KEY}', the extraction job, are included: about "
        "half a minute each on two cores)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="thread counts to measure (default: 1 2)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed calls per measurement, best kept (default 5; 2 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 repeats, no peak-memory subprocesses"
    )
    parser.add_argument(
        "--workloads",
        nargs="+",
        default=None,
        choices=list(_signals.ALL_WORKLOADS),
        help="run every audio task on these of its workloads only (default: each task's own; "
        f"the '{NN_KEY}' workloads are fixed)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the results to FILE as JSON, rewritten after every table (the form "
        "docs/render_performance.py reads)",
    )
    parser.add_argument(
        "--memory-probe",
        nargs=4,
        help=argparse.SUPPRESS,
        metavar=("TASK", "ROW", "WORKLOAD", "WORKERS"),
    )
    args = parser.parse_args(argv)

    if args.memory_probe:
        task_index, row_name, workload, workers = args.memory_probe
        task = TASKS[int(task_index)]
        row = next(r for r in task.rows if r.name == row_name)
        print(json.dumps(memory_probe(task, row, workload, int(workers))))
        return 0

    if any(w < 1 for w in args.workers):
        parser.error("--workers takes positive thread counts")
    repeat = args.repeat if args.repeat is not None else (2 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    run = new_run(sys.argv[1:] if argv is None else list(argv), repeat)

    def save() -> None:
        if args.json is not None:
            run.write(args.json)

    def record(table) -> None:
        run.tables.append(table)
        save()

    def notes(lines) -> None:
        for note in lines:
            print(f"note: {note}")
        run.notes.extend(lines)

    print("\n".join(run.environment()[:2]))
    if any(task.key in args.tasks for task in TASKS):
        print(
            f"best of {repeat} calls after one warm-up; throughput in seconds of audio per second"
        )
        print(
            "ratios: row / compared row at the same workers (at 1 thread where the compared row "
            "runs only there)"
        )
    for index, task in enumerate(TASKS):
        if task.key not in args.tasks:
            continue
        workloads = [w for w in task.workloads if args.workloads is None or w in args.workloads]
        if not workloads:
            print(f"\n{task.title}: none of its workloads ({', '.join(task.workloads)}) asked for")
            continue
        for workload in workloads:
            table = run_task(index, task, workload, args.workers, repeat, not args.quick)
            print_table(table)
            record(table)
        notes(task.notes)
    if NN_KEY in args.tasks:
        run_nn(args.workers, repeat, record)
        notes(NN_NOTES)
    if EXTRACT_KEY in args.tasks:
        table, run.extract = run_extract(
            args.repeat if args.repeat is not None else (1 if args.quick else 3))
        print_table(table)
        record(table)
    run.finished, run.finished_load = now(), load_average()
    save()
    if args.json is not None:
        print(f"results written to {args.json}", file=sys.stderr)
    return 0


def run_extract(repeat: int) -> tuple[Table, dict]:
    """The extraction job against the bare mel kernel (see the module docstring): the table,
    and the raw measurements of :mod:`bench_extract` (kept in the JSON as ``extract``)."""
    from benchmarks import bench_extract

    n = bench_extract.default_clips()
    mb = bench_extract.default_prefault_mb()
    rows = bench_extract.measure_extract(n, repeat=repeat, prefault_mb=mb)
    writer = bench_extract.measure_writer(n, repeat=repeat)
    return extract_table(rows, writer, n, repeat, mb), {
        "n_clips": n, "repeat": repeat, "prefault_mb": mb, "rows": rows, "writer": writer}


def extract_table(rows: list, writer: dict, n: int, repeat: int, mb: int) -> Table:
    """:func:`bench_extract.measure_extract`'s rows as a table: the bare kernel at each number of
    threads, the job with each runner, its throughput over the kernel's with as many threads
    (target: 0.7), and where the workers' and the writer's time went as notes."""
    table = Table(
        title=f"extract: {n} WAV clips of 3 s -> mel (float32, n_fft 2048, hop 512, 128 bands) "
              f"in a Zarr store, lz4; best of {repeat}; {mb} MiB prefaulted",
        columns=["row", "workers", "best ms", "audio s/s", f"/ {KERNEL_ROW}", "target"],
        task=EXTRACT_KEY, workload=f"{n} clips of 3 s", ratio_fallback=False,
        target={"min_ratio": 0.7, "strict": False})
    kernels = {1: rows[0]["kernel_1_thread"]} if rows else {}
    kernels.update((r["workers"], r["kernel_audio_seconds_per_second"]) for r in rows)
    audio = rows[0]["audio_seconds"] if rows else 0.0
    for w, rate in sorted(kernels.items()):
        table.rows.append(Measurement(KERNEL_ROW, w, audio / rate, rate))
    for r in rows:
        table.rows.append(Measurement(f"extract {r['runner']}", r["workers"], r["seconds"],
                                      r["audio_seconds_per_second"]))
        table.notes.append(f"extract {r['runner']}: workers' time {r['decode_share']:.0%} "
                           f"decoding, {r['compute_share']:.0%} computing; this process "
                           f"writing {r['write_seconds']:.3f} s")
    table.compute_ratios()
    if rows:
        table.notes.append(
            f"the writer alone: {writer['seconds']:.3f} s wall, {writer['cpu_seconds']:.3f} s "
            f"CPU ({writer['thread_seconds']:.3f} s on the thread taking the results): "
            f"{writer['audio_seconds_per_second']:,.0f} s of audio per second")
    return table


if __name__ == "__main__":
    sys.exit(main())
