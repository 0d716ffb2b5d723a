"""Non-stationary Gabor transform (NSGT) of gaborcore: forward, round trip, memory, plan creation.

The transform is a constant-Q NSGT of the 60 s workload (1,323,000 samples at 22.05 kHz): 84
bins from 32.7 Hz, 12 per octave, plus the DC and Nyquist bands (86 bands), real signals::

    gaborcore.NSGT(length=1323000, sr=22050, scale="cqt", fmin=32.7, n_bins=84,
                   bins_per_octave=12, layout=layout, real=True)

Execution benchmarks are parametrised over

* ``backend``: "c", "numba", "numpy" (skipped, through ``NotImplementedError``, where the backend
  is unavailable or has no NSGT kernel);
* ``layout``: "ragged" (one contiguous buffer of all bands, ``M_k`` coefficients each) or "full"
  (every scale band with the same ``M``: a matrix, more coefficients);
* ``workers``: 1 or 2 threads;
* ``dtype``: "float32" or "float64" input (complex64 / complex128 coefficients).

Plan creation is expensive for the C backend: the first transform of a plan makes one FFTW plan
(``FFTW_MEASURE``) per distinct ``M_k`` (about 86 sizes for the ragged layout), several seconds
when FFTW has no wisdom yet.  It is kept out of every execution timing: the plan is made in
``setup()`` and used once there, and ``setup_cache`` (run once per asv run) makes the C plans of
every precision and layout and hands FFTW's wisdom to each benchmark process, which imports it
before planning, so that the plans are the same as after ``FFTW_MEASURE`` but cost a fraction of
a second.  :class:`NsgtPlanCreation` times plan creation on its own, warm (wisdom present, as in a
long-running program) and cold (a fresh interpreter, no wisdom).  The wisdom passes through
pyFFTW, whose FFTW library the C kernels use; without pyFFTW nothing is shared and ``setup()``
plans from scratch (slower, same results).
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore

from . import _common, _signals

BACKENDS = ["c", "numba", "numpy"]
LAYOUTS = ["ragged", "full"]
WORKERS = [1, 2]
DTYPES = ["float32", "float64"]

WORKLOAD = "60s"
NSGT_PARAMS = {
    "length": _signals.WORKLOADS[WORKLOAD].shape[-1],
    "sr": _signals.SAMPLE_RATE,
    "scale": "cqt",
    "fmin": 32.7,
    "n_bins": 84,
    "bins_per_octave": 12,
    "real": True,
}

_wisdom_loaded = False


def _load_wisdom(wisdom) -> None:
    """Import FFTW wisdom from ``setup_cache`` into this process (once)."""
    global _wisdom_loaded
    if wisdom is None or _wisdom_loaded:
        return
    import pyfftw

    pyfftw.import_wisdom(wisdom)
    _wisdom_loaded = True


def _fresh_plan(layout: str, backend: str, dtype: str) -> gaborcore.NSGT:
    """A new plan whose ``backend``/``dtype`` kernel has been made and used once.

    Skips (``NotImplementedError``) a backend that is unavailable or has no NSGT kernel.
    """
    _common.require_backend(backend)
    plan = gaborcore.NSGT(layout=layout, **NSGT_PARAMS)
    try:
        plan.forward(np.zeros(plan.length, dtype), backend=backend)
    except ImportError as exc:  # ModuleNotFoundError included: no NSGT kernel for this backend
        raise NotImplementedError(f"backend {backend!r} has no NSGT kernel ({exc})") from None
    return plan


@functools.cache
def _plan(layout: str, backend: str, dtype: str) -> gaborcore.NSGT:
    """The plan reused by every sample of a benchmark process."""
    return _fresh_plan(layout, backend, dtype)


def _make_wisdom():
    """Make the C plans of every layout and precision once; return FFTW's wisdom (or None)."""
    try:
        import pyfftw
    except ImportError:
        return None
    if "c" in gaborcore.available_backends():
        for layout in LAYOUTS:
            for dtype in DTYPES:
                _fresh_plan(layout, "c", dtype)
    return pyfftw.export_wisdom()


class _Nsgt:
    """Shared ``setup_cache`` (FFTW wisdom, computed once per asv run); not itself a benchmark."""

    timeout = 300.0

    def setup_cache(self):
        return _make_wisdom()

    setup_cache.timeout = 300.0


class _Execution(_Nsgt):
    params = (BACKENDS, LAYOUTS, WORKERS, DTYPES)
    param_names = ["backend", "layout", "workers", "dtype"]

    def setup(self, wisdom, backend, layout, workers, dtype):
        _load_wisdom(wisdom)
        self.plan = _plan(layout, backend, dtype)
        self.x = _signals.get(WORKLOAD, dtype)
        self.options = {"workers": workers, "backend": backend}


class NsgtForward(_Execution):
    """Forward NSGT of the 60 s signal (a new coefficient buffer per call: no ``out=`` exists)."""

    def setup(self, *params):
        super().setup(*params)
        _common.warm_once(self, self.time_forward, *params)

    def time_forward(self, *params):
        self.plan.forward(self.x, **self.options)


class NsgtRoundTrip(_Execution):
    """Forward then inverse NSGT of the 60 s signal (both allocate their results)."""

    def setup(self, *params):
        super().setup(*params)
        _common.warm_once(self, self.time_forward_inverse, *params)

    def time_forward_inverse(self, *params):
        self.plan.inverse(self.plan.forward(self.x, **self.options), **self.options)


class NsgtMemory(_Nsgt):
    """Peak memory of a forward NSGT (one thread).

    asv's ``peakmem`` is the maximum resident set size of the whole benchmark process, the plan
    and its FFTW plans included.  The 60 s input is 5.3 MB (float32); the ragged coefficients are
    1,338,370 complex values (10.7 MB in complex64), the full layout's 3,157,845 (25 MB).
    ``benchmarks/compare.py --tasks nsgt`` reports the peak of the call alone.
    """

    params = (BACKENDS, LAYOUTS, DTYPES)
    param_names = ["backend", "layout", "dtype"]

    def setup(self, wisdom, backend, layout, dtype):
        _load_wisdom(wisdom)
        self.plan = _plan(layout, backend, dtype)
        self.x = _signals.get(WORKLOAD, dtype)
        self.options = {"workers": 1, "backend": backend}

    def peakmem_forward(self, wisdom, *params):
        self.plan.forward(self.x, **self.options)


class NsgtPlanCreation(_Nsgt):
    """One-time cost of an NSGT plan: band design, tables and the kernel (FFTW plans).

    The kernel of a plan is made by its first transform; here that is a forward transform of
    zeros of the plan's length, so the timing also holds one transform (see
    :class:`NsgtForward` for its cost, small beside the planning).  ``time_plan_creation`` runs in
    a process that has FFTW's wisdom for these sizes and has made the same plan before (a
    long-running program); ``timeraw_plan_creation_cold`` runs in a fresh interpreter without
    wisdom (FFTW_MEASURE planning of every ``M_k`` for the C backend, numba's on-disk cache).
    """

    params = (BACKENDS, LAYOUTS, DTYPES)
    param_names = ["backend", "layout", "dtype"]
    number = 1
    repeat = (1, 5, 60.0)

    def setup(self, wisdom, backend, layout, dtype):
        _load_wisdom(wisdom)
        _plan(layout, backend, dtype)

    def time_plan_creation(self, wisdom, backend, layout, dtype):
        _fresh_plan(layout, backend, dtype)

    def timeraw_plan_creation_cold(self, wisdom, backend, layout, dtype):
        setup = "import numpy as np\nimport gaborcore\n"
        stmt = (
            f"plan = gaborcore.NSGT(layout={layout!r}, **{NSGT_PARAMS!r})\n"
            f"plan.forward(np.zeros(plan.length, {dtype!r}), backend={backend!r})\n"
        )
        return stmt, setup
