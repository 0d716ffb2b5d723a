"""The direct reader of plain WAV files: the same samples, info and errors as through libsndfile.

Every comparison is bit for bit: the direct reader against the libsndfile path of the same
function (``_plain_wav.FAST_WAV`` off, as ``GABORCORE_NO_FAST_WAV=1`` sets it) and against
:func:`soundfile.read` itself.  A spy on ``_plain_wav.open_plain_wav`` says whether a file was read
directly, so that a test fails when the direct reader silently stops being used.
"""

import contextlib
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from gaborcore import io
from gaborcore.io import _plain_wav, _source

SR = 22050
BLOCK = 1000  # block_frames of the block-wise cases

HANDLED = ["PCM_16", "PCM_32", "FLOAT", "DOUBLE"]
UNHANDLED = ["PCM_24", "PCM_U8", "ULAW", "ALAW", "IMA_ADPCM"]


@pytest.fixture
def handled(monkeypatch):
    """Whether each call read its file directly (True) or through libsndfile (False)."""
    calls = []
    real = _plain_wav.open_plain_wav

    def spy(path, dtype, offset=0.0):
        source = real(path, dtype, offset)
        calls.append(source is not None)
        return source

    monkeypatch.setattr(_plain_wav, "open_plain_wav", spy)
    monkeypatch.setattr(_plain_wav, "FAST_WAV", True)
    return calls


@contextlib.contextmanager
def _libsndfile_only():
    saved = _plain_wav.FAST_WAV
    _plain_wav.FAST_WAV = False
    try:
        yield
    finally:
        _plain_wav.FAST_WAV = saved


def _outcome(fn):
    try:
        return fn()
    except io.AudioFileError as exc:
        return exc


def _assert_same_array(a, b):
    assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    assert a.flags.c_contiguous == b.flags.c_contiguous
    assert a.tobytes() == b.tobytes()  # bit for bit (NaN payloads, signed zeros)


def _assert_same(a, b):
    """Two outcomes of io.read: equal (samples, dtype, layout, info) or the same AudioFileError."""
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert type(a) is type(b), (a, b)
        assert (a.path, a.reason) == (b.path, b.reason)
        return
    (ya, info_a), (yb, info_b) = a, b
    assert info_a == info_b
    _assert_same_array(ya, yb)


def _load_both(path, **kwargs):
    """io.read's outcome with the direct reader allowed, and through libsndfile only."""
    direct = _outcome(lambda: io.read(path, **kwargs))
    with _libsndfile_only():
        via_libsndfile = _outcome(lambda: io.read(path, **kwargs))
    _assert_same(direct, via_libsndfile)
    return direct


def _stream_both(path, **kwargs):
    direct = list(io.stream(path, **kwargs))
    with _libsndfile_only():
        via_libsndfile = list(io.stream(path, **kwargs))
    assert len(direct) == len(via_libsndfile)
    for a, b in zip(direct, via_libsndfile, strict=True):
        _assert_same_array(a, b)
    return direct


def _noise(n, channels, seed=0, peak=0.9):
    rng = np.random.default_rng(seed)
    return (peak * rng.uniform(-1, 1, (n, channels))).astype(np.float64)


def _expected(path, dtype, mono):
    """What io.read returns at the file's own rate, from soundfile.read itself."""
    raw, _ = soundfile.read(path, dtype=dtype, always_2d=True)
    if not mono:
        return np.ascontiguousarray(raw.T)
    return raw[:, 0] if raw.shape[1] == 1 else raw.mean(axis=1, dtype=dtype)


# -- files written by libsndfile ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["WAV", "WAVEX"])
@pytest.mark.parametrize("channels", [1, 2, 5])
@pytest.mark.parametrize("subtype", HANDLED)
def test_handled_subtypes(tmp_path, handled, subtype, channels, fmt):
    file_sr = {1: 44100, 2: 16000, 5: SR}[channels]
    for n in [1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 333]:
        path = str(tmp_path / f"{n}.wav")
        soundfile.write(path, _noise(n, channels, seed=n), file_sr, format=fmt, subtype=subtype)
        for dtype in ("float32", "float64"):
            for mono in (True, False):
                want = _expected(path, dtype, mono)
                for block_frames in (BLOCK, io.BLOCK_FRAMES):
                    handled.clear()
                    y, info = _load_both(path, dtype=dtype, mono=mono, block_frames=block_frames)
                    assert handled[0], "the direct reader was not used"
                    _assert_same_array(y, want)
                    assert (info.sr, info.channels, info.frames, info.format, info.subtype) == (
                        file_sr, channels, n, fmt, subtype)
                    for sr in (file_sr, SR if file_sr != SR else 16000):
                        y, _ = _load_both(path, sr=sr, dtype=dtype, mono=mono,
                                          block_frames=block_frames)
                        if sr == file_sr:
                            _assert_same_array(y, want)
                blocks = _stream_both(path, sr=SR, dtype=dtype, mono=mono, block_frames=BLOCK)
                assert all(b.dtype == np.dtype(dtype) for b in blocks)


@pytest.mark.parametrize("subtype", HANDLED)
def test_info_matches_soundfile(tmp_path, subtype):
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(1234, 3), 32000, subtype=subtype)
    _, info = io.read(path)
    assert info == io.info(path)
    with soundfile.SoundFile(path) as f:
        assert (info.sr, info.channels, info.frames, info.format, info.subtype) == (
            f.samplerate, f.channels, f.frames, f.format, f.subtype)


def test_pcm16_never_reaches_libsndfile(tmp_path, monkeypatch, handled):
    path = tmp_path / "a.WAV"  # the extension in any case
    x = _noise(5000, 2)
    soundfile.write(path, x, SR, subtype="PCM_16")
    want = _expected(path, "float32", True)

    def no_libsndfile(path):
        raise AssertionError(f"{path} went through libsndfile")

    monkeypatch.setattr(_source, "_open", no_libsndfile)
    y, info = io.read(path, sr=SR)
    _assert_same_array(y, want)
    assert handled == [True] and info.subtype == "PCM_16"
    # and with the direct reader off, libsndfile is asked (the spy above is then not called)
    monkeypatch.setattr(_plain_wav, "FAST_WAV", False)
    with pytest.raises(AssertionError, match="went through libsndfile"):
        io.read(path, sr=SR)


def test_every_pcm16_value(tmp_path, handled):
    # all 65536 values, in float32 and float64: bit for bit libsndfile's conversion
    x = np.arange(-32768, 32768, dtype=np.int16).reshape(-1, 2)
    path = tmp_path / "all.wav"
    soundfile.write(path, x, SR, subtype="PCM_16")
    for dtype in ("float32", "float64"):
        y, _ = _load_both(path, mono=False, dtype=dtype)
        _assert_same_array(y, np.ascontiguousarray(soundfile.read(path, dtype=dtype)[0].T))
    assert all(handled)


def test_pcm32_rounding(tmp_path, handled):
    # int32 -> float32 rounds: the cast and the scaling must be libsndfile's
    rng = np.random.default_rng(1)
    x = np.concatenate([
        np.array([-2**31, -2**31 + 1, -1, 0, 1, 2**31 - 1, 2**24 + 1, -(2**24 + 1), 2**25 + 3],
                 dtype=np.int64),
        rng.integers(-2**31, 2**31, 20000),
    ]).astype(np.int32)
    path = tmp_path / "pcm32.wav"
    soundfile.write(path, x, SR, subtype="PCM_32")
    for dtype in ("float32", "float64"):
        y, _ = _load_both(path, dtype=dtype)
        _assert_same_array(y, soundfile.read(path, dtype=dtype)[0])
    assert all(handled)


def test_float_values_beyond_full_scale(tmp_path, handled):
    # float files are not clipped; float64 -> float32 rounds; subnormals and -0.0 kept
    x = np.array([0.0, -0.0, 1.5, -3.25, 1e-40, -1e-310, 1 / 3, 2 / 3, 123456.789], np.float64)
    for subtype in ("FLOAT", "DOUBLE"):
        path = tmp_path / f"{subtype}.wav"
        soundfile.write(path, x, SR, subtype=subtype)
        for dtype in ("float32", "float64"):
            y, _ = _load_both(path, dtype=dtype)
            _assert_same_array(y, soundfile.read(path, dtype=dtype)[0])
    assert all(handled)


@pytest.mark.parametrize("subtype, dtype", [("FLOAT", "float32"), ("DOUBLE", "float64"),
                                            ("DOUBLE", "float32")])
def test_non_finite_samples(tmp_path, handled, subtype, dtype):
    x = np.zeros(3000, np.float64)
    x[1500] = np.nan if subtype == "FLOAT" else 1e300  # 1e300 is inf in float32
    path = tmp_path / "bad.wav"
    soundfile.write(path, x, SR, subtype=subtype)
    for block_frames in (BLOCK, io.BLOCK_FRAMES):
        err = _load_both(path, dtype=dtype, block_frames=block_frames)
        if dtype == "float64" and subtype == "DOUBLE":
            assert not isinstance(err, Exception)  # 1e300 is finite in float64
            continue
        assert isinstance(err, io.AudioFileError)
        first = 2 * BLOCK if block_frames == BLOCK else 3000
        assert err.reason == f"NaN or Inf samples within the first {first} frames"
    assert all(handled)


@pytest.mark.parametrize("subtype", UNHANDLED)
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_unhandled_subtypes(tmp_path, handled, subtype, channels):
    if subtype == "IMA_ADPCM" and channels > 2:
        pytest.skip("IMA ADPCM WAV holds 1 or 2 channels")
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(2 * BLOCK + 77, channels), SR, subtype=subtype)
    for dtype in ("float32", "float64"):
        for mono in (True, False):
            _load_both(path, dtype=dtype, mono=mono, block_frames=BLOCK)
            _load_both(path, sr=16000, dtype=dtype, mono=mono)
    assert handled and not any(handled)


@pytest.mark.parametrize("fmt", ["RF64", "W64", "FLAC", "AIFF"])
def test_other_containers_named_wav(tmp_path, handled, fmt):
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(3000, 2), SR, format=fmt, subtype="PCM_16")
    y, info = _load_both(path, sr=16000)
    assert info.format == fmt and handled == [False]


# -- hand-made files ------------------------------------------------------------------------------

_PCM_GUID = bytes.fromhex("0100" "0000" "0000" "1000" "800000aa00389b71")
_FLOAT_GUID = bytes.fromhex("0300" "0000" "0000" "1000" "800000aa00389b71")
_AMBISONIC_PCM_GUID = bytes.fromhex("01000000" "2107" "d311" "8644c8c1ca000000")


def _chunk(cid: bytes, payload: bytes, size: int | None = None) -> bytes:
    size = len(payload) if size is None else size
    return cid + struct.pack("<I", size) + payload + (b"\0" if len(payload) % 2 else b"")


def _fmt(tag=1, channels=1, sr=SR, bits=16, align=None, extensible=None, valid_bits=None):
    align = channels * bits // 8 if align is None else align
    payload = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, sr, sr * align,
                          align, bits)
    if extensible:
        payload += struct.pack("<HHI", 22, valid_bits or bits, 0) + extensible
    return _chunk(b"fmt ", payload)


def _riff(*chunks: bytes, riff_size=None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def _pcm16(n=2500, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(-32768, 32768, (n, channels)).astype("<i2").tobytes()


def _info_list(text=b"hello"):
    return _chunk(b"LIST", b"INFO" + _chunk(b"INAM", text + b"\0") + _chunk(b"ISFT", b"gaborcore"))


DATA = _chunk(b"data", _pcm16())

# name -> (file bytes, whether the direct reader takes it)
HAND_MADE = {
    "plain": (_riff(_fmt(), DATA), True),
    "list-before-data": (_riff(_fmt(), _info_list(), DATA), True),
    "list-after-data": (_riff(_fmt(), DATA, _info_list(b"odd!")), True),
    "odd-chunk-pad-byte": (_riff(_fmt(), _chunk(b"JUNK", b"abc"), DATA, _chunk(b"id3 ", b"xyz")),
                           True),
    "unknown-printable-chunks": (_riff(_chunk(b"xyzw", b"1234"), _fmt(), _chunk(b"fact", b"\x10\0\0\0"),
                                       DATA, _chunk(b"iXML", b"<a/>")), True),
    "fmt-size-18": (_riff(_chunk(b"fmt ", _fmt()[8:] + b"\0\0"), DATA), True),
    "riff-size-wrong": (_riff(_fmt(), DATA, riff_size=12345), True),
    "peak-chunk": (_riff(_fmt(3, bits=32), _chunk(b"PEAK", bytes(16)),
                         _chunk(b"data", np.linspace(-1, 1, 999, dtype="<f4").tobytes())), True),
    "extensible-pcm16": (_riff(_fmt(channels=2, extensible=_PCM_GUID), _chunk(b"data", _pcm16(800, 2))),
                         True),
    "extensible-pcm16-12-valid-bits": (_riff(_fmt(extensible=_PCM_GUID, valid_bits=12), DATA), True),
    "extensible-float": (_riff(_fmt(bits=32, extensible=_FLOAT_GUID),
                               _chunk(b"data", np.linspace(-2, 2, 777, dtype="<f4").tobytes())), True),
    "extensible-pcm32": (_riff(_fmt(bits=32, extensible=_PCM_GUID), _chunk(b"data", _pcm16(1000, 2))),
                         True),
    # everything below goes to libsndfile, which reads it or says why not
    "extensible-ambisonic": (_riff(_fmt(extensible=_AMBISONIC_PCM_GUID), DATA), False),
    "extensible-short-fmt": (_riff(_chunk(b"fmt ", _fmt(extensible=_PCM_GUID)[8:-4]), DATA), False),
    "truncated-data": (_riff(_fmt(), DATA)[:-1001], False),
    "header-only": (_riff(_fmt(), _chunk(b"data", b"")), False),
    "data-size-0-with-samples": (_riff(_fmt(), b"data\0\0\0\0" + _pcm16(), riff_size=8), False),
    "data-size-ffffffff": (_riff(_fmt(), b"data\xff\xff\xff\xff" + _pcm16()), False),
    "odd-data-size": (_riff(_fmt(), _chunk(b"data", _pcm16()[:-1])), False),
    "data-not-whole-frames": (_riff(_fmt(channels=2), _chunk(b"data", _pcm16()[:-2])), False),
    "block-align-wrong": (_riff(_fmt(align=4), DATA), False),
    "block-align-zero": (_riff(_fmt(align=0), DATA), False),
    "pcm8": (_riff(_fmt(bits=8), _chunk(b"data", bytes(range(256)) * 4)), False),
    "pcm24": (_riff(_fmt(bits=24), _chunk(b"data", bytes(3000))), False),
    "pcm24-in-32": (_riff(_fmt(bits=24, align=4), _chunk(b"data", _pcm16(1000, 2))), False),
    "float16-bits": (_riff(_fmt(3, bits=16), DATA), False),
    "alaw": (_riff(_fmt(6, bits=8), _chunk(b"data", bytes(range(256)) * 4)), False),
    "no-fmt": (_riff(DATA), False),
    "no-data": (_riff(_fmt(), _info_list()), False),
    "data-before-fmt": (_riff(DATA, _fmt()), False),
    "two-fmt": (_riff(_fmt(), _fmt(channels=2), DATA), False),
    "two-data": (_riff(_fmt(), DATA, _chunk(b"data", _pcm16(100, 1, seed=1))), False),
    "zero-channels": (_riff(_fmt(channels=0, align=2), DATA), False),
    "zero-rate": (_riff(_fmt(sr=0), DATA), False),
    "peak-wrong-size": (_riff(_fmt(3, bits=32), _chunk(b"PEAK", bytes(24)),
                              _chunk(b"data", bytes(4000))), False),
    "list-with-data-inside": (_riff(_fmt(), _chunk(b"LIST", b"INFO" + _chunk(b"data", b"abcd")), DATA),
                              False),
    "list-not-filled": (_riff(_fmt(), _chunk(b"LIST", b"INFO" + _chunk(b"INAM", b"hi") + b"xyz"), DATA),
                        False),
    "cue-chunk": (_riff(_fmt(), _chunk(b"cue ", struct.pack("<I", 0)), DATA), False),
    "bext-chunk": (_riff(_fmt(), _chunk(b"bext", bytes(602)), DATA), False),
    "chunk-past-end": (_riff(_fmt(), DATA, b"JUNK" + struct.pack("<I", 10_000) + b"abc"), False),
    "trailing-bytes": (_riff(_fmt(), DATA) + b"\0\0\0", False),
    "zero-marker-after-data": (_riff(_fmt(), DATA) + bytes(16), False),
    "id3v1-trailer": (_riff(_fmt(), DATA) + b"TAG" + bytes(125), False),
    "wavpack-in-data": (_riff(_fmt(), _chunk(b"data", b"wvpk" + _pcm16()[4:])), False),
    "ogg-in-data": (_riff(_fmt(), _chunk(b"data", b"OggS" + _pcm16()[4:])), False),
    "rifx": (b"RIFX" + _riff(_fmt(), DATA)[4:], False),
    "not-wave": (b"RIFF" + _riff(_fmt(), DATA)[4:8] + b"AVI " + _riff(_fmt(), DATA)[12:], False),
    "garbage": (b"RIFF\0\0\0\0WAVEjunkjunkjunk" * 10, False),
    "text": (b"this is not audio\n" * 100, False),
    "tiny": (b"RIFF", False),
    "empty": (b"", False),
}


@pytest.mark.parametrize("name", list(HAND_MADE))
def test_hand_made_files(tmp_path, handled, name):
    data, direct = HAND_MADE[name]
    path = tmp_path / f"{name}.wav"
    path.write_bytes(data)
    outcomes = []
    for dtype in ("float32", "float64"):
        for mono in (True, False):
            for block_frames in (700, io.BLOCK_FRAMES):
                outcomes.append(_load_both(path, dtype=dtype, mono=mono, block_frames=block_frames))
                _load_both(path, sr=16000, dtype=dtype, mono=mono, block_frames=block_frames)
    assert handled and all(h == direct for h in handled), handled
    if direct:
        assert not isinstance(outcomes[0], Exception)
        y, info = outcomes[0]
        raw, file_sr = soundfile.read(path, dtype="float32", always_2d=True)
        assert (info.sr, info.channels, info.frames) == (file_sr, raw.shape[1], raw.shape[0])


def test_unreadable_reasons_unchanged(tmp_path, handled):
    cases = {"missing.wav": None, "dir.wav": "dir", "empty.wav": b"",
             "garbage.wav": b"RIFF\0\0\0\0WAVEjunkjunkjunk" * 10,
             "header-only.wav": _riff(_fmt(), _chunk(b"data", b""))}
    for name, content in cases.items():
        path = tmp_path / name
        if content == "dir":
            path.mkdir()
        elif content is not None:
            path.write_bytes(content)
        err = _load_both(path, sr=16000)
        assert isinstance(err, io.AudioFileError), name
    assert not any(handled)


def test_short_read_after_header(tmp_path):
    # a file cut short between its header parse and its reading gives what is left, like libsndfile
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(5000, 1), SR, subtype="PCM_16")
    info, read, close = _plain_wav.open_plain_wav(str(path), np.dtype("float32"))
    try:
        os.truncate(path, os.path.getsize(path) - 2001)  # 1000.5 frames fewer
        block = read(10_000)
        assert block.shape == (3999, 1) and read(10_000).shape == (0, 1)
    finally:
        close()
    assert info.frames == 5000


def test_blocks_are_not_overwritten(tmp_path):
    # read straight into the blocks (FLOAT as float32): each block is its own array
    path = tmp_path / "a.wav"
    x = _noise(5 * BLOCK, 1)
    soundfile.write(path, x, SR, subtype="FLOAT")
    blocks = list(io.stream(path, block_frames=BLOCK))
    assert len(blocks) == 5
    np.testing.assert_array_equal(np.concatenate(blocks), x[:, 0].astype(np.float32))
    y, _ = io.read(path, block_frames=BLOCK)
    np.testing.assert_array_equal(y, x[:, 0].astype(np.float32))


def test_environment_variable_turns_it_off():
    code = "from gaborcore.io import _plain_wav; print(_plain_wav.FAST_WAV)"
    env = dict(os.environ)
    env.pop("GABORCORE_NO_FAST_WAV", None)
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    env["GABORCORE_NO_FAST_WAV"] = "1"
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (on.stdout.strip(), off.stdout.strip()) == ("True", "False")


def test_reads_without_readv(tmp_path, monkeypatch, handled):
    # the reads of systems without os.readv (Windows), and reads cut short by the system
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(3 * BLOCK + 5, 2), 44100, subtype="PCM_16")
    monkeypatch.setattr(_plain_wav, "_readinto", _plain_wav._readinto_fileio)
    _load_both(path, sr=SR, mono=False, block_frames=BLOCK)

    def at_most_1000_bytes(fd, buf):
        view = memoryview(buf).cast("B")
        return _plain_wav._readinto_fileio(fd, view[:1000])

    monkeypatch.setattr(_plain_wav, "_readinto", at_most_1000_bytes)
    _load_both(path, sr=SR, mono=False, block_frames=BLOCK)
    assert handled == [True, True]


# -- the compiled row reader of the extraction job (io.read_rows) ------------------------------

needs_rows = pytest.mark.skipif(io._wav_ext is None, reason="the compiled core is not built")
# hand-made files the Python reader takes and the row reader leaves to it (LIST chunks)
_ROWS_DECLINE = {"list-before-data", "list-after-data"}


def _rows(paths, n, sr=SR, dtype="float32", fill=7.0):
    out = np.full((len(paths), n), fill, dtype)
    table = io.read_rows([str(p) for p in paths], out, sr)
    return out, table


@needs_rows
@pytest.mark.parametrize("name", list(HAND_MADE))
def test_rows_hand_made_files(tmp_path, name):
    # taken only where io.read reads the file directly, and then exactly io.read's samples
    data, direct = HAND_MADE[name]
    path = tmp_path / f"{name}.wav"
    path.write_bytes(data)
    for dtype in ("float32", "float64"):
        out, table = _rows([path], 5000, dtype=dtype)
        taken = table[0, 0] == 0
        assert taken == (direct and name not in _ROWS_DECLINE), table
        if not taken:
            continue
        y, info = io.read(path, dtype=dtype)
        assert tuple(table[0, 1:4]) == (info.frames, info.sr, info.channels)
        assert io._wav_ext.SAMPLES[table[0, 4]] == info.subtype
        assert ("WAV", "WAVEX")[table[0, 5]] == info.format
        assert out[0, :len(y)].tobytes() == y.tobytes() and not out[0, len(y):].any()


@needs_rows
@pytest.mark.parametrize("subtype", HANDLED)
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rows_written_by_libsndfile(tmp_path, subtype, channels, dtype):
    # several files of different lengths in one batch, mixed down as io.read does, bit for bit
    paths = []
    for k, n in enumerate([1, 999, 12_345, 20_000]):
        paths.append(tmp_path / f"{k}.wav")
        soundfile.write(paths[-1], _noise(n, channels, seed=k, peak=1.0), SR, subtype=subtype)
    out, table = _rows(paths, 20_000, dtype=dtype)
    assert (table[:, 0] == 0).all()
    for row, path in zip(out, paths, strict=True):
        y, _ = io.read(path, dtype=dtype)
        assert row[:len(y)].tobytes() == y.tobytes() and not row[len(y):].any()
        np.testing.assert_array_equal(row[:len(y)], _expected(path, dtype, mono=True))


@needs_rows
def test_rows_every_pcm16_value(tmp_path):
    path = tmp_path / "a.wav"
    values = np.arange(-32768, 32768, dtype=np.int16)
    soundfile.write(path, values, SR, subtype="PCM_16")
    out, table = _rows([path], values.size)
    assert table[0, 0] == 0
    assert out[0].tobytes() == io.read(path)[0].tobytes()
    np.testing.assert_array_equal(out[0], values / np.float32(32768))


@needs_rows
def test_rows_left_to_the_general_reader(tmp_path):
    # each of these is read by io.read (resampled, more channels, longer, a NaN, not .wav, ...)
    def write(name, n=1000, channels=1, sr=SR, subtype="PCM_16", fmt=None, data=None):
        path = tmp_path / name
        soundfile.write(path, _noise(n, channels) if data is None else data, sr, subtype=subtype,
                        format=fmt)
        return path

    nan = _noise(1000, 1)
    nan[500] = np.nan
    huge = _noise(1000, 1)
    huge[3] = 1e300
    loud = _noise(1000, 2)
    loud[7] = 3e38  # each channel a float32, their sum not
    cases = {
        "other rate": write("rate.wav", sr=16000),
        "3 channels": write("three.wav", channels=3),
        "longer than the row": write("long.wav", n=1001),
        "NaN": write("nan.wav", subtype="FLOAT", data=nan),
        "beyond float32": write("huge.wav", subtype="DOUBLE", data=huge),
        "a mean beyond float32": write("loud.wav", subtype="FLOAT", data=loud),
        "not named .wav": write("a.flac", fmt="WAV"),
        "PCM_24": write("pcm24.wav", subtype="PCM_24"),
        "missing": tmp_path / "missing.wav",
        "folder": tmp_path / "dir.wav",
    }
    (tmp_path / "dir.wav").mkdir()
    good = write("good.wav")
    names = list(cases)
    out, table = _rows([good, *cases.values(), good], 1000)
    assert table[0, 0] == 0 and table[-1, 0] == 0, table
    assert out[0].tobytes() == out[-1].tobytes() == io.read(good)[0].tobytes()
    declined = [names[i] for i in range(len(names)) if table[1 + i, 0] != 0]
    assert declined == names
    # at a file's own rate it is taken; as float64 too
    out, table = _rows([cases["other rate"], cases["beyond float32"]], 1000, sr=16000,
                       dtype="float64")
    assert table[0, 0] == 0 and table[1, 0] != 0  # (the second is at 22.05 kHz)
    out, table = _rows([cases["beyond float32"]], 1000, dtype="float64")
    assert table[0, 0] == 0 and out[0, 3] == 1e300


@needs_rows
def test_rows_file_cut_short_after_its_header(tmp_path):
    # a data chunk that claims more than the file holds is never taken: io.read decides
    path = tmp_path / "a.wav"
    soundfile.write(path, _noise(5000, 1), SR, subtype="PCM_16")
    os.truncate(path, os.path.getsize(path) - 2000)
    _, table = _rows([path], 5000)
    assert table[0, 0] != 0


@needs_rows
def test_rows_bad_arguments(tmp_path):
    path = str(tmp_path / "a.wav")
    with pytest.raises(ValueError, match="C-contiguous"):
        io._wav_ext.read_rows([path], np.zeros((2, 10), np.float32), SR, 2)
    with pytest.raises(ValueError, match="C-contiguous"):
        io._wav_ext.read_rows([path], np.zeros((1, 20), np.float32)[:, ::2], SR, 2)
    with pytest.raises(TypeError, match="float32 or float64"):
        io._wav_ext.read_rows([path], np.zeros((1, 10), np.int16), SR, 2)
    with pytest.raises(ValueError, match="NUL"):
        io._wav_ext.read_rows(["a\0.wav"], np.zeros((1, 10), np.float32), SR, 2)
    assert io._wav_ext.read_rows([], np.zeros((0, 10), np.float32), SR, 2).shape == (0, 6)


def test_rows_off_without_the_fast_reader(monkeypatch, tmp_path):
    monkeypatch.setattr(_plain_wav, "FAST_WAV", False)
    assert io.read_rows([str(tmp_path / "a.wav")], np.zeros((1, 4), np.float32), SR) is None
    monkeypatch.setattr(_plain_wav, "FAST_WAV", True)
    monkeypatch.setattr(io, "_wav_ext", None)
    assert io.read_rows([str(tmp_path / "a.wav")], np.zeros((1, 4), np.float32), SR) is None
