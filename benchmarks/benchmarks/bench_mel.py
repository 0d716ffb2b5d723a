"""Mel spectrogram of gaborcore (fused STFT, power and mel projection): execution, memory, plan.

Every execution benchmark is parametrised over

* ``backend``: "c", "numba", "numpy" (skipped, through ``NotImplementedError``, where unavailable);
* ``workers``: 1 or 2 threads;
* ``workload``: "60s" (one 60 s signal) or "256x3s" (a batch of 256 clips of 3 s), 22.05 kHz;
* ``dtype``: "float32" for every backend, "float64" for the C backend only (the other backends'
  float64 cases are left out to keep a quick asv run short).

The plan is ``gaborcore.MelSpectrogram(sr=22050, n_fft=2048, hop_length=512, n_mels=128)``
(Hann window, centred frames with zero padding, power 2, Slaney mel filters), librosa's defaults
for ``librosa.feature.melspectrogram``.  The timed call always goes through a plan that was made
and used once before (kernels, FFTW plans, JIT-compiled functions and worker threads exist);
:class:`MelPlanCreation` times that one-time cost on its own.  asv re-runs ``setup()`` before every
sample, so plans and ``out=`` buffers are cached for the life of the benchmark process.
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore

from . import _common, _signals

BACKENDS = ["c", "numba", "numpy"]
WORKERS = [1, 2]
WORKLOADS = list(_signals.WORKLOADS)
DTYPES = ["float32", "float64"]

MEL = {"sr": _signals.SAMPLE_RATE, "n_fft": 2048, "hop_length": 512, "n_mels": 128}


def _require(backend: str, dtype: str) -> None:
    """Skip an unavailable backend, or a float64 case of a backend other than C."""
    _common.require_backend(backend)
    if dtype == "float64" and backend != "c":
        raise NotImplementedError("float64 is benchmarked for the C backend only")


def _fresh_plan(backend: str, dtype: str) -> gaborcore.MelSpectrogram:
    """A new plan whose ``backend``/``dtype`` kernel has been made (one tiny transform)."""
    plan = gaborcore.MelSpectrogram(**MEL)
    plan(np.zeros(MEL["n_fft"], dtype), backend=backend)
    return plan


@functools.cache
def _plan(backend: str, dtype: str) -> gaborcore.MelSpectrogram:
    """The plan reused by every sample of a benchmark process."""
    return _fresh_plan(backend, dtype)


class _Execution:
    """Common grid and setup of the execution benchmarks (not itself a benchmark)."""

    params = (BACKENDS, WORKERS, WORKLOADS, DTYPES)
    param_names = ["backend", "workers", "workload", "dtype"]
    timeout = 180.0

    def setup(self, backend, workers, workload, dtype):
        _require(backend, dtype)
        self.plan = _plan(backend, dtype)
        self.x = _signals.get(workload, dtype)
        self.options = {"workers": workers, "backend": backend}


class MelSpectrogram(_Execution):
    """Mel spectrogram ``(..., 128, n_frames)``; no full-size spectrogram is ever stored."""

    def setup(self, *params):
        super().setup(*params)
        self.out = _common.buffer(self.plan.output_shape(self.x.shape), params[3])
        _common.warm_once(self, self.time_mel, *params)
        _common.warm_once(self, self.time_mel_alloc, *params)

    def time_mel(self, *params):
        """Into a preallocated ``out=`` array: the transform alone."""
        self.plan(self.x, out=self.out, **self.options)

    def time_mel_alloc(self, *params):
        """With a fresh output array per call (allocation and first-touch page faults included)."""
        self.plan(self.x, **self.options)


class MelSpectrogramMemory(_Execution):
    """Peak memory of a mel spectrogram without ``out=``.

    asv's ``peakmem`` is the maximum resident set size of the whole benchmark process (interpreter,
    libraries, input, output and scratch).  The mel output is small (128 rows instead of the 1025
    of a spectrogram: 1.3 MB for "60s", 17 MB for "256x3s" in float32, against inputs of 5.3 MB
    and 68 MB), so the peak shows whether a full spectrogram is kept anywhere.
    ``benchmarks/compare.py --tasks mel`` reports the peak of the call alone.
    """

    def peakmem_mel(self, *params):
        self.plan(self.x, **self.options)


class MelPlanCreation:
    """One-time cost of a :class:`gaborcore.MelSpectrogram` plan and its first kernel.

    The plan (STFT plan from the cache, filter design, sparse filter bank) is made and its first
    kernel is made by a transform of one ``n_fft``-sample signal.  ``time_plan_creation`` runs in
    a process that has already made the same plan once (FFTW wisdom and JIT-compiled code are
    reused); ``timeraw_plan_creation_cold`` runs in a fresh interpreter after ``import gaborcore``.
    """

    params = (BACKENDS, DTYPES)
    param_names = ["backend", "dtype"]
    timeout = 120.0

    def setup(self, backend, dtype):
        _require(backend, dtype)
        _plan(backend, dtype)

    def time_plan_creation(self, backend, dtype):
        _fresh_plan(backend, dtype)

    def timeraw_plan_creation_cold(self, backend, dtype):
        setup = "import numpy as np\nimport gaborcore\n"
        stmt = (
            f"plan = gaborcore.MelSpectrogram(**{MEL!r})\n"
            f"plan(np.zeros({MEL['n_fft']}, {dtype!r}), backend={backend!r})\n"
        )
        return stmt, setup
