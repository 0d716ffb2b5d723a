"""gaborcore: stationary and non-stationary Gabor transforms with a compiled core.

Backends (``backend=``): ``"c"`` (C/Cython + FFTW, OpenMP), ``"numba"`` and ``"numpy"``; see
:func:`available_backends` and :func:`show_config`.
"""

from ._backend import available_backends, get_workers, set_backend, set_workers
from ._config import show_config
from . import equivalence, figure1, operators
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
