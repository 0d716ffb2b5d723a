"""The features of the extraction job: adapters on the library's public plans.

Each adapter holds its plan for one configuration and says what the store needs to know: the
shape of one item's output, the names of its axes, coordinate values (frequencies in Hz, frame
times in seconds), units and the parameters recorded as the array's attributes.  ``compute`` maps
a batch ``(b, [channels,] n)`` of signals to ``(b, [channels,] *shape)``; each item of a batch
is computed as it would be alone (no statistic is shared between items), so that a clip's bytes do
not depend on the batch it was computed in.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from .. import _validation
from .._cache import plan_cache
from .._validation import ParameterError
from ..features import MelSpectrogram, amplitude_to_db, power_to_db
from ..filterbanks import fft_frequencies, scale_frequencies
from ..nsgt import NSGT, SlicedNSGT
from ..stft import STFT
from .config import ExtractConfig
from .params import LATTICE, NSGT_SCALE

__all__ = ["Feature", "prepared", "FEATURE_CLASSES"]


class Feature:
    """One feature for one configuration: its plan, output shape and metadata.

    Attributes
    ----------
    name : str
        The feature's name in the store (its array).
    dims : tuple of str
        Names of the axes of one item's output, without the leading clip and channel axes.
    units : str
        ``"power"``, ``"magnitude"``, ``"dB"``, ``"complex"`` or ``"1"`` (MFCC).
    """

    dims: tuple[str, ...] = ()
    units = "power"
    time_axis = True  # the last axis is time (frames)
    window = 0  # signals shorter than this are padded by the plan (with a warning)

    def __init__(self, name: str, params: dict, config: ExtractConfig):
        self.name = name
        self.params = params
        self.sr = config.sr
        self.dtype = np.dtype(config.dtype)
        self.db = params.get("db", False)
        if self.db:
            self.units = "dB"
        elif params.get("power") == 1:
            self.units = "magnitude"
        self.hop_seconds: float | None = None

    def decibels(self, S: np.ndarray) -> np.ndarray:
        """dB of each item of the batch, ``top_db`` below the item's own maximum."""
        to_db = power_to_db if self.params["power"] == 2 else amplitude_to_db
        for i in range(S.shape[0]):
            S[i] = to_db(S[i], top_db=self.params["top_db"])
        return S

    @property
    def frequency_dim(self) -> str:
        return self.dims[0]

    def coordinates(self, n_frames: int | None) -> dict[str, tuple[np.ndarray, dict]]:
        """Coordinate arrays of this feature's own axes: ``{dim: (values, attributes)}``.

        The frequency (or coefficient) axis always; the frame times, in seconds from the start of
        the clip, when ``n_frames`` is given (the clips layout).
        """
        out = {self.frequency_dim: (np.asarray(self.frequencies, np.float64),
                                    {"units": "Hz", "long_name": f"{self.name} centre frequency"})}
        if n_frames is not None and self.time_axis:
            times = np.arange(n_frames, dtype=np.float64) * self.hop_seconds
            out[self.dims[-1]] = (times, {"units": "s", "long_name": "frame time in the clip"})
        return out

    def attributes(self) -> dict:
        """Attributes of the feature's array: units, rates and parameters, the dtype policy."""
        real = _validation.real_dtype_for(self.dtype).name
        attrs = {"units": self.units, "long_name": self.long_name, "feature": self.name,
                 "sr": self.sr, "parameters": json.loads(json.dumps(self.params)),
                 "dtype_policy": f"decoded as {real}, computed and stored as {self.dtype.name}"}
        if self.hop_seconds is not None:
            attrs["hop_seconds"] = self.hop_seconds
        for key in ("n_fft", "hop_length", "win_length", "window", "scale", "power", "n_mels",
                    "n_mfcc", "fmin", "fmax"):
            if key in self.params:
                attrs[key] = json.loads(json.dumps(self.params[key]))
        return attrs

    long_name = ""


def _lattice(params: dict) -> dict:
    return {k: params[k] for k in LATTICE}


class Stft(Feature):
    """``|STFT|**power`` (:meth:`gaborcore.STFT.spectrogram`): ``(1 + n_fft // 2, t)``."""

    long_name = "power spectrogram"

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.dims = (f"{name}_frequency", f"{name}_time")
        self.plan = STFT.cached(**_lattice(params))
        self.window = self.plan.n_fft
        self.power = _validation.positive_float("power", params["power"])
        self.frequencies = fft_frequencies(sr=self.sr, n_fft=self.plan.n_fft)
        self.hop_seconds = self.plan.hop_length / self.sr

    def shape(self, n_samples: int) -> tuple:
        return self.plan.output_shape((n_samples,))

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        S = self.plan.spectrogram(y, power=self.power, workers=1, backend=backend,
                                  check_finite=not finite)
        return self.decibels(S) if self.db else S


class Mel(Feature):
    """Mel (or other filter-bank) spectrogram (:class:`gaborcore.MelSpectrogram`): ``(n_mels, t)``."""

    long_name = "mel spectrogram"

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.dims = (f"{name}_frequency", f"{name}_time")
        bank = {k: v for k, v in params.items() if k not in ("db", "top_db", "n_mfcc",
                                                              "dct_type", "lifter")}
        if "power" not in bank:
            bank["power"] = 2.0
        self.plan = MelSpectrogram(sr=self.sr, **bank)
        self.window = self.plan.stft.n_fft
        p = params
        self.frequencies = scale_frequencies(p["n_mels"] + 2, fmin=p["fmin"], fmax=p["fmax"],
                                             scale=p["scale"], htk=p["htk"])[1:-1]
        self.hop_seconds = self.plan.stft.hop_length / self.sr

    def shape(self, n_samples: int) -> tuple:
        return self.plan.output_shape((n_samples,))

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        M = self.plan(y, workers=1, backend=backend, check_finite=not finite)
        return self.decibels(M) if self.db else M


class Mfcc(Mel):
    """MFCC (:func:`gaborcore.mfcc`) of each item's log-power mel spectrogram, ``top_db`` below
    the item's own maximum: ``(n_mfcc, t)``."""

    long_name = "mel-frequency cepstral coefficients"
    units = "1"

    def __init__(self, name, params, config):
        import gaborcore

        self.mfcc = getattr(gaborcore, "mfcc", None)
        if self.mfcc is None:
            raise ParameterError("feature='mfcc' needs gaborcore.mfcc, which this version lacks; "
                                 "allowed: stft, mel, nsgt, cqt")
        super().__init__(name, {**params, "db": False}, config)
        self.params = params
        self.units = "1"
        self.dims = (f"{name}_coefficient", f"{name}_time")
        self.frequencies = np.arange(params["n_mfcc"], dtype=np.int64)
        _validation.positive_int("n_mfcc", params["n_mfcc"], maximum=params["n_mels"])
        # the parameters checked now, by the function itself, not at the first batch
        self.mfcc(S=np.zeros((params["n_mels"], 1)), n_mfcc=params["n_mfcc"],
                  dct_type=params["dct_type"], lifter=params["lifter"])

    def coordinates(self, n_frames):
        out = super().coordinates(n_frames)
        out[self.dims[0]] = (self.frequencies, {"long_name": "cepstral coefficient index"})
        return out

    def shape(self, n_samples: int) -> tuple:
        return (self.params["n_mfcc"], self.plan.output_shape((n_samples,))[-1])

    def compute(self, y, backend, finite=False):
        M = self.plan(y, workers=1, backend=backend, check_finite=not finite)
        for i in range(M.shape[0]):  # top_db below each item's own maximum
            M[i] = power_to_db(M[i], top_db=self.params["top_db"])
        return self.mfcc(S=M, n_mfcc=self.params["n_mfcc"], dct_type=self.params["dct_type"],
                    lifter=self.params["lifter"])


def _nsgt_kwargs(params: dict) -> dict:
    keys = ("scale", "gamma", "layout") + tuple(NSGT_SCALE)
    return {k: params[k] for k in keys if k in params}


class Nsgt(Feature):
    """Complex NSGT coefficients of each clip: the plan's contiguous buffer ``(total,)``."""

    units = "complex"
    long_name = "NSGT coefficients"
    time_axis = False

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.dims = (f"{name}_coefficient",)
        self.dtype = _validation.complex_dtype_for(self.dtype)
        self.plan = NSGT(length=config.clip_samples, sr=self.sr, **_nsgt_kwargs(params))
        self.frequencies = np.asarray(self.plan.bands.centre_hz, np.float64)

    def coordinates(self, n_frames):
        b = self.plan.bands
        band = f"{self.name}_band"
        return {band: (self.frequencies, {"units": "Hz", "long_name": "band centre frequency"}),
                f"{self.name}_band_offset": (np.asarray(b.offset, np.int64), {"dims": band}),
                f"{self.name}_band_length": (np.asarray(b.M, np.int64), {"dims": band})}

    def shape(self, n_samples: int) -> tuple:
        return (self.plan.total,)

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        return self.plan.forward(y, workers=1, backend=backend).data

    def attributes(self):
        b = self.plan.bands
        return {**super().attributes(), "band_kind": [str(k) for k in b.kind],
                "band_hop_seconds": b.hop_seconds.tolist()}


class Cqt(Feature):
    """``|c|**power`` of the constant-Q NSGT's scale bands in the full layout: ``(n_bins, t)``.

    On clips, the NSGT of the clip; on whole files, the sliced NSGT (``slice_length`` samples per
    slice), its slices re-assembled into one stream per band and cut to frames ``0 ..
    ceil(n M / slice_length)`` so that frame ``t`` is at sample ``t * slice_length / M``.
    """

    long_name = "constant-Q magnitude"

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.dims = (f"{name}_frequency", f"{name}_time")
        self.power = _validation.positive_float("power", params["power"])
        kwargs = {k: v for k, v in _nsgt_kwargs(params).items() if k != "layout"}
        if config.clip is None:
            self.sliced = SlicedNSGT(slice_length=params["slice_length"], sr=self.sr,
                                     scale="cqt", layout="full", **kwargs)
            plan = self.sliced.inner
            self.period = params["slice_length"]
        else:
            self.sliced = None
            plan = NSGT(length=config.clip_samples, sr=self.sr, scale="cqt", layout="full",
                        **kwargs)
            self.period = config.clip_samples
        self.plan = plan
        self.bands = np.flatnonzero(plan.bands.kind == "band")
        self.M = int(plan.bands.M[self.bands[0]])
        self.frequencies = np.asarray(plan.bands.centre_hz[self.bands], np.float64)
        self.hop_seconds = self.period / self.M / self.sr

    def shape(self, n_samples: int) -> tuple:
        if self.sliced is None:
            return (len(self.bands), self.M)
        return (len(self.bands), -(-n_samples * self.M // self.period))

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        if self.sliced is None:
            C = self.plan.forward(y, workers=1, backend=backend).matrix()
        else:
            streams = self.sliced.forward(y, workers=1, backend=backend).assemble()
            first = self.M // 2  # the first half slice lies before the signal
            n = self.shape(y.shape[-1])[1]
            C = np.stack([streams[k][..., first:first + n] for k in self.bands], axis=-2)
        S = np.abs(C)
        if self.power != 1:
            S **= self.power
        return self.decibels(S) if self.db else S


FEATURE_CLASSES = {"stft": Stft, "mel": Mel, "mfcc": Mfcc, "nsgt": Nsgt, "cqt": Cqt}

def _make(config_json: str) -> tuple[ExtractConfig, dict[str, Feature]]:
    cfg = ExtractConfig(**json.loads(config_json))
    return cfg, {name: FEATURE_CLASSES[name](name, params, cfg)
                 for name, params in cfg.features.items()}


def prepared(config_json: str) -> tuple[ExtractConfig, dict[str, Feature]]:
    """The configuration and its features, made once per process (the local workers share the
    caller's), kept in the library's one plan cache (kind ``"extract"``).

    Making them validates every parameter (the plans' constructors check them).  Warnings of
    the plans' constructors (a filter that covers no bin) are given once, here, not per batch.
    """
    return plan_cache.get_or_create(("extract", config_json), lambda: _make(config_json))


def compute_all(feats: dict[str, Feature], x: np.ndarray, backend,
                finite: bool = False) -> dict[str, np.ndarray]:
    """Every feature of a batch of signals.  A signal shorter than a window is padded as the
    plans pad a centred signal (as librosa does); their warning about it is not repeated per
    file (and only then are the warning filters touched: they are shared by every thread)."""
    if all(x.shape[-1] >= f.window for f in feats.values()):
        return {name: f.compute(x, backend, finite) for name, f in feats.items()}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"n_fft=\d+ is too large for input signal", UserWarning)
        return {name: f.compute(x, backend, finite) for name, f in feats.items()}
