"""gaborcore against the libraries a user would otherwise pick, and against the FFT limit.

Usage::

    python benchmarks/compare.py [--workers 1 2] [--repeat N] [--quick] [--workloads 60s 256x3s]

What is measured
----------------
The task is the power spectrogram ``|STFT|**2`` of a float32 signal: n_fft 2048, hop 512, periodic
Hann window of 2048 samples, frames centred on ``t * hop`` with zero padding (librosa's
``center=True, pad_mode="constant"``), one-sided spectrum of 1025 rows.  Two workloads at
22.05 kHz, from the seeded factories of the asv suite (``benchmarks/benchmarks/_signals.py``):
"60s", one 60 s signal, and "256x3s", a batch of 256 clips of 3 s.

Each row is timed as the best of ``--repeat`` calls (default 5) with :func:`time.perf_counter`,
after one untimed warm-up call; whatever a row prepares once (a plan, an ``out=`` array, a
window, FFTW plans) is built before the warm-up and never timed.  The repeats are taken in rounds
that time every row once, so that a slow spell of a shared machine does not fall on one row only.
The throughput is seconds of audio transformed per wall-clock second.  Two ratios follow: the
row's throughput over the FFT limit's at the same number of workers, and over librosa's (librosa
is single-threaded, so it is measured at 1 thread only and every row, whatever its workers, is
compared with that).

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

Where ``/proc/self/clear_refs`` cannot be written, baseline and peak are
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` before and after the call (the process's peak so
far), and the warm-up is kept small so that it stays below the call's peak; the method used is
printed.  Resident size is counted in pages, so allocations that are never written
(``np.empty`` left untouched) do not count, which is what a user's machine feels.

Adding rows
-----------
Every row is a :class:`Row`: a name and a factory ``make(x, sr, workers)`` that prepares
everything and returns the zero-argument call to time (or raises :class:`Unavailable`).  A
:class:`Task` groups the rows that compute the same result and names its FFT-limit and reference
rows; a new comparison (a mel spectrogram, an NSGT, ...) is a new :class:`Task` in :data:`TASKS`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks import _signals  # noqa: E402 - the asv suite's package, next to this script

N_FFT = 2048
HOP = 512
BLOCK = 32  # frames per FFT block of the FFT limit


class Unavailable(Exception):
    """A row cannot run here (library not installed, backend not built)."""


Call = Callable[[], object]
Factory = Callable[[np.ndarray, int, int], Call]


@dataclass(frozen=True)
class Row:
    """One line of a table.

    ``make(x, sr, workers)`` builds what the row needs for signal ``x`` (sample rate ``sr``) and
    returns the call to time.  ``workers`` lists the thread counts the row runs at (``None``: every
    count asked for).  ``memory`` builds the call whose peak memory is reported (one that
    allocates its output), or is ``None``.
    """

    name: str
    make: Factory
    workers: tuple[int, ...] | None = None
    memory: Factory | None = None


@dataclass(frozen=True)
class Task:
    """Rows that compute the same result, with the names of the limit and reference rows."""

    title: str
    dtype: str
    rows: tuple[Row, ...]
    limit: str
    reference: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def _import(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def _n_frames(x: np.ndarray) -> int:
    """Frames of a centred STFT of every clip of ``x`` together."""
    n_clips = int(np.prod(x.shape[:-1], dtype=np.int64))
    return n_clips * (1 + x.shape[-1] // HOP)


# ---- power spectrogram rows -------------------------------------------------------------------


def _gaborcore_plan(backend: str):
    gaborcore = _import("gaborcore")
    if backend not in gaborcore.available_backends():
        raise Unavailable(f"gaborcore backend {backend!r} is not available here")
    return gaborcore.STFT(n_fft=N_FFT, hop_length=HOP, window="hann", center=True)


def gaborcore_out(backend: str) -> Factory:
    """gaborcore power spectrogram into a preallocated array."""

    def make(x, sr, workers):
        plan = _gaborcore_plan(backend)
        out = np.zeros(plan.output_shape(x.shape), x.dtype)
        return lambda: plan.spectrogram(x, out=out, workers=workers, backend=backend)

    return make


def gaborcore_new(backend: str) -> Factory:
    """gaborcore power spectrogram allocating its output."""

    def make(x, sr, workers):
        plan = _gaborcore_plan(backend)
        return lambda: plan.spectrogram(x, workers=workers, backend=backend)

    return make


def librosa_power(x, sr, workers):
    """librosa's power spectrogram as its documentation writes it."""
    librosa = _import("librosa")
    return lambda: np.abs(librosa.stft(x, n_fft=N_FFT, hop_length=HOP)) ** 2


def scipy_power(x, sr, workers):
    """scipy.signal.ShortTimeFFT.spectrogram on librosa's frames, FFT threads via set_workers."""
    _import("scipy")
    import scipy.fft
    from scipy.signal import ShortTimeFFT
    from scipy.signal.windows import hann

    stft = ShortTimeFFT(hann(N_FFT, sym=False).astype(x.dtype), hop=HOP, fs=sr)
    p1 = 1 + x.shape[-1] // HOP

    def call():
        with scipy.fft.set_workers(workers):
            return stft.spectrogram(x, p0=0, p1=p1)

    return call


def fft_limit(x, sr, workers):
    """FFTW's in-cache rate: one 32-frame rfft plan per thread, run once per block of x."""
    pyfftw = _import("pyfftw")
    n_blocks = math.ceil(_n_frames(x) / BLOCK)
    counts = [n_blocks // workers + (i < n_blocks % workers) for i in range(workers)]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    frames = np.asarray(x, np.float32).reshape(-1)[: BLOCK * HOP + N_FFT]
    plans = []
    for _ in range(workers):
        real = pyfftw.empty_aligned((BLOCK, N_FFT), dtype=np.float32)
        spec = pyfftw.empty_aligned((BLOCK, N_FFT // 2 + 1), dtype=np.complex64)
        plan = pyfftw.FFTW(real, spec, axes=(-1,), flags=("FFTW_MEASURE",), threads=1)
        # Planning with FFTW_MEASURE overwrites the arrays: fill them afterwards.
        for k in range(BLOCK):
            real[k] = frames[k * HOP : k * HOP + N_FFT] * window
        plans.append(plan)

    def run(plan, count):
        execute = plan.execute
        for _ in range(count):
            execute()

    if workers == 1:
        return lambda: run(plans[0], counts[0])
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fft-limit")

    def call():
        for job in [pool.submit(run, p, c) for p, c in zip(plans, counts, strict=True)]:
            job.result()

    return call


POWER_SPECTROGRAM = Task(
    title=f"power spectrogram, float32, n_fft {N_FFT}, hop {HOP}, Hann, centred",
    dtype="float32",
    rows=(
        Row("gaborcore[c] out=", gaborcore_out("c"), memory=None),
        Row("gaborcore[c] new", gaborcore_new("c"), memory=gaborcore_new("c")),
        Row("gaborcore[numba] out=", gaborcore_out("numba"), memory=gaborcore_new("numba")),
        Row("gaborcore[numpy] out=", gaborcore_out("numpy"), memory=gaborcore_new("numpy")),
        Row("librosa", librosa_power, workers=(1,), memory=librosa_power),
        Row("scipy ShortTimeFFT", scipy_power, memory=scipy_power),
        Row("FFT limit", fft_limit),
    ),
    limit="FFT limit",
    reference="librosa",
    notes=(
        "librosa is single-threaded: measured at 1 thread; '/ librosa' always divides by that.",
        "scipy ShortTimeFFT has no workers argument; its FFTs run under scipy.fft.set_workers.",
        "scipy ShortTimeFFT computes in complex128 and returns float64 (its out is twice as big).",
        "peak/(in+out) of the numba and numpy rows is that of the call without out=.",
    ),
)

TASKS = [POWER_SPECTROGRAM]


# ---- measurement ------------------------------------------------------------------------------


def best_times(calls: list[Call], repeat: int) -> list[float]:
    """Best wall-clock time of each call over ``repeat`` rounds, after one untimed warm-up each.

    Every round times every call once, so a slow spell of a shared machine lands on all the rows
    of a table rather than on whichever row was running.
    """
    for call in calls:
        call()
    best = [math.inf] * len(calls)
    for _ in range(repeat):
        for i, call in enumerate(calls):
            start = time.perf_counter()
            call()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def _status_kb(key: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (-1 where there is none)."""
    try:
        with open("/proc/self/status") as f:
            match = re.search(rf"^{key}:\s+(\d+) kB", f.read(), re.MULTILINE)
    except OSError:
        return -1
    return int(match.group(1)) if match else -1


def _reset_peak() -> bool:
    """Reset VmHWM to the current VmRSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return _status_kb("VmHWM") >= 0


def _maxrss() -> int:
    """Peak resident size of this process so far, in bytes (macOS reports bytes, Linux KiB)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def memory_probe(task: Task, row: Row, workload: str, workers: int) -> dict:
    """Peak memory of one call of ``row.memory`` (run in a fresh process; see the docstring)."""
    x = _signals.get(workload, task.dtype)
    sr = _signals.WORKLOADS[workload].sr
    short = x[:32768] if x.ndim == 1 else x[:2, :32768]
    row.memory(short, sr, workers)()
    call = row.memory(x, sr, workers)
    gc.collect()
    if _reset_peak():
        method = "VmHWM after clear_refs"
        base = _status_kb("VmRSS") * 1024
        result = call()
        peak = _status_kb("VmHWM") * 1024
    else:
        method = "ru_maxrss"
        base = _maxrss()
        result = call()
        peak = _maxrss()
    return {
        "in_bytes": int(x.nbytes),
        "out_bytes": int(np.asarray(result).nbytes),
        "extra_bytes": int(peak - base),
        "method": method,
    }


def measure_memory(task_index: int, row: Row, workload: str, workers: int) -> dict:
    """Run :func:`memory_probe` in a subprocess and return its report."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-probe",
        str(task_index),
        row.name,
        workload,
        str(workers),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


@dataclass
class Result:
    row: Row
    workers: int
    seconds: float
    audio_per_second: float
    memory: dict | None = None


def run_task(
    task_index: int, task: Task, workload: str, workers_list, repeat: int, memory: bool
) -> list[Result]:
    """Time every row of ``task`` on ``workload`` at each workers count; print skipped rows."""
    w = _signals.WORKLOADS[workload]
    x = _signals.get(workload, task.dtype)
    cases, calls, skipped = [], [], {}
    for row in task.rows:
        for workers in workers_list:
            if row.workers is not None and workers not in row.workers:
                continue
            try:
                calls.append(row.make(x, w.sr, workers))
            except Unavailable as exc:
                skipped[row.name] = str(exc)
                break
            cases.append((row, workers))
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    seconds = best_times(calls, repeat)
    del calls
    results = []
    for (row, workers), t in zip(cases, seconds, strict=True):
        mem = None
        if memory and row.memory is not None:
            mem = measure_memory(task_index, row, workload, workers)
        results.append(Result(row, workers, t, w.audio_seconds / t, mem))
    return results


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def print_table(task: Task, workload: str, results: list[Result]) -> None:
    w = _signals.WORKLOADS[workload]
    x_shape = w.shape
    n_frames = w.n_clips * (1 + x_shape[-1] // HOP)
    print(
        f"\n{task.title}; workload {workload}: {w.n_clips} x {w.seconds:g} s at {w.sr} Hz "
        f"= {w.audio_seconds:g} s of audio, {n_frames} frames"
    )
    limit = {r.workers: r.audio_per_second for r in results if r.row.name == task.limit}
    reference = [
        r.audio_per_second for r in results if r.row.name == task.reference and r.workers == 1
    ]
    ref = reference[0] if reference else None
    header = (
        f"{'row':<24}{'workers':>8}{'best ms':>10}{'audio s/s':>12}"
        f"{'/ FFT limit':>13}{'/ librosa':>11}{'peak/(in+out)':>15}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        lim = limit.get(r.workers)
        mem = "-"
        if r.memory is not None:
            if "error" in r.memory:
                mem = "error"
            else:
                m = r.memory
                mem = f"{(m['in_bytes'] + m['extra_bytes']) / (m['in_bytes'] + m['out_bytes']):.2f}"
        print(
            f"{r.row.name:<24}{r.workers:>8}{r.seconds * 1e3:>10.2f}{r.audio_per_second:>12.0f}"
            f"{_ratio(r.audio_per_second / lim if lim else None):>13}"
            f"{_ratio(r.audio_per_second / ref if ref else None):>11}{mem:>15}"
        )
    errors = {r.row.name: r.memory["error"] for r in results if r.memory and "error" in r.memory}
    for name, err in errors.items():
        print(f"  memory probe of {name} failed: {err}")
    methods = {r.memory["method"] for r in results if r.memory and "method" in r.memory}
    if methods:
        print(
            f"  peak memory method: {', '.join(sorted(methods))}; input "
            f"{x_shape} float32 = {np.prod(x_shape) * 4 / 2**20:.1f} MiB"
        )


def print_environment() -> None:
    versions = []
    for module in ("gaborcore", "numpy", "scipy", "librosa", "pyfftw", "numba"):
        try:
            versions.append(f"{module} {importlib.import_module(module).__version__}")
        except ImportError:
            versions.append(f"{module} (not installed)")
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    print(
        f"{platform.processor() or platform.machine()}, {cpus} CPUs available, "
        f"Python {platform.python_version()}"
    )
    print(", ".join(versions))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
        "--workloads", nargs="+", default=list(_signals.WORKLOADS), choices=list(_signals.WORKLOADS)
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
    print_environment()
    print(f"best of {repeat} calls after one warm-up; throughput in seconds of audio per second")
    for index, task in enumerate(TASKS):
        for workload in args.workloads:
            results = run_task(index, task, workload, args.workers, repeat, not args.quick)
            print_table(task, workload, results)
        for note in task.notes:
            print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
