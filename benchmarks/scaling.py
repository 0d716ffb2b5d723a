"""How much of what the machine gives two cores a gaborcore kernel turns into speed.

Usage::

    python benchmarks/scaling.py [--kernels nsgt nsgt-inverse mel-batch] [--cycles 8]
                                 [--calls 12] [--json FILE]

A two-thread speed-up (``compare.py``'s 2-worker row over its 1-worker row) mixes two things:
how well the kernel shares its work between threads, and how much a second core of this machine
adds at that moment.  On a shared virtual machine the second varies by the minute: two vCPUs may
run on two physical cores or on the two hardware threads of one, and FFT-heavy code gains 1.3 to
1.5 from the latter against 1.8 to 1.9 from the former.  This script measures both, close
together in time, so that the first can be read off:

* ``1 thread``: the kernel on one thread, ``--calls`` calls back to back, in this process;
* ``2 threads``: the same with ``workers=2``;
* ``2 processes``: two worker processes (started once, each with its own plan) that run the
  one-thread kernel at the same time, ``--calls`` calls each, released together by a barrier.

From the medians of each block: the **thread speed-up** ``t1 / t2`` and the **machine's
ceiling** ``2 t1 / tp`` (two independent one-thread runs, which share nothing but the
hardware: no kernel that splits one call over two threads can be expected to beat it), and
their quotient, the **parallel efficiency** of the kernel's threading on this machine at that
moment.  The three blocks are taken in turn ``--cycles`` times, so that a slow spell of the
host falls on all of them; every cycle is printed, then the median of each figure.

Kernels (the workloads of ``compare.py``, float32, 22,050 Hz, white noise from the asv suite's
seeded signals):

* ``nsgt``: :meth:`gaborcore.NSGT.forward` of the "60s" signal (constant-Q, 84 bins from
  32.7 Hz, 12 per octave, ragged, real), the workload of issue 17's two-thread target;
* ``nsgt-inverse``: :meth:`gaborcore.NSGT.inverse` of those coefficients;
* ``mel-batch``: :class:`gaborcore.MelSpectrogram` (defaults: n_fft 2048, hop 512, 128 mels)
  of the "256x3s" batch into a preallocated output: a kernel that splits rows, not one transform.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

import gaborcore

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchmarks import _signals  # noqa: E402

NSGT_SCALE = {"scale": "cqt", "fmin": 32.7, "n_bins": 84, "bins_per_octave": 12}


def _nsgt_plan():
    x = _signals.get("60s", "float32")
    plan = gaborcore.NSGT(length=x.shape[-1], sr=_signals.SAMPLE_RATE, layout="ragged", real=True,
                          **NSGT_SCALE)
    return plan, x


def make_kernel(name: str, workers: int) -> Callable[[], object]:
    """A no-argument call of kernel ``name`` on ``workers`` threads, warmed up."""
    if name == "nsgt":
        plan, x = _nsgt_plan()
        call = lambda: plan.forward(x, workers=workers)  # noqa: E731
    elif name == "nsgt-inverse":
        plan, x = _nsgt_plan()
        coefs = plan.forward(x, workers=workers)
        call = lambda: plan.inverse(coefs, workers=workers)  # noqa: E731
    elif name == "mel-batch":
        x = _signals.get("256x3s", "float32")
        mel = gaborcore.MelSpectrogram(sr=_signals.SAMPLE_RATE, hop_length=512)
        out = np.empty(mel.output_shape(x.shape), np.float32)
        call = lambda: mel(x, out=out, workers=workers)  # noqa: E731
    else:
        raise ValueError(f"kernel {name!r} is not one of {KERNELS}")
    call()
    return call


KERNELS = ("nsgt", "nsgt-inverse", "mel-batch")


def time_calls(call: Callable[[], object], n: int) -> list[float]:
    """Wall-clock seconds of ``n`` calls back to back."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return times


def _worker(conn, barrier, name: str) -> None:
    """A process of the '2 processes' block: its own one-thread kernel, run on request."""
    call = make_kernel(name, 1)
    conn.send("ready")
    while True:
        n = conn.recv()
        if n is None:
            return
        barrier.wait()
        conn.send(time_calls(call, n))


class ProcessPair:
    """Two processes that run the one-thread kernel at the same time."""

    def __init__(self, name: str) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process with OpenMP threads
        barrier = ctx.Barrier(2)
        self.conns, self.procs = [], []
        for _ in range(2):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(theirs, barrier, name), daemon=True)
            proc.start()
            self.conns.append(ours)
            self.procs.append(proc)
        for conn in self.conns:
            if conn.recv() != "ready":
                raise RuntimeError("a worker process failed to start")

    def run(self, n: int) -> float:
        """Median seconds per call while both run ``n`` calls (mean of the two medians)."""
        for conn in self.conns:
            conn.send(n)
        return statistics.fmean(statistics.median(conn.recv()) for conn in self.conns)

    def close(self) -> None:
        for conn in self.conns:
            conn.send(None)
        for proc in self.procs:
            proc.join(timeout=30)


def measure(name: str, cycles: int, calls: int, report=print) -> dict:
    """The three blocks of kernel ``name`` in turn, ``cycles`` times; figures per cycle."""
    one, two = make_kernel(name, 1), make_kernel(name, 2)
    pair = ProcessPair(name)
    rows = []
    try:
        report(f"{name}: {'1 thread':>10} {'2 threads':>10} {'2 procs':>10}  (ms per call, median)"
               f"  {'threads':>8} {'ceiling':>8} {'efficiency':>10}")
        for cycle in range(cycles):
            t1 = statistics.median(time_calls(one, calls))
            t2 = statistics.median(time_calls(two, calls))
            tp = pair.run(calls)
            row = {"t1": t1, "t2": t2, "tp": tp, "threads": t1 / t2, "ceiling": 2 * t1 / tp}
            row["efficiency"] = row["threads"] / row["ceiling"]
            rows.append(row)
            report(f"  cycle {cycle + 1:2d}: {t1 * 1e3:9.2f}  {t2 * 1e3:9.2f}  {tp * 1e3:9.2f}"
                   f"  {row['threads']:18.2f} {row['ceiling']:8.2f} {row['efficiency']:10.2f}")
    finally:
        pair.close()
    summary = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    report(f"  median  : {summary['t1'] * 1e3:9.2f}  {summary['t2'] * 1e3:9.2f}"
           f"  {summary['tp'] * 1e3:9.2f}  {summary['threads']:18.2f} {summary['ceiling']:8.2f}"
           f" {summary['efficiency']:10.2f}")
    return {"kernel": name, "cycles": rows, "median": summary}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", nargs="+", choices=KERNELS, default=list(KERNELS))
    parser.add_argument("--cycles", type=int, default=8, help="rounds of the three blocks")
    parser.add_argument("--calls", type=int, default=12, help="calls per block")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)
    if args.cycles < 1 or args.calls < 1:
        parser.error("--cycles and --calls must be at least 1")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    results = [measure(name, args.cycles, args.calls) for name in args.kernels]
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpus": os.cpu_count(), "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
