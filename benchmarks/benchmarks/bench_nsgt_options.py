"""NSGT options of issue 17 on the 60 s workload: the band-length rule and the hop-grid cqt.

* :class:`NsgtBandLengths`: forward of the constant-Q NSGT (84 bins from 32.7 Hz, 12 per
  octave, float32, ragged layout, C backend) for each ``band_lengths`` rule ("smooth", the
  default: ``M_k`` rounded up to 2^a 3^b 5^c; "fast": to scipy's next_fast_len; "exact": no
  rounding) on 1 and 2 threads.  The redundancy of each is reported by ``track_redundancy``.
* :class:`Cqt`: :func:`gaborcore.cqt` (84 bins, hop 512) beside ``librosa.cqt`` when librosa is
  installed (skipped otherwise).
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore

from . import _common, _signals

WORKLOAD = "60s"
PARAMS = {"length": _signals.WORKLOADS[WORKLOAD].shape[-1], "sr": _signals.SAMPLE_RATE,
          "scale": "cqt", "fmin": 32.7, "n_bins": 84, "bins_per_octave": 12}


@functools.cache
def _plan(rule: str) -> gaborcore.NSGT:
    plan = gaborcore.NSGT(band_lengths=rule, **PARAMS)
    plan.forward(np.zeros(plan.length, np.float32), backend="c")  # makes the C kernel
    return plan


class NsgtBandLengths:
    params = (["smooth", "fast", "exact"], [1, 2])
    param_names = ["band_lengths", "workers"]
    timeout = 300.0

    def setup(self, rule, workers):
        _common.require_backend("c")
        self.plan = _plan(rule)
        self.x = _signals.get(WORKLOAD, "float32")
        self.out = np.empty(self.plan.total, np.complex64)
        _common.warm_once(self, self.time_forward, rule, workers)

    def time_forward(self, rule, workers):
        self.plan.forward(self.x, out=self.out, workers=workers, backend="c")

    def track_redundancy(self, rule, workers):
        return self.plan.redundancy


class Cqt:
    params = (["gaborcore", "librosa"],)
    param_names = ["library"]
    timeout = 300.0

    def setup(self, library):
        self.x = _signals.get(WORKLOAD, "float32")
        kw = dict(sr=_signals.SAMPLE_RATE, hop_length=512, fmin=32.70319566257483, n_bins=84,
                  bins_per_octave=12)
        if library == "librosa":
            try:
                import librosa
            except ImportError:
                raise NotImplementedError("librosa is not installed") from None
            self.run = functools.partial(librosa.cqt, self.x, **kw)
        else:
            self.run = functools.partial(gaborcore.cqt, self.x, **kw)
        self.run()

    def time_cqt(self, library):
        self.run()
