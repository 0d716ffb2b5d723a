"""gaborcore.extract.chunkfiles: whole chunks written into a local store's files directly.

The extraction tests (tests/extract/) run every case with this path on and off; here:
that it is taken where it applies (so those comparisons compare something), that it is not where
it does not, and that a mismatch found by its check sends every chunk through zarr.
"""

import os

import numpy as np
import pytest
import soundfile
import zarr
from zarr.codecs import BloscCodec, ZstdCodec

from gaborcore.extract import chunkfiles, extract, open_store
from gaborcore.extract import layout as layout_module
from gaborcore.extract.chunkfiles import ChunkFiles
from gaborcore.extract.store import CHUNK_KEYS

SR = 16000
MEL = dict(n_fft=512, hop_length=128, n_mels=40)


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wavs")
    rng = np.random.default_rng(7)
    paths = []
    for i in range(12):
        path = folder / f"f{i:02d}.wav"
        soundfile.write(path, 0.1 * rng.standard_normal(4000 + 700 * i), SR, subtype="PCM_16")
        paths.append(os.fspath(path))
    return paths


def _chunk_bytes(store):
    out = {}
    for root, _, names in os.walk(store):
        for name in names:
            if name.startswith("c."):
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, store)] = f.read()
    return out


@pytest.fixture
def made(monkeypatch):
    """The ChunkFiles the writer makes during a test."""
    seen = []
    original = ChunkFiles.for_array.__func__

    def recording(cls, arr):
        found = original(cls, arr)
        if found is not None:
            seen.append(found)
        return found

    monkeypatch.setattr(ChunkFiles, "for_array", classmethod(recording))
    monkeypatch.setattr(layout_module, "CHUNK_BYTES", 4000)  # many whole chunks
    return seen


@pytest.mark.parametrize("compression", ["lz4", "zstd", "none"])
@pytest.mark.parametrize("layout", [dict(clip=0.25), dict()])
def test_taken_and_same_bytes_as_zarr(tmp_path, wavs, made, monkeypatch, compression, layout):
    stores = {}
    for switch in ("1", "0"):
        monkeypatch.setenv(chunkfiles.ENVIRONMENT, switch)
        stores[switch] = tmp_path / f"{switch}.zarr"
        extract(wavs, ["mel", "stft"], stores[switch], sr=SR, compression=compression,
                batch_size=2, workers=2, **layout, **MEL)
    # on: every feature array checked its first chunk and wrote the others itself; off: none
    assert len(made) == 2 and all(m.checked is True and m.written > 0 for m in made)
    a, b = _chunk_bytes(stores["1"]), _chunk_bytes(stores["0"])
    assert sorted(a) == sorted(b) and [k for k in a if a[k] != b[k]] == []
    for name in ("mel", "stft"):
        x1 = zarr.open_array(os.fspath(stores["1"] / name), mode="r")[...]
        x0 = zarr.open_array(os.fspath(stores["0"] / name), mode="r")[...]
        assert x1.tobytes() == x0.tobytes()
    leftovers = [n for _, _, names in os.walk(stores["1"]) for n in names
                 if n.endswith(".partial")]
    assert leftovers == []


def test_values_read_back(tmp_path, wavs, made):
    store = tmp_path / "s.zarr"
    extract(wavs, "mel", store, sr=SR, clip=0.25, batch_size=3, **MEL)
    assert made and made[0].written > 0
    s = open_store(store)
    rows = s.group["mel"][...]
    # every file's single clip, computed alone, is its row
    from gaborcore.extract import ExtractConfig
    from gaborcore.extract.features import compute_all, prepared

    cfg, feats = prepared(ExtractConfig.build("mel", sr=SR, clip=0.25, **MEL).to_json())
    for k, path in enumerate(wavs):
        y, _ = soundfile.read(path, dtype="float32")
        clip = np.zeros(cfg.clip_samples, np.float32)
        clip[:min(len(y), len(clip))] = y[:len(clip)]
        want = compute_all(feats, clip[None], None)["mel"][0]
        np.testing.assert_allclose(rows[s.group["offset"][k]], want, rtol=1e-5, atol=1e-6)


def _array(tmp_path, **kwargs):
    group = zarr.open_group(os.fspath(tmp_path / "g.zarr"), mode="a", zarr_format=3)
    spec = dict(name="a", shape=(8, 3), chunks=(2, 3), dtype="float32",
                chunk_key_encoding=CHUNK_KEYS)
    spec.update(kwargs)
    return group.create_array(**spec)


def test_where_it_applies(tmp_path):
    assert ChunkFiles.for_array(_array(tmp_path)) is not None
    for codec in ([BloscCodec(cname="lz4", clevel=5, shuffle="bitshuffle")],
                  [ZstdCodec(level=3)], None):
        assert ChunkFiles.for_array(_array(tmp_path, compressors=codec,
                                           overwrite=True)) is not None


@pytest.mark.parametrize("case", ["memory", "sharded", "filters", "big-endian", "text",
                                  "two compressors"])
def test_where_it_does_not(tmp_path, case):
    from zarr.codecs import BytesCodec

    if case == "memory":
        arr = zarr.create_array(zarr.storage.MemoryStore(), shape=(8,), chunks=(2,),
                                dtype="float32")
    elif case == "sharded":
        arr = _array(tmp_path, shards=(4, 3))
    elif case == "filters":
        from zarr.codecs import TransposeCodec

        arr = _array(tmp_path, filters=[TransposeCodec(order=(1, 0))])
    elif case == "big-endian":
        arr = _array(tmp_path, serializer=BytesCodec(endian="big"))
    elif case == "text":
        arr = _array(tmp_path, dtype=str, fill_value="")
    else:
        arr = _array(tmp_path, compressors=[BloscCodec(cname="lz4"), ZstdCodec(level=1)])
    assert ChunkFiles.for_array(arr) is None


@pytest.mark.parametrize("version, ok", [("3.0.9", False), ("3.0.10", True), ("3.1.6", True),
                                         ("3.2.0", False), ("4.0.0a1", False),
                                         ("3.1.7.dev3+g1234", True)])
def test_zarr_versions(tmp_path, monkeypatch, version, ok):
    monkeypatch.setattr(zarr, "__version__", version)
    assert (ChunkFiles.for_array(_array(tmp_path)) is not None) == ok


def test_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv(chunkfiles.ENVIRONMENT, "0")
    assert not chunkfiles.enabled()
    assert ChunkFiles.for_array(_array(tmp_path)) is None


def test_a_check_that_fails_sends_everything_through_zarr(tmp_path):
    arr = _array(tmp_path)
    direct = ChunkFiles.for_array(arr)
    direct.encode = lambda chunk: b"not what zarr writes"
    data = np.arange(24, dtype=np.float32).reshape(8, 3)
    for i in range(4):
        block = data[2 * i:2 * i + 2]
        direct.write((i, 0), block, lambda b=block, i=i: arr.__setitem__(slice(2 * i, 2 * i + 2),
                                                                          b))
    assert direct.checked is False and direct.written == 0
    np.testing.assert_array_equal(arr[...], data)


def test_writes_after_the_check(tmp_path):
    arr = _array(tmp_path, compressors=[BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")])
    direct = ChunkFiles.for_array(arr)
    data = np.random.default_rng(1).standard_normal((8, 3)).astype(np.float32)
    through = []
    for i in range(4):
        block = data[2 * i:2 * i + 2]

        def via_zarr(b=block, i=i):
            through.append(i)
            arr[2 * i:2 * i + 2] = b

        direct.write((i, 0), block, via_zarr)
    assert through == [0] and direct.checked is True and direct.written == 3
    np.testing.assert_array_equal(zarr.open_array(arr.store, path="a", mode="r")[...], data)
    # a block that is not exactly one chunk, or of another type, goes through zarr
    direct.write((0, 0), data[:1], lambda: through.append("short"))
    direct.write((0, 0), data[:2].astype(np.float64), lambda: through.append("float64"))
    assert through == [0, "short", "float64"]


def test_partial_files_of_a_killed_write_are_removed_on_resume(tmp_path, wavs):
    store = tmp_path / "s.zarr"
    extract(wavs[:6], "mel", store, sr=SR, clip=0.25, **MEL)
    planted = [store / "mel" / ".c.0.0.0.123.456.partial",
               store / "mel" / "c.1.0.0.0123456789abcdef0123456789abcdef.partial",
               store / "clip_start" / "c.0.0a1b2c.partial"]
    for path in planted:
        path.write_bytes(b"half a chunk")
    kept = store / "mel" / "zarr.json"
    extract(wavs, "mel", store, sr=SR, clip=0.25, **MEL)  # the same store, more files: resumed
    assert [p for p in planted if p.exists()] == [] and kept.exists()
    s = open_store(store)
    assert (s.status == 1).all() and len(s.status) == len(wavs)
