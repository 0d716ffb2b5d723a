"""Seeded, cached test signals shared by the asv suite and ``benchmarks/compare.py``.

A workload is a named batch of mono clips at 22.05 kHz:

* ``"60s"``: one 60 s signal, shape ``(1323000,)``;
* ``"256x3s"``: a batch of 256 clips of 3 s, shape ``(256, 66150)``;
* ``"600s"``: one 10 min signal, shape ``(13230000,)``, for the streaming (sliced) transforms.
  It is in :data:`ALL_WORKLOADS` but not in :data:`WORKLOADS`, the default grid of the suite.

The samples are white Gaussian noise of standard deviation 0.1, drawn in float32 from a generator
seeded per workload; the float64 signal holds the same values, so both precisions transform the same
data.  Values are drawn in chunks straight into the result, so making a signal never holds a second
full-size copy (that would inflate the ``peakmem_`` benchmarks, which see the whole process).
Arrays are cached for the life of the process (asv re-runs ``setup()`` before every sample, which
must stay cheap) and returned read-only, so that a benchmark cannot alter the data another one sees.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["ALL_WORKLOADS", "SAMPLE_RATE", "WORKLOADS", "Workload", "get", "spec"]

SAMPLE_RATE = 22050
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Workload:
    """A batch of ``n_clips`` mono clips of ``seconds`` seconds at ``sr`` Hz."""

    name: str
    n_clips: int
    seconds: float
    seed: int
    sr: int = SAMPLE_RATE

    @property
    def shape(self) -> tuple[int, ...]:
        """Array shape: ``(n_samples,)`` for one clip, ``(n_clips, n_samples)`` for a batch."""
        n = int(round(self.seconds * self.sr))
        return (n,) if self.n_clips == 1 else (self.n_clips, n)

    @property
    def audio_seconds(self) -> float:
        """Total duration of audio in the workload (the numerator of a throughput)."""
        return self.n_clips * self.seconds


WORKLOADS = {
    w.name: w
    for w in (
        Workload("60s", n_clips=1, seconds=60.0, seed=60),
        Workload("256x3s", n_clips=256, seconds=3.0, seed=256),
    )
}
"""The default workloads of the suite (the grid of every benchmark that takes a ``workload``)."""

ALL_WORKLOADS = {
    **WORKLOADS,
    "600s": Workload("600s", n_clips=1, seconds=600.0, seed=600),
}
"""Every workload :func:`get` can make, long signals for the sliced transforms included."""


def spec(name: str) -> Workload:
    """The :class:`Workload` called ``name`` (a key of :data:`ALL_WORKLOADS`)."""
    try:
        return ALL_WORKLOADS[name]
    except KeyError:
        raise ValueError(f"unknown workload {name!r}; known: {', '.join(ALL_WORKLOADS)}") from None


@functools.cache
def get(workload: str, dtype: str = "float32") -> np.ndarray:
    """The signal of ``workload`` (a key of :data:`ALL_WORKLOADS`) in ``dtype``, read-only."""
    w = spec(workload)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype={dtype} is not a benchmark precision (float32 or float64)")
    rng = np.random.default_rng(w.seed)
    x = np.empty(w.shape, dtype)
    flat = x.reshape(-1)
    for start in range(0, flat.size, _CHUNK):
        stop = min(start + _CHUNK, flat.size)
        # Scaled in float32 so that the float64 signal holds exactly the float32 values.
        flat[start:stop] = rng.standard_normal(stop - start, dtype=np.float32) * np.float32(0.1)
    x.setflags(write=False)
    return x
