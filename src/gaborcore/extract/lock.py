"""One writer per store: an advisory, exclusive lock on a local store's folder."""

from __future__ import annotations

import os

from .._validation import ParameterError

__all__ = ["StoreLock"]


class StoreLock:
    """An exclusive ``flock`` on the folder ``path``, released by the system when the process
    dies (so a killed job never leaves a stale lock).  Stores behind URLs (fsspec) and systems
    without ``flock`` are not locked: one job at a time is then the caller's to ensure.

    Raises
    ------
    ParameterError
        Another process holds the lock.
    """

    def __init__(self, path: str | None):
        self.fd = None
        if path is None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock here (Windows): no protection
            return
        self.fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise ParameterError(
                f"store {path!r} is being written by another process; wait for it to finish"
            ) from None

    def release(self) -> None:
        """Release the lock (again: nothing)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
