"""Backend selection, workers semantics, configuration."""

import os
import subprocess
import sys

import numpy as np
import pytest

import gaborcore
from gaborcore import ParameterError, _backend


def test_numpy_backend_always_available():
    assert "numpy" in gaborcore.available_backends()
    assert gaborcore.available_backends()[-1] == "numpy"


def test_auto_picks_the_first_available():
    assert _backend.resolve_backend("auto") == gaborcore.available_backends()[0]


def test_set_backend_context(monkeypatch):
    monkeypatch.delenv("GABORCORE_BACKEND", raising=False)
    with gaborcore.set_backend("numpy"):
        assert _backend.resolve_backend(None) == "numpy"
        assert _backend.resolve_backend("auto") == gaborcore.available_backends()[0]
    assert _backend.resolve_backend(None) == gaborcore.available_backends()[0]


def test_environment_variable(monkeypatch):
    monkeypatch.setenv("GABORCORE_BACKEND", "numpy")
    assert _backend.resolve_backend(None) == "numpy"
    with gaborcore.set_backend(gaborcore.available_backends()[0]):
        assert _backend.resolve_backend(None) == gaborcore.available_backends()[0]


def test_unknown_backend():
    with pytest.raises(ParameterError, match="backend"):
        gaborcore.stft(np.zeros(4096), n_fft=256, backend="cuda")


def test_unavailable_backend_lists_the_available_ones(monkeypatch):
    monkeypatch.setattr(_backend, "available_backends", lambda: ["numpy"])
    monkeypatch.setattr(_backend, "_probe", lambda name: False)
    with pytest.raises(RuntimeError, match=r"available: \['numpy'\]"):
        _backend.resolve_backend("c")
    with pytest.raises(RuntimeError, match="not available"):
        with gaborcore.set_backend("numba"):
            pass


def test_workers_semantics():
    n = _backend.cpu_count()
    assert _backend.resolve_workers(None) == 1
    assert _backend.resolve_workers(3) == 3
    assert _backend.resolve_workers(-1) == n
    with pytest.raises(ParameterError, match="workers"):
        _backend.resolve_workers(0)
    with pytest.raises(ParameterError, match="workers"):
        _backend.resolve_workers(-n - 1)
    with pytest.raises(ParameterError, match="workers"):
        _backend.resolve_workers(1.5)
    with gaborcore.set_workers(-1):
        assert gaborcore.get_workers() == n
        with gaborcore.set_workers(2):
            assert gaborcore.get_workers() == 2
        assert gaborcore.get_workers() == n
    assert gaborcore.get_workers() == 1
    with pytest.raises(ParameterError, match="workers"):
        gaborcore.stft(np.zeros(4096), n_fft=256, workers=0)


def test_show_config(capsys):
    gaborcore.show_config()
    text = capsys.readouterr().out
    for key in ("backends", "fft_engine", "openmp", "default_workers"):
        assert key in text


def test_numba_not_imported_by_import_gaborcore():
    code = "import sys, gaborcore; gaborcore.stft(__import__('numpy').zeros(512), n_fft=256, " \
           "backend='numpy'); print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ | {"GABORCORE_BACKEND": "numpy"}, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif("c" not in gaborcore.available_backends(), reason="C backend not built")
def test_c_backend_reports_openmp_and_fftw():
    cfg = gaborcore._config.config()
    assert cfg["fft_engine"].startswith("FFTW")
    assert cfg["openmp"] in (True, False)


def test_plans_with_different_window_supports_do_not_share_stale_buffers(backend, rng):
    # regression: the per-thread FFT buffers are shared by all plans of one n_fft
    y = rng.standard_normal(3000)
    wide = gaborcore.STFT(n_fft=128, hop_length=32)
    narrow = gaborcore.STFT(n_fft=128, win_length=40, hop_length=32)
    want = narrow.stft(y, backend="numpy")
    for _ in range(2):
        wide.stft(y, backend=backend)
        np.testing.assert_allclose(narrow.stft(y, backend=backend), want, rtol=1e-12,
                                   atol=1e-12 * np.abs(want).max())
