"""Writing results into the store: rows appended a chunk at a time, entries committed.

Only the process that runs the job writes.  Results arrive in entry order; their rows are
appended after the last committed row, and a commit writes, in this order, every row appended
(the last partly filled chunk made afresh: the fill value past its rows), the per-row index,
the per-file index (offset, count, duration, error) and last the entries' ``status``.  An entry
is finished only once its status is written, so an interrupted run leaves a store where every
finished entry is complete; rows past the last finished entry are garbage that the next run
cuts off.

Throughput comes from the shape of the writes, not from reaching under zarr's API: every write
is whole, aligned chunks (``arr[a:b] = block`` with ``a`` and ``b`` on chunk boundaries, so zarr
never reads a chunk back), the arrays grow many chunks at a time, and the writes run on a thread
of their own while this thread gathers the next results and the workers compute.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .batch import FileResult
from .chunkfiles import ChunkFiles
from .layout import STATUS, TEXT
from .store import Store

__all__ = ["RowAppender", "Writer", "COMMIT_FILES", "COMMIT_SECONDS", "put"]

# Commit after this many files or this many seconds: few commits (each rewrites a chunk of every
# per-file array), and bounded work lost on a kill.
COMMIT_FILES = 4096
COMMIT_SECONDS = 10.0
GROW_CHUNKS = 64  # an array grows by up to this many chunks at a time (one metadata write)
WRITES_IN_FLIGHT = 4  # chunk writes queued or running, at most (bounds the memory they hold)
RING = WRITES_IN_FLIGHT + 2  # buffers per array that chunks are put together in
COMMIT_THREADS = 4  # threads writing the per-file arrays of a commit


class RowAppender:
    """Appends blocks to an array along ``axis``, which has one chunk across the other axes.

    Blocks are gathered until whole chunks are there; those are written in one call on
    ``submit`` (the writing thread), the array grown first when needed.  :meth:`commit` sets the
    array's exact length and writes the partly filled chunk (the fill value after its rows: a
    chunk's bytes do not depend on where a run stopped).
    """

    def __init__(self, arr, axis: int, submit, expected: int | None = None,
                 direct: ChunkFiles | None = None):
        self.arr = arr
        self.direct = direct  # whole chunks into their files (see chunkfiles), or None
        self.axis = axis % arr.ndim
        self.chunk = arr.chunks[self.axis]
        self.submit = submit
        self.length = arr.shape[self.axis]  # the array's shape along axis
        self.written = self.length  # rows in the array (whole chunks, or committed)
        start = self.written // self.chunk * self.chunk
        self.pieces: list[np.ndarray] = []  # rows after ``start``, in order, not yet written
        self.start = start  # first row of the first piece: always on a chunk boundary
        self.buffered = 0
        # chunks are put together in a ring of buffers, not in new memory each time: fresh
        # memory costs page faults (on this project's VMs the host backs it lazily, at 1-2 ms
        # per MB), and a buffer is written RING submissions later at the latest
        self.ring: list[np.ndarray] = []
        self.turn = 0
        if self.written > start:  # the committed rows of the chunk being filled
            self.pieces.append(arr[self._slice(start, self.written)])
            self.buffered = self.written - start
        if expected:
            # the rows the job expects: the array is made that long now (on the writing
            # thread, while the workers compute), so that the last commit, when they have
            # nothing left to do, finds it at its exact length and has no resize to make
            self.length += expected
            submit(functools.partial(self._set_length, self.length))

    @property
    def end(self) -> int:
        """Where the next block goes."""
        return self.start + self.buffered

    def _slice(self, a: int, b: int | None) -> tuple:
        where = [slice(None)] * self.arr.ndim
        where[self.axis] = slice(a, b)
        return tuple(where)

    def append(self, block: np.ndarray) -> None:
        """Add rows; write the chunks they complete."""
        n = block.shape[self.axis]
        if not n:
            return
        self.pieces.append(block)
        self.buffered += n
        whole = self.buffered // self.chunk * self.chunk
        if whole >= self.chunk:
            self._write(whole)

    def _buffer(self) -> np.ndarray:
        """The next buffer of the ring (see ``__init__``)."""
        if len(self.ring) < RING:
            self.ring.append(np.empty(self.arr.chunks, self.arr.dtype))
        buf = self.ring[self.turn % len(self.ring)]
        self.turn += 1
        return buf

    def _take(self, n: int) -> np.ndarray:
        """The first ``n`` buffered rows (at most a chunk) as one array: the rows are copied
        once, into a buffer of the ring (not at all when one piece holds them); the pieces after
        them are left as they are."""
        taken, got = [], 0
        while got < n:
            piece = self.pieces[0]
            m = piece.shape[self.axis]
            if got + m <= n:
                taken.append(self.pieces.pop(0))
                got += m
            else:
                k = n - got
                taken.append(piece[self._slice(0, k)])
                self.pieces[0] = piece[self._slice(k, None)]
                got = n
        self.buffered -= n
        if len(taken) == 1:
            return taken[0]
        return np.concatenate(taken, axis=self.axis, out=self._buffer()[self._slice(0, n)])

    def _write(self, n: int) -> None:
        """Write the first ``n`` buffered rows (whole chunks) at ``start``."""
        a, b = self.start, self.start + n
        grow = None
        if b > self.length:
            step = min(max(self.length, 8 * self.chunk), GROW_CHUNKS * self.chunk)  # doubling
            self.length = -(-max(b, self.length + step) // self.chunk) * self.chunk
            grow = self.length
        # one chunk per call: zarr encodes a value of exactly a chunk's shape as it is, and
        # copies each chunk of a larger one into a new buffer first
        for k in range(a, b, self.chunk):
            part = self._take(self.chunk)
            self.submit(functools.partial(self.write_rows, k, k + self.chunk, part, grow))
            grow = None
        self.start = self.written = b

    def write_rows(self, a: int, b: int, data: np.ndarray, grow: int | None) -> None:
        """``arr[a:b] = data`` along the axis, the array grown to ``grow`` first (if given);
        runs on the writing thread."""
        if grow is not None:
            shape = list(self.arr.shape)
            shape[self.axis] = grow
            self.arr.resize(tuple(shape))
        if self.direct is None:
            self.arr[self._slice(a, b)] = data
            return
        coords = [0] * self.arr.ndim
        coords[self.axis] = a // self.chunk
        self.direct.write(tuple(coords), data,
                          functools.partial(self.arr.__setitem__, self._slice(a, b), data))

    def commit(self):
        """The call that makes every appended row part of the array (to run after the queued
        writes): the array cut or grown to its exact length, then the partly filled chunk's
        rows written.  That write covers every row of the chunk inside the array, so zarr makes
        the chunk afresh, the fill value past the end (it keeps nothing of the chunk's old
        bytes, such as rows of an interrupted run): its bytes do not depend on where a run
        stopped."""
        chunk = None
        if self.buffered:
            a, n = self.start, self.buffered
            data = self._take(n).copy()  # (not a buffer of the ring: it is kept)
            self.pieces, self.buffered = [data], n  # kept: the chunk is filled on, written again
            chunk = (a, data)
        self.length = self.end
        return functools.partial(self._commit, chunk, self.end)

    def _commit(self, chunk, end: int) -> None:
        if end != self.arr.shape[self.axis]:
            self._set_length(end)
        if chunk is not None:
            a, data = chunk
            self.arr[self._slice(a, end)] = data

    def _set_length(self, n: int) -> None:
        shape = list(self.arr.shape)
        shape[self.axis] = n
        self.arr.resize(tuple(shape))


def put(arr, index: np.ndarray, values: np.ndarray) -> None:
    """``arr[index] = values`` for sorted, unique ``index``: a slice when it is a range."""
    if len(index) and index[-1] - index[0] + 1 == len(index):
        arr[int(index[0]):int(index[-1]) + 1] = values
    elif len(index):
        arr.oindex[index] = values


class Writer:
    """Takes results in entry order, appends their rows, commits them: index first, status last."""

    def __init__(self, store: Store, expected_files: int | None = None):
        self.store = store
        # one thread writes the chunks, in order (an array grows before it is written past its
        # end); a few more write the per-file arrays of a commit together
        self.chunk_pool = ThreadPoolExecutor(1, thread_name_prefix="gaborcore-write")
        self.commit_pool = ThreadPoolExecutor(COMMIT_THREADS,
                                              thread_name_prefix="gaborcore-commit")
        self.inflight: collections.deque = collections.deque()
        self.failed: BaseException | None = None
        self.rows = {}
        for name in store.rows:
            arr = store.writable(name)
            direct = ChunkFiles.for_array(arr) if name in store.feats else None
            if store.layout == "clips":  # (about one clip per file is expected)
                self.rows[name] = RowAppender(arr, 0, self._submit, expected_files, direct)
            else:
                self.rows[name] = RowAppender(arr, -1 if name in store.feats else 0,
                                              self._submit, direct=direct)
        self.per_file = {name: store.group[name] for name in store.per_file}  # (opened once)
        self.pending: list[tuple[FileResult, dict]] = []
        self.last = time.monotonic()
        self.seconds = 0.0

    def _submit(self, call) -> None:
        while len(self.inflight) >= WRITES_IN_FLIGHT:
            self._wait()
        self.inflight.append(self.chunk_pool.submit(call))

    def _wait(self) -> None:
        """Wait for the oldest write.  A write that failed fails every later wait too: no
        commit may then count its rows as written."""
        exc = self.inflight[0].exception()
        self.inflight.popleft()
        if exc is not None:
            self.failed = exc
        if self.failed is not None:
            raise self.failed

    def flush(self) -> None:
        """Wait for every queued write; raise the error of one that failed."""
        while self.inflight:
            self._wait()
        if self.failed is not None:
            raise self.failed

    def add(self, results: list[FileResult], rows: dict | None = None) -> None:
        """Give a batch's entries their rows (after the previous entries') and append them;
        ``rows``: the batch's features as one array each (:class:`BatchResult`), appended
        whole (a chunk of them, aligned, is written as it is)."""
        t0 = time.perf_counter()
        if self.store.layout == "clips":
            self._add_clips(results, rows)
        else:
            for r in results:
                where = {}
                for name, f in self.store.feats.items():
                    n = 0 if r.error else r.arrays[name].shape[-1]
                    where[f"{name}_offset"] = (self.rows[name].end, n)
                    if n:
                        self.rows[name].append(r.arrays[name])
                        if f"{name}_time" in self.rows:
                            self.rows[f"{name}_time"].append(np.arange(n) * f.hop_seconds)
                r.arrays = {}
                self.pending.append((r, where))
        self.seconds += time.perf_counter() - t0

    def _add_clips(self, results: list[FileResult], rows: dict | None) -> None:
        end = self.rows["clip_file"].end
        ok = []
        for r in results:
            n = 0 if r.error else len(r.clip_start)
            self.pending.append((r, {"offset": (end, n)}))
            end += n
            if n:
                ok.append(r)
        if ok:
            count = [len(r.clip_start) for r in ok]
            self.rows["clip_file"].append(np.repeat(np.array([r.index for r in ok], np.int64),
                                                    count))
            self.rows["clip_start"].append(
                np.concatenate([np.asarray(r.clip_start, np.float64) for r in ok]))
            whole = rows is not None and all(len(rows[name]) == sum(count)
                                             for name in self.store.feats)
            for name in self.store.feats:
                if whole:
                    self.rows[name].append(rows[name])
                    continue
                for r in ok:  # (views of the batch's output: copied once, into their chunk)
                    self.rows[name].append(r.arrays[name])
        for r in results:
            r.arrays = {}

    def due(self) -> bool:
        """Whether a commit is due (files or time since the last)."""
        return bool(self.pending) and (len(self.pending) >= COMMIT_FILES
                                       or time.monotonic() - self.last >= COMMIT_SECONDS)

    def commit(self) -> None:
        """Make the pending entries part of the store; safe to call again if interrupted."""
        if not self.pending:
            return
        t0 = time.perf_counter()
        pending = sorted(self.pending, key=lambda p: p[0].index)
        results = [r for r, _ in pending]
        index = np.array([r.index for r in results], np.int64)
        per_file = {
            "error": np.array([r.error for r in results], dtype=TEXT),
            "duration": np.array([r.duration for r in results], np.float64),
            "source_sr": np.array([r.source_sr for r in results], np.int32),
            "source_channels": np.array([r.source_channels for r in results], np.int16),
        }
        for key in pending[0][1]:
            off = np.array([w[key][0] for _, w in pending], np.int64)
            cnt = np.array([w[key][1] for _, w in pending], np.int64)
            per_file[key] = np.where(cnt > 0, off, -1)
            per_file[key[:-len("offset")] + "count"] = cnt
        if self.store.created and not any(r.error for r in results):
            del per_file["error"]  # "" already: each entry is committed once in a run

        def rows_end() -> list:
            self.flush()  # the whole chunks still being written (an array grows before them)
            return [rows.commit() for rows in self.rows.values()]

        # the per-file arrays are written while the last whole chunks still are
        self._together([functools.partial(put, self.per_file[name], index, values)
                        for name, values in per_file.items()], then=rows_end)
        status = np.array([STATUS["failed"] if r.error else STATUS["ok"] for r in results],
                          np.int8)
        put(self.per_file["status"], index, status)  # the commit point, after everything else
        self.pending = []
        self.last = time.monotonic()
        self.seconds += time.perf_counter() - t0

    def _together(self, calls: list, then=None) -> None:
        """Run ``calls`` (writes of different arrays) on a few threads, and the calls that
        ``then()`` returns (it runs here meanwhile), and wait for all of them, also when
        interrupted or when ``then`` fails: no write of this commit is left running."""
        futures = [self.commit_pool.submit(call) for call in calls]
        try:
            if then is not None:
                futures += [self.commit_pool.submit(call) for call in then()]
            for future in futures:
                future.result()
        finally:
            concurrent.futures.wait(futures)

    def close(self) -> None:
        """Stop the writing threads (after the last commit, which waited for every write)."""
        self.chunk_pool.shutdown()
        self.commit_pool.shutdown()

