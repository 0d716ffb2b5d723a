"""The extraction job: store contents against the library, failures, resume, Dask, arguments."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
import soundfile
import zarr

import gaborcore
from gaborcore import dataset, io
from gaborcore.dataset import ExtractConfig, extract, open_store

SR = 16000

# name, subtype, own rate, channels, seconds: several formats and rates, one corrupt, one empty
GOOD = [
    ("a_pcm16.wav", "PCM_16", 16000, 1, 0.55),
    ("b_float.wav", "FLOAT", 22050, 2, 0.30),
    ("c_pcm24.flac", "PCM_24", 44100, 1, 0.80),
    ("d_vorbis.ogg", "VORBIS", 8000, 1, 0.40),
    ("e_pcm16.wav", "PCM_16", 48000, 2, 0.15),
    ("f_pcm16.wav", "PCM_16", 16000, 1, 1.00),
]
BAD = {"g_corrupt.wav": "not a readable audio file", "h_empty.flac": "empty file (0 bytes)"}


def _signal(n, sr, channels, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    y = np.sin(2 * np.pi * (300.0 + 100 * seed) * t)[:, None] * (0.3 + 0.2 * np.arange(channels))
    return (y + 0.02 * rng.standard_normal((n, channels))).astype(np.float32)


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("audio")
    for i, (name, subtype, sr, ch, seconds) in enumerate(GOOD):
        soundfile.write(d / name, _signal(int(seconds * sr), sr, ch, i), sr, subtype=subtype)
    (d / "g_corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    (d / "h_empty.flac").write_bytes(b"")
    return d


@pytest.fixture(scope="module")
def files(audio_dir):
    return io.find_audio(audio_dir)


def _decoded(path, channels="mono"):
    return io.load(path, sr=SR, mono=channels == "mono")[0]


def _arrays(store):
    """Every array of a store, by name."""
    group = zarr.open_group(os.fspath(store), mode="r")
    return {name: group[name][:] for name in sorted(group.array_keys())}


def assert_same_store(a, b, *, exact=True):
    """Same arrays (values, shapes, dtypes) and attributes, but for the log of runs.

    ``exact=False`` for stores written by different processes: FFTW_MEASURE may choose other
    FFT algorithms in another process, which changes the features in their last bits.
    """
    xa, xb = _arrays(a), _arrays(b)
    assert sorted(xa) == sorted(xb)
    for name in xa:
        assert xa[name].shape == xb[name].shape and xa[name].dtype == xb[name].dtype, name
        if xa[name].dtype.kind in "fc" and not exact and xa[name].ndim > 1:
            scale = np.abs(xb[name]).max()
            np.testing.assert_allclose(xa[name], xb[name], rtol=1e-5, atol=1e-6 * scale,
                                       err_msg=name)
        elif xa[name].dtype.kind in "fc":
            np.testing.assert_array_equal(xa[name], xb[name], err_msg=name)
        else:
            assert xa[name].tolist() == xb[name].tolist(), name
    meta = [dict(zarr.open_group(os.fspath(s), mode="r").attrs)["gaborcore"] for s in (a, b)]
    for m in meta:
        del m["runs"], m["created"]
    assert meta[0] == meta[1]


MEL = dict(n_fft=512, hop_length=128, n_mels=40)


# ---- contents --------------------------------------------------------------------------------

def test_clips_against_the_library(tmp_path, files):
    store = tmp_path / "clips.zarr"
    report = extract(files, "mel", store, sr=SR, clip=0.25, workers=2, batch_size=3, **MEL)
    assert (report.n_inputs, report.n_ok, report.n_failed, report.n_skipped) == (8, 6, 2, 0)
    assert report.audio_seconds == pytest.approx(sum(s for *_, s in GOOD), abs=1e-3)
    s = open_store(store)
    assert s.layout == "clips" and s.files == files
    assert s.status.tolist() == [1] * 6 + [2, 2]
    plan = gaborcore.MelSpectrogram(sr=SR, **MEL)
    clip = int(0.25 * SR)
    rows = 0
    for i, path in enumerate(files[:6]):
        y = _decoded(path)
        starts = np.arange(0, y.shape[0], clip)  # the last, partial excerpt is zero-padded
        want = np.zeros((len(starts), clip), np.float32)
        for k, a in enumerate(starts):
            part = y[a:a + clip]
            want[k, :part.shape[0]] = part
        got = s.feature("mel", i)
        assert got.shape == (len(starts), 40, 1 + clip // 128) and got.dtype == np.float32
        np.testing.assert_allclose(got, plan(want), rtol=1e-6, atol=1e-7 * got.max())
        np.testing.assert_array_equal(s.group["clip_file"][rows:rows + len(starts)], i)
        np.testing.assert_allclose(s.group["clip_start"][rows:rows + len(starts)], starts / SR)
        assert (s.group["offset"][i], s.group["count"][i]) == (rows, len(starts))
        rows += len(starts)
    assert s.group["mel"].shape[0] == rows == s.group["clip_file"].shape[0]
    assert s.group["source_sr"][:6].tolist() == [g[2] for g in GOOD]
    assert s.group["source_channels"][:6].tolist() == [g[3] for g in GOOD]
    np.testing.assert_allclose(s.group["duration"][:6], [g[4] for g in GOOD], atol=1e-3)
    assert np.isnan(s.group["duration"][6:]).all()
    np.testing.assert_allclose(s.frequencies("mel"), gaborcore.mel_frequencies(
        42, fmax=SR / 2)[1:-1])


@pytest.mark.parametrize("pad", [True, False])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # io.load's mean of j.wav
def test_rows_decoded_directly(tmp_path, monkeypatch, pad):
    # plain WAV files at the job's rate of at most one clip are decoded straight into the batch
    # (io._read_rows, no GIL): the same store as the general path, which reads all the others
    clip = 0.25
    n = int(clip * SR)
    d = tmp_path / "audio"
    d.mkdir()
    cases = [("a.wav", n, 1, "PCM_16"), ("b.wav", n - 100, 2, "PCM_16"), ("c.wav", n, 1, "FLOAT"),
             ("d.wav", n + 1, 1, "PCM_16"), ("e.wav", n, 1, "PCM_32"), ("f.flac", n, 1, "PCM_16"),
             ("g.wav", 3 * n + 7, 2, "DOUBLE"), ("h.wav", n // 3, 1, "PCM_16")]
    for i, (name, frames, ch, subtype) in enumerate(cases):
        soundfile.write(d / name, _signal(frames, SR, ch, i), SR, subtype=subtype)
    (d / "i.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    loud = np.full((n, 2), 3e38, np.float32)  # finite samples, an infinite mean
    soundfile.write(d / "j.wav", loud, SR, subtype="FLOAT")
    files = io.find_audio(d)
    taken = []
    real = io._read_rows

    def spy(paths, out, sr):
        table = real(paths, out, sr)
        if table is not None:
            taken.extend(os.path.basename(p) for p, t in zip(paths, table[:, 0], strict=True) if t == 0)
        return table

    monkeypatch.setattr(io, "_read_rows", spy)
    kwargs = dict(sr=SR, clip=clip, pad=pad, workers=2, batch_size=3, **MEL)
    report = extract(files, "mel", tmp_path / "direct.zarr", **kwargs)
    assert sorted(taken) == ["a.wav", "b.wav", "c.wav", "e.wav", "h.wav"]
    assert (report.n_ok, report.n_failed) == (8, 2)
    assert "NaN or Inf" in dict(report.failures)[str(d / "j.wav")]
    monkeypatch.setattr(io, "_wav_ext", None)
    taken.clear()
    report = extract(files, "mel", tmp_path / "general.zarr", **kwargs)
    assert not taken and (report.n_ok, report.n_failed) == (8, 2)
    assert_same_store(tmp_path / "direct.zarr", tmp_path / "general.zarr")
    s = open_store(tmp_path / "direct.zarr")
    assert s.group["count"][:].tolist() == ([1, 1, 1, 2, 1, 1, 4, 1, 0, 0] if pad
                                            else [1, 0, 1, 1, 1, 1, 3, 0, 0, 0])


@pytest.mark.parametrize("compression", dataset.COMPRESSIONS)
@pytest.mark.parametrize("clip", [0.25, None])
@pytest.mark.parametrize("separator, chunk_threads", [(".", 0), (".", 3), ("/", 2)])
def test_chunk_files_as_zarr_writes_them(tmp_path, files, monkeypatch, compression, clip,
                                         separator, chunk_threads):
    # feature chunks are written as files (_ChunkFiles), not through zarr: the same store, read
    # through zarr, as when zarr writes every chunk; small chunks, partly filled at each commit.
    # Chunk keys c.<i>.<j> (the stores made now) and c/<i>/<j> (those made before); chunks
    # written by the writing thread itself or on threads of their own
    monkeypatch.setattr(dataset, "_FLAT_KEYS", {"name": "default", "separator": separator})
    monkeypatch.setattr(dataset, "_chunk_threads", lambda workers, local: chunk_threads)
    monkeypatch.setattr(dataset, "_CHUNK_BYTES", 3000)
    monkeypatch.setattr(dataset, "COMMIT_FILES", 2)
    monkeypatch.setattr(dataset, "_FILE_CHUNK", 3)  # per-file arrays: chunks left and read again
    written = []
    chunk_write = dataset._ChunkFiles.write

    def counted(self, axis, index, chunk):
        written.append((self.arr.basename, index))
        chunk_write(self, axis, index, chunk)

    monkeypatch.setattr(dataset._ChunkFiles, "write", counted)
    kwargs = dict(sr=SR, clip=clip, batch_size=3, compression=compression, **MEL)
    extract(files, ["mel", "stft"], tmp_path / "direct.zarr", **kwargs)
    names = {name for name, _ in written}
    assert names >= {"mel", "stft", "status", "duration", "source_sr"} and len(written) > 10
    assert "error" not in names and "files" not in names  # text: through zarr
    monkeypatch.setattr(dataset._ChunkFiles, "of", classmethod(lambda cls, arr: None))
    extract(files, ["mel", "stft"], tmp_path / "zarr.zarr", **kwargs)
    assert_same_store(tmp_path / "direct.zarr", tmp_path / "zarr.zarr")
    assert _stray_chunks(tmp_path / "direct.zarr") == []
    for store in ("direct.zarr", "zarr.zarr"):
        folder = tmp_path / store / "mel"
        assert (folder / "c").is_dir() == (separator == "/")
        assert any(p.name.startswith("c.") for p in folder.iterdir()) == (separator == ".")


def _stray_chunks(store):
    """Chunk files of the feature arrays past their shape, and temporary files."""
    group = zarr.open_group(os.fspath(store), mode="r")
    stray = []
    for name in group.attrs["gaborcore"]["feature_names"]:
        arr = group[name]
        axis = 0 if group.attrs["gaborcore"]["layout"] == "clips" else arr.ndim - 1
        n = -(-arr.shape[axis] // arr.chunks[axis])
        folder = os.path.join(os.fspath(store), name)
        for root, _, names in os.walk(folder):  # chunk keys c.<i>.<j>... or c/<i>/<j>/...
            for f in names:
                key = os.path.relpath(os.path.join(root, f), folder).replace(os.sep, ".")
                parts = key.split(".")
                if parts[0] == "c" and (not parts[-1].isdigit() or int(parts[1 + axis]) >= n):
                    stray.append(key)
    return stray


def test_failures_are_recorded(tmp_path, files):
    report = extract(files, "mel", tmp_path / "s.zarr", sr=SR, **MEL)
    assert [os.path.basename(p) for p, _ in report.failures] == list(BAD)
    s = open_store(tmp_path / "s.zarr")
    errors = {os.path.basename(p): r for p, r in s.errors.items()}
    assert set(errors) == set(BAD)
    for name, reason in BAD.items():
        assert reason in errors[name]
    assert s.group["error"][:6].tolist() == [""] * 6
    assert (s.group["mel_count"][6:] == 0).all() and (s.group["mel_offset"][6:] == -1).all()
    with pytest.raises(gaborcore.ParameterError, match="failed, not ok"):
        s.feature("mel", files[6])
    assert "g_corrupt.wav" in report.summary() and "2 failed" in report.summary()


def test_ragged_against_the_library(tmp_path, files):
    store = tmp_path / "ragged.zarr"
    extract(files[:6], ["stft", "mel"], store, sr=SR, workers=2, **MEL)
    s = open_store(store)
    assert s.layout == "ragged" and s.features == ("stft", "mel")
    mel = gaborcore.MelSpectrogram(sr=SR, **MEL)
    frames = 0
    for i, path in enumerate(files[:6]):
        y = _decoded(path)
        want = mel(y)
        got = s.feature("mel", i)
        assert got.shape == want.shape == (40, 1 + y.shape[0] // 128)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7 * want.max())
        S = gaborcore.spectrogram(y, n_fft=512, hop_length=128)
        np.testing.assert_allclose(s.feature("stft", i), S, rtol=1e-6, atol=1e-7 * S.max())
        assert s.group["mel_offset"][i] == frames
        frames += want.shape[1]
    assert s.group["mel"].shape == (40, frames) and s.group["stft"].shape == (257, frames)
    meta = s.attrs["features"]
    assert meta["mel"]["dims"] == ["band", "time"] and meta["mel"]["hop_seconds"] == 128 / SR
    assert s.attrs["version"] == gaborcore.__version__
    assert s.config == ExtractConfig.build(["stft", "mel"], sr=SR, **MEL).to_dict()


def test_channels_kept(tmp_path, files):
    store = tmp_path / "st.zarr"
    report = extract(files[:6], "stft", store, sr=SR, channels=2, clip=0.2, n_fft=256,
                     hop_length=128)
    s = open_store(store)
    # mono files fail (they have 1 channel), stereo ones keep both
    assert s.status.tolist() == [2, 1, 2, 2, 1, 2]
    assert "has 1 channels; channels=2 keeps 2" in report.failures[0][1]
    got = s.feature("stft", 1)
    assert got.shape == (2, 2, 129, 26)
    y = _decoded(files[1], channels=2)
    want = gaborcore.spectrogram(y[:, :3200], n_fft=256, hop_length=128)
    np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-7 * want.max())


def test_db_and_no_pad(tmp_path, files):
    store = tmp_path / "db.zarr"
    extract(files[:6], "mel", store, sr=SR, clip=0.5, pad=False, db=True, top_db=60.0, **MEL)
    s = open_store(store)
    # without padding only whole excerpts: files shorter than a clip give no row
    counts = [int(s.group["count"][i]) for i in range(6)]
    assert counts == [1, 0, 1, 0, 0, 2] and s.status.tolist() == [1] * 6
    assert s.feature("mel", 1).shape == (0, 40, 63)
    y = _decoded(files[5])
    plan = gaborcore.MelSpectrogram(sr=SR, **MEL)
    for k in range(2):
        want = gaborcore.power_to_db(plan(y[k * 8000:(k + 1) * 8000]), top_db=60.0)
        np.testing.assert_allclose(s.feature("mel", 5)[k], want, atol=1e-4)
    assert s.attrs["features"]["mel"]["units"] == "dB"


def test_nsgt_and_cqt(tmp_path, files):
    params = dict(fmin=100.0, n_bins=24, bins_per_octave=6)
    extract(files[:6], ["nsgt", "cqt"], tmp_path / "c.zarr", sr=SR, clip=0.25, **params)
    s = open_store(tmp_path / "c.zarr")
    y = np.zeros(4000, np.float32)
    part = _decoded(files[0])[:4000]
    y[:part.shape[0]] = part
    plan = gaborcore.NSGT(length=4000, sr=SR, scale="cqt", layout="ragged", **params)
    c = plan.forward(y).data
    got = s.feature("nsgt", 0)[0]
    assert got.dtype == np.complex64 and got.shape == c.shape
    np.testing.assert_allclose(got, c, rtol=1e-5, atol=1e-5 * np.abs(c).max())
    full = gaborcore.NSGT(length=4000, sr=SR, scale="cqt", layout="full", **params)
    want = np.abs(full.forward(y).matrix())
    np.testing.assert_allclose(s.feature("cqt", 0)[0], want, rtol=1e-5, atol=1e-5 * want.max())
    assert s.attrs["features"]["nsgt"]["bands"]["M"] == plan.bands.M.tolist()

    # whole files: the sliced transform, one stream per band cut to the file
    extract(files[5:6], "cqt", tmp_path / "r.zarr", sr=SR, slice_length=4096, **params)
    r = open_store(tmp_path / "r.zarr")
    sliced = gaborcore.SlicedNSGT(slice_length=4096, sr=SR, scale="cqt", layout="full", **params)
    M = int(sliced.inner.bands.M[1])
    y = _decoded(files[5])
    streams = sliced.forward(y).assemble()
    n = -(-y.shape[0] * M // 4096)
    want = np.abs(np.stack([streams[k][M // 2:M // 2 + n] for k in range(1, 25)]))
    got = r.feature("cqt", 0)
    assert got.shape == (24, n)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * want.max())


# ---- resume ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(tmp_path_factory, files):
    """The store of an uninterrupted run."""
    store = tmp_path_factory.mktemp("ref") / "ref.zarr"
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    return store


def test_resume_after_an_exception(tmp_path, files, reference, monkeypatch):
    run_batch = dataset._run_batch
    calls = []

    def interrupted(config_json, items, backend):
        calls.append(items)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the third batch is being computed
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(dataset, "_run_batch", interrupted)
    monkeypatch.setattr(dataset, "COMMIT_FILES", 1)
    store = tmp_path / "s.zarr"
    with pytest.raises(KeyboardInterrupt):
        extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    s = open_store(store)
    assert s.status.tolist() == [1, 1, 1, 1, 0, 0, 0, 0]  # what was done is committed
    monkeypatch.setattr(dataset, "_run_batch", run_batch)
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    assert (report.n_skipped, report.n_ok, report.n_failed) == (4, 2, 2)
    assert_same_store(store, reference)


KILLED = """
import os, signal, sys
from gaborcore import dataset

dataset.COMMIT_FILES = {commit_files}
dataset._FLAT_KEYS = {{"name": "default", "separator": "{separator}"}}
dataset._chunk_threads = lambda workers, local: 2  # chunks written on threads of their own
dataset._CHUNK_BYTES = 3000  # a few rows per chunk: uncommitted rows fill whole chunks
put = dataset._Column.put
chunk_write = dataset._ChunkFiles.write
commits, chunks = [], []


def put_then_die(self, index, values):
    if self.arr.basename == "status":
        commits.append(index)
        if len(commits) == 2 and {at_status}:  # rows, index of the 2nd commit written, status not
            os.kill(os.getpid(), signal.SIGKILL)
    put(self, index, values)


def chunk_then_die(self, axis, index, chunk):
    chunk_write(self, axis, index, chunk)
    if self.arr.basename in ("mel", "stft"):
        chunks.append(index)
    if commits and len(chunks) == 12 and not {at_status}:  # between commits, chunks written
        os.kill(os.getpid(), signal.SIGKILL)


dataset._Column.put = put_then_die
dataset._ChunkFiles.write = chunk_then_die
files = sys.argv[2:]
dataset.extract(files, ["mel", "stft"], sys.argv[1], sr={sr}, clip=0.25, batch_size=1,
                workers=2, n_fft=512, hop_length=128, n_mels=40)
"""


@pytest.mark.parametrize("at_status, separator", [(True, "."), (False, "."), (False, "/")])
def test_resume_after_a_kill(tmp_path, files, reference, at_status, separator):
    store = tmp_path / "s.zarr"
    script = KILLED.format(sr=SR, at_status=at_status, commit_files=2 if at_status else 1,
                           separator=separator)
    proc = subprocess.run([sys.executable, "-c", script, str(store), *files],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    s = open_store(store)
    n_ok = int((s.status == 1).sum())
    assert n_ok >= 1 and s.status.tolist() == [1] * n_ok + [0] * (8 - n_ok)
    if at_status:
        assert n_ok == 2
        # rows of the uncommitted files were written: beyond what the index covers
        assert s.group["mel"].shape[0] > s.group["count"][:2].sum()
    else:  # chunks filled after the last commit: past the shape, cut off by the next run
        assert s.group["mel"].shape[0] == s.group["count"][:n_ok].sum()
        assert _stray_chunks(store)
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    assert _stray_chunks(store) == []
    assert (report.n_skipped, report.n_ok, report.n_failed) == (n_ok, 6 - n_ok, 2)
    assert_same_store(store, reference, exact=False)
    again = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    assert (again.n_skipped, again.n_ok, again.n_failed) == (8, 0, 0)
    assert "nothing to do" in again.summary()
    assert_same_store(store, reference, exact=False)


@pytest.mark.parametrize("chunk_threads", [0, 2])
def test_a_chunk_that_cannot_be_written(tmp_path, files, reference, monkeypatch, chunk_threads):
    # a feature chunk that cannot be written (a full disk), by the writing thread or on threads
    # of its own, stops the job with its error, no file whose rows it held is counted as done,
    # and the next run gives the store of an uninterrupted run
    monkeypatch.setattr(dataset, "_chunk_threads", lambda workers, local: chunk_threads)
    monkeypatch.setattr(dataset, "_CHUNK_BYTES", 3000)  # a chunk per row or so: many chunks
    monkeypatch.setattr(dataset, "COMMIT_FILES", 2)
    chunk_write = dataset._ChunkFiles.write
    calls = []

    def full_disk(self, axis, index, chunk):
        if self.arr.basename == "stft":
            calls.append(threading.current_thread().name)
            if len(calls) == 5:
                raise OSError(28, "No space left on device")
        chunk_write(self, axis, index, chunk)

    monkeypatch.setattr(dataset._ChunkFiles, "write", full_disk)
    store = tmp_path / "s.zarr"
    with pytest.raises(OSError, match="No space left"):
        extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=2, **MEL)
    # (the partly filled chunks of a commit are written on the writer's threads either way)
    assert ("MainThread" in calls) == (chunk_threads == 0)
    s = open_store(store)
    done = int((s.status != 0).sum())
    assert s.status.tolist() == s.status[:done].tolist() + [0] * (8 - done) and done < 8
    rows_ok = s.group["count"][:done].sum()
    assert s.group["stft"].shape[0] == rows_ok  # the index covers exactly the committed rows
    monkeypatch.setattr(dataset._ChunkFiles, "write", chunk_write)
    monkeypatch.setattr(dataset, "_CHUNK_BYTES", 2 << 20)
    report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    assert report.n_skipped == done
    assert_same_store(store, reference)


def test_lost_task(tmp_path, files, monkeypatch):
    # a task that dies as a whole (a worker killed, a crash in a decoder): its files fail
    run_batch = dataset._run_batch

    def crashing(config_json, items, backend):
        if any(path.endswith("c_pcm24.flac") for _, path in items):
            raise RuntimeError("worker lost")
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(dataset, "_run_batch", crashing)
    store = tmp_path / "s.zarr"
    # 8 files are the end of the job: batches a quarter of batch_size, 2 files each
    report = extract(files, "mel", store, sr=SR, batch_size=8, workers=2, **MEL)
    assert (report.n_ok, report.n_failed) == (4, 4)
    s = open_store(store)
    assert s.status.tolist() == [1, 1, 2, 2, 1, 1, 2, 2]
    assert s.errors[files[2]] == s.errors[files[3]] == "task failed: RuntimeError: worker lost"
    monkeypatch.setattr(dataset, "_run_batch", run_batch)
    report = extract(files, "mel", store, sr=SR, retry_failed=True, **MEL)
    assert (report.n_ok, report.n_failed, report.n_skipped) == (2, 2, 4)


def test_interrupted_creation(tmp_path, files, monkeypatch):
    create = dataset._create
    made = []

    def interrupted(group, name, *args, **kwargs):
        made.append(name)
        if len(made) == 5:
            raise KeyboardInterrupt
        return create(group, name, *args, **kwargs)

    monkeypatch.setattr(dataset, "_create", interrupted)
    store = tmp_path / "s.zarr"
    with pytest.raises(KeyboardInterrupt):
        extract(files, "mel", store, sr=SR, **MEL)
    monkeypatch.setattr(dataset, "_create", create)
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
    soundfile.write(fixed, _signal(4000, SR, 1, 9), SR)
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
    store = tmp_path / "s.zarr"
    extract(files[:1], "mel", store, sr=SR, **MEL)
    pytest.importorskip("fcntl")
    lock = dataset._Lock(str(store))
    try:
        with pytest.raises(gaborcore.ParameterError, match="being written by another process"):
            extract(files, "mel", store, sr=SR, **MEL)
    finally:
        lock.release()
    assert extract(files, "mel", store, sr=SR, **MEL).n_ok == 5


# ---- Dask ------------------------------------------------------------------------------------

def test_dask_local_cluster(tmp_path, files, reference):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        store = tmp_path / "dask.zarr"
        report = extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, batch_size=3,
                         scheduler=cluster.scheduler_address, **MEL)
        assert "Dask" in report.runner and (report.n_ok, report.n_failed) == (6, 2)
        assert_same_store(store, reference)
        with distributed.Client(cluster) as client:  # a client of the caller's, left open
            store = tmp_path / "client.zarr"
            extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, scheduler=client, **MEL)
            assert client.status == "running"
        assert_same_store(store, reference)


# ---- arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(feature="spectrogram"), "feature='spectrogram' is not one of"),
        (dict(feature="mel", n_mel=64), "n_mel is neither an option nor a parameter"),
        (dict(feature="stft", n_mels=64), "n_mels is neither an option nor a parameter of "
                                          "feature\\(s\\) stft"),
        (dict(feature={"mel": {"n_mel": 64}}), "unknown parameter n_mel for feature 'mel'"),
        (dict(feature="nsgt"), "feature 'nsgt' .* give clip"),
        (dict(feature="mel", clip_hop=1.0), "clip_hop needs clip"),
        (dict(feature="mel", n_mels=0), "n_mels=0"),
        (dict(feature="mel", db=True, power=1.5), "db=true needs power 1 or 2"),
        (dict(feature="mel", sr=-1), "sr=-1"),
        (dict(feature="mel", channels="stereo"), "channels='stereo'"),
        (dict(feature="mel", workers=0), "workers=0"),
        (dict(feature="mel", scheduler="localhost:8786"), "tcp://HOST:PORT"),
        (dict(feature="mel", scheduler="local:0"), "local:N"),
        (dict(feature="mel", workers=2, scheduler="local:2"), "workers applies to the local"),
        (dict(feature="mel", compression="gzip"), "compression='gzip'"),
        (dict(feature="mel", batch_size=0), "batch_size=0"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, files, kwargs, message):
    store = tmp_path / "s.zarr"
    with pytest.raises(gaborcore.ParameterError, match=message):
        extract(files, store=store, **kwargs)
    assert not store.exists()


def test_missing_input_writes_nothing(tmp_path, files):
    with pytest.raises(gaborcore.ParameterError, match="nope.wav' does not exist"):
        extract([*files, tmp_path / "nope.wav"], "mel", tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_store_that_cannot_be_made(tmp_path, files, monkeypatch):
    # the workers start on a new store's files while it is made; if making it fails, the error
    # is the caller's and the work started is cancelled
    closed = []
    close = dataset._LocalRunner.close

    def recorded(self, *, cancel=False):
        closed.append(cancel)
        close(self, cancel=cancel)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset._LocalRunner, "close", recorded)
    monkeypatch.setattr(dataset._Store, "open", broken)
    with pytest.raises(OSError, match="No space left"):
        extract(files, "mel", tmp_path / "s.zarr", sr=SR, workers=2, **MEL)
    assert closed == [True]


def test_toml_config(tmp_path, files):
    config = tmp_path / "features.toml"
    config.write_text(textwrap.dedent("""
        sr = 16000
        clip = 0.25

        [features.mel]
        n_fft = 512
        hop_length = 128
        n_mels = 40

        [features.stft]
        n_fft = 512
        hop_length = 128
    """))
    cfg = ExtractConfig.build(config=config)
    assert list(cfg.features) == ["mel", "stft"] and cfg.clip_hop == 0.25
    assert cfg.features["mel"]["win_length"] == 512 and cfg.features["mel"]["fmax"] == 8000.0
    # options and feature selection override the file
    over = ExtractConfig.build("mel", config=config, n_mels=64, clip=None)
    assert list(over.features) == ["mel"] and over.features["mel"]["n_mels"] == 64
    assert over.clip == 0.25  # None means "not given"
    assert ExtractConfig.build(config=cfg.to_dict()) == cfg

    config.write_text("sr = 16000\nhop = 3\n")
    with pytest.raises(gaborcore.ParameterError, match="unknown option hop"):
        ExtractConfig.build(config=config)
    config.write_text("sr = \n")
    with pytest.raises(gaborcore.ParameterError, match="not valid TOML"):
        ExtractConfig.build(config=config)
    with pytest.raises(gaborcore.ParameterError, match="does not exist"):
        ExtractConfig.build(config=tmp_path / "missing.toml")


# ---- bounded work in flight ------------------------------------------------------------------

class _Instant:
    """A runner whose tasks finish at once (the writer is the slow side), recording submissions."""

    slots = 2
    description = "instant"

    def __init__(self):
        self.submitted = []

    def submit(self, fn, config_json, batch, backend):
        from concurrent.futures import Future

        self.submitted.append(batch)
        future = Future()
        future.set_result(None)
        return future


@pytest.mark.parametrize("batch_bytes, per_slot", [(None, 2), (1 << 20, 16), (20 << 20, 2),
                                                    (8 << 20, 4)])
def test_results_waiting_are_bounded(batch_bytes, per_slot):
    # however many files, at most ``depth`` batches are submitted and not yet taken: the
    # results waiting to be written (memory) do not grow with the number of files
    todo = [(i, f"f{i}.wav") for i in range(1000)]
    runner = _Instant()
    jobs = dataset._Jobs(todo, runner, "{}", None, 3, batch_bytes)
    assert jobs.depth == per_slot * runner.slots
    assert len(jobs.window) == jobs.depth  # submitted at once: computed while the store is made
    taken = []
    while jobs.window:
        assert len(jobs.window) <= jobs.depth
        batch, _ = jobs.window.popleft()
        taken.append(batch)
        jobs.fill()
    assert [i for b in taken for i, _ in b] == list(range(1000))  # in order, each file once
    assert runner.submitted == taken


def test_joined_rows_without_a_copy():
    # a batch's files are given consecutive slices of its output: the writer takes them as one
    # view; anything else is concatenated
    a = np.arange(5 * 3 * 2, dtype=np.float32).reshape(5, 3, 2)
    parts = [a[0:1], a[1:3], a[3:3], a[3:5]]
    for parts, want in (([a[0:1], a[1:3], a[3:3], a[3:5]], a), ([a[1:2], a[2:4]], a[1:4])):
        joined = dataset._joined(parts)
        assert np.shares_memory(joined, a) and joined.shape == want.shape
        np.testing.assert_array_equal(joined, want)
    for parts in ([a[0:1], a[2:3]], [a[1:2], a[0:1]], [a[0:2], a[2:4].copy()],
                  [a[0:1, :2], a[1:2, :2]], [a[0:1], np.zeros((1, 3, 2), np.float32)]):
        joined = dataset._joined(parts)
        assert not np.shares_memory(joined, a)
        np.testing.assert_array_equal(joined, np.concatenate(parts))
    assert dataset._joined([a[2:4]]) is not None and dataset._joined([a]) is a


@pytest.mark.parametrize("n", [0, 1, 5, 16, 63, 64, 65, 100, 1000])
@pytest.mark.parametrize("size, slots", [(16, 2), (1, 1), (5, 3), (64, 8)])
def test_batches_end_small(n, size, slots):
    todo = list(range(n))
    batches = dataset._batches(todo, size, slots)
    assert [i for b in batches for i in b] == todo and all(batches)
    small = max(1, size // 4)
    sizes = [len(b) for b in batches]
    if small == size:
        assert sizes == [size] * (n // size) + ([n % size] if n % size else [])
        return
    k = next((i for i, m in enumerate(sizes) if m < size), len(sizes))  # the first small one
    assert all(m == size for m in sizes[:k]) and all(m <= small for m in sizes[k:])
    assert sum(sizes[k:]) < 2 * slots * size + size  # only the end is cut finer
    assert n <= 2 * slots * size or sum(sizes[k:]) >= 2 * slots * size


def _documents(store) -> dict:
    """Every ``zarr.json`` of a store, parsed, by folder; the group's without its timestamps."""
    import json

    docs = {}
    for root, _, names in os.walk(store):
        if "zarr.json" in names:
            with open(os.path.join(root, "zarr.json")) as f:
                docs[os.path.relpath(root, store)] = json.load(f)
    meta = docs["."]["attributes"]["gaborcore"]
    del meta["created"], meta["runs"]
    return docs


@pytest.mark.skipif(not dataset._ZARR3, reason="zarr 3 stores only")
@pytest.mark.parametrize("kind", ["clips-lz4", "clips-none", "ragged-zstd", "channels-lz4"])
def test_store_made_directly_is_what_zarr_makes(tmp_path, files, monkeypatch, kind):
    # a new store's arrays are made by writing the zarr.json that zarr makes from a document of
    # the Zarr 3 specification: byte for byte the metadata of zarr's create_array, and the same
    # store once the job has run; the array objects handed to the writer are usable as made
    layout, compression = kind.split("-")
    opts = {"clips": dict(clip=0.25), "ragged": {}, "channels": dict(clip=0.25, channels=2)}
    feature = ["mel", "stft"] if layout == "ragged" else ["mel", "cqt"]
    made = {}
    direct = []
    real_direct = dataset._create_direct
    for how in ("direct", "zarr"):
        if how == "zarr":
            monkeypatch.setattr(dataset, "_create_direct", lambda *a: None)
        else:
            monkeypatch.setattr(dataset, "_create_direct",
                                lambda *a: direct.append(real_direct(*a)) or direct[-1])
        calls = []
        real = dataset._create

        def spy(*args, real=real, calls=calls):
            arr = real(*args)
            calls.append(type(arr))
            return arr

        monkeypatch.setattr(dataset, "_create", spy)
        made[how] = tmp_path / f"{how}.zarr"
        fs = files[:2] if layout == "channels" else files  # the stereo files
        extract(fs, feature, made[how], sr=SR, compression=compression,
                **opts[layout], **MEL)
        monkeypatch.setattr(dataset, "_create", real)
        assert calls and all(c is zarr.Array for c in calls)
        if how == "direct":  # every array of the store made directly
            assert len(direct) == len(calls) and None not in direct
    assert _documents(made["direct"]) == _documents(made["zarr"])
    assert_same_store(made["direct"], made["zarr"])
    for folder in _documents(made["direct"]):  # serialised as zarr serialises them
        if folder != ".":
            assert ((made["direct"] / folder / "zarr.json").read_bytes()
                    == (made["zarr"] / folder / "zarr.json").read_bytes()), folder


@pytest.mark.skipif(not dataset._ZARR3, reason="zarr 3 stores only")
def test_array_documents_match_zarr(tmp_path):
    # every dtype, fill value and compression this module makes arrays with, made both ways
    specs = [("f32", (0, 4, 3), (5, 4, 3), "float32", 0, "lz4"),
             ("c64", (0, 4, 3), (5, 4, 3), "complex64", 0, "zstd"),
             ("f64n", (7,), (16,), "float64", float("nan"), None),
             ("f32i", (7,), (16,), "float32", float("-inf"), "none"),
             ("i8", (7,), (16,), "int8", 0, None), ("i64", (0,), (16,), "int64", -1, None),
             ("i16", (3,), (4,), "int16", 0, None), ("i32", (3,), (4,), "int32", 0, None),
             ("text", (5,), (16,), str, "", None), ("b1", (4, 0), (4, 64), "float32", 0, "lz4")]
    g = zarr.open_group(tmp_path / "direct.zarr", mode="w")
    h = zarr.open_group(tmp_path / "zarr.zarr", mode="w")
    for name, *spec in specs:
        a = dataset._create_direct(g, name, *spec)
        assert a is not None, name
        b = h.create_array(name, shape=spec[0], chunks=spec[1], dtype=spec[2],
                           fill_value=spec[3], chunk_key_encoding=dataset._FLAT_KEYS,
                           **({} if spec[4] is None else dataset._codecs(spec[4])))
        assert ((tmp_path / "direct.zarr" / name / "zarr.json").read_bytes()
                == (tmp_path / "zarr.zarr" / name / "zarr.json").read_bytes()), name
        reread = zarr.open_group(tmp_path / "direct.zarr", mode="r")[name]
        for arr in (a, reread):
            assert (arr.shape, arr.chunks, arr.dtype) == (b.shape, b.chunks, b.dtype), name
            assert np.array_equal(arr.fill_value, b.fill_value, equal_nan=arr.dtype.kind in "fc"), name
    # an array already there, another store: made through zarr instead
    assert dataset._create_direct(g, "f32", *specs[0][1:]) is None
    mem = zarr.open_group(zarr.storage.MemoryStore(), mode="w")
    assert dataset._create_direct(mem, "x", (3,), (4,), "int8", 0, None) is None
    assert not list((tmp_path / "direct.zarr").rglob("*.partial"))


@pytest.mark.skipif(not dataset._ZARR3, reason="zarr 3 stores only")
def test_group_attribute_written_as_zarr_writes_it(tmp_path):
    value = {"n_files": 3, "nan": "NaN", "runs": [{"files": 2}], "text": "é/ü"}
    direct = zarr.open_group(tmp_path / "direct.zarr", mode="w", attributes={"other": 1})
    made = zarr.open_group(tmp_path / "zarr.zarr", mode="w", attributes={"other": 1})
    for _ in range(2):  # a new attribute, then a changed one
        assert dataset._set_group_attribute(direct, "gaborcore", value)
        made.attrs["gaborcore"] = value
        assert ((tmp_path / "direct.zarr" / "zarr.json").read_bytes()
                == (tmp_path / "zarr.zarr" / "zarr.json").read_bytes())
        assert dict(direct.attrs) == {"other": 1, "gaborcore": value}  # seen by the object
        assert dict(zarr.open_group(tmp_path / "direct.zarr", mode="r").attrs) == dict(made.attrs)
        value = {**value, "n_files": 4}
    mem = zarr.open_group(zarr.storage.MemoryStore(), mode="w")
    assert not dataset._set_group_attribute(mem, "gaborcore", value)  # through zarr instead
    assert not list((tmp_path / "direct.zarr").glob("*.partial"))


@pytest.mark.skipif(not dataset._ZARR3, reason="zarr 3 stores only")
def test_grow_writes_what_zarr_resize_writes(tmp_path):
    # the direct appender grows an array by writing its zarr.json itself: the same bytes as
    # zarr's resize, seen by the array object and by a fresh reader; shrinking is left to zarr
    made = {}
    for name in ("grown", "resized"):
        g = zarr.open_group(tmp_path / name, mode="w")
        made[name] = dataset._create(g, "mel", (0, 4, 3), (5, 4, 3), "float32", 0, "lz4")
    files = dataset._ChunkFiles.of(made["grown"])
    assert files is not None and files.grow((7, 4, 3))
    made["resized"].resize((7, 4, 3))
    assert made["grown"].shape == (7, 4, 3)
    assert ((tmp_path / "grown" / "mel" / "zarr.json").read_bytes()
            == (tmp_path / "resized" / "mel" / "zarr.json").read_bytes())
    assert zarr.open_group(tmp_path / "grown", mode="r")["mel"].shape == (7, 4, 3)
    assert not files.grow((6, 4, 3)) and not files.grow((8, 4))  # shrinking, another rank
    assert made["grown"].shape == (7, 4, 3)
    assert not list((tmp_path / "grown" / "mel").glob("*.partial"))


def test_chunks_in_flight_are_bounded(tmp_path):
    # full chunks wait for the writing threads: at most _CHUNKS_IN_FLIGHT per thread at a time,
    # in order, each written once, and a commit (flush) waits for all of them
    from concurrent.futures import ThreadPoolExecutor

    g = zarr.open_group(tmp_path / "s.zarr", mode="w")
    arr = dataset._create(g, "mel", (0, 3), (2, 3), "float32", 0, "none")
    written, peak = [], []
    gate = threading.Semaphore(0)

    class SlowFiles:
        def write(self, axis, index, chunk):
            gate.acquire()
            written.append((index, np.array(chunk)))

    with ThreadPoolExecutor(2) as pool:
        app = dataset._ChunkAppender(arr, 0, SlowFiles(), pool, threads=2)
        limit = dataset._CHUNKS_IN_FLIGHT * 2
        for i in range(12):
            if len(app.inflight) == limit:
                gate.release()  # let one chunk through, or the next append would wait forever
            app.append(np.full((2, 3), i, np.float32))
            peak.append(len(app.inflight))
        for _ in range(12):
            gate.release()
        app.flush()
    assert max(peak) == limit and not app.inflight
    assert sorted(i for i, _ in written) == list(range(12))
    for i, chunk in written:
        np.testing.assert_array_equal(chunk, np.full((2, 3), i, np.float32))


def test_chunk_threads_only_with_cores_to_spare(monkeypatch):
    for cores, workers, local, want in [(2, 2, 2, 0), (2, 1, 1, 0), (4, 2, 2, 1), (16, 12, 12, 3),
                                        (64, 48, 48, 12), (64, 8, 8, 2), (4, 64, 0, 3),
                                        (32, 200, 0, 16), (8, 100, 8, 0)]:
        monkeypatch.setattr(dataset, "_cores", lambda cores=cores: cores)
        assert dataset._chunk_threads(workers, local) == want, (cores, workers, local)


def test_local_dask_workers():
    assert dataset._is_local("tcp://127.0.0.1:40123") and dataset._is_local("tcp://[::1]:1")
    assert dataset._is_local("inproc://localhost:7")
    assert not dataset._is_local("tcp://203.0.113.9:8786")  # (an address for documentation)
