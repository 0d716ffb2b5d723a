"""The fuzz harness: run one call on every backend, classify the outcome, keep counts.

Outcomes that pass: every backend returns and the results agree within the stated tolerance
(float32 ``rtol=2e-4``, float64 ``rtol=1e-9``, relative to the largest magnitude), with no NaN
where every input array is finite; or every backend raises :class:`gaborcore.ParameterError`
whose message names one of the function's (or its plan's) parameters.
Anything else fails: another exception type, a NaN from finite input, results that differ, or
backends that disagree on accepting the input.  A crash or a hang is caught by the watchdog
(``faulthandler``): it prints every thread's traceback and ends the process, and the call being
made is on disk (``last_call.pkl`` in the fuzz directory) to be replayed with ``replay.py``.
"""

from __future__ import annotations

import collections
import faulthandler
import json
import os
import pickle
import resource
import threading
import warnings
from pathlib import Path

import numpy as np

import gaborcore
from gaborcore import ParameterError

BACKENDS = [b for b in gaborcore.available_backends()
            if b in os.environ.get("GABORCORE_FUZZ_BACKENDS", b).split(",")]
PROFILE = os.environ.get("GABORCORE_FUZZ_PROFILE", "ci")
#: seconds one call may take before the watchdog declares a hang (numba compiles on first use)
WATCHDOG_S = float(os.environ.get("GABORCORE_FUZZ_WATCHDOG", "300"))
FUZZ_DIR = Path(os.environ.get("GABORCORE_FUZZ_DIR", ".hypothesis/gaborcore-fuzz"))
#: address space a call may add to the process's: an unbounded allocation becomes a
#: MemoryError (reported as a failure) instead of a visit from the kernel's OOM killer; 0: no
#: limit (AddressSanitizer).  Added to what the process already maps when the call starts: tests
#: that ran before (torch, dask, zarr's threads) may have mapped more than this, and a limit
#: below that makes every allocation fail, thread creation included (libgomp then exits).
MEMORY_LIMIT = int(float(os.environ.get("GABORCORE_FUZZ_MEMORY_GB", "6")) * 2**30)


def _mapped_bytes() -> int:
    """The process's address space now (Linux; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0
RTOL = {np.dtype(np.float32): 2e-4, np.dtype(np.complex64): 2e-4}

counts: collections.Counter = collections.Counter()
_lock = threading.Lock()


#: ``workers=VARY`` in a call's arguments: each backend runs with another thread count
VARY = "vary-per-backend"


class FuzzFailure(AssertionError):
    """A call whose outcome the error policy does not allow."""


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _arrays(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _arrays(v)


def finite_input(args, kwargs) -> bool:
    """Every numeric input array (and number) is finite."""
    for a in _arrays((args, kwargs)):
        if a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
            return False
    for v in list(args) + list(kwargs.values()):
        if isinstance(v, float) and not np.isfinite(v):
            return False
    return True


def _as_array(result):
    """The numbers of a result: arrays, coefficient objects (``.data``), tuples."""
    if isinstance(result, np.ndarray):
        return result
    data = getattr(result, "data", None)
    if isinstance(data, np.ndarray):
        return data
    if isinstance(result, tuple | list):
        parts = [np.ravel(_as_array(r)) for r in result]
        parts = [p for p in parts if p.dtype.kind in "fciub"]
        return np.concatenate([p.astype(np.complex128) for p in parts]) if parts else np.zeros(0)
    if isinstance(result, bool | int | float | complex | np.number):
        return np.asarray(result)
    return None


def describe(args, kwargs) -> str:
    """A short, readable account of a call's arguments (arrays by shape, dtype and layout)."""
    def one(v):
        if isinstance(v, np.ndarray):
            lay = ("C" if v.flags.c_contiguous else "F" if v.flags.f_contiguous else "strided")
            lay += "" if v.flags.writeable else ",ro"
            fin = "" if v.dtype.kind not in "fc" or np.isfinite(v).all() else ",nonfinite"
            mx = (f",max|x|={np.abs(v[np.isfinite(v)]).max(initial=0):.3g}"
                  if v.dtype.kind in "fc" and v.size else "")
            return f"array{v.shape}:{v.dtype}[{lay}{fin}{mx}]"
        return repr(v)[:80]
    parts = [one(a) for a in args] + [f"{k}={one(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def _save_call(name, args, kwargs) -> None:
    FUZZ_DIR.mkdir(parents=True, exist_ok=True)
    try:
        blob = pickle.dumps((name, args, kwargs))
    except Exception:  # lambdas in a case: keep the description only
        blob = pickle.dumps((name, repr(args)[:2000], repr(kwargs)[:2000]))
    (FUZZ_DIR / "last_call.pkl").write_bytes(blob)


def _one(name, fn, args, kwargs, backend):
    """('ok', result) or ('refused', message) or raises FuzzFailure for other exceptions."""
    kw = dict(kwargs)
    if backend is not None:
        kw["backend"] = backend
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if MEMORY_LIMIT:
        limit = _mapped_bytes() + MEMORY_LIMIT
        limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        with warnings.catch_warnings():
            # warnings are part of the API (gaps, empty filters) or numpy's overflow notes; the
            # outcome is judged on the result (NaN, agreement), not on them
            warnings.simplefilter("ignore")
            return "ok", fn(*args, **kw)
    except ParameterError as e:
        msg = str(e)
        return "refused", msg
    except Exception as e:
        raise FuzzFailure(f"{name}{describe(args, kwargs)}: {type(e).__name__} (not "
                          f"ParameterError) on backend {backend}: {e}") from e
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        faulthandler.cancel_dump_traceback_later()


def _names_an_argument(fn, msg: str) -> bool:
    """Whether a ParameterError message names one of ``fn``'s parameters (or an attribute of the
    plan it belongs to, or the data: ``x``, ``y``, ``S``, ...)."""
    import inspect
    import re

    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, type(np)):
        try:
            params += list(inspect.signature(type(owner)).parameters)
        except (TypeError, ValueError):
            pass
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", msg))
    return any(p in words for p in params if p not in ("self", "args", "kwargs", "backend"))


def check(name: str, fn, args=(), kwargs=None, *, backends=True, rtol=None):
    """Call ``fn(*args, **kwargs, backend=b)`` for every backend (or once, ``backends=False``)
    and enforce the error policy.  Returns the first backend's ``(outcome, result)``."""
    kwargs = kwargs or {}
    _save_call(name, args, kwargs)
    finite = finite_input(args, kwargs)
    outcomes = []
    for i, b in enumerate(BACKENDS if backends else [None]):
        with _lock:
            counts["calls"] += 1
        kw = kwargs
        if kwargs.get("workers") == VARY:
            # another thread count on each backend: results must not depend on it either
            kw = dict(kwargs, workers=(1, 3, 2, 4)[i % 4])
        try:
            kind, res = _one(name, fn, args, kw, b)
        except FuzzFailure:
            with _lock:
                counts["other_exception"] += 1
            raise
        # a copy of the numbers: with out= (or a plan's own buffers) the next backend's call
        # would overwrite them, and the comparison would compare an array with itself
        a = _as_array(res) if kind == "ok" else None
        outcomes.append((b, kind, res, None if a is None else np.array(a, copy=True)))
    owner = getattr(fn, "__self__", None)
    name = name + ("" if owner is None or isinstance(owner, type(np)) else f"[{owner!r}]")
    name = name + describe(args, kwargs)
    kinds = {k for _, k, _, _ in outcomes}
    if kinds == {"refused"}:
        for _, _, msg, _ in outcomes:
            if not msg.strip():
                raise FuzzFailure(f"{name}: ParameterError without a message")
            if not _names_an_argument(fn, msg):
                with _lock:
                    counts["refused_unnamed"] += 1
                raise FuzzFailure(f"{name}: the ParameterError does not name an argument: {msg}")
        with _lock:
            counts["refused"] += len(outcomes)
            counts[f"refused:{name.split('(')[0]}"] += len(outcomes)
        return outcomes[0][1:3]
    if len(kinds) > 1:
        with _lock:
            counts["disagree_accept"] += 1
        raise FuzzFailure(f"{name}: backends disagree on accepting the input: "
                          + "; ".join(f"{b}: {k} {str(r)[:200] if k == 'refused' else ''}"
                                      for b, k, r, _ in outcomes))
    ref = None
    for b, _, _, a in outcomes:
        if a is None:
            continue
        if finite and a.dtype.kind in "fc" and np.isnan(a).any():
            with _lock:
                counts["nan_from_finite"] += 1
            raise FuzzFailure(f"{name}: NaN in the result of backend {b} for finite input")
        if ref is None:
            ref = (b, a)
            continue
        a0 = ref[1]
        if a.shape != a0.shape or a.dtype != a0.dtype:
            with _lock:
                counts["disagree_result"] += 1
            raise FuzzFailure(f"{name}: {b} gives {a.shape} {a.dtype}, {ref[0]} gives "
                              f"{a0.shape} {a0.dtype}")
        if a.dtype.kind in "fc" and a.size:
            tol = rtol or RTOL.get(a.dtype, 1e-9)
            scale = np.abs(a0[np.isfinite(a0)]).max(initial=0.0)
            try:
                np.testing.assert_allclose(a, a0, rtol=tol, atol=tol * scale, equal_nan=True)
            except AssertionError as e:
                with _lock:
                    counts["disagree_result"] += 1
                raise FuzzFailure(f"{name}: {b} and {ref[0]} differ: {e}") from None
        elif a.size and not np.array_equal(a, a0):
            with _lock:
                counts["disagree_result"] += 1
            raise FuzzFailure(f"{name}: {b} and {ref[0]} differ")
    with _lock:
        counts["ok"] += len(outcomes)
        counts[f"ok:{name.split('(')[0]}"] += len(outcomes)
    return outcomes[0][1:3]


def write_report(path: Path) -> dict:
    summary = {"profile": PROFILE, "backends": BACKENDS, **dict(sorted(counts.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1))
    return summary
