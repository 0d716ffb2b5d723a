"""gaborcore against the libraries a user would otherwise pick, and against the FFT limit.

Usage::

    python benchmarks/compare.py [--tasks stft mel nsgt nn extract] [--workers 1 2] [--repeat N]
                                 [--quick]
                                 [--workloads 60s 256x3s 600s]

``--tasks`` picks the comparisons by key (default: all): ``stft`` (power spectrogram), ``mel``
(mel spectrogram), ``nsgt`` (constant-Q NSGT forward, forward + inverse, and the sliced NSGT),
``nn`` (the CNN kernels of :mod:`gaborcore.nn` against PyTorch, see below), ``extract`` (the
extraction job against the bare mel kernel, see the last section).
``--workloads`` restricts every audio task to the workloads named (default: each task's own); the
``nn`` workloads are fixed and not affected by it.

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
whole call's throughput in seconds of audio per second, the share of the workers' time spent
decoding and computing, the writer's time, and the ratio to the bare mel kernel on the same clips
already decoded in memory with as many threads (and to that kernel on one thread).  The runners
are interleaved over ``--repeat`` rounds (default 3 here), the best call kept; memory is touched
once first (see ``benchmarks/benchmarks/bench_extract.py``).  The first run writes the WAV files
into a cache folder (about 130 MB).  ``--workers`` and ``--workloads`` do not apply.

Adding rows
-----------
Every row is a :class:`Row`: a name and a factory ``make(x, sr, workers)`` that prepares
everything and returns the zero-argument call to time (or raises :class:`Unavailable`).  A
:class:`Task` groups the rows that compute the same result, names its FFT-limit, reference and
other compared rows, its ``--tasks`` key and its workloads; a new comparison is a new
:class:`Task` in :data:`TASKS` (append it: the memory probe finds a task by its index).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
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
    """Rows that compute the same result, with the names of the rows the others are compared with.

    ``limit`` and ``reference`` name the FFT-limit and reference rows (``None``: no such column);
    ``ratios`` names further rows to divide by, one column each.  ``key`` is the name ``--tasks``
    selects the task by (several tasks may share one); ``workloads`` are the workloads it runs
    on; ``detail(workload)`` adds to the table's title line; ``memory_target``, where set, is the
    most extra memory (beyond the input) a gaborcore row may need, as a multiple of its output.
    """

    title: str
    dtype: str
    rows: tuple[Row, ...]
    limit: str | None
    reference: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    key: str = ""
    workloads: tuple[str, ...] = tuple(_signals.WORKLOADS)
    ratios: tuple[str, ...] = ()
    detail: Callable[[_signals.Workload], str] | None = None
    memory_target: float | None = None

    @property
    def selector(self) -> str:
        """The ``--tasks`` key: ``key``, else the title up to its first comma, dashed."""
        return self.key or re.sub(r"\W+", "-", self.title.split(",")[0].strip().lower())

    @property
    def compared(self) -> tuple[str, ...]:
        """The names of the rows that get a ratio column, in column order."""
        names = (self.limit, self.reference, *self.ratios)
        return tuple(dict.fromkeys(n for n in names if n is not None))


def _import(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def _n_clips(x: np.ndarray) -> int:
    return int(np.prod(x.shape[:-1], dtype=np.int64))


def _n_frames(x: np.ndarray) -> int:
    """Frames of a centred STFT of every clip of ``x`` together."""
    return _n_clips(x) * (1 + x.shape[-1] // HOP)


def _frames_detail(w: _signals.Workload) -> str:
    return f"{w.n_clips * (1 + w.shape[-1] // HOP)} frames"


def _gaborcore_backend(backend: str):
    """The gaborcore module, or :class:`Unavailable` where ``backend`` is not built here."""
    gaborcore = _import("gaborcore")
    if backend not in gaborcore.available_backends():
        raise Unavailable(f"gaborcore backend {backend!r} is not available here")
    return gaborcore


# ---- power spectrogram rows -------------------------------------------------------------------


def _gaborcore_plan(backend: str):
    gaborcore = _gaborcore_backend(backend)
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
    key="stft",
    detail=_frames_detail,
)


# ---- mel spectrogram rows ---------------------------------------------------------------------

N_MELS = 128


def _mel_plan(backend: str, sr: int):
    gaborcore = _gaborcore_backend(backend)
    return gaborcore.MelSpectrogram(sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def mel_out(backend: str) -> Factory:
    """gaborcore mel spectrogram into a preallocated array."""

    def make(x, sr, workers):
        plan = _mel_plan(backend, sr)
        out = np.zeros(plan.output_shape(x.shape), x.dtype)
        return lambda: plan(x, out=out, workers=workers, backend=backend)

    return make


def mel_new(backend: str) -> Factory:
    """gaborcore mel spectrogram allocating its output."""

    def make(x, sr, workers):
        plan = _mel_plan(backend, sr)
        return lambda: plan(x, workers=workers, backend=backend)

    return make


def librosa_mel(x, sr, workers):
    """librosa's mel spectrogram with its defaults (power 2, Slaney mel, float32 basis)."""
    librosa = _import("librosa")
    return lambda: librosa.feature.melspectrogram(
        y=x, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
    )


def _mel_rows() -> tuple[Row, ...]:
    rows = []
    for backend in ("c", "numba", "numpy"):
        rows.append(Row(f"gaborcore[{backend}] out=", mel_out(backend)))
        rows.append(Row(f"gaborcore[{backend}] new", mel_new(backend), memory=mel_new(backend)))
    return (
        *rows,
        Row("librosa", librosa_mel, workers=(1,), memory=librosa_mel),
        Row("FFT limit", fft_limit),
    )


MEL_SPECTROGRAM = Task(
    title=f"mel spectrogram, float32, {N_MELS} bands, n_fft {N_FFT}, hop {HOP}, Hann, centred",
    dtype="float32",
    rows=_mel_rows(),
    limit="FFT limit",
    reference="librosa",
    notes=(
        "librosa is single-threaded: measured at 1 thread; '/ librosa' always divides by that.",
        "FFT limit: the power-spectrogram table's row (rfft blocks of 32 frames, in cache).",
    ),
    key="mel",
    detail=_frames_detail,
    memory_target=1.2,
)


# ---- NSGT rows --------------------------------------------------------------------------------

NSGT_SCALE = {"scale": "cqt", "fmin": 32.7, "n_bins": 84, "bins_per_octave": 12}
SLICE_LENGTH = 2**16
TRANSITION = 2**14


@functools.cache
def _nsgt_plan(length: int, sr: int):
    """The gaborcore NSGT plan of the NSGT tables (ragged layout), shared by their rows."""
    gaborcore = _import("gaborcore")
    return gaborcore.NSGT(length=length, sr=sr, layout="ragged", real=True, **NSGT_SCALE)


def _warm_nsgt(plan, x: np.ndarray, backend: str, workers: int) -> None:
    """First forward and inverse of ``plan`` (kernel and FFTW plans); Unavailable without kernel."""
    try:
        plan.inverse(
            plan.forward(x, workers=workers, backend=backend), workers=workers, backend=backend
        )
    except ImportError as exc:  # ModuleNotFoundError included: the backend has no NSGT kernel
        raise Unavailable(f"gaborcore backend {backend!r} has no NSGT kernel ({exc})") from None


def nsgt_forward(backend: str) -> Factory:
    """gaborcore NSGT forward (allocates its coefficients; there is no out=)."""

    def make(x, sr, workers):
        _gaborcore_backend(backend)
        plan = _nsgt_plan(x.shape[-1], sr)
        _warm_nsgt(plan, x, backend, workers)
        return lambda: plan.forward(x, workers=workers, backend=backend)

    return make


def nsgt_round_trip(backend: str) -> Factory:
    """gaborcore NSGT forward, then inverse of those coefficients."""

    def make(x, sr, workers):
        _gaborcore_backend(backend)
        plan = _nsgt_plan(x.shape[-1], sr)
        _warm_nsgt(plan, x, backend, workers)
        options = {"workers": workers, "backend": backend}
        return lambda: plan.inverse(plan.forward(x, **options), **options)

    return make


@contextlib.contextmanager
def _numpy_clip_without_out():
    """Let ``np.clip(a, lo, hi, out=b)`` cast into an integer ``b`` (as NumPy 1 did).

    The nsgt package's ``nsgfwin`` clips its integer window lengths with ``np.inf`` as upper
    bound into the same integer array; NumPy 2 computes that clip in float64 and refuses the
    cast to the ``out`` array.  Inside this context such a call computes the clip without
    ``out`` and assigns the result into ``out`` (the values are integers already).
    """
    original = np.clip

    @functools.wraps(original)
    def clip(a, *args, out=None, **kwargs):
        if out is None:
            return original(a, *args, **kwargs)
        out[...] = original(a, *args, **kwargs)
        return out

    np.clip = clip
    try:
        yield
    finally:
        np.clip = original


def _nsgt_package(x: np.ndarray, sr: int):
    try:
        nsgt = importlib.import_module("nsgt")
    except ImportError:
        raise Unavailable("the nsgt package is not installed; it needs numpy at build time: "
                          "pip install --no-build-isolation nsgt") from None
    if x.ndim != 1:
        raise Unavailable("the nsgt package takes one signal at a time")
    fmax = NSGT_SCALE["fmin"] * 2 ** ((NSGT_SCALE["n_bins"] - 1) / NSGT_SCALE["bins_per_octave"])
    scale = nsgt.OctScale(NSGT_SCALE["fmin"], fmax, NSGT_SCALE["bins_per_octave"])
    with _numpy_clip_without_out():
        return nsgt.NSGT(scale, sr, x.shape[-1], real=True, matrixform=False)


def nsgt_package_forward(x, sr, workers):
    """The nsgt package's forward transform (float64; a list of one array per band)."""
    n = _nsgt_package(x, sr)
    return lambda: list(n.forward(x.astype(np.float64)))


def nsgt_package_round_trip(x, sr, workers):
    """The nsgt package's forward then backward transform (float64)."""
    n = _nsgt_package(x, sr)
    return lambda: n.backward(list(n.forward(x.astype(np.float64))))


def librosa_cqt(x, sr, workers):
    """librosa's constant-Q transform with the same bins (hop 512)."""
    librosa = _import("librosa")
    return lambda: librosa.cqt(
        x,
        sr=sr,
        hop_length=HOP,
        fmin=NSGT_SCALE["fmin"],
        n_bins=NSGT_SCALE["n_bins"],
        bins_per_octave=NSGT_SCALE["bins_per_octave"],
    )


class _SpectralFfts:
    """The FFTW work of one NSGT of length ``length`` with band sizes ``M`` (pyFFTW, float32).

    An rfft of the signal, one batched complex inverse FFT per distinct ``M`` (``howmany`` = the
    bands with that ``M``) and, for a round trip, an irfft; plans made with FFTW_MEASURE and
    arrays filled afterwards (planning overwrites them).  ``real_threads`` threads the r(i)fft.
    """

    def __init__(self, pyfftw, length: int, M, real_threads: int, round_trip: bool):
        flags = ("FFTW_MEASURE",)
        self.real = pyfftw.empty_aligned(length, dtype=np.float32)
        self.spec = pyfftw.empty_aligned(length // 2 + 1, dtype=np.complex64)
        self.rfft = pyfftw.FFTW(self.real, self.spec, flags=flags, threads=real_threads)
        self.irfft = None
        if round_trip:
            # Into its own output, so the signal (the rfft's input) never changes: values stay
            # bounded over repeated calls.  The c2r destroys self.spec, which the rfft rewrites.
            out = pyfftw.empty_aligned(length, dtype=np.float32)
            self.irfft = pyfftw.FFTW(
                self.spec, out, direction="FFTW_BACKWARD", flags=flags, threads=real_threads
            )
        self.groups = []  # (cost, plan), longest first
        sizes, counts = np.unique(np.asarray(M, dtype=np.int64), return_counts=True)
        for m, n in zip(sizes.tolist(), counts.tolist(), strict=True):
            a = pyfftw.empty_aligned((n, m), dtype=np.complex64)
            b = pyfftw.empty_aligned((n, m), dtype=np.complex64)
            plan = pyfftw.FFTW(a, b, axes=(-1,), direction="FFTW_BACKWARD", flags=flags, threads=1)
            a[...] = 1.0 + 1.0j
            self.groups.append((n * m * math.log2(max(m, 2)), plan))
        self.groups.sort(key=lambda g: -g[0])
        self.real[...] = 0.1

    def split(self, parts: int) -> list[list]:
        """The batched plans split into ``parts`` lists of about equal cost (longest first)."""
        lists, loads = [[] for _ in range(parts)], [0.0] * parts
        for cost, plan in self.groups:
            i = loads.index(min(loads))
            lists[i].append(plan.execute)
            loads[i] += cost
        return lists


def _nsgt_fft_limit(length: int, M, repeats: int, workers: int, round_trip: bool) -> Call:
    """``repeats`` NSGTs' FFTW work (see :class:`_SpectralFfts`) on ``workers`` threads.

    One transform (``repeats == 1``): FFTW-threaded r(i)fft on the calling thread, batched FFTs
    split over the threads.  Several (slices): each thread its own plans, transforms split.
    """
    pyfftw = _import("pyfftw")
    passes = 2 if round_trip else 1

    def run_all(ffts: _SpectralFfts, count: int) -> None:
        executes = [plan.execute for _, plan in ffts.groups] * passes
        rfft, irfft = ffts.rfft.execute, ffts.irfft.execute if ffts.irfft else None
        for _ in range(count):
            rfft()
            for execute in executes:
                execute()
            if irfft is not None:
                irfft()

    if workers == 1:
        ffts = _SpectralFfts(pyfftw, length, M, 1, round_trip)
        return lambda: run_all(ffts, repeats)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nsgt-limit")

    def run_list(executes) -> None:
        for execute in executes:
            execute()

    if repeats == 1:
        ffts = _SpectralFfts(pyfftw, length, M, workers, round_trip)
        parts = [part * passes for part in ffts.split(workers)]

        def call():
            ffts.rfft.execute()
            for job in [pool.submit(run_list, part) for part in parts]:
                job.result()
            if ffts.irfft is not None:
                ffts.irfft.execute()

        return call
    per_thread = [_SpectralFfts(pyfftw, length, M, 1, round_trip) for _ in range(workers)]
    counts = [repeats // workers + (i < repeats % workers) for i in range(workers)]

    def call():
        jobs = [pool.submit(run_all, f, c) for f, c in zip(per_thread, counts, strict=True)]
        for job in jobs:
            job.result()

    return call


def nsgt_fft_limit(round_trip: bool) -> Factory:
    """FFTW's share of the gaborcore NSGT of x (one rfft, batched inverse FFTs of its M_k)."""

    def make(x, sr, workers):
        plan = _nsgt_plan(x.shape[-1], sr)
        return _nsgt_fft_limit(x.shape[-1], plan.bands.M, _n_clips(x), workers, round_trip)

    return make


def _nsgt_detail(w: _signals.Workload) -> str:
    try:
        plan = _nsgt_plan(w.shape[-1], w.sr)
    except Unavailable:
        return "gaborcore not installed"
    n_sizes = len(np.unique(plan.bands.M))
    return f"L = {plan.length}, {len(plan.bands)} bands, {n_sizes} sizes M_k, total {plan.total}"


def _nsgt_rows(round_trip: bool) -> tuple[Row, ...]:
    make = nsgt_round_trip if round_trip else nsgt_forward
    rows = [
        Row(f"gaborcore[{b}]", make(b), memory=None if round_trip else make(b))
        for b in ("c", "numba", "numpy")
    ]
    if round_trip:
        rows.append(Row("nsgt", nsgt_package_round_trip, workers=(1,)))
    else:
        rows.append(Row("nsgt", nsgt_package_forward, workers=(1,), memory=nsgt_package_forward))
        rows.append(Row("librosa.cqt", librosa_cqt, workers=(1,), memory=librosa_cqt))
    rows.append(Row("NSGT FFT limit", nsgt_fft_limit(round_trip)))
    return tuple(rows)


_NSGT_NOTES = (
    "nsgt (the package) and librosa.cqt are single-threaded: measured at 1 thread only.",
    "nsgt computes in float64 (complex128 output); its float64 copy of the input is timed.",
    "gaborcore NSGT plans were made and used once before timing (FFTW planning of every M_k).",
)

NSGT_FORWARD = Task(
    title="constant-Q NSGT forward, float32, 84 bins from 32.7 Hz, 12/octave, ragged",
    dtype="float32",
    rows=_nsgt_rows(round_trip=False),
    limit="NSGT FFT limit",
    reference="nsgt",
    ratios=("librosa.cqt",),
    notes=(
        *_NSGT_NOTES,
        "librosa.cqt: 84 bins on a 512-sample hop (recursive downsampling), forward only.",
    ),
    key="nsgt",
    workloads=("60s",),
    detail=_nsgt_detail,
)

NSGT_ROUND_TRIP = Task(
    title="constant-Q NSGT forward + inverse, float32, 84 bins from 32.7 Hz, 12/octave, ragged",
    dtype="float32",
    rows=_nsgt_rows(round_trip=True),
    limit="NSGT FFT limit",
    reference="nsgt",
    notes=(
        *_NSGT_NOTES,
        "limit: rfft + 2 x batched FFTs of the M_k + irfft of the signal.",
    ),
    key="nsgt",
    workloads=("60s",),
    detail=_nsgt_detail,
)


# ---- sliced NSGT rows -------------------------------------------------------------------------


def _sliced_plan(sr: int):
    gaborcore = _import("gaborcore")
    if not hasattr(gaborcore, "SlicedNSGT"):
        raise Unavailable("gaborcore has no SlicedNSGT yet")
    return gaborcore.SlicedNSGT(
        slice_length=SLICE_LENGTH, transition=TRANSITION, sr=sr, **NSGT_SCALE
    )


def sliced_forward(backend: str) -> Factory:
    """gaborcore SlicedNSGT forward of the whole signal (per-slice coefficients)."""

    def make(x, sr, workers):
        _gaborcore_backend(backend)
        sliced = _sliced_plan(sr)
        try:  # a few slices: the inner plan's kernel and FFTW plans
            sliced.forward(x[..., : 2 * SLICE_LENGTH], workers=workers, backend=backend)
        except ImportError as exc:
            raise Unavailable(f"gaborcore backend {backend!r} has no NSGT kernel ({exc})") from None
        return lambda: sliced.forward(x, workers=workers, backend=backend)

    return make


def sliced_fft_limit(x, sr, workers):
    """The NSGT FFT limit of one slice (the inner plan's M_k), run once per slice of x."""
    sliced = _sliced_plan(sr)
    repeats = _n_clips(x) * sliced.n_slices(x.shape[-1])
    return _nsgt_fft_limit(SLICE_LENGTH, sliced.inner.bands.M, repeats, workers, False)


def _sliced_detail(w: _signals.Workload) -> str:
    try:
        sliced = _sliced_plan(w.sr)
    except Unavailable as exc:
        return str(exc)
    return (
        f"slice {sliced.slice_length}, transition {sliced.transition}, "
        f"{sliced.n_slices(w.shape[-1])} slices of {sliced.inner.total} coefficients"
    )


SLICED_NSGT = Task(
    title="sliced constant-Q NSGT (SlicedNSGT) forward, float32, 84 bins from 32.7 Hz",
    dtype="float32",
    rows=(
        *(
            Row(f"gaborcore[{b}] sliced", sliced_forward(b), memory=sliced_forward(b))
            for b in ("c", "numba", "numpy")
        ),
        Row("sliced FFT limit", sliced_fft_limit),
    ),
    limit="sliced FFT limit",
    reference=None,
    notes=("sliced FFT limit: rfft of a slice + batched FFTs of the inner M_k, per slice.",),
    key="nsgt",
    workloads=("600s",),
    detail=_sliced_detail,
)


TASKS = [POWER_SPECTROGRAM, MEL_SPECTROGRAM, NSGT_FORWARD, NSGT_ROUND_TRIP, SLICED_NSGT]


# ---- measurement ------------------------------------------------------------------------------


def best_times(calls: list[Call], repeat: int) -> tuple[list[float | None], dict[int, str]]:
    """Best wall-clock time of each call over ``repeat`` rounds, after one untimed warm-up each.

    Every round times every call once, so a slow spell of a shared machine lands on all the rows
    of a table rather than on whichever row was running.  A call that raises is dropped: its
    time is ``None`` and its error is returned (by index) for the table to print.
    """
    errors: dict[int, str] = {}

    def attempt(i: int, call: Call) -> float | None:
        try:
            start = time.perf_counter()
            call()
            return time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 - any library error is reported, not fatal
            errors[i] = f"{type(exc).__name__}: {exc}"
            return None

    for i, call in enumerate(calls):
        attempt(i, call)
    best: list[float | None] = [None if i in errors else math.inf for i in range(len(calls))]
    for _ in range(repeat):
        for i, call in enumerate(calls):
            if i in errors:
                continue
            t = attempt(i, call)
            best[i] = None if t is None else min(best[i], t)
    return best, errors


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


def _nbytes(result) -> int:
    """Bytes of a result: an array, an object with a ``data`` array, or a list/tuple of those."""
    if isinstance(result, list | tuple):
        return sum(_nbytes(r) for r in result)
    data = getattr(result, "data", None)
    if isinstance(data, np.ndarray):
        return int(data.nbytes)
    return int(np.asarray(result).nbytes)


def memory_probe(task: Task, row: Row, workload: str, workers: int) -> dict:
    """Peak memory of one call of ``row.memory`` (run in a fresh process; see the docstring)."""
    x = _signals.get(workload, task.dtype)
    sr = _signals.spec(workload).sr
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
        "out_bytes": _nbytes(result),
        "extra_bytes": int(peak - base),
        "method": method,
    }


# glibc raises its mmap threshold (up to 32 MiB) whenever a mapped block is freed, after which
# blocks of that size come from the heap, whose freed pages stay resident: a call that follows a
# full-size warm-up then seems to need almost nothing.  A fixed threshold (which turns the
# dynamic one off) keeps every large block a fresh mapping, as in the first call of a process.
_PROBE_ENV = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


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
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_PROBE_ENV)
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
    """Time every row of ``task`` on ``workload`` at each workers count; print skipped rows.

    A row whose library is missing (:class:`Unavailable`) is skipped with a note; a row that
    raises anything else, while being prepared or timed, is reported with its error.
    """
    w = _signals.spec(workload)
    x = _signals.get(workload, task.dtype)
    cases, calls, skipped, failed = [], [], {}, {}
    for row in task.rows:
        for workers in workers_list:
            if row.workers is not None and workers not in row.workers:
                continue
            try:
                calls.append(row.make(x, w.sr, workers))
            except Unavailable as exc:
                skipped[row.name] = str(exc)
                break
            except Exception as exc:  # noqa: BLE001 - reported, the other rows still run
                failed[f"{row.name} ({workers} w)"] = f"{type(exc).__name__}: {exc}"
                continue
            cases.append((row, workers))
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    seconds, errors = best_times(calls, repeat)
    del calls
    for i, error in errors.items():
        row, workers = cases[i]
        failed[f"{row.name} ({workers} w)"] = error
    for name, error in failed.items():
        print(f"  FAILED {name}: {error}")
    results = []
    for (row, workers), t in zip(cases, seconds, strict=True):
        if t is None:
            continue
        mem = None
        if memory and row.memory is not None:
            mem = measure_memory(task_index, row, workload, workers)
        results.append(Result(row, workers, t, w.audio_seconds / t, mem))
    return results


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _compared_rate(results: list[Result], name: str, workers: int) -> float | None:
    """Throughput of row ``name`` at ``workers``, else at its fewest workers (None if absent)."""
    rates = {r.workers: r.audio_per_second for r in results if r.row.name == name}
    if not rates:
        return None
    return rates.get(workers, rates[min(rates)])


def print_table(task: Task, workload: str, results: list[Result]) -> None:
    w = _signals.spec(workload)
    x_shape = w.shape
    detail = f", {task.detail(w)}" if task.detail is not None else ""
    print(
        f"\n{task.title}; workload {workload}: {w.n_clips} x {w.seconds:g} s at {w.sr} Hz "
        f"= {w.audio_seconds:g} s of audio{detail}"
    )
    name_width = max([24] + [len(r.row.name) + 2 for r in results])
    columns = [(name, f"/ {name}") for name in task.compared]
    columns = [(name, label, max(11, len(label) + 2)) for name, label in columns]
    header = f"{'row':<{name_width}}{'workers':>8}{'best ms':>10}{'audio s/s':>12}"
    header += "".join(f"{label:>{width}}" for _, label, width in columns)
    header += f"{'peak/(in+out)':>15}"
    if task.memory_target is not None:
        header += f"{'extra/out':>11}"
    print(header)
    print("-" * len(header))
    verdicts = []
    for r in results:
        line = (
            f"{r.row.name:<{name_width}}{r.workers:>8}{r.seconds * 1e3:>10.2f}"
            f"{r.audio_per_second:>12.0f}"
        )
        for name, _, width in columns:
            rate = _compared_rate(results, name, r.workers)
            line += f"{_ratio(r.audio_per_second / rate if rate else None):>{width}}"
        mem, extra = "-", "-"
        if r.memory is not None:
            if "error" in r.memory:
                mem = extra = "error"
            else:
                m = r.memory
                mem = f"{(m['in_bytes'] + m['extra_bytes']) / (m['in_bytes'] + m['out_bytes']):.2f}"
                extra_per_out = m["extra_bytes"] / m["out_bytes"]
                extra = f"{extra_per_out:.2f}"
                if task.memory_target is not None and r.row.name.startswith("gaborcore"):
                    ok = extra_per_out <= task.memory_target
                    verdicts.append(f"{r.row.name} ({r.workers} w) {'met' if ok else 'MISSED'}")
        line += f"{mem:>15}"
        if task.memory_target is not None:
            line += f"{extra:>11}"
        print(line)
    errors = {r.row.name: r.memory["error"] for r in results if r.memory and "error" in r.memory}
    for name, err in errors.items():
        print(f"  memory probe of {name} failed: {err}")
    methods = {r.memory["method"] for r in results if r.memory and "method" in r.memory}
    if methods:
        print(
            f"  peak memory method: {', '.join(sorted(methods))}; input "
            f"{x_shape} {task.dtype} = "
            f"{np.prod(x_shape) * np.dtype(task.dtype).itemsize / 2**20:.1f} MiB"
        )
    if verdicts:
        print(
            f"  memory target peak <= input + {task.memory_target:g} x output "
            f"(extra/out <= {task.memory_target:g}): {'; '.join(verdicts)}"
        )


def print_environment() -> None:
    versions = []
    for module in ("gaborcore", "numpy", "scipy", "librosa", "pyfftw", "numba", "nsgt"):
        try:
            mod = importlib.import_module(module)
            versions.append(f"{module} {getattr(mod, '__version__', '(version unknown)')}")
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


# ---- CNN kernels against PyTorch (--tasks nn) -------------------------------------------------

NN_KEY = "nn"
EXTRACT_KEY = "extract"
NN_CONV_FIRST = ((32, 1, 128, 130), (32, 1, 3, 3))
NN_CONV_MANY = ((32, 32, 64, 65), (64, 32, 3, 3))
NN_POOL_SHAPE = (32, 64, 128, 130)
NN_POOL_BLOCK = 3  # 3x3 blocks, stride 3
NN_NET_SHAPE = (32, 1, 80, 115)
NN_BACKENDS = ("c", "numba", "numpy")

NNFactory = Callable[[int], Call]  # workers -> the call to time


@dataclass(frozen=True)
class NNRow:
    """One line of an ``nn`` table: ``make(workers)`` returns the call to time."""

    name: str
    make: NNFactory
    allocates: bool
    torch: bool = False


@dataclass(frozen=True)
class NNTable:
    """The rows of one CNN workload, with its target on ``torch / row`` (or none)."""

    title: str
    rows: tuple[NNRow, ...]
    target: str | None = None
    min_ratio: float | None = None  # the target: torch / row > min_ratio (strict) ...
    strict: bool = True  # ... or >= min_ratio where not strict

    def met(self, ratio: float) -> bool:
        assert self.min_ratio is not None
        return ratio > self.min_ratio if self.strict else ratio >= self.min_ratio


def _bench_nn():
    """The asv suite's nn module (its data and network factories); Unavailable without gaborcore."""
    _import("gaborcore")
    from benchmarks import bench_nn

    return bench_nn


def _gaborcore_nn(backend: str):
    _gaborcore_backend(backend)
    return _import("gaborcore.nn")


def _torch_nn():
    return _import("torch")


@functools.cache
def _nn_conv_data(x_shape: tuple, w_shape: tuple) -> tuple[np.ndarray, ...]:
    """x, w, b of a convolution workload: the seeded arrays of bench_nn's ``_Conv``."""
    bench = _bench_nn()
    fan_in = w_shape[1] * w_shape[2] * w_shape[3]
    return (
        bench._array(x_shape, 1),
        bench._array(w_shape, 2, scale=fan_in**-0.5),
        bench._array((w_shape[0],), 3, scale=0.1),
    )


@functools.cache
def _nn_torch_tensor(kind: str, index: int = 0):
    """A torch copy of one of the workload arrays (cached: the pooling input is 136 MB)."""
    torch = _torch_nn()
    if kind == "pool":
        array = _bench_nn()._array(NN_POOL_SHAPE, 4, nonneg=True)
    elif kind == "net":
        array = _bench_nn()._array(NN_NET_SHAPE, 5, nonneg=True)
    else:
        array = _nn_conv_data(*(NN_CONV_FIRST if kind == "conv-a" else NN_CONV_MANY))[index]
    return torch.from_numpy(array.copy())  # the cached arrays are read-only


def nn_conv_gaborcore(shapes: tuple, backend: str, out: bool) -> NNFactory:
    """gaborcore.nn.conv2d, padding "same", into ``out=`` or allocating."""

    def make(workers):
        gnn = _gaborcore_nn(backend)
        x, w, b = _nn_conv_data(*shapes)
        opts = {"padding": "same", "workers": workers, "backend": backend}
        if out:
            shape = gnn.conv_output_shape(x.shape, w.shape, padding="same")
            opts["out"] = np.zeros(shape, x.dtype)
        return lambda: gnn.conv2d(x, w, b, **opts)

    return make


def nn_conv_torch(kind: str) -> NNFactory:
    """torch.nn.functional.conv2d with padding (kh // 2, kw // 2) (= "same" for odd kernels)."""

    def make(workers):
        torch = _torch_nn()
        x, w, b = (_nn_torch_tensor(kind, i) for i in range(3))
        pad = (w.shape[2] // 2, w.shape[3] // 2)
        return lambda: torch.nn.functional.conv2d(x, w, b, padding=pad)

    return make


def nn_pool_gaborcore(p: float, backend: str, out: bool) -> NNFactory:
    """gaborcore.nn.lp_pool2d (finite ``p``) or max_pool2d (``p = inf``), 3x3, stride 3."""

    def make(workers):
        gnn = _gaborcore_nn(backend)
        x = _bench_nn()._array(NN_POOL_SHAPE, 4, nonneg=True)
        opts = {"kernel_size": NN_POOL_BLOCK, "workers": workers, "backend": backend}
        if out:
            opts["out"] = np.zeros(gnn.pool_output_shape(x.shape, kernel_size=3), x.dtype)
        if math.isinf(p):
            return lambda: gnn.max_pool2d(x, **opts)
        return lambda: gnn.lp_pool2d(x, p=p, **opts)

    return make


def nn_pool_torch(p: float) -> NNFactory:
    """torch.nn.functional.lp_pool2d(x, p, 3) or max_pool2d(x, 3)."""

    def make(workers):
        functional = _torch_nn().nn.functional
        x = _nn_torch_tensor("pool")
        if math.isinf(p):
            return lambda: functional.max_pool2d(x, NN_POOL_BLOCK)
        return lambda: functional.lp_pool2d(x, p, NN_POOL_BLOCK)

    return make


def nn_net_gaborcore(backend: str) -> NNFactory:
    """bench_nn.paper_network().forward (no out=: allocates its result)."""

    def make(workers):
        _gaborcore_nn(backend)
        bench = _bench_nn()
        net = bench.paper_network()
        x = bench._array(NN_NET_SHAPE, 5, nonneg=True)
        return lambda: net.forward(x, workers=workers, backend=backend)

    return make


def nn_net_torch(workers):
    """bench_nn.paper_network_torch(torch) under torch.no_grad()."""
    torch = _torch_nn()
    net = _bench_nn().paper_network_torch(torch)
    x = _nn_torch_tensor("net")

    def call():
        with torch.no_grad():
            return net(x)

    return call


def _nn_rows(gaborcore_make, torch_make: NNFactory, out: bool) -> tuple[NNRow, ...]:
    """gaborcore per backend (``out=`` where ``out``), gaborcore[c] allocating, then torch."""
    suffix = " out=" if out else ""
    rows = [NNRow(f"gaborcore[{b}]{suffix}", gaborcore_make(b, out), not out) for b in NN_BACKENDS]
    if out:
        rows.insert(1, NNRow("gaborcore[c] new", gaborcore_make("c", False), True))
    rows.append(NNRow("torch", torch_make, True, torch=True))
    return tuple(rows)


def _nn_tables() -> tuple[NNTable, ...]:
    faster = {"target": "faster than torch (torch / row > 1)", "min_ratio": 1.0}
    tables = []
    for label, kind, shapes, target in (
        ("(a) conv2d, first layer", "conv-a", NN_CONV_FIRST, faster),
        (
            "(b) conv2d, many channels",
            "conv-b",
            NN_CONV_MANY,
            {
                "target": "within 1.5x of torch (torch / row >= 1/1.5)",
                "min_ratio": 1 / 1.5,
                "strict": False,
            },
        ),
    ):
        x_shape, w_shape = shapes
        tables.append(
            NNTable(
                f'{label}: x {x_shape}, w {w_shape}, padding "same"',
                _nn_rows(
                    lambda b, out, shapes=shapes: nn_conv_gaborcore(shapes, b, out),
                    nn_conv_torch(kind),
                    out=True,
                ),
                **target,
            )
        )
    for p, name in ((2.0, "Lp pooling p=2"), (3.0, "Lp pooling p=3"), (math.inf, "max pooling")):
        tables.append(
            NNTable(
                f"(c) {name}, 3x3 blocks, stride 3, on {NN_POOL_SHAPE} (non-negative)",
                _nn_rows(
                    lambda b, out, p=p: nn_pool_gaborcore(p, b, out), nn_pool_torch(p), out=True
                ),
                **faster,
            )
        )
    tables.append(
        NNTable(
            f"(d) paper-style network (2 conv + max pool, 2 dense) on {NN_NET_SHAPE}",
            _nn_rows(lambda b, out: nn_net_gaborcore(b), nn_net_torch, out=False),
        )
    )
    return tuple(tables)


NN_NOTES = (
    "output 'out=': gaborcore writes into an array preallocated before timing; 'allocates': a "
    "fresh result per call (PyTorch always; gaborcore[c] new; Network.forward, which has no out= "
    "and reuses per-thread buffers for the layers before its (32, 1) result).",
    "torch / row: PyTorch's best time over the row's at the same workers (> 1: gaborcore is "
    "faster); PyTorch runs under torch.set_num_threads(workers).",
    "(c) PyTorch's lp_pool2d takes no absolute value; the data are non-negative, so both compute "
    "the same norms.",
)


def run_nn_table(table: NNTable, workers_list, repeat: int) -> dict[tuple[str, int], float]:
    """Best time of every row of ``table`` at each workers count; prints skipped/failed rows."""
    torch = None
    with contextlib.suppress(Unavailable):
        torch = _torch_nn()
    saved = torch.get_num_threads() if torch is not None else None
    times: dict[tuple[str, int], float] = {}
    skipped: dict[str, str] = {}
    failed: dict[str, str] = {}
    try:
        for workers in workers_list:
            if torch is not None:
                torch.set_num_threads(workers)
            cases, calls = [], []
            for row in table.rows:
                if row.name in skipped:
                    continue
                try:
                    calls.append(row.make(workers))
                except Unavailable as exc:
                    skipped[row.name] = str(exc)
                    continue
                except Exception as exc:  # noqa: BLE001 - reported, the other rows still run
                    failed[f"{row.name} ({workers} w)"] = f"{type(exc).__name__}: {exc}"
                    continue
                cases.append(row)
            seconds, errors = best_times(calls, repeat)
            del calls
            for i, error in errors.items():
                failed[f"{cases[i].name} ({workers} w)"] = error
            for row, t in zip(cases, seconds, strict=True):
                if t is not None:
                    times[row.name, workers] = t
    finally:
        if torch is not None:
            torch.set_num_threads(saved)
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    for name, error in failed.items():
        print(f"  FAILED {name}: {error}")
    return times


def print_nn_table(table: NNTable, times: dict[tuple[str, int], float], workers_list) -> None:
    print(f"\n{table.title}; target: {table.target or 'none'}")
    name_width = max([24] + [len(row.name) + 2 for row in table.rows])
    header = (
        f"{'row':<{name_width}}{'output':<11}{'workers':>8}{'best ms':>10}{'torch / row':>13}"
        f"{'target':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in table.rows:
        for workers in workers_list:
            t = times.get((row.name, workers))
            if t is None:
                continue
            torch_t = next((times.get((r.name, workers)) for r in table.rows if r.torch), None)
            ratio = torch_t / t if torch_t is not None else None
            verdict = "-"
            if table.min_ratio is not None and ratio is not None and not row.torch:
                verdict = "met" if table.met(ratio) else "missed"
            output = "allocates" if row.allocates else "out="
            print(
                f"{row.name:<{name_width}}{output:<11}{workers:>8}{t * 1e3:>10.2f}"
                f"{_ratio(ratio):>13}{verdict:>9}"
            )


def run_nn(workers_list, repeat: int) -> None:
    """The ``nn`` task: every table of :func:`_nn_tables`, printed as it is measured."""
    try:
        torch = _torch_nn()
        version = f"torch {torch.__version__}"
    except Unavailable as exc:
        version = f"torch rows skipped: {exc}"
    print(
        f"\nCNN kernels of gaborcore.nn against PyTorch on the CPU, float32 ({version}); best of "
        f"{repeat} calls after one warm-up, per workers count"
    )
    for table in _nn_tables():
        times = run_nn_table(table, workers_list, repeat)
        print_nn_table(table, times, workers_list)
    for note in NN_NOTES:
        print(f"note: {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    keys = [*dict.fromkeys(task.selector for task in TASKS), NN_KEY, EXTRACT_KEY]
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
    if any(task.selector in args.tasks for task in TASKS):
        print(
            f"best of {repeat} calls after one warm-up; throughput in seconds of audio per second"
        )
        print(
            "ratios: row / compared row at the same workers (at 1 thread where the compared row "
            "runs only there)"
        )
    for index, task in enumerate(TASKS):
        if task.selector not in args.tasks:
            continue
        workloads = [w for w in task.workloads if args.workloads is None or w in args.workloads]
        if not workloads:
            print(f"\n{task.title}: none of its workloads ({', '.join(task.workloads)}) asked for")
            continue
        for workload in workloads:
            results = run_task(index, task, workload, args.workers, repeat, not args.quick)
            print_table(task, workload, results)
        for note in task.notes:
            print(f"note: {note}")
    if NN_KEY in args.tasks:
        run_nn(args.workers, repeat)
    if EXTRACT_KEY in args.tasks:
        run_extract(args.repeat if args.repeat is not None else (1 if args.quick else 3))
    return 0


def run_extract(repeat: int) -> None:
    """The extraction job against the bare mel kernel (see the module docstring)."""
    from benchmarks import bench_extract

    n = bench_extract._n_clips()
    mb = bench_extract._prefault_mb()
    print()
    rows = bench_extract.measure_extract(n, repeat=repeat, prefault_mb=mb)
    bench_extract.print_rows(rows, n, repeat, mb)
    bench_extract.print_writer(bench_extract.measure_writer(n, repeat=repeat), rows)


if __name__ == "__main__":
    sys.exit(main())
