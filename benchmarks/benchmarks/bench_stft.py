"""STFT, power spectrogram and inverse STFT of gaborcore: plan creation apart from execution.

Every execution benchmark is parametrised over

* ``backend``: "c", "numba", "numpy" (skipped, through ``NotImplementedError``, where unavailable);
* ``workers``: 1 or 2 threads;
* ``workload``: "60s" (one 60 s signal) or "256x3s" (a batch of 256 clips of 3 s), 22.05 kHz;
* ``dtype``: "float32" or "float64" input (complex64 / complex128 spectra);
* ``n_fft_hop``: (2048, 512) or (512, 128), Hann window, ``center=True``, zero padding.

The NumPy backend is the slow reference: its float64 batch cases are left out to keep a quick asv
run short.  The timed call always goes through an :class:`gaborcore.STFT` plan that was made and
used once before (its kernels, FFTW plans, JIT-compiled functions and worker threads exist), so
that execution timings contain no one-time cost; :class:`PlanCreation` times that cost on its own.

asv re-runs ``setup()`` before every sample, so what setup builds (plans, signals, ``out=``
buffers) is cached for the life of the benchmark process, and the first setup of a process runs
the benchmarked call once as a warm-up (page faults of the buffers, thread start-up).
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore

from . import _signals

BACKENDS = ["c", "numba", "numpy"]
WORKERS = [1, 2]
WORKLOADS = list(_signals.WORKLOADS)
DTYPES = ["float32", "float64"]
LATTICES = [(2048, 512), (512, 128)]

_COMPLEX = {"float32": "complex64", "float64": "complex128"}
# Benchmarks already run once in this process (see _Execution._warm_once).
_WARMED: set[tuple] = set()


def _require(backend: str, workload: str | None = None, dtype: str | None = None) -> None:
    """Skip (``NotImplementedError``) an unavailable backend or a case left out of the grid."""
    if backend not in gaborcore.available_backends():
        raise NotImplementedError(f"backend {backend!r} is not available here")
    if backend == "numpy" and workload == "256x3s" and dtype == "float64":
        raise NotImplementedError("numpy float64 batch cases are left out of the grid")


def _fresh_plan(n_fft: int, hop: int, backend: str, dtype: str) -> gaborcore.STFT:
    """A new plan whose ``backend``/``dtype`` kernel has been made (one tiny transform)."""
    plan = gaborcore.STFT(n_fft=n_fft, hop_length=hop)
    plan.spectrogram(np.zeros(n_fft, dtype), backend=backend)
    return plan


@functools.cache
def _plan(n_fft: int, hop: int, backend: str, dtype: str) -> gaborcore.STFT:
    """The plan reused by every sample of a benchmark process."""
    return _fresh_plan(n_fft, hop, backend, dtype)


@functools.cache
def _buffer(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """A cached output array, written once so that its pages are resident before timing."""
    out = np.empty(shape, dtype)
    out.fill(0)
    return out


class _Execution:
    """Common grid and setup of the execution benchmarks (not itself a benchmark)."""

    params = (BACKENDS, WORKERS, WORKLOADS, DTYPES, LATTICES)
    param_names = ["backend", "workers", "workload", "dtype", "n_fft_hop"]
    timeout = 180.0

    def setup(self, backend, workers, workload, dtype, n_fft_hop):
        _require(backend, workload, dtype)
        n_fft, hop = n_fft_hop
        self.plan = _plan(n_fft, hop, backend, dtype)
        self.x = _signals.get(workload, dtype)
        self.options = {"workers": workers, "backend": backend}

    def _warm_once(self, method, *params):
        """Run ``method`` once per process, before the first sample is timed."""
        key = (type(self).__name__, method.__name__, params)
        if key not in _WARMED:
            method(*params)
            _WARMED.add(key)


class Spectrogram(_Execution):
    """Power spectrogram ``|STFT|**2`` (computed block by block, no complex STFT stored)."""

    def setup(self, *params):
        super().setup(*params)
        self.out = _buffer(self.plan.output_shape(self.x.shape), params[3])
        self._warm_once(self.time_spectrogram, *params)
        self._warm_once(self.time_spectrogram_alloc, *params)

    def time_spectrogram(self, *params):
        """Into a preallocated ``out=`` array: the transform alone."""
        self.plan.spectrogram(self.x, out=self.out, **self.options)

    def time_spectrogram_alloc(self, *params):
        """With a fresh output array per call (allocation and first-touch page faults included)."""
        self.plan.spectrogram(self.x, **self.options)


class SpectrogramMemory(_Execution):
    """Peak memory of a power spectrogram without ``out=``.

    asv's ``peakmem`` is the maximum resident set size of the whole benchmark process: interpreter,
    libraries, the input signal, the output and any scratch of the call.  Compare it between
    backends, parameters and commits; the input alone is 68 MB (float32) or 135 MB (float64) for
    "256x3s" and the output is about twice that.  ``benchmarks/compare.py`` reports the peak of the
    call alone, relative to input plus output.
    """

    def peakmem_spectrogram(self, *params):
        self.plan.spectrogram(self.x, **self.options)


class Stft(_Execution):
    """Complex one-sided STFT into a preallocated ``out=`` array."""

    def setup(self, *params):
        super().setup(*params)
        self.out = _buffer(self.plan.output_shape(self.x.shape), _COMPLEX[params[3]])
        self._warm_once(self.time_stft, *params)

    def time_stft(self, *params):
        self.plan.stft(self.x, out=self.out, **self.options)


class RoundTrip(_Execution):
    """STFT then inverse STFT back to the input length, both into preallocated arrays."""

    def setup(self, *params):
        super().setup(*params)
        self.spectrum = _buffer(self.plan.output_shape(self.x.shape), _COMPLEX[params[3]])
        self.y = _buffer(self.x.shape, params[3])
        self._warm_once(self.time_stft_istft, *params)

    def time_stft_istft(self, *params):
        self.plan.stft(self.x, out=self.spectrum, **self.options)
        self.plan.istft(self.spectrum, length=self.x.shape[-1], out=self.y, **self.options)


class PlanCreation:
    """One-time cost of a plan: a new :class:`gaborcore.STFT` and its first kernel.

    The first kernel of a plan is made by its first transform; here that is the spectrogram of one
    ``n_fft``-sample signal (a handful of frames), so the timing is the plan's set-up cost plus a
    negligible transform.  ``time_plan_creation`` runs in a process that has already made the same
    plan once, as a long-running program does (FFTW wisdom, JIT-compiled code and cached FFT blocks
    are reused); ``timeraw_plan_creation_cold`` runs in a fresh interpreter, after ``import
    gaborcore``, and so includes FFTW's first planning (``FFTW_MEASURE``) and loading the numba
    functions from their on-disk cache.
    """

    params = (BACKENDS, DTYPES, LATTICES)
    param_names = ["backend", "dtype", "n_fft_hop"]
    timeout = 120.0

    def setup(self, backend, dtype, n_fft_hop):
        _require(backend)
        _plan(*n_fft_hop, backend, dtype)

    def time_plan_creation(self, backend, dtype, n_fft_hop):
        _fresh_plan(*n_fft_hop, backend, dtype)

    def timeraw_plan_creation_cold(self, backend, dtype, n_fft_hop):
        n_fft, hop = n_fft_hop
        setup = "import numpy as np\nimport gaborcore\n"
        stmt = (
            f"plan = gaborcore.STFT(n_fft={n_fft}, hop_length={hop})\n"
            f"plan.spectrogram(np.zeros({n_fft}, {dtype!r}), backend={backend!r})\n"
        )
        return stmt, setup
