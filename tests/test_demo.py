"""The demo job: files, store contents, features against the library, reproducibility."""

import csv

import numpy as np
import pytest
import soundfile
import zarr

import gaborcore
from gaborcore.demo import DemoConfig, run_demo, synthesize
from gaborcore.extract import open_store

N_SIGNALS, DURATION, SR = 6, 0.5, 22050
N_FFT, HOP, N_MELS = 1024, 256, 128


def _run(out_dir, **kwargs):
    params = dict(n_signals=N_SIGNALS, duration=DURATION, plot=False, progress=False)
    params.update(kwargs)
    return run_demo(out_dir, **params)


def _read_wav(path):
    """The samples as the extraction decodes them (PCM / 32768)."""
    info = soundfile.info(path)
    assert (info.channels, info.subtype, info.samplerate) == (1, "PCM_16", SR)
    return soundfile.read(path, dtype="float32")[0]


def _store_arrays(store):
    group = zarr.open_group(store, mode="r")
    return {name: group[name][:] for name in group.array_keys()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = _run(out)
    return out, result, _store_arrays(result["store"])


@pytest.fixture(scope="module")
def clips():
    return synthesize(DemoConfig(n_signals=N_SIGNALS, duration=DURATION))


def test_files_written(demo):
    out, result, a = demo
    assert result["png"] is None
    assert sorted(p.name for p in out.iterdir()) == ["audio", "features.zarr", "labels.csv"]
    assert len(result["audio_files"]) == N_SIGNALS
    assert sorted(p.name for p in (out / "audio").iterdir()) == sorted(
        p.rsplit("/", 1)[-1] for p in result["audio_files"])
    with open(out / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["label"] for r in rows] == result["labels"]
    assert len(set(result["labels"])) == N_SIGNALS  # six clips, six different labels
    assert set(result["labels"]) <= set(gaborcore.demo.LABELS)
    store = open_store(result["store"])
    assert store.files == [str(out / r["file"]) for r in rows] == result["audio_files"]
    assert store.status.tolist() == [1] * N_SIGNALS
    assert a["label"].tolist() == result["labels"]
    assert result["report"].n_ok == N_SIGNALS and result["audio_seconds"] == N_SIGNALS * DURATION


def test_array_shapes_and_dtypes(demo):
    _, result, a = demo
    n_frames = 1 + int(round(DURATION * SR)) // HOP
    assert a["stft"].shape == result["shape"] == (N_SIGNALS, N_FFT // 2 + 1, n_frames)
    assert a["mel"].shape == result["mel_shape"] == (N_SIGNALS, N_MELS, n_frames)
    assert a["stft"].dtype == a["mel"].dtype == np.float32
    assert a["offset"].tolist() == list(range(N_SIGNALS)) and (a["count"] == 1).all()
    assert a["stft_frequency"].shape == (N_FFT // 2 + 1,)
    assert a["mel_frequency"].shape == (N_MELS,)
    assert np.all(np.diff(a["mel_frequency"]) > 0)
    config = open_store(result["store"]).config
    mel = config["features"]["mel"]
    assert (mel["n_fft"], mel["hop_length"], mel["n_mels"], config["sr"]) == (
        N_FFT, HOP, N_MELS, SR)
    assert mel["fmin"] == 0.0 and mel["fmax"] == SR / 2
    assert mel["norm"] == "slaney" and not mel["htk"]
    assert config["clip"] == DURATION


def test_features_match_the_library(demo):
    _, result, a = demo
    y = np.stack([_read_wav(p) for p in result["audio_files"]])
    plan = gaborcore.MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    for backend in ("numpy", None):
        mel = plan(y, backend=backend)
        np.testing.assert_allclose(a["mel"], mel, rtol=1e-5, atol=1e-5 * mel.max())
        S = gaborcore.spectrogram(y, n_fft=N_FFT, hop_length=HOP, backend=backend)
        np.testing.assert_allclose(a["stft"], S, rtol=1e-5, atol=1e-5 * S.max())
    # the mel spectrogram is the mel filter bank applied to the power spectrogram
    W = gaborcore.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, dtype=np.float64)
    want = np.matmul(W, a["stft"].astype(np.float64))
    np.testing.assert_allclose(a["mel"], want, rtol=1e-5, atol=1e-5 * want.max())


def test_wav_files_hold_the_clips(demo, clips):
    _, result, _ = demo
    pcm = np.stack([soundfile.read(p, dtype="int16")[0] for p in result["audio_files"]])
    want = np.stack([c.y for c in clips])
    np.testing.assert_allclose(pcm / 32767, want, rtol=0, atol=0.51 / 32767)  # 16-bit rounding


def test_same_seed_same_outputs(demo, tmp_path):
    out, result, a = demo
    again = _run(tmp_path / "again")
    b = _store_arrays(again["store"])
    assert sorted(b) == sorted(a)
    for key in ("stft", "mel", "label", "mel_frequency", "status", "offset"):
        np.testing.assert_array_equal(b[key], a[key])
    for p, q in zip(result["audio_files"], again["audio_files"], strict=True):
        assert open(p, "rb").read() == open(q, "rb").read()
    assert (out / "labels.csv").read_bytes() == (tmp_path / "again" / "labels.csv").read_bytes()

    # the same directory again: the store is replaced, not resumed
    other = _run(tmp_path / "again", seed=1)
    c = _store_arrays(other["store"])
    assert c["label"].tolist() == a["label"].tolist()
    assert not np.array_equal(c["mel"], a["mel"])
    assert other["report"].n_ok == N_SIGNALS


def test_png_written(tmp_path):
    pytest.importorskip("matplotlib")
    result = _run(tmp_path, n_signals=3, plot=True)
    png = tmp_path / "spectrograms.png"
    assert result["png"] == str(png)
    assert str(png) in result["files"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


@pytest.mark.filterwarnings("error::gaborcore.EmptyFilterWarning")
def test_empty_mel_bands_become_a_note(tmp_path):
    # 128 mel bands at 96 kHz with n_fft=1024: the lowest bands fall between STFT bins
    result = _run(tmp_path, n_signals=1, sr=96000, duration=0.05)
    assert any("cover no STFT bin" in note for note in result["notes"])


def test_bad_arguments_write_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(gaborcore.ParameterError, match="n_signals"):
        _run(out, n_signals=0)
    with pytest.raises(gaborcore.ParameterError, match="workers"):
        _run(out, workers=0)
    with pytest.raises(gaborcore.ParameterError, match="n_mels"):
        _run(out, n_mels=0)  # (more bands than bins is allowed, with a warning, as librosa)
    assert not out.exists()
