"""Helpers shared by the asv benchmark modules (not benchmarks themselves).

asv forks one process per benchmark and parameter combination and re-runs ``setup()`` before
every sample, so what setup builds (plans, ``out=`` buffers) is cached for the life of the process
with :func:`functools.cache`, and :func:`warm_once` runs the benchmarked call once per process
before the first sample is timed (first-touch page faults, thread start-up, JIT loading).
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore

__all__ = ["COMPLEX", "buffer", "require_backend", "warm_once"]

COMPLEX = {"float32": "complex64", "float64": "complex128"}

_WARMED: set[tuple] = set()


def require_backend(backend: str) -> None:
    """Skip the benchmark (``NotImplementedError``) where ``backend`` is not available."""
    if backend not in gaborcore.available_backends():
        raise NotImplementedError(f"backend {backend!r} is not available here")


@functools.cache
def buffer(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """A cached output array, written once so that its pages are resident before timing."""
    out = np.empty(shape, dtype)
    out.fill(0)
    return out


def warm_once(bench, method, *params) -> None:
    """Run ``method(*params)`` once per process for benchmark object ``bench``."""
    key = (type(bench).__name__, method.__name__, params)
    if key not in _WARMED:
        method(*params)
        _WARMED.add(key)
