"""What the extraction tests share: the test files' formats and rates, and store comparisons."""

import os

import numpy as np
import zarr

from gaborcore import io

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


def make_signal(n, sr, channels, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    y = np.sin(2 * np.pi * (300.0 + 100 * seed) * t)[:, None] * (0.3 + 0.2 * np.arange(channels))
    return (y + 0.02 * rng.standard_normal((n, channels))).astype(np.float32)


def decoded(path, channels="mono"):
    return io.load(path, sr=SR, mono=channels == "mono")[0]


def store_arrays(store):
    """Every array of a store, by name."""
    group = zarr.open_group(os.fspath(store), mode="r")
    return {name: group[name][:] for name in sorted(group.array_keys())}


def chunk_files(store):
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
    xa, xb = store_arrays(a), store_arrays(b)
    assert sorted(xa) == sorted(xb)
    for name in xa:
        assert xa[name].shape == xb[name].shape and xa[name].dtype == xb[name].dtype, name
        if xa[name].dtype.kind in "fc":
            assert xa[name].tobytes() == xb[name].tobytes(), name
        else:
            assert xa[name].tolist() == xb[name].tolist(), name
    ca, cb = chunk_files(a), chunk_files(b)
    assert sorted(ca) == sorted(cb)
    assert [k for k in ca if ca[k] != cb[k]] == []
    meta = [dict(zarr.open_group(os.fspath(s), mode="r").attrs)["gaborcore"] for s in (a, b)]
    for m in meta:
        del m["runs"], m["created"]
    assert meta[0] == meta[1]


MEL = dict(n_fft=512, hop_length=128, n_mels=40)
