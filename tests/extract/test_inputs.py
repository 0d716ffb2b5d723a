"""Inputs (manifests, fsspec), Dask, the job's arguments and configuration."""

import os
import sys
import textwrap

import numpy as np
import pytest

import gaborcore
from gaborcore.extract import ExtractConfig, extract, open_store
from gaborcore.extract import store as store_module

from .common import MEL, SR, assert_same_store, decoded, store_arrays

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
    y = decoded(files[5])
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
        part = decoded(files[i])[:4000]
        y[:part.shape[0]] = part
        want = gaborcore.MelSpectrogram(sr=SR, **MEL)(y)
        np.testing.assert_allclose(s.feature("mel", i)[0], want, rtol=1e-6,
                                   atol=1e-7 * want.max())
    fs.rm("/h15in", recursive=True)
    fs.rm("/h15out", recursive=True)


def test_fsspec_local_urls(tmp_path, files, reference):
    store = "file://" + str(tmp_path / "u.zarr")
    extract(["file://" + p for p in files], ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    a, b = store_arrays(tmp_path / "u.zarr"), store_arrays(reference)
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
