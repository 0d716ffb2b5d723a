"""The ``gaborcore`` command: info, demo, extract, and the exit status and message of every
failure."""

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import soundfile

import gaborcore
import gaborcore.demo
from gaborcore.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, main
from gaborcore.extract import job as job_module
from gaborcore.extract import open_store

SMALL = ["--n-signals", "3", "--duration", "0.5", "--no-plot"]


def _one_line_error(capsys):
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("gaborcore") and "error:" in err
    return err


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "backends" in out and "fft_engine" in out


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert {"backends", "fft_engine"} <= set(info)
    assert info["backends"] == gaborcore.available_backends()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gaborcore {gaborcore.__version__}"


def test_demo(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), *SMALL, "--workers", "2"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["audio", "features.zarr", "labels.csv"]
    assert len(list((out / "audio").glob("*.wav"))) == 3
    store = open_store(out / "features.zarr")
    assert store.group["stft"].shape == (3, 513, 44)
    assert store.group["mel"].shape == (3, 128, 44)
    assert store.group["stft"].dtype == store.group["mel"].dtype == np.float32
    assert store.group["label"][:].tolist() == ["note_A3", "chirp_up", "noise_low"]
    assert store.status.tolist() == [1, 1, 1]
    summary = capsys.readouterr().out
    assert "mel (3, 128, 44) float32" in summary and "s of audio per second" in summary


def test_demo_options(tmp_path):
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), *SMALL, "--sr", "16000", "--n-mels", "40", "--seed", "3",
            "--backend", "numpy"]
    assert main(args) == 0
    store = open_store(out / "features.zarr")
    assert store.group["mel"].shape == (3, 40, 1 + 8000 // 256)
    assert store.config["sr"] == 16000 and store.config["features"]["mel"]["n_mels"] == 40
    assert store.config["clip"] == 0.5


def _file(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("not a directory")
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (lambda t: ["--out", str(_file(t))], "Not a directory"),
        (lambda t: ["--out", str(_file(t) / "sub")], "Not a directory"),
        (lambda t: ["--out", str(t / "o"), "--workers", "0"], "workers=0"),
        (lambda t: ["--out", str(t / "o"), "--n-signals", "0"], "n_signals=0"),
        (lambda t: ["--out", str(t / "o"), "--n-signals", "three"], "--n-signals"),
        (lambda t: ["--out", str(t / "o"), "--n-mels", "0"], "n_mels=0"),
        (lambda t: ["--out", str(t / "o"), "--backend", "cuda"], "--backend"),
    ],
    ids=["out-is-a-file", "out-below-a-file", "workers-0", "n-signals-0", "n-signals-text",
         "n-mels-0", "unknown-backend"],
)
def test_demo_errors(tmp_path, capsys, args, message):
    assert main(["demo", *SMALL, *args(tmp_path)]) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "o").exists()


def test_unknown_backend_from_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GABORCORE_BACKEND", "cuda")
    assert main(["demo", "--out", str(tmp_path / "o"), *SMALL]) == 2
    assert "backend='cuda'" in _one_line_error(capsys)


def test_unwritable_out(tmp_path, capsys):
    parent = tmp_path / "read-only"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        assert main(["demo", "--out", str(parent / "o"), *SMALL]) == 2
        assert "cannot write the output: Permission denied" in _one_line_error(capsys)
    finally:
        parent.chmod(0o700)


def test_usage_errors(capsys):
    assert main([]) == 2
    _one_line_error(capsys)
    assert main(["transform"]) == 2
    _one_line_error(capsys)


def test_interrupted(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gaborcore.demo, "run_demo", interrupted)
    assert main(["demo", "--out", str(tmp_path / "o"), *SMALL]) == 130
    assert capsys.readouterr().err == "gaborcore demo: interrupted\n"


# ---- extract ---------------------------------------------------------------------------------

EXTRACT = ["--sr", "16000", "--clip", "0.25", "--n-fft", "512", "--hop-length", "128",
           "--n-mels", "40", "--no-progress"]


@pytest.fixture
def audio(tmp_path):
    d = tmp_path / "audio"
    (d / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    soundfile.write(d / "a.wav", 0.1 * rng.standard_normal(8000), 16000, subtype="PCM_16")
    soundfile.write(d / "sub" / "b.flac", 0.1 * rng.standard_normal((11025, 2)), 22050)
    soundfile.write(d / "sub" / "c.ogg", 0.1 * rng.standard_normal(6000), 12000)
    (d / "sub" / "d.wav").write_bytes(b"not audio at all")
    return d


def test_extract(tmp_path, audio, capsys):
    store = tmp_path / "f.zarr"
    # a file failed: the others are in the store, and the exit status says so
    assert main(["extract", str(audio), "--out", str(store), *EXTRACT, "--workers", "2"]) == 1
    out = capsys.readouterr().out
    assert "3 files extracted (mel), 1 failed, 0 already done" in out
    assert f"failed: {audio / 'sub' / 'd.wav'}: not a readable audio file" in out
    s = open_store(store)
    assert s.status.tolist() == [1, 1, 1, 2]
    assert [s.feature("mel", i).shape for i in range(3)] == [(2, 40, 32)] * 3

    # again: nothing to do; with other parameters: refused, one line, exit 2
    assert main(["extract", str(audio), "--out", str(store), *EXTRACT]) == EXIT_OK
    assert "nothing to do" in capsys.readouterr().out
    assert main(["extract", str(audio), "--out", str(store), *EXTRACT, "--n-mels", "64"]) == 2
    err = _one_line_error(capsys)
    assert "other parameters (features.mel.n_mels: 40 -> 64)" in err and "--overwrite" in err
    assert main(["extract", str(audio), "--out", str(store), *EXTRACT, "--n-mels", "64",
                 "--overwrite"]) == EXIT_SOME_FAILED
    assert open_store(store).group["mel"].shape[1] == 64


@pytest.fixture
def dask_cluster(tmp_path):
    """An existing Dask cluster: a scheduler and a worker started as their own processes."""
    pytest.importorskip("dask.distributed")
    info = tmp_path / "scheduler.json"
    common = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)], **common)]
    try:
        for _ in range(600):  # the scheduler's start-up: up to a minute
            if info.exists() and info.read_text().strip():
                break
            if procs[0].poll() is not None:
                pytest.fail("the Dask scheduler exited")
            time.sleep(0.1)
        else:
            pytest.fail("no Dask scheduler after a minute")
        address = json.loads(info.read_text())["address"]
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                       "--nthreads", "1", "--nworkers", "2",
                                       "--no-dashboard"], **common))
        from dask.distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


def test_extract_on_an_existing_cluster(tmp_path, audio, capsys, dask_cluster):
    # --scheduler tcp://HOST:PORT: the workers (other processes) decode and compute, this
    # process writes; the same store as the local thread pool writes
    assert dask_cluster.startswith("tcp://")
    local, remote = tmp_path / "local.zarr", tmp_path / "remote.zarr"
    assert main(["extract", str(audio), "--out", str(local), *EXTRACT]) == EXIT_SOME_FAILED
    capsys.readouterr()
    assert main(["extract", str(audio), "--out", str(remote), *EXTRACT,
                 "--scheduler", dask_cluster]) == EXIT_SOME_FAILED
    out = capsys.readouterr().out
    assert "3 files extracted (mel), 1 failed" in out and f"Dask {dask_cluster}" in out
    a, b = open_store(local), open_store(remote)
    assert a.status.tolist() == b.status.tolist() == [1, 1, 1, 2]
    assert a.errors == b.errors
    for i in range(3):  # computed in other processes: the same bits
        assert b.feature("mel", i).tobytes() == a.feature("mel", i).tobytes()


def test_extract_config_file(tmp_path, audio, capsys):
    config = tmp_path / "job.toml"
    config.write_text(textwrap.dedent("""
        sr = 16000
        clip = 0.5
        [features.stft]
        n_fft = 256
        hop_length = 128
        [features.mel]
        n_fft = 256
        hop_length = 128
        n_mels = 32
        db = true
    """))
    store = tmp_path / "f.zarr"
    lst = tmp_path / "files.txt"
    lst.write_text(f"{audio / 'a.wav'}\naudio/sub/c.ogg\n")
    args = ["extract", str(lst), "--out", str(store), "--config", str(config), "--no-progress",
            "--feature", "mel", "--top-db", "50"]
    assert main(args) == 0
    s = open_store(store)
    assert s.features == ("mel",) and s.config["features"]["mel"]["top_db"] == 50.0
    assert s.config["features"]["mel"]["db"] is True
    assert s.group["mel"].shape == (2, 32, 63)
    assert [os.path.basename(f) for f in s.files] == ["a.wav", "c.ogg"]


def _a_file(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("not a directory")
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (lambda t, a: [str(t / "missing.wav"), "--out", str(t / "o.zarr")],
         "missing.wav' does not exist"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--feature", "spectrogram"],
         "argument --feature: invalid choice: 'spectrogram'"),
        (lambda t, a: [str(a), "--out", str(_a_file(t) / "o.zarr")],
         "cannot write the output: Not a directory"),
        (lambda t, a: [str(a), "--out", str(_a_file(t))], "is a file; a Zarr store is a directory"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--feature", "stft", "--n-mels", "64"],
         "n_mels is neither an option nor a parameter of feature(s) stft"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--n-mels", "0"],
         "--n-mels 0 must be"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--sr", "0"], "--sr 0 must be"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--feature", "mfcc", "--dct-type",
                       "7"], "--dct-type 7 must be 1, 2, 3 or 4"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--n-fft", "256",
                       "--win-length", "400"], "--win-length 400 must be at most --n-fft 256"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--feature", "nsgt"], "give clip"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--scheduler", "cluster:8786"],
         "tcp://HOST:PORT"),
        (lambda t, a: [str(a), "--out", str(t / "o.zarr"), "--config", str(t / "none.toml")],
         "none.toml' does not exist"),
        (lambda t, a: [str(a)], "the following arguments are required: --out"),
    ],
    ids=["missing-input", "unknown-feature", "out-below-a-file", "out-is-a-file",
         "parameter-of-no-feature", "n-mels", "sr", "dct-type", "win-length", "nsgt-without-clip",
         "bad-scheduler", "missing-config", "no-out"],
)
def test_extract_errors(tmp_path, audio, capsys, args, message):
    assert main(["extract", *args(tmp_path, audio), "--no-progress"]) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "o.zarr").exists()


def test_extract_unwritable_out(tmp_path, audio, capsys):
    parent = tmp_path / "read-only"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        assert main(["extract", str(audio), "--out", str(parent / "o.zarr")]) == 2
        assert "cannot write the output: Permission denied" in _one_line_error(capsys)
    finally:
        parent.chmod(0o700)


def test_extract_interrupted(tmp_path, audio, capsys, monkeypatch):
    run_batch = job_module.run_batch

    def interrupted(config_json, items, backend):
        if any(item.path.endswith("c.ogg") for item in items):
            raise KeyboardInterrupt
        return run_batch(config_json, items, backend)

    monkeypatch.setattr(job_module, "run_batch", interrupted)
    store = tmp_path / "f.zarr"
    args = ["extract", str(audio), "--out", str(store), *EXTRACT, "--batch-size", "1"]
    assert main(args) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.startswith("gaborcore extract: interrupted") and "again to resume" in err
    assert open_store(store).status.tolist() == [1, 1, 0, 0]
    monkeypatch.setattr(job_module, "run_batch", run_batch)
    assert main(args) == EXIT_SOME_FAILED
    assert "1 file extracted (mel), 1 failed, 2 already done" in capsys.readouterr().out


def test_extract_exit_status_json_quiet_log(tmp_path, audio, capsys):
    good = tmp_path / "good.txt"
    good.write_text(f"{audio / 'a.wav'}\n{audio / 'sub' / 'c.ogg'}\n")
    store = tmp_path / "f.zarr"
    assert main(["extract", str(good), "--out", str(store), *EXTRACT]) == EXIT_OK
    capsys.readouterr()
    # some files fail: 1, and the JSON report lists them
    args = ["extract", str(audio), "--out", str(store), *EXTRACT, "--json"]
    assert main(args) == EXIT_SOME_FAILED
    report = json.loads(capsys.readouterr().out)
    assert (report["n_ok"], report["n_failed"], report["n_skipped"]) == (1, 1, 2)
    assert report["failures"][0]["path"].endswith("d.wav")
    assert "not a readable audio file" in report["failures"][0]["reason"]
    # --quiet prints nothing; --log FILE appends the summary and the failures
    log = tmp_path / "job.log"
    args = ["extract", str(audio), "--out", str(store), *EXTRACT, "--retry-failed", "--quiet",
            "--log", str(log)]
    assert main(args) == EXIT_SOME_FAILED
    assert capsys.readouterr() == ("", "")
    assert "1 failed" in log.read_text() and "d.wav" in log.read_text()


def test_extract_dry_run(tmp_path, audio, capsys):
    store = tmp_path / "f.zarr"
    args = ["extract", str(audio), "--out", str(store), *EXTRACT, "--dry-run"]
    assert main(args) == EXIT_OK
    assert "dry run: 4 of 4 entries to do" in capsys.readouterr().out
    assert not store.exists()
    assert main([*args[:-1], "--json", "--dry-run", "--n-mels", "0"]) == EXIT_ERROR


def test_extract_n_fft_alone_and_default_workers(tmp_path, audio, capsys):
    # --n-fft 256 alone: hop n_fft // 4 (librosa's), and every core by default
    store = tmp_path / "f.zarr"
    from gaborcore.extract.runners import cores

    assert main(["extract", str(audio / "a.wav"), "--out", str(store), "--n-fft", "256",
                 "--n-mels", "20", "--json"]) == EXIT_OK
    n = cores()
    assert json.loads(capsys.readouterr().out)["runner"] == f"{n} thread{'s' if n > 1 else ''}"
    s = open_store(store)
    assert s.config["features"]["mel"]["hop_length"] == 64
    assert s.attrs["runs"][-1]["files"] == 1


def test_figure1_command(tmp_path, capsys):
    from gaborcore.cli import main

    assert main(["figure1", "--out", str(tmp_path), "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "after ReLU + 4x4 pooling" in out and "guaranteed bound" in out
