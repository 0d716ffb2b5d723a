"""The demo job: files, array shapes and dtypes, features against the library, reproducibility."""

import csv
import wave

import numpy as np
import pytest

import gaborcore
from gaborcore.demo import DemoConfig, run_demo, synthesize

N_SIGNALS, DURATION, SR = 6, 0.5, 22050
N_FFT, HOP, N_MELS = 1024, 256, 128


def _run(out_dir, **kwargs):
    params = dict(n_signals=N_SIGNALS, duration=DURATION, plot=False, progress=False)
    params.update(kwargs)
    return run_demo(out_dir, **params)


def _read_wav(path):
    with wave.open(str(path), "rb") as fh:
        assert (fh.getnchannels(), fh.getsampwidth(), fh.getframerate()) == (1, 2, SR)
        pcm = np.frombuffer(fh.readframes(fh.getnframes()), "<i2")
    return pcm.astype(np.float32) / 32767.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = _run(out)
    with np.load(result["npz"]) as data:
        arrays = {key: data[key] for key in data.files}
    return out, result, arrays


@pytest.fixture(scope="module")
def clips():
    return synthesize(DemoConfig(n_signals=N_SIGNALS, duration=DURATION))


def test_files_written(demo):
    out, result, _ = demo
    assert result["png"] is None
    assert sorted(p.name for p in out.iterdir()) == ["audio", "labels.csv", "spectrograms.npz"]
    assert len(result["audio_files"]) == N_SIGNALS
    assert sorted(p.name for p in (out / "audio").iterdir()) == sorted(
        p.rsplit("/", 1)[-1] for p in result["audio_files"])
    with open(out / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["label"] for r in rows] == result["labels"]
    assert len(set(result["labels"])) == N_SIGNALS  # six clips, six different labels
    assert set(result["labels"]) <= set(gaborcore.demo.LABELS)


def test_array_shapes_and_dtypes(demo):
    _, result, a = demo
    n_frames = 1 + int(round(DURATION * SR)) // HOP
    assert a["spectrograms"].shape == result["shape"] == (N_SIGNALS, N_FFT // 2 + 1, n_frames)
    assert a["mel"].shape == result["mel_shape"] == (N_SIGNALS, N_MELS, n_frames)
    assert a["spectrograms"].dtype == a["mel"].dtype == np.float32
    assert a["labels"].shape == (N_SIGNALS,)
    assert a["labels"].tolist() == result["labels"]
    assert a["files"].shape == a["kinds"].shape == (N_SIGNALS,)
    assert a["times"].shape == (n_frames,)
    assert a["frequencies"].shape == (N_FFT // 2 + 1,)
    assert a["mel_frequencies"].shape == (N_MELS,)
    assert np.all(np.diff(a["mel_frequencies"]) > 0)
    assert (int(a["n_fft"]), int(a["hop_length"]), int(a["n_mels"]), int(a["sr"])) == (
        N_FFT, HOP, N_MELS, SR)
    assert float(a["fmin"]) == 0.0 and float(a["fmax"]) == SR / 2
    assert str(a["norm"]) == "slaney" and not bool(a["htk"])
    assert set(result["feature_seconds"]) == {"spectrograms", "mel"}


def test_features_match_the_library(demo, clips):
    _, _, a = demo
    y = np.stack([c.y for c in clips])
    plan = gaborcore.MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    for backend in ("numpy", None):
        mel = plan(y, backend=backend)
        np.testing.assert_allclose(a["mel"], mel, rtol=1e-5, atol=1e-5 * mel.max())
        S = gaborcore.spectrogram(y, n_fft=N_FFT, hop_length=HOP, backend=backend)
        np.testing.assert_allclose(a["spectrograms"], S, rtol=1e-5, atol=1e-5 * S.max())
    # the mel spectrogram is the mel filter bank applied to the power spectrogram
    W = gaborcore.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, dtype=np.float64)
    want = np.matmul(W, a["spectrograms"].astype(np.float64))
    np.testing.assert_allclose(a["mel"], want, rtol=1e-5, atol=1e-5 * want.max())


def test_wav_files_hold_the_clips(demo, clips):
    out, result, a = demo
    audio = np.stack([_read_wav(p) for p in result["audio_files"]])
    want = np.stack([c.y for c in clips])
    np.testing.assert_allclose(audio, want, rtol=0, atol=0.51 / 32767)  # 16-bit rounding
    # features of the audio read back differ from the stored ones only by that rounding
    mel = gaborcore.MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)(audio)
    np.testing.assert_allclose(a["mel"], mel, rtol=0, atol=1e-3 * mel.max())


def test_same_seed_same_outputs(demo, tmp_path):
    out, result, a = demo
    again = _run(tmp_path / "again")
    with np.load(again["npz"]) as b:
        assert sorted(b.files) == sorted(a)
        for key in ("spectrograms", "mel", "labels", "files", "mel_frequencies"):
            np.testing.assert_array_equal(b[key], a[key])
    for p, q in zip(result["audio_files"], again["audio_files"], strict=True):
        assert open(p, "rb").read() == open(q, "rb").read()
    assert (out / "labels.csv").read_bytes() == (tmp_path / "again" / "labels.csv").read_bytes()

    other = _run(tmp_path / "other", seed=1)
    with np.load(other["npz"]) as c:
        assert c["labels"].tolist() == a["labels"].tolist()
        assert not np.array_equal(c["mel"], a["mel"])


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
        _run(out, n_mels=N_FFT)
    assert not out.exists()
