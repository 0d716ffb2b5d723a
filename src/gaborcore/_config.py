"""``show_config()``: what this installation runs on."""

from __future__ import annotations

import platform
import sys

from . import _backend, _fftw


def config() -> dict:
    """The configuration as a dict (backends, FFT engine, OpenMP, threads, versions).

    Returns
    -------
    dict
        The entries :func:`show_config` prints, in the same order (``"backends"`` is a list,
        ``"unavailable"`` a dict from backend name to the reason).

    See Also
    --------
    show_config : Prints it.

    Examples
    --------
    >>> from gaborcore._config import config
    >>> info = config()
    >>> "numpy" in info["backends"], info["default_backend"] in info["backends"]
    (True, True)
    """
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
    """Print what this installation runs on: backends, FFT engine, OpenMP and thread counts.

    One ``key: value`` line each for the gaborcore, Python and NumPy versions, the platform, the
    available backends (``backends``) and why the others are not (``unavailable``), the backend
    ``"auto"`` picks now (``default_backend``), the FFT engine of the C backend, the CPU count
    and default thread count, whether the C extension was built with OpenMP (``openmp``: None
    when the extension does not load) and, where numba is usable, its version.  Attach this
    output to bug reports.

    Returns
    -------
    None
        The configuration is printed to standard output.

    See Also
    --------
    available_backends : The backends as a list.
    get_workers : The default thread count.

    Examples
    --------
    >>> import contextlib, io, gaborcore
    >>> text = io.StringIO()
    >>> with contextlib.redirect_stdout(text):
    ...     gaborcore.show_config()
    >>> [line.split(":")[0].strip() for line in text.getvalue().splitlines()[:5]]
    ['gaborcore', 'python', 'platform', 'numpy', 'backends']
    """
    for key, value in config().items():
        print(f"{key:>16}: {value}")
