"""The ``gaborcore`` command: info, demo, and the exit status and message of every failure."""

import json
import os

import numpy as np
import pytest

import gaborcore
import gaborcore.demo
from gaborcore.cli import main

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
    assert sorted(p.name for p in out.iterdir()) == ["audio", "labels.csv", "spectrograms.npz"]
    assert len(list((out / "audio").glob("*.wav"))) == 3
    with np.load(out / "spectrograms.npz") as data:
        assert data["spectrograms"].shape == (3, 513, 44)
        assert data["mel"].shape == (3, 128, 44)
        assert data["spectrograms"].dtype == data["mel"].dtype == np.float32
        assert data["labels"].tolist() == ["note_A3", "chirp_up", "noise_low"]
    summary = capsys.readouterr().out
    assert "mel (3, 128, 44) float32" in summary and "s of audio per second" in summary


def test_demo_options(tmp_path):
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), *SMALL, "--sr", "16000", "--n-mels", "40", "--seed", "3",
            "--backend", "numpy"]
    assert main(args) == 0
    with np.load(out / "spectrograms.npz") as data:
        assert data["mel"].shape == (3, 40, 1 + 8000 // 256)
        assert (int(data["sr"]), int(data["seed"]), int(data["n_mels"])) == (16000, 3, 40)


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
