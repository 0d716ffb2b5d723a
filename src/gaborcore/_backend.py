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
    """The backends usable in this installation, in ``"auto"`` order.

    A backend is usable when its kernels load: ``"c"`` needs the compiled extension and FFTW
    (the library pyFFTW loads), ``"numba"`` needs numba; ``"numpy"`` is always there.  The probe runs once per
    process; :func:`show_config` says why a backend is missing.

    Returns
    -------
    list of str
        A sublist of ``["c", "numba", "numpy"]``, in the order ``backend="auto"`` tries them:
        the first entry is the default backend (unless :func:`set_backend` or the
        ``GABORCORE_BACKEND`` environment variable says otherwise).

    See Also
    --------
    set_backend : Choose the backend for a block of code.
    show_config : Print the backends, the FFT engine, OpenMP and thread counts.

    Examples
    --------
    >>> import gaborcore
    >>> backends = gaborcore.available_backends()
    >>> "numpy" in backends, set(backends) <= {"c", "numba", "numpy"}
    (True, True)
    """
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
    """Context manager: use ``backend`` for every transform called inside the ``with`` block.

    The choice is stored in a :mod:`contextvars` variable, so it holds for the current thread
    (and the asyncio task) only, and nested blocks restore the outer choice on exit.  A
    ``backend=`` argument of a call inside the block still wins.  Outside any block the
    ``GABORCORE_BACKEND`` environment variable applies, else ``"auto"``.  The backends give the
    same results up to rounding; they differ in speed.

    Parameters
    ----------
    backend : {"auto", "c", "numba", "numpy"}
        The backend; ``"auto"`` is the first of :func:`available_backends`.  Case-insensitive.

    Yields
    ------
    None
        The block runs with the backend set.

    Raises
    ------
    ParameterError
        If ``backend`` is not one of the names above (checked on entering the block).
    RuntimeError
        If the backend is known but not available in this installation (the message lists the
        available ones and why this one is not); nothing substitutes another backend silently.

    See Also
    --------
    available_backends : The backends this installation can use.
    set_workers : The default thread count, set the same way.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> with gaborcore.set_backend("numpy"):
    ...     S_numpy = gaborcore.spectrogram(y, n_fft=512)
    >>> S_default = gaborcore.spectrogram(y, n_fft=512)
    >>> bool(np.allclose(S_numpy, S_default))
    True
    """
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
    """The number of threads a transform uses when its ``workers`` argument is None.

    Returns
    -------
    int
        1 outside any :func:`set_workers` block, else the (resolved, positive) count of the
        innermost one.

    See Also
    --------
    set_workers : Set this default for a block of code.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.get_workers()
    1
    >>> with gaborcore.set_workers(2):
    ...     gaborcore.get_workers()
    2
    """
    return resolve_workers(None)


@contextlib.contextmanager
def set_workers(workers: int):
    """Context manager: the default thread count of every call inside the ``with`` block.

    ``workers`` follows :mod:`scipy.fft`'s convention; a ``workers=`` argument of a call inside the
    block still wins.  The setting is per thread (a :mod:`contextvars` variable) and nested
    blocks restore the outer value on exit.  Results do not depend on the thread count, only the
    time taken does.

    Parameters
    ----------
    workers : int
        A positive count (counts above ``max(64, 8 * cpu_count)`` are clamped to that), or a
        negative one counted back from the CPUs available to the process: -1 for all of them,
        -2 for all but one, and so on.

    Yields
    ------
    None
        The block runs with the default set.

    Raises
    ------
    ParameterError
        If ``workers`` is 0, not an integer, or below ``-cpu_count``.

    See Also
    --------
    get_workers : The current default.
    set_backend : The default backend, set the same way.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> y = np.random.default_rng(0).standard_normal((8, 22050)).astype(np.float32)
    >>> with gaborcore.set_workers(2):
    ...     M = gaborcore.melspectrogram(y, sr=22050)
    >>> M.shape
    (8, 128, 44)
    """
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
