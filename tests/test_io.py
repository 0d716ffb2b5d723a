"""Audio input: formats and rates through soundfile and soxr, block-wise reading, errors, inputs."""

import os

import numpy as np
import pytest
import soundfile
import soxr

import gaborcore
from gaborcore import io
from gaborcore.io import _decode, _files

SR = 22050


def _tone(n, sr, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    y = 0.5 * np.sin(2 * np.pi * 440.0 * t) + 0.05 * rng.standard_normal(n)
    y = np.stack([y * (0.5 + 0.5 * c) for c in range(channels)], axis=1)
    return y.astype(np.float32) if channels > 1 else y[:, 0].astype(np.float32)


# (file name, format, subtype, sr, channels)
FILES = [
    ("pcm16.wav", "WAV", "PCM_16", 22050, 1),
    ("float.wav", "WAV", "FLOAT", 48000, 2),
    ("pcm24.flac", "FLAC", "PCM_24", 44100, 2),
    ("vorbis.ogg", "OGG", "VORBIS", 16000, 1),
    ("mp3.mp3", "MP3", "MPEG_LAYER_III", 44100, 1),
]


def _write(tmp_path, name, fmt, subtype, sr, channels, seconds=0.4):
    if subtype not in soundfile.available_subtypes(fmt):
        pytest.skip(f"libsndfile {soundfile.__libsndfile_version__} cannot write {fmt}/{subtype}")
    path = tmp_path / name
    soundfile.write(path, _tone(int(seconds * sr), sr, channels), sr, format=fmt,
                    subtype=subtype)
    return path


@pytest.mark.parametrize("name, fmt, subtype, sr, channels", FILES, ids=[f[0] for f in FILES])
def test_formats_and_rates(tmp_path, name, fmt, subtype, sr, channels):
    path = _write(tmp_path, name, fmt, subtype, sr, channels)
    raw, file_sr = soundfile.read(path, dtype="float32", always_2d=True)
    assert file_sr == sr

    y, src = io.read(path, sr=SR)
    assert (src.sr, src.channels, src.format) == (sr, channels, fmt)
    assert y.dtype == np.float32 and y.ndim == 1 and y.flags.c_contiguous
    mono = raw.mean(axis=1, dtype=np.float32) if channels > 1 else raw[:, 0]
    want = mono if sr == SR else soxr.resample(mono, sr, SR, quality="HQ")
    np.testing.assert_allclose(y, want, rtol=0, atol=1e-6)
    assert abs(y.shape[0] - round(raw.shape[0] * SR / sr)) <= 1

    kept, _ = io.read(path, sr=SR, mono=False)
    assert kept.shape == (channels, y.shape[0])
    np.testing.assert_allclose(kept.mean(axis=0), y, rtol=0, atol=1e-6)


def test_own_rate_and_float64(tmp_path):
    path = _write(tmp_path, "a.wav", "WAV", "PCM_16", 44100, 1)
    y, src = io.read(path)  # sr=None keeps the file's rate
    assert y.shape == (src.frames,) and src.duration == pytest.approx(0.4)
    y64, _ = io.read(path, dtype="float64")
    assert y64.dtype == np.float64
    np.testing.assert_array_equal(y64, soundfile.read(path, dtype="float64")[0])


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_pcm_conversion_is_libsndfiles(tmp_path, subtype):
    # PCM_16 is converted by NumPy (faster): bit for bit what libsndfile gives
    path = tmp_path / "a.wav"
    soundfile.write(path, _tone(5000, SR, 2), SR, subtype=subtype)
    for dtype in ("float32", "float64"):
        y, _ = io.read(path, mono=False, dtype=dtype)
        np.testing.assert_array_equal(y, soundfile.read(path, dtype=dtype)[0].T)


@pytest.mark.parametrize("sr", [None, 16000])
def test_blockwise_reading_is_exact(tmp_path, sr):
    path = _write(tmp_path, "long.flac", "FLAC", "PCM_16", 44100, 2, seconds=2.0)
    whole, _ = io.read(path, sr=sr, mono=False)
    small, _ = io.read(path, sr=sr, mono=False, block_frames=4097)  # 22 blocks
    np.testing.assert_array_equal(small, whole)
    blocks = list(io.stream(path, sr=sr, mono=False, block_frames=10000))
    assert len(blocks) > 5 and all(b.shape[0] == 2 for b in blocks)
    np.testing.assert_array_equal(np.concatenate(blocks, axis=1), whole)


def test_truncated_file_and_output_growth(tmp_path, monkeypatch):
    path = _write(tmp_path, "a.wav", "WAV", "PCM_16", SR, 1, seconds=1.0)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # the header promises twice the frames there are
    want = soundfile.read(path, dtype="float32")[0]
    assert 0 < want.shape[0] < SR
    # an output allocated too small from the header (capped here) grows as blocks come
    monkeypatch.setattr(_decode, "_MAX_PREALLOC", 1000)
    y, _ = io.read(path, block_frames=700)
    np.testing.assert_array_equal(y, want)


def _garbage(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 10)
    return path


def _empty(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path


def _no_samples(tmp_path):
    path = tmp_path / "silent.wav"
    soundfile.write(path, np.zeros(0, np.float32), SR)
    return path


def _nan(tmp_path):
    path = tmp_path / "nan.wav"
    y = np.zeros(1000, np.float32)
    y[500] = np.nan
    soundfile.write(path, y, SR, subtype="FLOAT")
    return path


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda t: t / "missing.wav", "no such file"),
        (lambda t: t, "is a directory"),
        (_empty, "empty file (0 bytes)"),
        (_garbage, "not a readable audio file (libsndfile: "),
        (_no_samples, "no audio samples"),
        (_nan, "NaN or Inf samples"),
    ],
    ids=["missing", "directory", "empty", "garbage", "no-samples", "nan"],
)
def test_unreadable_files(tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(io.AudioFileError) as info:
        io.read(path, sr=16000)
    err = info.value
    assert isinstance(err, gaborcore.ParameterError)
    assert err.path == os.fspath(path) and reason in err.reason
    assert str(err).startswith(f"cannot decode {os.fspath(path)!r}: ")


def test_bad_options(tmp_path):
    path = _write(tmp_path, "a.wav", "WAV", "PCM_16", SR, 1)
    with pytest.raises(gaborcore.ParameterError, match="sr=0"):
        io.read(path, sr=0)
    with pytest.raises(gaborcore.ParameterError, match="int16"):
        io.read(path, dtype="int16")
    with pytest.raises(gaborcore.ParameterError, match="quality"):
        io.read(path, quality="best")


def test_info(tmp_path):
    path = _write(tmp_path, "a.flac", "FLAC", "PCM_24", 44100, 2)
    info = io.info(path)
    assert (info.sr, info.channels, info.frames, info.format, info.subtype) == (
        44100, 2, 17640, "FLAC", "PCM_24")
    with pytest.raises(io.AudioFileError, match="empty file"):
        io.info(_empty(tmp_path))


def test_find_audio(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for rel in ["a/2.wav", "a/1.FLAC", "a/b/3.ogg", "a/notes.txt", "a/b/.4.wav", ".hidden/5.wav",
                "other.mp3", "x.aiff"]:
        (tmp_path / rel).write_bytes(b"x")
    lst = tmp_path / "a" / "list.txt"
    lst.write_text("# training files\n\nb/3.ogg\n../x.aiff\nmissing.wav\n")
    found = io.find_audio([tmp_path / "a", lst, tmp_path / "a" / "2.wav", tmp_path / "other.mp3"])
    rel = [os.path.relpath(p, tmp_path) for p in found]
    # folders in sorted order and recursively, hidden files and other extensions skipped;
    # list entries relative to the list, not checked; duplicates dropped
    assert rel == ["a/1.FLAC", "a/2.wav", "a/b/3.ogg", "x.aiff", "a/missing.wav", "other.mp3"]
    assert all(os.path.isabs(p) for p in found)
    assert io.find_audio(tmp_path / "a", extensions=["ogg"]) == [str(tmp_path / "a/b/3.ogg")]

    with pytest.raises(gaborcore.ParameterError, match="does-not-exist.*does not exist"):
        io.find_audio([tmp_path / "a", tmp_path / "does-not-exist"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(gaborcore.ParameterError, match="no audio files found"):
        io.find_audio(tmp_path / "empty")


def test_normal_absolute_paths_kept_as_they_are():
    # find_audio skips os.path.abspath for paths it can tell are normal and absolute: never wrong
    rng = np.random.default_rng(0)
    parts = ["a", "b.wav", ".", "..", "", ".x", "x.", "~", "c d"]
    for _ in range(3000):
        p = "/".join(rng.choice(parts, rng.integers(1, 6)))
        p = rng.choice(["", "/", "//"]) + p
        if _files._normal_absolute(p):
            assert os.path.abspath(p) == p, p
    assert _files._normal_absolute("/data/x/a.wav") and not _files._normal_absolute("data/a.wav")


def test_find_audio_relative_and_home_inputs(tmp_path, monkeypatch):
    f = tmp_path / "a.wav"
    soundfile.write(f, np.zeros(100, np.float32), 8000)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert io.find_audio(["a.wav", "~/a.wav", str(tmp_path / "." / "a.wav"), str(f)]) == [str(f)]


# ---- io.load, as librosa.load -----------------------------------------------------------------

def test_load_as_librosa_loads(tmp_path):
    path = tmp_path / "a.flac"
    y0 = (0.1 * np.random.default_rng(3).standard_normal((44100, 2))).astype(np.float32)
    soundfile.write(path, y0, 44100, subtype="PCM_24")
    y, sr = io.load(path)  # 22050 Hz mono by default, as librosa
    assert sr == 22050 and y.shape == (22050,) and y.dtype == np.float32
    native, sr = io.load(path, sr=None, mono=False)
    assert sr == 44100 and native.shape == (2, 44100)
    part, sr = io.load(path, sr=None, offset=0.25, duration=0.5)
    assert part.shape == (22050,)
    np.testing.assert_array_equal(part, native.mean(axis=0)[11025:11025 + 22050])
    tail, _ = io.load(path, sr=None, offset=0.9, duration=5.0)  # to the end, no further
    assert tail.shape == (44100 - 39690,)
    res, sr = io.load(path, sr=16000, offset=0.5)
    assert sr == 16000 and abs(res.shape[0] - 8000) <= 1
    with pytest.raises(gaborcore.ParameterError, match="offset=-1"):
        io.load(path, offset=-1)
    with pytest.raises(gaborcore.ParameterError, match="duration=0"):
        io.load(path, duration=0)


def test_offset_on_the_direct_wav_reader(tmp_path):
    # plain WAV files are read without libsndfile: the same samples for a part of the file
    path = tmp_path / "a.wav"
    y0 = (0.1 * np.random.default_rng(4).standard_normal((8000, 2))).astype(np.float32)
    soundfile.write(path, y0, 8000, subtype="FLOAT")
    part, _ = io.read(path, mono=False, offset=0.5, duration=0.25)
    np.testing.assert_array_equal(part, y0[4000:6000].T)
    flac = tmp_path / "a.flac"
    soundfile.write(flac, y0, 8000, subtype="PCM_24")
    a, _ = io.read(path, offset=0.5, duration=0.25)
    b, _ = io.read(flac, offset=0.5, duration=0.25)
    assert a.shape == b.shape == (2000,)


def test_urls_through_fsspec(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    path = tmp_path / "a.wav"
    y0 = (0.1 * np.random.default_rng(5).standard_normal(8000)).astype(np.float32)
    soundfile.write(path, y0, 8000, subtype="FLOAT")
    fs = fsspec.filesystem("memory")
    fs.pipe("/h15io/a.wav", path.read_bytes())
    fs.pipe("/h15io/empty.wav", b"")
    try:
        for url in ("memory:///h15io/a.wav", f"file://{path}"):
            y, sr = io.load(url, sr=None, offset=0.25)
            assert sr == 8000
            np.testing.assert_array_equal(y, y0[2000:])
        with pytest.raises(io.AudioFileError, match="no such file"):
            io.load("memory:///h15io/nope.wav")
        with pytest.raises(io.AudioFileError, match="empty file"):
            io.load("memory:///h15io/empty.wav")
        assert io.is_url("s3://bucket/a.wav") and not io.is_url("/data/a.wav")
        assert not io.is_url("C:\\data\\a.wav")
    finally:
        fs.rm("/h15io", recursive=True)
