"""Compiled kernels (Cython shims over the C sources in ``csrc/``); optional at install time.

Importing this package loads the first extension module and with it the OpenMP runtime.  The C
kernels run one parallel region per call, and libgomp's default between regions is to spin, which
takes the CPUs from every other thread and process (measured on a shared 2-core machine: the STFT
1.6-2x slower with one process, 3-6x with two).  So, unless told otherwise, the runtime is loaded
with ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep between regions), and the variable is removed
again right after: it is read once, when the runtime loads, and the host process's environment,
its subprocesses and any other OpenMP runtime loaded later see it as it was.

* ``OMP_WAIT_POLICY`` set by the user: left alone, the runtime reads it.
* ``GABORCORE_OMP_PASSIVE=0``: nothing is set; the runtime's own default applies.
* an OpenMP runtime already loaded in the process (say by torch, imported first): it has read its
  settings already, and nothing is set.

:data:`WAIT_POLICY` says which of these happened; ``gaborcore.show_config()`` prints it.
"""

import os


def _openmp_already_loaded() -> bool:
    """Whether an OpenMP runtime is mapped into this process (Linux; False where unknown)."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as fh:
            maps = fh.read()
    except OSError:
        return False
    return any(name in maps for name in ("libgomp", "libomp", "libiomp"))


def _load_runtime() -> str:
    if "OMP_WAIT_POLICY" in os.environ:
        return f"{os.environ['OMP_WAIT_POLICY']} (OMP_WAIT_POLICY from the environment)"
    if os.environ.get("GABORCORE_OMP_PASSIVE", "1") in ("0", "false", "False"):
        return "runtime default (GABORCORE_OMP_PASSIVE=0)"
    if _openmp_already_loaded():
        return "runtime default (an OpenMP runtime was loaded before gaborcore's)"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        from . import _stft  # noqa: F401 - loads the OpenMP runtime, which reads the variable once
    except ImportError:
        return "none (the compiled kernels are not built)"
    finally:
        del os.environ["OMP_WAIT_POLICY"]
    return "PASSIVE (set by gaborcore while its OpenMP runtime loaded)"


WAIT_POLICY = _load_runtime()
