"""The shape of the extraction job's work and writes: bounded work in flight, whole chunks, plans."""

import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile
import zarr

import gaborcore
from gaborcore.extract import ExtractConfig, extract, open_store
from gaborcore.extract import job as job_module
from gaborcore.extract import layout as layout_module
from gaborcore.extract import writer as writer_module
from gaborcore.extract.features import prepared

from .common import GOOD, MEL, SR, assert_same_store

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
