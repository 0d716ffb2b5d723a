"""Failures, interruptions and resumes of the extraction job: the bytes of an uninterrupted run."""

import os
import signal
import subprocess
import sys

import pytest
import soundfile
import zarr

import gaborcore
from gaborcore.extract import extract, open_store
from gaborcore.extract import job as job_module
from gaborcore.extract import writer as writer_module

from .common import MEL, SR, assert_same_store, make_signal

# ---- resume and byte-identical results --------------------------------------------------------


@pytest.mark.parametrize("workers, batch_size", [(1, 1), (2, 3), (3, 16)])
def test_same_bytes_whatever_workers_and_batches(tmp_path, files, reference, workers, batch_size):
    store = tmp_path / "s.zarr"
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, workers=workers,
            batch_size=batch_size, **MEL)
    assert_same_store(store, reference)


def test_resume_after_an_exception(tmp_path, files, reference, monkeypatch):
    run_batch = job_module.run_batch
    calls = []

    def interrupted(config_json, items, backend):
        calls.append(items)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the third batch is being computed
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(job_module, "run_batch", interrupted)
    monkeypatch.setattr(writer_module, "COMMIT_FILES", 1)
    store = tmp_path / "s.zarr"
    with pytest.raises(KeyboardInterrupt):
        extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    s = open_store(store)
    assert s.status.tolist() == [1, 1, 1, 1, 0, 0, 0, 0]  # what was done is committed
    monkeypatch.setattr(job_module, "run_batch", run_batch)
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    assert (report.n_skipped, report.n_ok, report.n_failed) == (4, 2, 2)
    assert_same_store(store, reference)


KILLED = """
import os, signal, sys
from gaborcore.extract import extract, layout, writer

writer.COMMIT_FILES = {commit_files}
layout.CHUNK_BYTES = 3000  # a few rows per chunk: uncommitted rows fill whole chunks
put = writer.put
store_rows = writer.RowAppender.write_rows
commits, chunks = [], []


def put_then_die(arr, index, values):
    if arr.basename == "status":
        commits.append(index)
        if {where!r} == "status" and len(commits) == 2:  # 2nd commit: rows, index, no status
            os.kill(os.getpid(), signal.SIGKILL)
    put(arr, index, values)


def rows_then_die(self, a, b, data, grow):
    if {where!r} == "grown" and commits and grow is not None and self.arr.basename == "mel":
        self.arr.resize(tuple(grow if i == self.axis else n for i, n in enumerate(self.arr.shape)))
        os.kill(os.getpid(), signal.SIGKILL)  # grown, nothing written there yet
    store_rows(self, a, b, data, grow)
    if self.arr.basename in ("mel", "stft"):
        chunks.append(a)
    if {where!r} == "chunks" and commits and len(chunks) >= 12:  # between commits
        os.kill(os.getpid(), signal.SIGKILL)


writer.put = put_then_die
writer.RowAppender.write_rows = rows_then_die
extract(sys.argv[2:], ["mel", "stft"], sys.argv[1], sr={sr}, clip=0.25, batch_size={batch},
        workers={workers}, n_fft=512, hop_length=128, n_mels=40)
"""


@pytest.mark.parametrize("where, commit_files, batch, workers", [
    ("status", 2, 1, 2), ("chunks", 1, 1, 2), ("grown", 1, 2, 1), ("chunks", 3, 3, 1)])
def test_resume_after_a_kill_gives_the_same_bytes(tmp_path, files, small_chunks, where,
                                                  commit_files, batch, workers):
    # killed (SIGKILL: nothing runs after it) at several points of the commit protocol, in a
    # process of its own; resumed here, with other batches: the bytes of an uninterrupted run
    store = tmp_path / "s.zarr"
    script = KILLED.format(sr=SR, where=where, commit_files=commit_files, batch=batch,
                           workers=workers)
    proc = subprocess.run([sys.executable, "-c", script, str(store), *files],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    s = open_store(store)
    n_done = int((s.status != 0).sum())
    assert n_done >= 1 and s.status.tolist() == s.status[:n_done].tolist() + [0] * (8 - n_done)
    if where == "status":
        assert n_done == commit_files
        # rows of the uncommitted files were written: beyond what the index covers
        assert s.group["mel"].shape[0] > s.group["count"][:n_done].sum()
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=5, **MEL)
    assert (report.n_skipped, report.n_ok + report.n_failed) == (n_done, 8 - n_done)
    assert_same_store(store, small_chunks)
    again = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    assert (again.n_skipped, again.n_ok, again.n_failed) == (8, 0, 0)
    assert "nothing to do" in again.summary()
    assert_same_store(store, small_chunks)


def test_a_chunk_that_cannot_be_written(tmp_path, files, small_chunks, monkeypatch):
    # a feature chunk that cannot be written (a full disk) stops the job with its error, no file
    # whose rows it held is counted as done, and the next run gives the store of an
    # uninterrupted run
    monkeypatch.setattr(writer_module, "COMMIT_FILES", 2)
    import gaborcore.extract.layout as layout

    monkeypatch.setattr(layout, "CHUNK_BYTES", 3000)
    store_rows = writer_module.RowAppender.write_rows
    calls = []

    def full_disk(self, a, b, data, grow):
        if self.arr.basename == "stft":
            calls.append(a)
            if len(calls) == 3:
                raise OSError(28, "No space left on device")
        store_rows(self, a, b, data, grow)

    monkeypatch.setattr(writer_module.RowAppender, "write_rows", full_disk)
    store = tmp_path / "s.zarr"
    with pytest.raises(OSError, match="No space left"):
        extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    s = open_store(store)
    done = int((s.status != 0).sum())
    assert s.status.tolist() == s.status[:done].tolist() + [0] * (8 - done) and done < 8
    monkeypatch.setattr(writer_module.RowAppender, "write_rows", store_rows)
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    assert report.n_skipped == done
    assert_same_store(store, small_chunks)


def test_lost_task(tmp_path, files, monkeypatch):
    # a task that dies as a whole (a worker killed, a crash in a decoder): its files fail
    run_batch = job_module.run_batch

    def crashing(config_json, items, backend):
        if any(item.path.endswith("c_pcm24.flac") for item in items):
            raise RuntimeError("worker lost")
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(job_module, "run_batch", crashing)
    store = tmp_path / "s.zarr"
    # 8 files are the end of the job: batches a quarter of batch_size, 2 files each
    report = extract(files, "mel", store, sr=SR, batch_size=8, workers=2, **MEL)
    assert (report.n_ok, report.n_failed) == (4, 4)
    s = open_store(store)
    assert s.status.tolist() == [1, 1, 2, 2, 1, 1, 2, 2]
    assert s.errors[files[2]] == s.errors[files[3]] == "task failed: RuntimeError: worker lost"
    monkeypatch.setattr(job_module, "run_batch", run_batch)
    report = extract(files, "mel", store, sr=SR, retry_failed=True, **MEL)
    assert (report.n_ok, report.n_failed, report.n_skipped) == (2, 2, 4)


def test_interrupted_creation(tmp_path, files, monkeypatch):
    create = zarr.Group.create_array
    made = []

    def interrupted(self, name, **kwargs):
        made.append(name)
        if len(made) == 5:
            raise KeyboardInterrupt
        return create(self, name, **kwargs)

    monkeypatch.setattr(zarr.Group, "create_array", interrupted)
    store = tmp_path / "s.zarr"
    with pytest.raises(KeyboardInterrupt):
        extract(files, "mel", store, sr=SR, **MEL)
    monkeypatch.setattr(zarr.Group, "create_array", create)
    # recognised as a store of ours whose creation did not finish: made again, even with other
    # parameters
    report = extract(files, "mel", store, sr=SR, **{**MEL, "n_mels": 32})
    assert report.n_ok == 6 and open_store(store).group["mel"].shape == (32, 404)


def test_new_files_and_retry_failed(tmp_path, files, reference, audio_dir):
    store = tmp_path / "s.zarr"
    extract(files[:3], ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)  # the others are appended
    assert_same_store(store, reference)

    fixed = tmp_path / "h_empty.flac"
    soundfile.write(fixed, make_signal(4000, SR, 1, 9), SR)
    os.replace(fixed, audio_dir / "h_empty.flac")
    try:
        report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
        assert report.n_skipped == 8
        report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, retry_failed=True,
                         **MEL)
        assert (report.n_ok, report.n_failed) == (1, 1)
        s = open_store(store)
        assert s.status.tolist() == [1] * 6 + [2, 1] and s.group["error"][7] == ""
        assert s.feature("mel", 7).shape == (1, 40, 32)
        assert s.group["offset"][7] == s.group["mel"].shape[0] - 1  # appended at the end
    finally:
        (audio_dir / "h_empty.flac").write_bytes(b"")


def test_other_parameters_refused(tmp_path, files):
    store = tmp_path / "s.zarr"
    extract(files[:2], "mel", store, sr=SR, **MEL)
    with pytest.raises(gaborcore.ParameterError,
                       match=r"other parameters \(features.mel.n_mels: 40 -> 64\).*overwrite"):
        extract(files[:2], "mel", store, sr=SR, **{**MEL, "n_mels": 64})
    with pytest.raises(gaborcore.ParameterError, match="features.stft: absent -> present"):
        extract(files[:2], ["mel", "stft"], store, sr=SR, **MEL)
    report = extract(files[:2], "mel", store, sr=SR, overwrite=True, **{**MEL, "n_mels": 64})
    assert report.n_ok == 2 and open_store(store).group["mel"].shape[0] == 64


def test_never_overwrites_something_else(tmp_path, files):
    other = tmp_path / "precious"
    other.mkdir()
    (other / "thesis.tex").write_text("...")
    with pytest.raises(gaborcore.ParameterError, match="not a gaborcore store"):
        extract(files[:1], "mel", other, overwrite=True)
    assert (other / "thesis.tex").exists()
    with pytest.raises(gaborcore.ParameterError, match="is a file"):
        extract(files[:1], "mel", other / "thesis.tex")


def test_one_writer_at_a_time(tmp_path, files):
    from gaborcore.extract.lock import StoreLock

    store = tmp_path / "s.zarr"
    extract(files[:1], "mel", store, sr=SR, **MEL)
    pytest.importorskip("fcntl")
    lock = StoreLock(str(store))
    try:
        with pytest.raises(gaborcore.ParameterError, match="being written by another process"):
            extract(files, "mel", store, sr=SR, **MEL)
    finally:
        lock.release()
    assert extract(files, "mel", store, sr=SR, **MEL).n_ok == 5
