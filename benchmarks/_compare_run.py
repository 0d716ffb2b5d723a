"""How ``benchmarks/compare.py`` measures: rows and tasks, the timing rounds, the memory probe.

Every comparison is a :class:`Task` of :class:`Row` (see compare.py's docstring, "Adding rows");
:func:`time_rows` times its rows in interleaved rounds and :func:`run_task` turns the times of an
audio task on one workload into a :class:`~_compare_table.Table`.  The peak memory of a row is
measured by :func:`memory_probe` in a fresh process (``compare.py --memory-probe``).
"""

from __future__ import annotations

import gc
import importlib
import json
import math
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _compare_table import Measurement, Table

from benchmarks import _signals

SCRIPT = Path(__file__).resolve().parent / "compare.py"


class Unavailable(Exception):
    """A row cannot run here (library not installed, backend not built)."""


Call = Callable[[], object]
Factory = Callable[[np.ndarray, int, int], Call]


@dataclass(frozen=True)
class Row:
    """One line of a table.

    ``make`` builds what the row needs and returns the call to time: ``make(x, sr, workers)``
    for signal ``x`` at sample rate ``sr`` in the audio tasks, ``make(workers)`` in the ``nn``
    tables.  ``workers`` lists the thread counts the row runs at (``None``: every count asked
    for).  ``memory`` builds the call whose peak memory is reported (one that allocates its
    output), or is ``None``.  ``output`` is what the ``output`` column says (``nn`` tables).
    """

    name: str
    make: Callable[..., Call]
    workers: tuple[int, ...] | None = None
    memory: Factory | None = None
    output: str | None = None


@dataclass(frozen=True)
class Task:
    """Rows that compute the same result, and the rows the others are compared with.

    ``baselines`` names the compared rows, one ratio column each, in column order (the FFT
    limit, then the reference library, then others).  ``key`` is the name ``--tasks`` selects
    the task by (several tasks may share one); ``workloads`` are the workloads it runs on;
    ``detail(workload)`` adds to the table's title line; ``memory_target``, where set, is the
    most extra memory (beyond the input) a gaborcore row may need, as a multiple of its output.
    ``target`` (the ``nn`` tables) words the target on the ratio to the first baseline, which
    must be above ``min_ratio`` (at least, where not ``strict``).
    """

    title: str
    rows: tuple[Row, ...]
    baselines: tuple[str, ...]
    key: str
    notes: tuple[str, ...] = ()
    workloads: tuple[str, ...] = tuple(_signals.WORKLOADS)
    dtype: str = "float32"
    detail: Callable[[_signals.Workload], str] | None = None
    memory_target: float | None = None
    target: str | None = None
    min_ratio: float | None = None
    strict: bool = True


def import_module(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def gaborcore_backend(backend: str):
    """The gaborcore module, or :class:`Unavailable` where ``backend`` is not built here."""
    gaborcore = import_module("gaborcore")
    if backend not in gaborcore.available_backends():
        raise Unavailable(f"gaborcore backend {backend!r} is not available here")
    return gaborcore


def n_clips(x: np.ndarray) -> int:
    return int(np.prod(x.shape[:-1], dtype=np.int64))


# ---- timing ------------------------------------------------------------------------------------


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


def time_rows(rows, workers_list, repeat: int, make, *, per_workers: bool = False, before=None):
    """Best time of every row at each workers count, and the rows skipped or failed.

    ``make(row, workers)`` returns the call to time.  The rounds of :func:`best_times` take
    every (row, workers) together or, with ``per_workers``, the rows of one workers count at a
    time, ``before(workers)`` called first.  A row whose library is missing
    (:class:`Unavailable`) is skipped from then on; a row that raises anything else, while
    being prepared or timed, is reported with its error.  Returns ``[(row, workers, seconds)]``
    in row order, then workers order, and the problem lines (``skipped ...``, ``FAILED ...``).
    """
    groups = [[w] for w in workers_list] if per_workers else [list(workers_list)]
    skipped: dict[str, str] = {}
    failed: dict[str, str] = {}
    timed = []
    for group in groups:
        if before is not None:
            before(group[0])
        cases, calls = [], []
        for row in rows:
            for workers in group:
                if row.name in skipped:
                    break
                if row.workers is not None and workers not in row.workers:
                    continue
                try:
                    calls.append(make(row, workers))
                except Unavailable as exc:
                    skipped[row.name] = str(exc)
                    break
                except Exception as exc:  # noqa: BLE001 - reported, the other rows still run
                    failed[f"{row.name} ({workers} w)"] = f"{type(exc).__name__}: {exc}"
                    continue
                cases.append((row, workers))
        seconds, errors = best_times(calls, repeat)
        del calls
        for i, error in errors.items():
            row, workers = cases[i]
            failed[f"{row.name} ({workers} w)"] = error
        timed += [(row, w, t) for (row, w), t in zip(cases, seconds, strict=True) if t is not None]
    order = {row.name: i for i, row in enumerate(rows)}
    timed.sort(key=lambda case: (order[case[0].name], list(workers_list).index(case[1])))
    problems = [f"skipped {name}: {why}" for name, why in skipped.items()]
    problems += [f"FAILED {name}: {error}" for name, error in failed.items()]
    return timed, problems


def run_task(
    task_index: int, task: Task, workload: str, workers_list, repeat: int, memory: bool
) -> Table:
    """Time every row of the audio ``task`` on ``workload`` at each workers count.

    Rows are timed together (:func:`time_rows`), then the peak memory of those with a
    ``memory`` factory is probed in a subprocess each (where ``memory``).
    """
    w = _signals.spec(workload)
    x = _signals.get(workload, task.dtype)
    timed, problems = time_rows(
        task.rows, workers_list, repeat, lambda row, workers: row.make(x, w.sr, workers)
    )
    rows = []
    for row, workers, t in timed:
        mem = None
        if memory and row.memory is not None:
            mem = measure_memory(task_index, row, workload, workers)
        rows.append(Measurement(row.name, workers, t, w.audio_seconds / t, memory=mem))
    detail = f", {task.detail(w)}" if task.detail is not None else ""
    columns = ["row", "workers", "best ms", "audio s/s", *(f"/ {b}" for b in task.baselines)]
    columns.append("peak/(in+out)")
    if task.memory_target is not None:
        columns.append("extra/out")
    table = Table(
        title=f"{task.title}; workload {workload}: {w.n_clips} x {w.seconds:g} s at {w.sr} Hz "
        f"= {w.audio_seconds:g} s of audio{detail}",
        columns=columns,
        rows=rows,
        task=task.key,
        workload=workload,
        problems=problems,
    )
    table.compute_ratios()
    table.notes = memory_notes(task, table, w)
    return table


def memory_notes(task: Task, table: Table, w: _signals.Workload) -> list[str]:
    """The lines under an audio table: failed probes, the method, the memory target's verdicts."""
    probes = [m for m in table.rows if m.memory is not None]
    errors = {m.row: m.memory["error"] for m in probes if "error" in m.memory}
    notes = [f"memory probe of {name} failed: {err}" for name, err in errors.items()]
    methods = {m.memory["method"] for m in probes if "method" in m.memory}
    if methods:
        size = np.prod(w.shape) * np.dtype(task.dtype).itemsize / 2**20
        notes.append(
            f"peak memory method: {', '.join(sorted(methods))}; input {w.shape} {task.dtype} = "
            f"{size:.1f} MiB"
        )
    target = task.memory_target
    verdicts = [
        f"{m.row} ({m.workers} w) {'met' if m.memory['extra'] <= target else 'MISSED'}"
        for m in probes
        if target is not None and "error" not in m.memory and m.row.startswith("gaborcore")
    ]
    if verdicts:
        notes.append(
            f"memory target peak <= input + {target:g} x output (extra/out <= {target:g}): "
            f"{'; '.join(verdicts)}"
        )
    return notes


# ---- peak memory -------------------------------------------------------------------------------


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
    """Peak memory of one call of ``row.memory`` (run in a fresh process; see compare.py)."""
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
    """Run :func:`memory_probe` in a subprocess; its report with ``peak`` and ``extra`` added."""
    cmd = [sys.executable, str(SCRIPT), "--memory-probe", str(task_index), row.name, workload,
           str(workers)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_PROBE_ENV)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    m["peak"] = (m["in_bytes"] + m["extra_bytes"]) / (m["in_bytes"] + m["out_bytes"])
    m["extra"] = m["extra_bytes"] / m["out_bytes"]
    return m
