"""The one plan cache: bounded, thread-safe, least recently used, for every transform.

STFT, mel, NSGT and FFTW block plans are kept here under keys ``(kind, *parameters)``, so one
policy (LRU, :data:`MAX_ENTRIES` plans in all) bounds the memory that plan reuse costs, and one
call reports or clears them all (``gaborcore.plan_cache_info()``, ``gaborcore.clear_plan_cache()``).

A plan is made outside the lock (making one can take milliseconds to seconds: FFTW planning,
window design); when two threads make the same plan at once, the first one stored wins and both
get it.  Plans that own scratch memory and may not be shared between threads put the thread in
their key (the FFTW block plans do).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["PlanCache", "plan_cache", "plan_cache_info", "clear_plan_cache"]

#: Plans kept in all, whatever their kind (the least recently used go first).
MAX_ENTRIES = 64
#: Memory the kept plans may hold, by their own estimate (a plan's ``nbytes`` attribute where it
#: has one: an NSGT plan of a 60 s signal holds about 100 MB of tables and scratch).  The newest
#: plan is kept even when it alone is larger.
MAX_BYTES = 1 << 30


class PlanCache:
    """A bounded, thread-safe LRU mapping of keys to plans."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self._data: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self.max_entries = int(max_entries)
        self.max_bytes = int(max_bytes)
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def get_or_create(self, key: Hashable, factory: Callable[[], Any]) -> Any:
        """The plan stored under ``key``, made by ``factory()`` (outside the lock) if absent."""
        with self._lock:
            plan = self._data.get(key)
            if plan is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return plan
            self.misses += 1
        plan = factory()
        size = int(getattr(plan, "nbytes", 0) or 0)
        with self._lock:
            if key not in self._data:
                self._data[key] = plan
                self._sizes[key] = size
                self.nbytes += size
            plan = self._data[key]
            self._data.move_to_end(key)
            while len(self._data) > 1 and (len(self._data) > self.max_entries
                                           or self.nbytes > self.max_bytes):
                old, _ = self._data.popitem(last=False)
                self.nbytes -= self._sizes.pop(old)
        return plan

    def clear(self, kind: str | None = None) -> None:
        """Forget every plan (or those whose key starts with ``kind``)."""
        with self._lock:
            if kind is None:
                self._data.clear()
                self._sizes.clear()
                self.nbytes = 0
                self.hits = self.misses = 0
            else:
                for key in [k for k in self._data if _kind(k) == kind]:
                    del self._data[key]
                    self.nbytes -= self._sizes.pop(key)

    def info(self) -> dict:
        with self._lock:
            by_kind = collections.Counter(_kind(k) for k in self._data)
            return {"entries": len(self._data), "max_entries": self.max_entries,
                    "nbytes": self.nbytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses, "by_kind": dict(by_kind)}

    def __len__(self) -> int:
        return len(self._data)


def _kind(key) -> str:
    return key[0] if isinstance(key, tuple) and key else str(key)


plan_cache = PlanCache()


def plan_cache_info() -> dict:
    """How many plans the shared cache holds (in all and per kind), its bound, hits and misses.

    Returns
    -------
    info : dict
        ``entries`` (plans held), ``max_entries`` (the bound, least recently used plans go
        first), ``nbytes`` and ``max_bytes`` (the plans' own estimate of their memory, and its
        bound), ``hits`` and ``misses`` (since the last clear), ``by_kind`` (plans per kind:
        ``"stft"``, ``"mel"``, ``"nsgt"``, ``"fftw"``).

    See Also
    --------
    clear_plan_cache : forget every cached plan.
    NSGT.cached, STFT.cached : plans through this cache.

    Examples
    --------
    >>> import gaborcore
    >>> info = gaborcore.plan_cache_info()
    >>> sorted(info)
    ['by_kind', 'entries', 'hits', 'max_bytes', 'max_entries', 'misses', 'nbytes']
    """
    return plan_cache.info()


def clear_plan_cache() -> None:
    """Forget every cached plan (STFT, mel, NSGT, FFTW); plans in use stay valid.

    See Also
    --------
    plan_cache_info : what the cache holds.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.clear_plan_cache()
    >>> gaborcore.plan_cache_info()["entries"]
    0
    """
    plan_cache.clear()
