"""Fixtures of the extraction tests: the audio files, reference stores, and the two ways whole
feature chunks are written (every test runs with each)."""

import numpy as np
import pytest
import soundfile

from gaborcore import io
from gaborcore.extract import extract

from .common import GOOD, MEL, SR, make_signal


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("audio")
    for i, (name, subtype, sr, ch, seconds) in enumerate(GOOD):
        soundfile.write(d / name, make_signal(int(seconds * sr), sr, ch, i), sr, subtype=subtype)
    (d / "g_corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    (d / "h_empty.flac").write_bytes(b"")
    return d


@pytest.fixture(scope="session")
def files(audio_dir):
    return io.find_audio(audio_dir)


@pytest.fixture(autouse=True, params=["direct", "zarr"])
def chunk_writes(request, monkeypatch):
    """Every test twice: whole feature chunks written into their files by
    :mod:`gaborcore.extract.chunkfiles` (the default), and every chunk through zarr.  The
    session-scoped reference stores are made with the default, so the comparisons with them
    also compare the two paths byte for byte."""
    monkeypatch.setenv("GABORCORE_ZARR_DIRECT", "1" if request.param == "direct" else "0")
    return request.param


@pytest.fixture(scope="session")
def reference(tmp_path_factory, files):
    """The store of an uninterrupted run."""
    store = tmp_path_factory.mktemp("ref") / "ref.zarr"
    extract(files, ["mel", "stft"], store, sr=SR, clip=0.25, **MEL)
    return store


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def one_clip_files(tmp_path_factory):
    """40 files of exactly one clip (0.25 s), noise."""
    d = tmp_path_factory.mktemp("one_clip")
    rng = np.random.default_rng(7)
    for i in range(40):
        soundfile.write(d / f"{i:02d}.wav", 0.1 * rng.standard_normal(SR // 4), SR,
                        subtype="PCM_16")
    return io.find_audio(d)
