"""``show_config()``: what this installation runs on."""

from __future__ import annotations

import platform
import sys

from . import _backend, _fftw


def config() -> dict:
    """The configuration as a dict (backends, FFT engine, OpenMP, threads, versions)."""
    import numpy

    info = {
        "gaborcore": __import__("gaborcore").__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "backends": _backend.available_backends(),
        "unavailable": _backend.unavailable_reasons(),
        "default_backend": _backend.resolve_backend(None),
        "fft_engine": _fftw.engine_name(),
        "cpu_count": _backend.cpu_count(),
        "default_workers": _backend.get_workers(),
    }
    try:
        from . import _ext
        from ._ext import _stft

        info["openmp"] = _stft.HAVE_OPENMP
        info["omp_wait_policy"] = _ext.WAIT_POLICY
        info["c_block_frames"] = _stft.BLOCK
    except ImportError:
        info["openmp"] = None
    if "numba" in info["backends"]:
        import numba

        info["numba"] = numba.__version__
    return info


def show_config() -> None:
    """Print the backends, OpenMP, the FFT engine and thread counts."""
    for key, value in config().items():
        print(f"{key:>16}: {value}")
