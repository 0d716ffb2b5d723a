"""gaborcore: stationary and non-stationary Gabor transforms with a compiled core.

Backends (``backend=``): ``"c"`` (C/Cython + FFTW, OpenMP), ``"numba"`` and ``"numpy"``; see
:func:`available_backends` and :func:`show_config`.
"""

from ._backend import available_backends, get_workers, set_backend, set_workers
from ._cache import clear_plan_cache, plan_cache_info
from ._config import show_config
from ._validation import ParameterError
from .cepstral import delta, mfcc
from .convert import (
    frames_to_samples,
    frames_to_time,
    samples_like,
    samples_to_frames,
    samples_to_time,
    time_to_frames,
    time_to_samples,
    times_like,
)
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
    cqt,
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
    "plan_cache_info",
    "clear_plan_cache",
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
    "mfcc",
    "delta",
    "frames_to_samples",
    "frames_to_time",
    "samples_to_frames",
    "samples_to_time",
    "time_to_frames",
    "time_to_samples",
    "times_like",
    "samples_like",
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
    "cqt",
    "SlicedNSGT",
    "SlicedCoefficients",
    "SlicedInverse",
    "slicing_window",
    "operators",
    "equivalence",
    "figure1",
]

# Loaded on first use, so that ``import gaborcore`` stays cheap for libraries that use it as a
# backend: the CNN kernels (gaborcore.nn) and the layer functions most used on their own, the
# paper's operators, and the extraction job (zarr, soundfile).
_LAZY = {
    "nn": ("nn", None),
    "conv2d": ("nn", "conv2d"),
    "conv_matrix": ("nn", "conv_matrix"),
    "lp_pool2d": ("nn", "lp_pool2d"),
    "max_pool2d": ("nn", "max_pool2d"),
    "avg_pool2d": ("nn", "avg_pool2d"),
    "Network": ("nn", "Network"),
    "operators": ("operators", None),
    "equivalence": ("equivalence", None),
    "figure1": ("figure1", None),
    "extract": ("extract", None),
    "dataset": ("dataset", None),
    "io": ("io", None),
}
__all__ += ["nn", "conv2d", "conv_matrix", "lp_pool2d", "max_pool2d", "avg_pool2d", "Network",
            "extract", "dataset", "io"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        mod = importlib.import_module(f"gaborcore.{module}")
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gaborcore' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
