"""Where the batches run: a thread pool in this process, or a Dask distributed cluster.

Both offer the same small protocol: ``slots`` (batches that run at once), ``local_threads``,
``description``, ``submit(fn, *args) -> future`` and ``close(cancel=)``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .._validation import ParameterError

__all__ = ["Runner", "LocalRunner", "DaskRunner", "check_scheduler", "cores"]


class Runner(Protocol):
    """What the job needs of a runner."""

    slots: int
    description: str

    def submit(self, fn, *args): ...

    def close(self, *, cancel: bool = False) -> None: ...


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalRunner:
    """A thread pool in this process; the workers share the caller's plans (the kernels release
    the GIL)."""

    def __init__(self, workers: int):
        self.slots = workers
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="gaborcore-extract")
        self.description = f"{workers} thread{'s' if workers > 1 else ''}"

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def close(self, *, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskRunner:
    """A Dask distributed client: workers decode and compute, this process writes."""

    def __init__(self, scheduler):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        self.own_client = True
        if isinstance(scheduler, Client):
            self.client, self.own_client = scheduler, False
        elif scheduler.startswith("local:"):
            n = int(scheduler.split(":", 1)[1])
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler, timeout="20s")
        self.slots = max(1, sum(self.client.nthreads().values()))
        self.description = f"Dask {self.client.scheduler.address} ({self.slots} threads)"
        self.futures: list = []

    def submit(self, fn, *args):
        fut = self.client.submit(fn, *args, pure=False)
        self.futures.append(fut)
        if len(self.futures) > 4 * self.slots:
            self.futures = [f for f in self.futures if not f.done()]
        return fut

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            self.client.cancel([f for f in self.futures if not f.done()])
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def check_scheduler(scheduler, workers):
    """Validate ``scheduler`` (and ``workers``) before anything is written."""
    if scheduler is None:
        return None
    if workers is not None:
        raise ParameterError(f"workers={workers!r} applies to the local thread pool; with "
                             "scheduler= the cluster's workers do the work: give one of them")
    try:
        import dask.distributed  # noqa: F401 - only checked here, used by DaskRunner
    except ImportError:
        raise RuntimeError(
            "scheduler= needs dask.distributed; install it with pip install 'gaborcore[dask]'"
        ) from None
    if not isinstance(scheduler, str):
        return scheduler  # a dask.distributed.Client
    if scheduler.startswith("local:"):
        n = scheduler.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise ParameterError(f"scheduler={scheduler!r}: expected local:N with N >= 1 workers")
        return scheduler
    if "://" not in scheduler:
        raise ParameterError(
            f"scheduler={scheduler!r}: expected the address of a Dask scheduler "
            "(tcp://HOST:PORT) or local:N"
        )
    return scheduler
