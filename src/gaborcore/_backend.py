"""Backend registry and thread-count policy.

Backend choice, in order: the ``backend=`` argument, the :func:`set_backend` context, the
``GABORCORE_BACKEND`` environment variable, else ``"auto"`` (c, then numba, then numpy).  Asking for
a backend that is not available raises an error listing the available ones; nothing substitutes
silently.  ``workers`` follows :mod:`scipy.fft`: ``None`` is the context default (1 unless
:func:`set_workers` says otherwise), negative values count back from the CPU count, 0 is an error.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from ._validation import ParameterError

__all__ = ["available_backends", "set_backend", "set_workers", "get_workers"]

BACKENDS = ("c", "numba", "numpy")

_backend_ctx: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gaborcore_backend", default=None
)
_workers_ctx: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "gaborcore_workers", default=None
)

_unavailable_reason: dict[str, str] = {}


@functools.cache
def _probe(name: str) -> bool:
    try:
        if name == "c":
            from . import _fftw

            _fftw.install_c_api()
        elif name == "numba":
            importlib.import_module("numba")
        return True
    except Exception as exc:  # noqa: BLE001 - any failure makes the backend unavailable
        _unavailable_reason[name] = f"{type(exc).__name__}: {exc}"
        return False


def available_backends() -> list[str]:
    """The backends usable in this installation, in ``auto`` order."""
    return [name for name in BACKENDS if name == "numpy" or _probe(name)]


def unavailable_reasons() -> dict[str, str]:
    available_backends()
    return dict(_unavailable_reason)


def resolve_backend(requested: str | None = None) -> str:
    name = requested or _backend_ctx.get() or os.environ.get("GABORCORE_BACKEND") or "auto"
    name = str(name).lower()
    if name == "auto":
        # probe lazily, in order: numba is never imported when the C backend serves
        return next(b for b in BACKENDS if b == "numpy" or _probe(b))
    if name not in BACKENDS:
        raise ParameterError(f"backend={name!r} is unknown; choose one of {['auto', *BACKENDS]}")
    if name != "numpy" and not _probe(name):
        why = _unavailable_reason.get(name, "")
        raise RuntimeError(
            f"backend {name!r} is not available here ({why}); available: {available_backends()}"
        )
    return name


@contextlib.contextmanager
def set_backend(backend: str):
    """Context manager: use ``backend`` for every call inside the block (unless overridden)."""
    resolve_backend(backend)  # fail early on a bad or unavailable name
    token = _backend_ctx.set(backend)
    try:
        yield
    finally:
        _backend_ctx.reset(token)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def max_workers() -> int:
    """Largest thread count a kernel is given: more threads than this only add start-up cost
    (and OpenMP runtimes crash starting ~10^5 threads); larger requests are clamped to it."""
    return max(64, 8 * cpu_count())


def resolve_workers(workers: int | None = None) -> int:
    """scipy.fft semantics: None -> context default, -1 -> all CPUs, -2 -> all but one, 0 error.

    Positive counts above :func:`max_workers` are clamped to it (results do not depend on the
    thread count, so this changes only the time taken)."""
    if workers is None:
        workers = _workers_ctx.get()
        if workers is None:
            return 1
    if isinstance(workers, bool) or not isinstance(workers, int):
        try:
            workers = int(workers.__index__())
        except AttributeError:
            raise ParameterError(f"workers={workers!r} must be an integer") from None
    n_cpu = cpu_count()
    if workers == 0:
        raise ParameterError("workers=0 is invalid; use a positive count or -1 for all CPUs")
    if workers < 0:
        if workers < -n_cpu:
            raise ParameterError(f"workers={workers} asks for fewer than one of {n_cpu} CPUs")
        return n_cpu + 1 + workers
    return min(workers, max_workers())


def get_workers() -> int:
    """The current default number of workers (1 unless :func:`set_workers` is active)."""
    return resolve_workers(None)


@contextlib.contextmanager
def set_workers(workers: int):
    """Context manager: default ``workers`` for every call inside the block."""
    value = resolve_workers(workers)
    token = _workers_ctx.set(value)
    try:
        yield
    finally:
        _workers_ctx.reset(token)


def kernels(backend: str, module: str):
    """The kernel module ``module`` of ``backend`` (``_ext``, ``_numba`` or ``_numpy``)."""
    package = {"c": "_ext", "numba": "_numba", "numpy": "_numpy"}[backend]
    if backend == "c":
        from . import _fftw

        _fftw.install_c_api()  # the C kernels need FFTW's entry points before any plan is made
    return importlib.import_module(f"gaborcore.{package}.{module}")


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def thread_pool(n: int) -> ThreadPoolExecutor:
    """A process-wide pool for the Python-driven backends (never one per call)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < n:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="gaborcore")
            _pool_size = n
            if old is not None:
                old.shutdown(wait=False)
        return _pool
