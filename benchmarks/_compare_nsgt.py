"""The NSGT comparisons of ``benchmarks/compare.py`` (``--tasks nsgt``): the constant-Q NSGT
forward, forward + inverse and the sliced NSGT, against the nsgt package, librosa.cqt and the
FFT limit of the same transform sizes.

compare.py's docstring says what every row computes.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _compare_run import Call, Factory, Row, Task, Unavailable, gaborcore_backend, import_module, n_clips
from _compare_spectrogram import HOP

from benchmarks import _signals

# ---- NSGT rows --------------------------------------------------------------------------------

NSGT_SCALE = {"scale": "cqt", "fmin": 32.7, "n_bins": 84, "bins_per_octave": 12}
SLICE_LENGTH = 2**16
TRANSITION = 2**14


@functools.cache
def _nsgt_plan(length: int, sr: int):
    """The gaborcore NSGT plan of the NSGT tables (ragged layout), shared by their rows."""
    gaborcore = import_module("gaborcore")
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
        gaborcore_backend(backend)
        plan = _nsgt_plan(x.shape[-1], sr)
        _warm_nsgt(plan, x, backend, workers)
        return lambda: plan.forward(x, workers=workers, backend=backend)

    return make


def nsgt_round_trip(backend: str) -> Factory:
    """gaborcore NSGT forward, then inverse of those coefficients."""

    def make(x, sr, workers):
        gaborcore_backend(backend)
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
    librosa = import_module("librosa")
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
    pyfftw = import_module("pyfftw")
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
        return _nsgt_fft_limit(x.shape[-1], plan.bands.M, n_clips(x), workers, round_trip)

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
    baselines=("NSGT FFT limit", "nsgt", "librosa.cqt"),
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
    baselines=("NSGT FFT limit", "nsgt"),
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
    gaborcore = import_module("gaborcore")
    if not hasattr(gaborcore, "SlicedNSGT"):
        raise Unavailable("gaborcore has no SlicedNSGT yet")
    return gaborcore.SlicedNSGT(
        slice_length=SLICE_LENGTH, transition=TRANSITION, sr=sr, **NSGT_SCALE
    )


def sliced_forward(backend: str) -> Factory:
    """gaborcore SlicedNSGT forward of the whole signal (per-slice coefficients)."""

    def make(x, sr, workers):
        gaborcore_backend(backend)
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
    repeats = n_clips(x) * sliced.n_slices(x.shape[-1])
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
    baselines=("sliced FFT limit",),
    notes=("sliced FFT limit: rfft of a slice + batched FFTs of the inner M_k, per slice.",),
    key="nsgt",
    workloads=("600s",),
    detail=_sliced_detail,
)
