"""FFT engines.

* The C backend calls FFTW directly: pyFFTW's wheels bundle libfftw3 / libfftw3f (but no header),
  and the entry points are resolved here from the library pyFFTW has already loaded
  (``dlopen(..., RTLD_NOLOAD)`` + ``dlsym`` through :mod:`ctypes`) and handed to the C kernels.
* The numba and numpy backends drive block FFTs from Python: a per-thread cache of pyFFTW plans
  (never re-planned per call), or :mod:`scipy.fft` when pyFFTW cannot be imported.

FFTW is GPL-licensed; the scipy.fft path is BSD.  gaborcore itself is BSD-3-Clause.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading

import numpy as np

from ._cache import plan_cache

_SYMBOLS = {
    "plan_many_r2c_f": "fftwf_plan_many_dft_r2c",
    "plan_many_c2r_f": "fftwf_plan_many_dft_c2r",
    "execute_r2c_f": "fftwf_execute_dft_r2c",
    "execute_c2r_f": "fftwf_execute_dft_c2r",
    "destroy_plan_f": "fftwf_destroy_plan",
    "plan_many_r2c_d": "fftw_plan_many_dft_r2c",
    "plan_many_c2r_d": "fftw_plan_many_dft_c2r",
    "execute_r2c_d": "fftw_execute_dft_r2c",
    "execute_c2r_d": "fftw_execute_dft_c2r",
    "destroy_plan_d": "fftw_destroy_plan",
    "plan_many_dft_f": "fftwf_plan_many_dft",
    "execute_dft_f": "fftwf_execute_dft",
    "plan_many_dft_d": "fftw_plan_many_dft",
    "execute_dft_d": "fftw_execute_dft",
}

_pyfftw_module = None
_pyfftw_lock = threading.Lock()


@functools.cache
def have_pyfftw() -> bool:
    """Whether pyFFTW is importable and not disabled by ``GABORCORE_NO_PYFFTW``.

    pyFFTW is imported here, on the first call that needs an FFT, and not at ``import gaborcore``:
    its ``interfaces`` pull in ``dask.array`` when dask is installed (0.4 s), which a library
    that imports gaborcore as a backend should not pay for before it computes anything.
    """
    global _pyfftw_module
    if os.environ.get("GABORCORE_NO_PYFFTW", "0") not in ("", "0"):
        return False
    with _pyfftw_lock:
        try:
            import pyfftw
        except ImportError:  # pragma: no cover - exercised by the no-pyfftw smoke test
            return False
        _pyfftw_module = pyfftw
    return True


def fftw_addresses() -> dict[str, int]:
    """Addresses of the FFTW entry points in the library loaded by pyFFTW."""
    if not have_pyfftw():
        raise ImportError("pyFFTW is not importable, so FFTW cannot be reached from C")
    import pyfftw.pyfftw as ext

    lib = ctypes.CDLL(ext.__file__, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    found = {}
    for key, symbol in _SYMBOLS.items():
        found[key] = ctypes.cast(getattr(lib, symbol), ctypes.c_void_p).value
    return found


_installed = False
_install_lock = threading.Lock()


def install_c_api() -> None:
    """Import the compiled extension and hand it the FFTW entry points (once)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        # the extensions first: importing pyFFTW (in fftw_addresses) can pull in another OpenMP
        # runtime (dask -> numbagg -> numba), and gaborcore's must load before it to be passive
        modules = fftw_extensions()
        addresses = fftw_addresses()
        for module in modules:
            module.set_fftw_api(addresses, _planner_lock)
        _installed = True


def fftw_extensions() -> list:
    """Every compiled module that takes the FFTW entry points: those that include
    ``_common.pxi`` (which defines ``set_fftw_api``), found rather than listed, so that a new
    extension cannot be left out."""
    import importlib
    import pkgutil

    from . import _ext

    found = []
    for info in pkgutil.iter_modules(_ext.__path__):
        module = importlib.import_module(f"{_ext.__name__}.{info.name}")
        if hasattr(module, "set_fftw_api"):
            found.append(module)
    if not found:
        raise ImportError("no compiled gaborcore extension takes the FFTW entry points")
    return found


def engine_name() -> str:
    if have_pyfftw():
        return f"FFTW via pyFFTW {_pyfftw_module.__version__}"
    import scipy

    return f"scipy.fft (pocketfft) {scipy.__version__}"


class _ScipyBlock:
    """scipy.fft fallback with the same interface as a pyFFTW plan object."""

    def __init__(self, rows: int, n: int, dtype: np.dtype, inverse: bool):
        cdt = np.complex64 if dtype == np.float32 else np.complex128
        n_freq = n // 2 + 1
        self.n = n
        self.inverse = inverse
        if inverse:
            self.input_array = np.zeros((rows, n_freq), cdt)
            self.output_array = np.zeros((rows, n), dtype)
        else:
            self.input_array = np.zeros((rows, n), dtype)
            self.output_array = np.zeros((rows, n_freq), cdt)

    def __call__(self):
        import scipy.fft

        if self.inverse:
            self.output_array[...] = scipy.fft.irfft(self.input_array, n=self.n, axis=-1)
        else:
            self.output_array[...] = scipy.fft.rfft(self.input_array, axis=-1)
        return self.output_array


def _make_pyfftw(rows: int, n: int, dtype: np.dtype, inverse: bool):
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    n_freq = n // 2 + 1
    pyfftw = _pyfftw_module
    real = pyfftw.empty_aligned((rows, n), dtype=dtype)
    # Rows of the spectra an odd number of cache lines apart: the kernels read one frequency of
    # every row in turn, and a power-of-two spacing maps all of them to one cache set.
    lines = -(-n_freq * cdt().itemsize // 64)
    lines += 1 - lines % 2
    cplx = pyfftw.empty_aligned((rows, lines * 64 // cdt().itemsize), dtype=cdt)[:, :n_freq]
    real[...] = 0
    cplx[...] = 0
    planner = "FFTW_MEASURE" if MEASURE else "FFTW_ESTIMATE"
    if inverse:
        # normalise_idft=True (the default) scales by 1/n like numpy.fft.irfft.
        return pyfftw.FFTW(cplx, real, axes=(-1,), direction="FFTW_BACKWARD",
                           flags=(planner, "FFTW_DESTROY_INPUT"), threads=1)
    return pyfftw.FFTW(real, cplx, axes=(-1,), direction="FFTW_FORWARD",
                       flags=(planner,), threads=1)


#: Whether FFTW plans are chosen by timing candidates (FFTW_MEASURE) instead of by FFTW's
#: estimate.  Measuring may pick another algorithm in another process (timings are noisy), and
#: another algorithm rounds differently: features computed in two runs then differ in their last
#: bits (up to 5e-7 relative in float32), so a data set resumed in a new process is not the one an
#: uninterrupted run makes.  The estimate is the same in every process on the same machine and
#: library; for the block transforms used here it costs 0-10 % (measured on n_fft 512-2048).
MEASURE = False

# FFTW's planner is not thread-safe: every plan gaborcore makes (C kernels and pyFFTW objects)
# is made under this one lock.  Reentrant, because a plan freed by the garbage collector while
# the lock is held destroys its FFTW plans under the same lock.
_planner_lock = threading.RLock()


def block_fft(rows: int, n: int, dtype, *, inverse: bool = False):
    """A cached plan for ``rows`` real FFTs of length ``n`` (or their inverses).

    Returns an object with ``input_array``, ``output_array`` and ``__call__()`` that transforms
    input into output.  Plans live in the shared plan cache (bounded LRU) under a key holding the
    calling thread, so concurrent callers never share scratch arrays; planning is serialised
    (FFTW's planner is not thread-safe).
    """
    dtype = np.dtype(dtype)
    key = ("fftw", threading.get_ident(), rows, n, dtype.str, inverse)
    return plan_cache.get_or_create(key, lambda: _make_block(rows, n, dtype, inverse))


def _make_block(rows: int, n: int, dtype: np.dtype, inverse: bool):
    if have_pyfftw():
        with _planner_lock:
            return _make_pyfftw(rows, n, dtype, inverse)
    return _ScipyBlock(rows, n, dtype, inverse)
