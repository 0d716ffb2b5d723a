"""gaborcore: stationary and non-stationary Gabor transforms with a compiled core.

Backends (``backend=``): ``"c"`` (C/Cython + FFTW, OpenMP), ``"numba"`` and ``"numpy"``; see
:func:`available_backends` and :func:`show_config`.
"""

import os as _os

# The C kernels run one OpenMP parallel region per call; libgomp's default spin-waiting between
# regions steals the CPUs from other threads and processes on shared machines (measured here:
# 1.6-2x slower with one process, 3-6x with two).  Sleep instead, unless the user chose a policy.
# Must happen before libgomp is loaded (it reads the variable once).
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import equivalence, figure1, operators
from ._backend import available_backends, get_workers, set_backend, set_workers  # noqa: E402
from ._config import show_config
from ._validation import ParameterError
from .features import (
    MelSpectrogram,
    amplitude_to_db,
    db_to_amplitude,
    db_to_power,
    log1p_compress,
    melspectrogram,
    power_to_db,
)
from .filterbanks import (
    SCALES,
    EmptyFilterWarning,
    SparseFilterbank,
    fft_frequencies,
    filterbank,
    hz_to_mel,
    hz_to_scale,
    mel,
    mel_frequencies,
    mel_to_hz,
    scale_frequencies,
    scale_to_hz,
)
from .nsgt import (
    NSGT,
    BandTable,
    NSGTCoefficients,
    SlicedCoefficients,
    SlicedInverse,
    SlicedNSGT,
    nsgt_frequencies,
    slicing_window,
)
from .stft import STFT, dgt, idgt, istft, spectrogram, stft
from .windows import (
    dual_window,
    frame_bounds,
    frame_diagonal,
    get_window,
    is_painless,
    pad_center,
    tight_window,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ParameterError",
    "available_backends",
    "set_backend",
    "set_workers",
    "get_workers",
    "show_config",
    "STFT",
    "stft",
    "istft",
    "spectrogram",
    "dgt",
    "idgt",
    "get_window",
    "pad_center",
    "dual_window",
    "tight_window",
    "frame_bounds",
    "frame_diagonal",
    "is_painless",
    "MelSpectrogram",
    "melspectrogram",
    "power_to_db",
    "amplitude_to_db",
    "db_to_power",
    "db_to_amplitude",
    "log1p_compress",
    "SCALES",
    "EmptyFilterWarning",
    "SparseFilterbank",
    "filterbank",
    "mel",
    "hz_to_scale",
    "scale_to_hz",
    "hz_to_mel",
    "mel_to_hz",
    "scale_frequencies",
    "mel_frequencies",
    "fft_frequencies",
    "NSGT",
    "NSGTCoefficients",
    "BandTable",
    "nsgt_frequencies",
    "SlicedNSGT",
    "SlicedCoefficients",
    "SlicedInverse",
    "slicing_window",
    "operators",
    "equivalence",
    "figure1",
]

# CNN front-end kernels (gaborcore.nn): the layer functions most used on their own, and networks
from . import nn  # noqa: E402
from .nn import Network, avg_pool2d, conv2d, conv_matrix, lp_pool2d, max_pool2d  # noqa: E402

__all__ += ["nn", "conv2d", "conv_matrix", "lp_pool2d", "max_pool2d", "avg_pool2d", "Network"]

# Dataset extraction (gaborcore.dataset) imports zarr and soundfile: loaded on first use only.
_LAZY = {"extract": ("dataset", "extract"), "dataset": ("dataset", None), "io": ("io", None)}
__all__ += ["extract", "dataset", "io"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        mod = importlib.import_module(f"gaborcore.{module}")
        return mod if attr is None else getattr(mod, attr)
    raise AttributeError(f"module 'gaborcore' has no attribute {name!r}")
