"""The extraction job's store against the library, and as xarray and a DataLoader read it."""

import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile
import zarr

import gaborcore
from gaborcore import io
from gaborcore.extract import ExtractConfig, extract, open_store

from .common import BAD, GOOD, MEL, SR, assert_same_store, decoded, make_signal

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
        y = decoded(path)
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
        soundfile.write(d / name, make_signal(frames, SR, ch, i), SR, subtype=subtype)
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
        y = decoded(path)
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
    y = make_signal(1472, SR, 1, 3)[:, 0]
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
    y = decoded(files[1], channels=2)
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
    y = decoded(files[5])
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
    part = decoded(files[5])[:4000]
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
    part = decoded(files[0])[:4000]
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
    y = decoded(files[5])
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
