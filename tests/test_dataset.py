"""The extraction job (gaborcore.extract): store contents against the library, the store as
xarray and a DataLoader read it, failures, resume, byte-identical results, Dask, inputs, arguments."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile
import zarr

import gaborcore
from gaborcore import io
from gaborcore.extract import ExtractConfig, extract, open_store
from gaborcore.extract import job as job_module
from gaborcore.extract import layout as layout_module
from gaborcore.extract import store as store_module
from gaborcore.extract import writer as writer_module
from gaborcore.extract.features import prepared

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


def _chunk_files(store):
    """The bytes of every chunk file of a local store, by relative path."""
    out = {}
    for root, _, names in os.walk(store):
        for name in names:
            if name != "zarr.json":
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, store)] = f.read()
    return out


def assert_same_store(a, b):
    """Same arrays (values to the bit, shapes, dtypes), same chunk files byte for byte, same
    attributes but for the log of runs."""
    xa, xb = _arrays(a), _arrays(b)
    assert sorted(xa) == sorted(xb)
    for name in xa:
        assert xa[name].shape == xb[name].shape and xa[name].dtype == xb[name].dtype, name
        if xa[name].dtype.kind in "fc":
            assert xa[name].tobytes() == xb[name].tobytes(), name
        else:
            assert xa[name].tolist() == xb[name].tolist(), name
    ca, cb = _chunk_files(a), _chunk_files(b)
    assert sorted(ca) == sorted(cb)
    assert [k for k in ca if ca[k] != cb[k]] == []
    meta = [dict(zarr.open_group(os.fspath(s), mode="r").attrs)["gaborcore"] for s in (a, b)]
    for m in meta:
        del m["runs"], m["created"]
    assert meta[0] == meta[1]


MEL = dict(n_fft=512, hop_length=128, n_mels=40)


@pytest.fixture(autouse=True, params=["direct", "zarr"])
def chunk_writes(request, monkeypatch):
    """Every test twice: whole feature chunks written into their files by
    :mod:`gaborcore.extract.chunkfiles` (the default), and every chunk through zarr.  The
    module-scoped reference stores are made with the default, so the comparisons with them
    also compare the two paths byte for byte."""
    monkeypatch.setenv("GABORCORE_ZARR_DIRECT", "1" if request.param == "direct" else "0")
    return request.param


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
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # io.read's mean of j.wav
def test_rows_decoded_directly(tmp_path, monkeypatch, pad):
    # plain WAV files at the job's rate of at most one clip are decoded straight into the batch
    # (io.read_rows, no GIL): the same store, to the byte, as the general path
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
    real = io.read_rows

    def spy(paths, out, sr):
        table = real(paths, out, sr)
        if table is not None:
            taken.extend(os.path.basename(p) for p, t in zip(paths, table[:, 0], strict=True)
                         if t == 0)
        return table

    monkeypatch.setattr(io, "read_rows", spy)
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


def test_absent_feature_and_file_are_clear_errors(tmp_path, files):
    extract(files[:2], "mel", tmp_path / "s.zarr", sr=SR, **MEL)
    s = open_store(tmp_path / "s.zarr")
    with pytest.raises(gaborcore.ParameterError, match=r"feature='absent' is not in this store; "
                                                       r"it holds \['mel'\]"):
        s.feature("absent", 0)
    with pytest.raises(gaborcore.ParameterError, match="feature='stft' is not in this store"):
        s.frequencies("stft")
    with pytest.raises(gaborcore.ParameterError, match="is not in this store"):
        s.feature("mel", "/nowhere.wav")
    with pytest.raises(gaborcore.ParameterError, match="out of range"):
        s.feature("mel", 2)


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
        t = s.group["mel_time"][frames:frames + want.shape[1]]
        np.testing.assert_allclose(t, np.arange(want.shape[1]) * 128 / SR)
        frames += want.shape[1]
    assert s.group["mel"].shape == (40, frames) and s.group["stft"].shape == (257, frames)
    meta = s.attrs["features"]
    assert meta["mel"]["dims"] == ["mel_frequency", "mel_frame"]
    assert meta["mel"]["hop_seconds"] == 128 / SR
    assert s.attrs["version"] == gaborcore.__version__
    assert s.config == ExtractConfig.build(["stft", "mel"], sr=SR, **MEL).to_dict()


def test_short_files_are_padded_as_librosa_pads(tmp_path):
    # files shorter than n_fft (1472 samples, as two real system sounds) are centred and padded
    # with center=True, not failed
    path = tmp_path / "short.wav"
    y = _signal(1472, SR, 1, 3)[:, 0]
    soundfile.write(path, y, SR, subtype="FLOAT")
    report = extract([path], "mel", tmp_path / "s.zarr", sr=SR, n_fft=2048, n_mels=40)
    assert (report.n_ok, report.n_failed) == (1, 0)
    got = open_store(tmp_path / "s.zarr").feature("mel", 0)
    with pytest.warns(UserWarning, match="too large"):
        want = gaborcore.MelSpectrogram(sr=SR, n_fft=2048, n_mels=40)(y)
    assert got.shape == want.shape == (40, 1 + 1472 // 512)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7 * want.max())


def test_channels_kept_and_mono_duplicated(tmp_path, files):
    store = tmp_path / "st.zarr"
    report = extract(files[:6], "stft", store, sr=SR, channels=2, clip=0.2, n_fft=256,
                     hop_length=128)
    s = open_store(store)
    # mono files are duplicated to both channels (source_channels says 1), stereo ones kept
    assert report.n_failed == 0 and s.status.tolist() == [1] * 6
    assert s.group["source_channels"][:6].tolist() == [1, 2, 1, 1, 2, 1]
    got = s.feature("stft", 1)
    assert got.shape == (2, 2, 129, 26)
    y = _decoded(files[1], channels=2)
    want = gaborcore.spectrogram(y[:, :3200], n_fft=256, hop_length=128)
    np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-7 * want.max())
    mono = s.feature("stft", 0)
    assert mono.tobytes() == np.repeat(mono[:, :1], 2, axis=1).tobytes()
    assert s.group["channel"][:].tolist() == [0, 1]


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
    assert s.group["mel"].attrs["units"] == "dB"


@pytest.mark.skipif(not hasattr(gaborcore, "mfcc"), reason="gaborcore.mfcc not there yet")
def test_mfcc(tmp_path, files):
    extract(files[:6], "mfcc", tmp_path / "m.zarr", sr=SR, clip=0.25, n_mfcc=13, **MEL)
    s = open_store(tmp_path / "m.zarr")
    y = np.zeros(4000, np.float32)
    part = _decoded(files[5])[:4000]
    y[:part.shape[0]] = part
    S = gaborcore.power_to_db(gaborcore.MelSpectrogram(sr=SR, **MEL)(y), top_db=80.0)
    want = gaborcore.mfcc(S=S, n_mfcc=13)
    got = s.feature("mfcc", 5)[0]
    assert got.shape == (13, 32)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


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
    assert s.group["nsgt_band_length"][:].tolist() == plan.bands.M.tolist()
    np.testing.assert_allclose(s.frequencies("nsgt"), plan.bands.centre_hz)

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


# ---- the store as the ecosystem reads it ------------------------------------------------------

def test_xarray_reads_the_store(tmp_path, files):
    xarray = pytest.importorskip("xarray")
    store = tmp_path / "x.zarr"
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    group = zarr.open_group(os.fspath(store), mode="r")
    for name in group.array_keys():  # every array names its axes
        assert group[name].metadata.dimension_names is not None, name
    assert "consolidated_metadata" in group.metadata.to_dict()
    ds = xarray.open_zarr(store)
    assert ds["mel"].dims == ("clip", "mel_frequency", "mel_time")
    assert ds["mel"].attrs["units"] == "power" and ds["mel"].attrs["sr"] == SR
    assert ds["mel"].attrs["hop_length"] == 128 and ds["mel"].attrs["n_fft"] == 512
    assert ds["mel"].attrs["window"] == "hann" and ds["mel"].attrs["scale"] == "mel"
    assert "float32" in ds["mel"].attrs["dtype_policy"]
    np.testing.assert_allclose(ds["mel_frequency"], open_store(store).frequencies("mel"))
    assert ds["mel_frequency"].attrs["units"] == "Hz"
    np.testing.assert_allclose(ds["mel_time"], np.arange(32) * 128 / SR)
    assert ds["stft_frequency"].values[-1] == SR / 2
    assert "clip_file" in ds["mel"].coords and ds.sizes["file"] == 8
    s = open_store(store)
    np.testing.assert_array_equal(ds["mel"].isel(clip=slice(0, 3)).values, s.feature("mel", 0))
    xs = s.to_xarray()
    assert xs["mel"].dims == ds["mel"].dims and xs.sizes == ds.sizes

    extract(files, ["mel"], tmp_path / "r.zarr", sr=SR, **MEL)
    ds = xarray.open_zarr(tmp_path / "r.zarr")
    assert ds["mel"].dims == ("mel_frequency", "mel_frame") and "mel_time" in ds["mel"].coords


def _collate_check(batch):
    return batch


def test_torch_dataloader_reads_the_store(tmp_path, files):
    torch = pytest.importorskip("torch")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,label\n" + "".join(f"{p},{'ab'[i % 2]}\n"
                                                 for i, p in enumerate(files)))
    store = tmp_path / "t.zarr"
    extract(manifest, "mel", store, sr=SR, clip=0.25, **MEL)
    s = open_store(store)
    ds = s.dataset("mel")
    n_rows = int(s.group["count"][:].sum())
    assert len(ds) == n_rows
    item = ds[0]
    assert item["features"].shape == (40, 32) and item["label"] == "a" and item["file"] == 0
    np.testing.assert_array_equal(ds[-1]["features"], s.feature("mel", 5)[-1])
    with pytest.raises(IndexError):
        ds[len(ds)]
    loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2, shuffle=False)
    seen = 0
    for batch in loader:
        assert batch["features"].dtype == torch.float32 and batch["features"].shape[1:] == (40, 32)
        assert set(batch["label"]) <= {"a", "b"}
        seen += batch["features"].shape[0]
    assert seen == n_rows
    # gaborcore itself never imports torch
    code = (f"import sys, gaborcore.extract as e; d = e.open_store({str(store)!r}).dataset(); "
            "d[0]; print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


# ---- resume and byte-identical results --------------------------------------------------------

@pytest.fixture(scope="module")
def reference(tmp_path_factory, files):
    """The store of an uninterrupted run."""
    store = tmp_path_factory.mktemp("ref") / "ref.zarr"
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    return store


@pytest.fixture(scope="module")
def small_chunks(tmp_path_factory, files):
    """The store of an uninterrupted run with chunks of a few rows (as the killed runs make)."""
    import gaborcore.extract.layout as layout

    store = tmp_path_factory.mktemp("ref") / "small.zarr"
    saved, layout.CHUNK_BYTES = layout.CHUNK_BYTES, 3000
    try:
        extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    finally:
        layout.CHUNK_BYTES = saved
    return store


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


# ---- inputs at scale -------------------------------------------------------------------------

def test_manifest_columns_are_carried(tmp_path, files):
    manifest = tmp_path / "m.tsv"
    rows = ["path\tid\tlabel\tstart\tend", f"{files[5]}\tx1\tdog\t0.25\t0.75",
            f"{files[5]}\tx2\tcat\t\t", f"{os.path.relpath(files[0], tmp_path)}\tx3\tdog\t0.1\t"]
    manifest.write_text("\n".join(rows) + "\n")
    report = extract(manifest, "mel", tmp_path / "m.zarr", sr=SR, clip=0.25, **MEL)
    assert (report.n_ok, report.n_failed) == (3, 0)
    s = open_store(tmp_path / "m.zarr")
    assert s.group["id"][:].tolist() == ["x1", "x2", "x3"]
    assert s.group["label"][:].tolist() == ["dog", "cat", "dog"]
    assert s.files == [files[5], files[5], files[0]]
    np.testing.assert_array_equal(s.group["start"][:], [0.25, np.nan, 0.1])
    np.testing.assert_array_equal(s.group["end"][:], [0.75, np.nan, np.nan])
    # the part of the file: 0.25 s to 0.75 s of f_pcm16.wav is two clips, its whole is four
    assert s.group["count"][:].tolist() == [2, 4, 2]
    y = _decoded(files[5])
    np.testing.assert_array_equal(s.feature("mel", 0), s.feature("mel", 1)[1:3])
    np.testing.assert_allclose(s.group["duration"][:], [0.5, 1.0, 0.45], atol=1e-3)
    assert y.shape[0] == SR
    again = extract(manifest, "mel", tmp_path / "m.zarr", sr=SR, clip=0.25, **MEL)
    assert again.n_skipped == 3  # entries known by id


@pytest.mark.parametrize("text, message", [
    ("file,label\na.wav,x\n", "allowed: .*path required"),
    ("path,label,colour\na.wav,x,red\n", "allowed"),
    ("path,start,end\na.wav,1.0,0.5\n", "end=0.5 must be after start=1.0"),
    ("path,start\na.wav,-1\n", "start='-1' must be a number of seconds"),
    ("path,id\na.wav,k\nb.wav,k\n", "id 'k' is given twice"),
    ("", "is empty"),
])
def test_bad_manifests(tmp_path, text, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(gaborcore.ParameterError, match=message):
        extract(manifest, "mel", tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_fsspec_memory_inputs_and_store(files):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for p in files[:3]:
        fs.pipe(f"/h15in/{os.path.basename(p)}", open(p, "rb").read())
    report = extract("memory://h15in", "mel", "memory://h15out/f.zarr", sr=SR, clip=0.25, **MEL)
    assert (report.n_ok, report.n_failed) == (3, 0)
    s = open_store("memory://h15out/f.zarr")
    assert s.files == [f"memory:///h15in/{os.path.basename(p)}" for p in files[:3]]
    local = extract(files[:3], "mel", None or "unused", sr=SR, clip=0.25, dry_run=True, **MEL)
    assert local.dry_run
    for i in range(3):
        y = np.zeros(4000, np.float32)
        part = _decoded(files[i])[:4000]
        y[:part.shape[0]] = part
        want = gaborcore.MelSpectrogram(sr=SR, **MEL)(y)
        np.testing.assert_allclose(s.feature("mel", i)[0], want, rtol=1e-6,
                                   atol=1e-7 * want.max())
    fs.rm("/h15in", recursive=True)
    fs.rm("/h15out", recursive=True)


def test_fsspec_local_urls(tmp_path, files, reference):
    store = "file://" + str(tmp_path / "u.zarr")
    extract(["file://" + p for p in files], ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    a, b = _arrays(tmp_path / "u.zarr"), _arrays(reference)
    assert a["mel"].tobytes() == b["mel"].tobytes()


def test_dry_run_writes_nothing(tmp_path, files):
    store = tmp_path / "s.zarr"
    report = extract(files, "mel", store, sr=SR, dry_run=True, **MEL)
    assert report.dry_run and report.n_ok == 8 and not store.exists()
    extract(files[:3], "mel", store, sr=SR, **MEL)
    report = extract(files, "mel", store, sr=SR, dry_run=True, **MEL)
    assert (report.n_ok, report.n_skipped) == (5, 3) and "dry run" in report.summary()
    assert open_store(store).status.tolist() == [1, 1, 1]
    with pytest.raises(gaborcore.ParameterError, match="other parameters"):
        extract(files, "mel", store, sr=SR, dry_run=True, **{**MEL, "n_mels": 20})


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
        (dict(feature="mel", workers=2, scheduler="local:2"), "workers=2 applies to the local"),
        (dict(feature="mel", compression="gzip"), "compression='gzip'"),
        (dict(feature="mel", batch_size=0), "batch_size=0"),
        (dict(feature="mel", n_fft=256, win_length=512), "win_length=512 must be at most"),
        (dict(feature="mel", dry_run="yes"), "dry_run='yes' must be true or false"),
        (dict(feature="mfcc", lifter=-1), "lifter=-1 must be a non-negative number"),
        (dict(feature="mfcc", n_mfcc=200), "n_mfcc=200 must be at most 128"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, files, kwargs, message):
    store = tmp_path / "s.zarr"
    with pytest.raises(gaborcore.ParameterError, match=message):
        extract(files, store=store, **kwargs)
    assert not store.exists()


def test_hop_defaults_to_a_quarter_window():
    cfg = ExtractConfig.build("mel", n_fft=256, n_mels=20)
    assert cfg.features["mel"]["hop_length"] == 64 and cfg.features["mel"]["win_length"] == 256
    assert ExtractConfig.build("stft", n_fft=512, win_length=400).features["stft"][
        "hop_length"] == 100
    assert ExtractConfig.build("mel").features["mel"]["hop_length"] == 512


def test_missing_input_writes_nothing(tmp_path, files):
    with pytest.raises(gaborcore.ParameterError, match="nope.wav' does not exist"):
        extract([*files, tmp_path / "nope.wav"], "mel", tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_store_that_cannot_be_made(tmp_path, files, monkeypatch):
    # the workers start on a new store's files while it is made; if making it fails, the error
    # is the caller's and the work started is cancelled
    from gaborcore.extract import runners

    closed = []
    close = runners.LocalRunner.close

    def recorded(self, *, cancel=False):
        closed.append(cancel)
        close(self, cancel=cancel)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runners.LocalRunner, "close", recorded)
    monkeypatch.setattr(store_module.Store, "open", broken)
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


def test_deprecated_alias(monkeypatch):
    import importlib

    monkeypatch.delitem(sys.modules, "gaborcore.dataset", raising=False)  # (imported before)
    with pytest.warns(DeprecationWarning, match="gaborcore.extract"):
        import gaborcore.dataset
    with pytest.warns(DeprecationWarning, match="gaborcore.extract"):
        importlib.reload(gaborcore.dataset)
    assert gaborcore.dataset.extract is extract


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
    todo = list(range(1000))
    runner = _Instant()
    jobs = job_module.Jobs(todo, runner, "{}", None, 3, batch_bytes)
    assert jobs.depth == per_slot * runner.slots
    assert len(jobs.window) == jobs.depth  # submitted at once: computed while the store is made
    taken = []
    while jobs.window:
        assert len(jobs.window) <= jobs.depth
        batch, _ = jobs.window.popleft()
        taken.append(batch)
        jobs.fill()
    assert [i for b in taken for i in b] == list(range(1000))  # in order, each file once
    assert runner.submitted == taken


@pytest.mark.parametrize("n", [0, 1, 5, 16, 63, 64, 65, 100, 1000])
@pytest.mark.parametrize("size, slots", [(16, 2), (1, 1), (5, 3), (64, 8)])
def test_batches_end_small(n, size, slots):
    todo = list(range(n))
    batches = job_module.batches(todo, size, slots)
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


def test_writes_are_whole_chunks(tmp_path, files, monkeypatch):
    # every feature write covers whole chunks from a chunk boundary (zarr never reads a chunk
    # back to merge it) but for the last, padded chunk of a commit
    import gaborcore.extract.layout as layout

    monkeypatch.setattr(layout, "CHUNK_BYTES", 3000)
    writes = []
    store_rows = writer_module.RowAppender.write_rows

    def spy(self, a, b, data, grow):
        if self.arr.basename == "mel":
            writes.append((a, b, self.chunk))
        store_rows(self, a, b, data, grow)

    monkeypatch.setattr(writer_module.RowAppender, "write_rows", spy)
    extract(files, "mel", tmp_path / "s.zarr", sr=SR, clip=0.25, batch_size=3, **MEL)
    assert writes and all(a % c == 0 and (b - a) % c == 0 for a, b, c in writes)


def test_check_finite_switch_of_the_plans():
    # the job's decoded PCM clips are finite: it asks the plans not to look (check_finite=False)
    y = np.random.default_rng(1).standard_normal((3, 4000)).astype(np.float32)
    plan = gaborcore.STFT(n_fft=512, hop_length=128)
    mel = gaborcore.MelSpectrogram(sr=SR, **MEL)
    assert plan.spectrogram(y, check_finite=False).tobytes() == plan.spectrogram(y).tobytes()
    assert mel(y, check_finite=False).tobytes() == mel(y).tobytes()
    y[1, 100] = np.nan
    with pytest.raises(gaborcore.ParameterError):
        plan.spectrogram(y)
    with pytest.raises(gaborcore.ParameterError):
        mel(y)
    assert np.isnan(mel(y, check_finite=False)[1]).any()


def test_fft_plans_are_the_same_in_every_process():
    # features are bit-identical between processes (a resumed job runs in another one): FFT
    # plans are chosen by FFTW's estimate, not by timing (see gaborcore._fftw.MEASURE), in the
    # STFT, mel, NSGT and cqt kernels alike
    code = ("import hashlib, numpy as np, gaborcore\n"
            "x = np.random.default_rng(0).standard_normal((37, 4000)).astype(np.float32)\n"
            "m = gaborcore.MelSpectrogram(sr=16000, n_fft=512, hop_length=128, n_mels=40)\n"
            "s = gaborcore.STFT(n_fft=1024, hop_length=256)\n"
            "n = gaborcore.NSGT(length=4000, sr=16000, fmin=60.0, fmax=6000.0)\n"
            "c = gaborcore.cqt(x[:3], sr=16000, hop_length=128, fmin=60.0, n_bins=48)\n"
            "print(hashlib.md5(m(x).tobytes() + s.spectrogram(x).tobytes()\n"
            "                  + n.forward(x).data.tobytes() + c.tobytes()).hexdigest())\n")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout for _ in range(4)}
    assert len(digests) == 1


def test_stores_of_the_old_layout_are_named(tmp_path, files):
    # a store of layout version 1 (gaborcore 0.1's dataset module) is not resumed: the message
    # says why and how to go on
    old = zarr.open_group(os.fspath(tmp_path / "old.zarr"), mode="w", zarr_format=3)
    old.attrs["gaborcore"] = {"format": 1, "ready": True, "config": {}, "n_files": 0}
    with pytest.raises(gaborcore.ParameterError, match="layout version 1.*writes 2.*overwrite"):
        extract(files[:1], "mel", tmp_path / "old.zarr", sr=SR, **MEL)
    assert extract(files[:1], "mel", tmp_path / "old.zarr", sr=SR, overwrite=True, **MEL).n_ok == 1


def test_feature_dataset_items_in_any_order(tmp_path, files, monkeypatch):
    # items read in order decode each chunk once; in any order they are the store's rows
    import gaborcore.extract.layout as layout

    monkeypatch.setattr(layout, "CHUNK_BYTES", 3 * 40 * 32 * 4)  # three rows per chunk
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,id,label\n" + "".join(f"{p},k{i},{'xy'[i % 2]}\n"
                                                   for i, p in enumerate(files)))
    extract(manifest, "mel", tmp_path / "s.zarr", sr=SR, clip=0.25, **MEL)
    s = open_store(tmp_path / "s.zarr")
    ds = s.dataset()
    want = s.group["mel"][:]
    order = list(range(len(ds))) + list(np.random.default_rng(0).permutation(len(ds)))
    for i in order:
        item = ds[int(i)]
        row = int(s.group["offset"][item["file"]]) + int(round(item["clip_start"] / 0.25))
        assert item["features"].tobytes() == want[row].tobytes()
        assert item["id"] == f"k{item['file']}" and item["label"] == "xy"[item["file"] % 2]
    assert len(ds) == int(s.group["count"][:6].sum())  # the failed entries give no item
    with pytest.raises(gaborcore.ParameterError, match="label='colour' is not an array"):
        s.dataset(label="colour")


def test_ragged_resume_gives_the_same_bytes(tmp_path, files, monkeypatch):
    # whole files: frames appended along the last axis (and their times along the first), cut
    # back to the last committed file on resume
    import gaborcore.extract.layout as layout

    monkeypatch.setattr(layout, "CHUNK_BYTES", 3000)  # 64 frames per chunk (the least)
    monkeypatch.setattr(writer_module, "COMMIT_FILES", 1)
    whole = tmp_path / "whole.zarr"
    extract(files, ["mel", "stft"], whole, sr=SR, **MEL)
    run_batch = job_module.run_batch
    calls = []

    def interrupted(config_json, items, backend):
        calls.append(items)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(job_module, "run_batch", interrupted)
    store = tmp_path / "s.zarr"
    with pytest.raises(KeyboardInterrupt):
        extract(files, ["mel", "stft"], store, sr=SR, batch_size=1, **MEL)
    assert open_store(store).status.tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    monkeypatch.setattr(job_module, "run_batch", run_batch)
    extract(files, ["mel", "stft"], store, sr=SR, batch_size=3, **MEL)
    assert_same_store(store, whole)


# ---- the shape of the writes --------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_clip_files(tmp_path_factory):
    """40 files of exactly one clip (0.25 s), noise."""
    d = tmp_path_factory.mktemp("one_clip")
    rng = np.random.default_rng(7)
    for i in range(40):
        soundfile.write(d / f"{i:02d}.wav", 0.1 * rng.standard_normal(SR // 4), SR,
                        subtype="PCM_16")
    return io.find_audio(d)


def test_default_batch_size_fills_whole_chunks():
    cfg = ExtractConfig.build("mel", sr=22050, clip=3.0, n_fft=2048, hop_length=512, n_mels=128)
    feats = prepared(cfg.to_json())[1]
    rows = layout_module.clip_rows(cfg, feats["mel"])
    assert rows == (2 << 20) // (128 * 130 * 4) == 31
    assert job_module.default_batch_size(cfg, feats) == 31
    assert job_module.default_batch_size(cfg, feats, distributed=True) == 93
    both = ExtractConfig.build(["mel", "stft"], sr=22050, clip=3.0, n_fft=2048, hop_length=512)
    feats = prepared(both.to_json())[1]
    rows = layout_module.clip_rows(both, feats["stft"])  # the larger feature's chunks
    assert rows == 3 and job_module.default_batch_size(both, feats) == 9
    whole = ExtractConfig.build("mel", sr=22050)
    feats = prepared(whole.to_json())[1]
    assert job_module.default_batch_size(whole, feats) == 16
    assert job_module.default_batch_size(whole, feats, distributed=True) == 64


def test_whole_batches_are_written_as_computed(tmp_path, one_clip_files, monkeypatch):
    # with the default batch size, a batch of one-clip files fills whole chunks, which go to
    # zarr as the kernel wrote them: only the chunks of the last, smaller batches are put
    # together in the writer's buffers; the store is the same as with any other batch size
    monkeypatch.setattr(layout_module, "CHUNK_BYTES", 4 * 40 * 32 * 4)  # 4 clips per chunk
    assembled = []
    take_buffer = writer_module.RowAppender._buffer

    def spy(self):
        if self.arr.basename == "mel":
            assembled.append(self.turn)
        return take_buffer(self)

    monkeypatch.setattr(writer_module.RowAppender, "_buffer", spy)
    kwargs = dict(sr=SR, clip=0.25, workers=1, **MEL)
    report = extract(one_clip_files, "mel", tmp_path / "a.zarr", **kwargs)
    assert report.n_ok == 40
    assert open_store(tmp_path / "a.zarr").group["mel"].chunks[0] == 4
    # batches of 8: three whole ones (6 chunks), then 16 files in batches of 2 (4 chunks)
    assert len(assembled) == 4
    extract(one_clip_files, "mel", tmp_path / "b.zarr", batch_size=3, **kwargs)
    assert len(assembled) > 4 + 6
    assert_same_store(tmp_path / "a.zarr", tmp_path / "b.zarr")


@pytest.mark.parametrize("with_config", [True, False])
def test_chunks_of_zeros_are_written(tmp_path, monkeypatch, with_config):
    # the writer opens the feature arrays with zarr's write_empty_chunks (else zarr compares
    # every chunk with the fill value first, and leaves out one of zeros): through
    # Array.with_config where zarr has it, through zarr's configuration where it does not
    if not with_config:
        monkeypatch.delattr(zarr.Array, "with_config", raising=False)
    d = tmp_path / "audio"
    d.mkdir()
    for i in range(3):
        soundfile.write(d / f"{i}.wav", np.zeros(SR // 4, np.float32), SR)
    store = tmp_path / "s.zarr"
    extract(d, "mel", store, sr=SR, clip=0.25, **MEL)
    assert (store / "mel" / "c.0.0.0").is_file()
    assert not open_store(store).feature("mel", 0).any()
    assert zarr.config.get("array.write_empty_chunks") is False  # zarr's default, restored


def test_torch_dataloader_on_a_ragged_store_with_padding(tmp_path, files):
    # the docs' recipe: a collate_fn padding whole files to the longest of the batch, run by
    # worker processes; the padded batches hold every file's matrix, zeros after its length
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate

    def pad_collate(items):
        longest = max(item["features"].shape[-1] for item in items)
        for item in items:
            f = item["features"]
            item["length"] = f.shape[-1]
            item["features"] = np.pad(f, [(0, 0)] * (f.ndim - 1) + [(0, longest - f.shape[-1])])
        return default_collate(items)

    store = tmp_path / "r.zarr"
    extract(files, "mel", store, sr=SR, **MEL)
    s = open_store(store)
    ds = s.dataset("mel")
    assert len(ds) == len(GOOD)
    loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2, shuffle=False,
                                         collate_fn=pad_collate)
    seen = []
    for batch in loader:
        x, lengths = batch["features"], batch["length"]
        assert x.shape[-1] == int(lengths.max()) and x.shape[1] == 40
        for row, n, entry in zip(x, lengths.tolist(), batch["file"].tolist(), strict=True):
            np.testing.assert_array_equal(row[:, :n].numpy(), s.feature("mel", entry))
            assert not row[:, n:].any()
            seen.append(entry)
    assert seen == [int(i) for i in np.flatnonzero(s.status == 1)]


def test_a_partly_filled_chunk_keeps_no_old_bytes(tmp_path, one_clip_files, monkeypatch):
    # a commit writes the rows of the last, partly filled chunk that lie inside the array: zarr
    # makes that chunk afresh (fill value past the end), keeping nothing of the rows an
    # interrupted run left in it, so that the bytes are those of an uninterrupted run
    monkeypatch.setattr(layout_module, "CHUNK_BYTES", 4 * 40 * 32 * 4)  # 4 clips per chunk
    kwargs = dict(sr=SR, clip=0.25, **MEL)
    extract(one_clip_files[:7], "mel", tmp_path / "ref.zarr", **kwargs)
    store = tmp_path / "s.zarr"
    extract(one_clip_files[:6], "mel", store, **kwargs)
    arr = zarr.open_group(os.fspath(store), mode="r+")["mel"]
    assert arr.shape == (6, 40, 32) and arr.chunks == (4, 40, 32)
    arr.resize((8, 40, 32))  # rows 6 and 7 of chunk 1 written, not committed: as a kill leaves
    arr[6:8] = 7.0
    arr.resize((6, 40, 32))
    extract(one_clip_files[:7], "mel", store, **kwargs)
    assert_same_store(store, tmp_path / "ref.zarr")
