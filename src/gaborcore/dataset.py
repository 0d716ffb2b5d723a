"""Dataset-scale feature extraction: audio files to a Zarr store, resumable, local or on Dask.

:func:`extract` decodes every file (:mod:`gaborcore.io`), computes one or more features and writes
them to a Zarr store, with a progress bar.  The same job runs on a thread pool in this process
(default: the kernels release the GIL) or on a Dask distributed cluster (``scheduler=``), where
the workers decode and compute and this process writes.

Features (``feature=``, and their parameters with their defaults in :data:`FEATURE_PARAMETERS`):

``"stft"``
    power spectrogram ``|STFT|**power`` (:class:`gaborcore.STFT`): ``(1 + n_fft // 2, t)``.
``"mel"``
    mel (or other filter-bank) spectrogram (:class:`gaborcore.MelSpectrogram`): ``(n_mels, t)``.
``"nsgt"``
    complex NSGT coefficients of each clip (:class:`gaborcore.NSGT`) in the plan's ``layout``:
    its contiguous buffer ``(total,)``; needs ``clip``.
``"cqt"``
    constant-Q NSGT in the full layout, ``|c|**power`` of its matrix: ``(n_bins, t)``; on clips
    the NSGT of each clip, on whole files the sliced NSGT (sliCQ) of the file.

``db=True`` converts stft, mel and cqt to decibels (:func:`gaborcore.power_to_db` for power 2,
:func:`gaborcore.amplitude_to_db` for power 1; ``ref=1``, ``top_db`` below each clip's, or each
file's, maximum).

Layouts.  With ``clip`` (seconds) every file is cut into excerpts of that length every ``clip_hop``
seconds (default ``clip``), the last one zero-padded unless ``pad=False``: the store has one row
per clip (``"clips"`` layout, fixed-size chunks of rows, as CNN inputs want).  Without ``clip``,
each file's time-frequency matrix is appended along the time axis (``"ragged"`` layout) and the
index says where each file starts.  Store layout (``N`` files, ``R`` clips)::

    files            (N,) str       absolute paths, in the order of the inputs
    status           (N,) int8      0 pending, 1 ok, 2 failed: the commit point of each file
    error            (N,) str       why a file failed ("" otherwise)
    duration         (N,) float64   seconds decoded (at ``sr``)
    source_sr, source_channels (N,) the file's own rate and channel count
    "clips":   offset, count (N,) int64      rows of file i: offset[i] : offset[i] + count[i]
               clip_file (R,) int64, clip_start (R,) float64 (seconds into the file)
               <feature> (R, [channels,] ...) e.g. mel (R, n_mels, t)
    "ragged":  <feature>_offset, <feature>_count (N,) int64   frames of file i along the last axis
               <feature> ([channels,] ..., T)  e.g. mel (n_mels, T)
    <feature>_frequencies (n_bands,) float64  centre frequency of each row, Hz

and the group attribute ``"gaborcore"``: the full configuration, the layout, the library version,
the dims, dtype and time step of each feature, the status codes and a log of the runs.

Write protocol.  Only the process that called :func:`extract` writes.  Results arrive in the order
of the files and are appended after the last committed row; a commit writes, in this order, the
feature rows, the per-row index, the per-file index (offset, count, duration, error) and last the
files' ``status``.  A file is finished only once its status is written, so an interrupted run
(Ctrl-C, kill, power loss: every chunk is written to a temporary file and renamed) leaves a store
where every finished file is complete; rows beyond the last finished file are garbage that the next
run cuts off and overwrites.  Running the same job again skips finished files and appends the
rest: no duplicate, no missing entry, and the same store as an uninterrupted run.  A store made
with other parameters is refused unless ``overwrite=True``; one process at a time may write a store
(an advisory lock on its directory, released by the system when the process dies).
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime
import functools
import itertools
import json
import math
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import zarr
from tqdm.auto import tqdm

from . import _backend, _validation, io
from ._validation import ParameterError
from .features import MelSpectrogram, amplitude_to_db, power_to_db
from .filterbanks import fft_frequencies, scale_frequencies
from .nsgt import NSGT, SlicedNSGT
from .stft import STFT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["FEATURES", "FEATURE_PARAMETERS", "OPTIONS", "COMPRESSIONS", "STATUS", "ExtractConfig",
           "ExtractReport", "extract", "load_config", "open_store", "StoreReader"]

FEATURES = ("stft", "mel", "nsgt", "cqt")
COMPRESSIONS = ("lz4", "zstd", "none")
#: Per-file status codes.
STATUS = {"pending": 0, "ok": 1, "failed": 2}
PENDING, OK, FAILED = STATUS["pending"], STATUS["ok"], STATUS["failed"]
#: Version of the store layout described in this module's docstring.
FORMAT_VERSION = 1

#: Options of the whole job, with their defaults.
OPTIONS = {"sr": 22050, "channels": "mono", "clip": None, "clip_hop": None, "pad": True,
           "dtype": "float32", "resample_quality": "HQ"}

_LATTICE = {"n_fft": 2048, "hop_length": 512, "win_length": None, "window": "hann",
            "center": True, "pad_mode": "constant"}
_DB = {"db": False, "top_db": 80.0}
_NSGT_SCALE = {"fmin": 32.7, "fmax": None, "n_bins": None, "bins_per_octave": 12,
               "window": "hann", "min_win": 4, "qvar": 1.0, "oversampling": 1.0}
#: Parameters of each feature, with their defaults (``None``: derived, see :class:`ExtractConfig`).
FEATURE_PARAMETERS = {
    "stft": {**_LATTICE, "power": 2.0, **_DB},
    "mel": {**_LATTICE, "power": 2.0, "n_mels": 128, "fmin": 0.0, "fmax": None, "htk": False,
            "norm": "slaney", "scale": "mel", **_DB},
    "nsgt": {"scale": "cqt", **_NSGT_SCALE, "gamma": 0.0, "layout": "ragged"},
    "cqt": {**_NSGT_SCALE, "power": 1.0, **_DB, "slice_length": 32768},
}
_DEFAULT_N_BINS = 84  # seven octaves of semitones from fmin, librosa's cqt default

# Commit after this many files or this many seconds: few commits (each rewrites a chunk of every
# per-file array), and bounded work lost on a kill.  Feature rows are written as chunks fill.
COMMIT_FILES = 4096
COMMIT_SECONDS = 10.0
_CHUNK_BYTES = 2 << 20  # target size of a feature chunk
_WRITE_BYTES = 16 << 20  # rows gathered before a write (zarr writes the chunks concurrently)
_WINDOW_BYTES = 64 << 20  # features computed and not yet written, at most (about)
_FILE_CHUNK = 16384  # files per chunk of the per-file arrays
_COMMIT_THREADS = 4  # threads writing the arrays of a commit
_CHUNKS_IN_FLIGHT = 2  # per writing thread and array: chunks waiting or being written, at most


# ---- configuration ---------------------------------------------------------------------------

def _none_or(value, check):
    """``None`` (also spelt ``"none"``, for TOML and the command line) or ``check(value)``."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    return check(value)


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{name}={value!r} must be true or false")
    return bool(value)


def _norm(value):
    """A filter normalisation: "slaney" or a number (also written as text)."""
    if isinstance(value, str) and value != "slaney":
        try:
            return float(value)
        except ValueError:
            raise ParameterError(f"norm={value!r} must be 'slaney', 'none' or a number") from None
    return value


def _resolve_options(options: dict) -> dict:
    out = dict(options)
    out["sr"] = _validation.positive_int("sr", out["sr"])
    ch = out["channels"]
    out["channels"] = ch if ch == "mono" else _validation.positive_int(
        "channels", int(ch) if isinstance(ch, str) and ch.isdigit() else ch)
    out["clip"] = _none_or(out["clip"], lambda v: _validation.positive_float("clip", v))
    out["clip_hop"] = _none_or(out["clip_hop"],
                               lambda v: _validation.positive_float("clip_hop", v))
    if out["clip"] is None and out["clip_hop"] is not None:
        raise ParameterError("clip_hop needs clip (the length of the excerpts)")
    if out["clip"] is not None and out["clip_hop"] is None:
        out["clip_hop"] = out["clip"]
    out["pad"] = _check_bool("pad", out["pad"])
    out["dtype"] = _validation.float_dtype("dtype", out["dtype"]).name
    out["resample_quality"] = _validation.choice("resample_quality", out["resample_quality"],
                                                 io.RESAMPLE_QUALITIES)
    if out["clip"] is not None and round(out["clip"] * out["sr"]) < 16:
        raise ParameterError(f"clip={out['clip']} s is under 16 samples at sr={out['sr']}")
    if out["clip"] is not None and round(out["clip_hop"] * out["sr"]) < 1:
        raise ParameterError(f"clip_hop={out['clip_hop']} s is under one sample")
    return out


def _resolve_feature(name: str, params: dict, opts: dict) -> dict:
    """Defaults filled in and derived values made explicit, so the stored config says it all."""
    p = dict(FEATURE_PARAMETERS[name])
    unknown = sorted(set(params) - set(p))
    if unknown:
        raise ParameterError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for "
            f"feature {name!r}; its parameters are: {', '.join(p)}"
        )
    p.update(params)
    sr = opts["sr"]
    if "db" in p:
        p["db"] = _check_bool("db", p["db"])
        p["top_db"] = _none_or(p["top_db"], lambda v: _validation.positive_float("top_db", v))
        if p["db"] and p["power"] not in (1, 2):
            raise ParameterError(f"db=true needs power 1 or 2 for feature {name!r}, "
                                 f"not {p['power']!r}")
    if name in ("stft", "mel"):
        p["center"] = _check_bool("center", p["center"])
        if p["win_length"] is None:
            p["win_length"] = p["n_fft"]
    if name == "mel":
        p["htk"] = _check_bool("htk", p["htk"])
        p["norm"] = _none_or(p["norm"], _norm)
        if p["fmax"] is None:
            p["fmax"] = sr / 2
    if name in ("nsgt", "cqt"):
        scale = p.get("scale", "cqt")
        if scale in ("cqt", "vqt"):
            if p["n_bins"] is None and p["fmax"] is None:
                p["n_bins"] = _DEFAULT_N_BINS
        else:
            p["n_bins"] = _DEFAULT_N_BINS if p["n_bins"] is None else p["n_bins"]
            p["fmax"] = 0.95 * sr / 2 if p["fmax"] is None else p["fmax"]
    if name == "nsgt" and opts["clip"] is None:
        raise ParameterError(
            "feature 'nsgt' stores each clip's complex coefficients, whose layout depends on the "
            "signal length: give clip (seconds); for whole files use feature 'cqt'"
        )
    return p


def load_config(path: str | os.PathLike) -> dict:
    """Read an extraction configuration from a TOML file.

    Top-level keys are the job's options (:data:`OPTIONS`); each feature is a table
    ``[features.NAME]`` with its parameters (:data:`FEATURE_PARAMETERS`); ``"none"`` stands for
    ``None``::

        sr = 22050
        clip = 3.0

        [features.mel]
        n_fft = 1024
        hop_length = 256
        db = true

    Returns
    -------
    dict
        ``{"features": {name: params}, **options}``, not yet validated (see :class:`ExtractConfig`).

    Raises
    ------
    ParameterError
        The file is missing or not valid TOML.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ParameterError(f"config file {path!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"config file {path!r} is not valid TOML: {exc}") from None
    return data


@dataclasses.dataclass(frozen=True)
class ExtractConfig:
    """Everything that determines the contents of a store: the features and the job's options.

    Build one with :meth:`build`; the values here are resolved (defaults filled in, ``win_length``,
    ``fmax``, ``n_bins`` and ``clip_hop`` made explicit) and validated.

    Parameters
    ----------
    features : dict
        ``{name: {parameter: value}}`` for each feature, in order.
    sr : int
        Sampling rate every file is resampled to (soxr), Hz.
    channels : "mono" or int
        ``"mono"`` averages the channels; an integer keeps that many (files with another count
        fail).
    clip, clip_hop : float or None
        Length and hop of the excerpts in seconds ("clips" layout); ``None``: whole files.
    pad : bool
        Zero-pad the last, partial excerpt of a file (and a file shorter than ``clip``); with
        ``False`` they are dropped.
    dtype : {"float32", "float64"}
        Precision of the samples and features (complex64 / complex128 for ``nsgt``).
    resample_quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's recipe.
    """

    features: dict
    sr: int = 22050
    channels: str | int = "mono"
    clip: float | None = None
    clip_hop: float | None = None
    pad: bool = True
    dtype: str = "float32"
    resample_quality: str = "HQ"

    @classmethod
    def build(cls, feature=None, *, config=None, **options) -> ExtractConfig:
        """Resolve a configuration from a base (TOML path, dict or config) and overrides.

        Parameters
        ----------
        feature : str, sequence of str or mapping, optional
            The features: a name, names, or ``{name: params}``.  Given, it replaces the base's
            selection (parameters of the base's tables for these names are kept).  Default:
            the base's features, else ``"mel"``.
        config : str, path-like, dict or ExtractConfig, optional
            The base: a TOML file (:func:`load_config`), its dict, or a config.
        **options
            Job options (:data:`OPTIONS`) and feature parameters; a feature parameter applies to
            every selected feature that has it, and must apply to one at least.  ``None`` values
            are ignored (not given).

        Raises
        ------
        ParameterError
            An unknown feature, option or parameter, or a bad value.

        Warns
        -----
        gaborcore.EmptyFilterWarning
            Filters that cover no STFT bin (the plans are made here, once per process).
        """
        if isinstance(config, ExtractConfig):
            base = config.to_dict()
        elif isinstance(config, Mapping):
            base = json.loads(json.dumps(dict(config)))
        elif config is None:
            base = {}
        else:
            base = load_config(config)
        tables = base.pop("features", None) or {}
        if not isinstance(tables, Mapping) or not all(isinstance(t, Mapping)
                                                      for t in tables.values()):
            raise ParameterError("features must be a table of tables: [features.NAME] ...")
        unknown = sorted(set(base) - set(OPTIONS))
        if unknown:
            raise ParameterError(f"unknown option{'s' if len(unknown) > 1 else ''} "
                                 f"{', '.join(unknown)}; the options are: {', '.join(OPTIONS)}")
        if feature is None:
            selected = {name: dict(params) for name, params in tables.items()} or {"mel": {}}
        elif isinstance(feature, str):
            selected = {feature: dict(tables.get(feature, {}))}
        elif isinstance(feature, Mapping):
            selected = {name: {**tables.get(name, {}), **params}
                        for name, params in feature.items()}
        else:
            selected = {name: dict(tables.get(name, {})) for name in feature}
        if not selected:
            raise ParameterError("no feature selected; choose from " + ", ".join(FEATURES))
        for name in selected:
            if name not in FEATURES:
                raise ParameterError(f"feature={name!r} is not one of {list(FEATURES)}")
        given = {k: v for k, v in options.items() if v is not None}
        opts = {**OPTIONS, **base, **{k: v for k, v in given.items() if k in OPTIONS}}
        for key, value in given.items():
            if key in OPTIONS:
                continue
            takers = [n for n in selected if key in FEATURE_PARAMETERS[n]]
            if not takers:
                raise ParameterError(
                    f"{key} is neither an option nor a parameter of feature(s) "
                    f"{', '.join(selected)}"
                )
            for name in takers:
                selected[name][key] = value
        opts = _resolve_options(opts)
        feats = {name: _resolve_feature(name, params, opts) for name, params in selected.items()}
        config = cls(features=feats, **opts)
        _features(config.to_json())  # the plans: their constructors check every value
        return config

    @property
    def layout(self) -> str:
        """``"clips"`` (fixed-size excerpts, one row each) or ``"ragged"`` (whole files)."""
        return "ragged" if self.clip is None else "clips"

    @property
    def mono(self) -> bool:
        return self.channels == "mono"

    @property
    def clip_samples(self) -> int | None:
        return None if self.clip is None else int(round(self.clip * self.sr))

    @property
    def clip_hop_samples(self) -> int | None:
        return None if self.clip_hop is None else int(round(self.clip_hop * self.sr))

    def to_dict(self) -> dict:
        """JSON-compatible dict (what the store's attributes hold); :meth:`build` takes it back."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


# ---- features --------------------------------------------------------------------------------

class _Feature:
    """One feature for one configuration: its plan, output shape and metadata.

    ``compute(y, backend, finite)`` maps a batch ``(b, [channels,] n)`` of signals to ``(b,
    [channels,] *shape)``; in the ragged layout the last axis of the output is time.  ``finite``
    says the signals are known to be finite (the kernel need not check them).
    """

    dims: tuple[str, ...] = ()
    units = "power"

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

    def _decibels(self, S: np.ndarray) -> np.ndarray:
        """dB of each item of the batch, ``top_db`` below the item's own maximum."""
        to_db = power_to_db if self.params["power"] == 2 else amplitude_to_db
        for i in range(S.shape[0]):
            S[i] = to_db(S[i], top_db=self.params["top_db"])
        return S

    def metadata(self, layout: str, channels: int | None) -> dict:
        lead = ("clip",) if layout == "clips" else ()
        return {"dims": [*lead, *(("channel",) if channels else ()), *self.dims],
                "units": self.units, "hop_seconds": self.hop_seconds}


class _Stft(_Feature):
    dims = ("frequency", "time")

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.plan = STFT.cached(**{k: params[k] for k in _LATTICE})
        self.power = _validation.positive_float("power", params["power"])
        self.frequencies = fft_frequencies(sr=self.sr, n_fft=self.plan.n_fft)
        self.hop_seconds = self.plan.hop_length / self.sr

    def shape(self, n_samples: int) -> tuple:
        return self.plan.output_shape((n_samples,))

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        S = self.plan._spectrogram(y, self.power, None, 1, backend, check_finite=not finite)
        return self._decibels(S) if self.db else S


class _Mel(_Feature):
    dims = ("band", "time")

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.plan = MelSpectrogram(sr=self.sr, **{k: v for k, v in params.items()
                                                  if k not in ("db", "top_db")})
        p = params
        self.frequencies = scale_frequencies(p["n_mels"] + 2, fmin=p["fmin"], fmax=p["fmax"],
                                             scale=p["scale"], htk=p["htk"])[1:-1]
        self.hop_seconds = self.plan.stft.hop_length / self.sr

    def shape(self, n_samples: int) -> tuple:
        return self.plan.output_shape((n_samples,))

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        M = self.plan._apply(y, None, 1, backend, check_finite=not finite)
        return self._decibels(M) if self.db else M


def _nsgt_kwargs(params: dict) -> dict:
    keys = ("scale", "gamma", "layout") + tuple(_NSGT_SCALE)
    return {k: params[k] for k in keys if k in params}


class _Nsgt(_Feature):
    """Complex coefficients of each clip: the plan's contiguous buffer ``(total,)``."""

    dims = ("coefficient",)
    units = "complex"

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
        self.dtype = _validation.complex_dtype_for(self.dtype)
        self.plan = NSGT(length=config.clip_samples, sr=self.sr, **_nsgt_kwargs(params))
        self.frequencies = np.asarray(self.plan.bands.centre_hz, np.float64)
        self.hop_seconds = None

    def shape(self, n_samples: int) -> tuple:
        return (self.plan.total,)

    def compute(self, y: np.ndarray, backend: str | None, finite: bool = False) -> np.ndarray:
        return self.plan.forward(y, workers=1, backend=backend).data

    def metadata(self, layout, channels):
        b = self.plan.bands
        bands = {"kind": [str(k) for k in b.kind], "centre_hz": b.centre_hz.tolist(),
                 "M": [int(m) for m in b.M], "offset": [int(o) for o in b.offset],
                 "hop_seconds": b.hop_seconds.tolist()}
        return {**super().metadata(layout, channels), "bands": bands}


class _Cqt(_Feature):
    """``|c|**power`` of the constant-Q NSGT's scale bands in the full layout: ``(n_bins, t)``.

    On clips, the NSGT of the clip; on whole files, the sliced NSGT (``slice_length`` samples per
    slice), its slices re-assembled into one stream per band and cut to frames ``0 ..
    ceil(n M / slice_length)`` so that frame ``t`` is at sample ``t * slice_length / M``.
    """

    dims = ("band", "time")

    def __init__(self, name, params, config):
        super().__init__(name, params, config)
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
        return self._decibels(S) if self.db else S


_FEATURE_CLASSES = {"stft": _Stft, "mel": _Mel, "nsgt": _Nsgt, "cqt": _Cqt}
_plans: dict[str, tuple[ExtractConfig, dict[str, _Feature]]] = {}
_plans_lock = threading.Lock()


def _features(config_json: str) -> dict[str, _Feature]:
    """The features of a configuration, made once per process (local workers reuse the client's).

    Making them validates every parameter (the plans' constructors check them).
    """
    return _prepared(config_json)[1]


def _prepared(config_json: str) -> tuple[ExtractConfig, dict[str, _Feature]]:
    """The configuration and its features, made once per process (see :func:`_features`)."""
    with _plans_lock:
        made = _plans.get(config_json)
        if made is None:
            cfg = ExtractConfig(**json.loads(config_json))
            made = cfg, {name: _FEATURE_CLASSES[name](name, params, cfg)
                         for name, params in cfg.features.items()}
            if len(_plans) >= 8:
                _plans.pop(next(iter(_plans)))
            _plans[config_json] = made
    return made


# ---- the work of one batch of files (runs on a worker) --------------------------------------

@dataclasses.dataclass
class _FileResult:
    index: int
    error: str = ""
    duration: float = math.nan
    source_sr: int = 0
    source_channels: int = 0
    clip_start: np.ndarray | None = None  # seconds, clips layout
    arrays: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _BatchResult:
    files: list
    decode_seconds: float = 0.0
    compute_seconds: float = 0.0


def _clip_starts(n: int, clip: int, hop: int, pad: bool) -> np.ndarray:
    """First samples of the excerpts of a signal of ``n`` samples."""
    starts = list(range(0, n - clip + 1, hop)) if n >= clip else []
    nxt = starts[-1] + hop if starts else 0
    if pad and nxt < n and (not starts or starts[-1] + clip < n):
        starts.append(nxt)
    return np.asarray(starts, np.int64)


def _cut(y: np.ndarray, starts: np.ndarray, clip: int) -> np.ndarray:
    """Excerpts ``(len(starts), [channels,] clip)``, zero-padded past the end of ``y``."""
    if len(starts) == 1 and y.shape[-1] == clip:  # a file of exactly one clip: no copy
        return y[None]
    out = np.zeros((len(starts), *y.shape[:-1], clip), y.dtype)
    for i, s in enumerate(starts):
        part = y[..., s:s + clip]
        out[i, ..., :part.shape[-1]] = part
    return out


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _decode(r: _FileResult, path: str, cfg: ExtractConfig) -> np.ndarray | None:
    """The file's samples at ``cfg.sr``, or None with ``r.error`` set."""
    try:
        y, src = io.load(path, sr=cfg.sr, mono=cfg.mono, dtype=cfg.dtype,
                         quality=cfg.resample_quality)
    except io.AudioFileError as exc:
        r.error = exc.reason
        return None
    except Exception as exc:  # noqa: BLE001 - any failure of one file is recorded, the job goes on
        r.error = f"decoding failed: {_describe(exc)}"
        return None
    r.source_sr, r.source_channels = src.sr, src.channels
    r.duration = y.shape[-1] / cfg.sr
    if not cfg.mono and y.shape[0] != cfg.channels:
        r.error = f"has {y.shape[0]} channels; channels={cfg.channels} keeps {cfg.channels}"
        return None
    return y


def _compute(feats: dict[str, _Feature], x: np.ndarray, backend,
             finite: bool = False) -> dict[str, np.ndarray]:
    return {name: f.compute(x, backend, finite) for name, f in feats.items()}


def _compute_file(r: _FileResult, feats: dict[str, _Feature], y: np.ndarray, backend,
                  ragged: bool) -> None:
    """The features of one file's signal (ragged) or excerpts (clips), or its error."""
    try:
        if ragged:
            r.arrays = {name: a[0] for name, a in _compute(feats, y[None], backend).items()}
        else:
            r.arrays = _compute(feats, y, backend)
    except Exception as exc:  # noqa: BLE001 - recorded, the job goes on
        r.error = f"feature computation failed: {_describe(exc)}"
        r.arrays = {}


def _compute_clips(feats: dict[str, _Feature], cfg: ExtractConfig, signals: list,
                   backend, stacked: np.ndarray | None = None) -> None:
    """The excerpts of all files through each kernel in one call, split back per file.

    ``stacked``, when given, is the excerpts of ``signals`` already lying one after another in
    one array (the batch decoded straight into its rows): no copy to make, and no check for NaN
    to make either (the row reader takes only files whose rows are finite).
    """
    filled = []
    for r, y in signals:
        if len(y):
            filled.append((r, y))
        else:  # a file shorter than clip, with pad=False: no row
            r.arrays = {name: np.empty((0, *y.shape[1:-1], *f.shape(cfg.clip_samples)), f.dtype)
                        for name, f in feats.items()}
    if not filled:
        return
    try:
        x = stacked if stacked is not None else np.concatenate([y for _, y in filled])
        arrays = _compute(feats, x, backend, finite=stacked is not None)
    except Exception:  # noqa: BLE001 - one file at a time, to find and record the one at fault
        for r, y in filled:
            _compute_file(r, feats, y, backend, ragged=False)
        return
    pos = 0
    for r, y in filled:
        r.arrays = {name: a[pos:pos + len(y)] for name, a in arrays.items()}
        pos += len(y)


_FIRST_CLIP = np.zeros(1)  # the clip start (s) of a file of exactly one clip
_FIRST_CLIP.flags.writeable = False


def _decode_rows(cfg: ExtractConfig, items: list[tuple[int, str]]):
    """The batch's plain WAV files decoded straight into one row each (see
    :func:`gaborcore.io._read_rows`): ``(rows, table)``, or None where that does not apply
    (whole files, channels kept, or no compiled reader)."""
    if cfg.layout != "clips" or not cfg.mono:
        return None
    rows = np.empty((len(items), cfg.clip_samples), cfg.dtype)
    table = io._read_rows([path for _, path in items], rows, cfg.sr)
    return None if table is None else (rows, table)


def _run_batch(config_json: str, items: list[tuple[int, str]],
               backend: str | None) -> _BatchResult:
    """Decode and compute a batch of files; a file that fails is returned with its reason."""
    cfg, feats = _prepared(config_json)
    out = _BatchResult([])
    signals = []
    t0 = time.perf_counter()
    direct = _decode_rows(cfg, items)
    table = direct[1].tolist() if direct is not None else None
    stacked = direct is not None  # every excerpt is its file's row, in order, so far
    for k, (index, path) in enumerate(items):
        r = _FileResult(index)
        out.files.append(r)
        if table is not None and table[k][0] == 0:  # decoded into its row: at most a clip
            _, frames, r.source_sr, r.source_channels = table[k][:4]
            r.duration = frames / cfg.sr
            if frames == cfg.clip_samples:  # exactly one clip, the usual case
                r.clip_start = _FIRST_CLIP
                signals.append((r, direct[0][k:k + 1]))
                continue
            starts = _clip_starts(frames, cfg.clip_samples, cfg.clip_hop_samples, cfg.pad)
            r.clip_start = starts / cfg.sr
            signals.append((r, direct[0][k:k + len(starts)]))
            stacked = stacked and len(starts) == 1
            continue
        stacked = False
        y = _decode(r, path, cfg)
        if y is None:
            continue
        if cfg.layout == "clips":
            starts = _clip_starts(y.shape[-1], cfg.clip_samples, cfg.clip_hop_samples, cfg.pad)
            r.clip_start = starts / cfg.sr
            y = _cut(y, starts, cfg.clip_samples)
        signals.append((r, y))
    t1 = time.perf_counter()
    out.decode_seconds = t1 - t0
    if cfg.layout == "clips":
        _compute_clips(feats, cfg, signals, backend, direct[0] if stacked else None)
    else:
        for r, y in signals:
            _compute_file(r, feats, y, backend, ragged=True)
    out.compute_seconds = time.perf_counter() - t1
    return out


# ---- the store -------------------------------------------------------------------------------

_ZARR3 = int(zarr.__version__.split(".")[0]) >= 3
_TEXT = str if _ZARR3 else object  # NumPy type of text written to zarr


def _codecs(compression: str) -> dict:
    """Keyword arguments of array creation for ``compression``, for zarr 2 and zarr 3."""
    if _ZARR3:
        from zarr.codecs import BloscCodec, ZstdCodec

        codecs = {"lz4": [BloscCodec(cname="lz4", clevel=5, shuffle="bitshuffle")],
                  "zstd": [ZstdCodec(level=3)], "none": None}
        return {"compressors": codecs[compression]}
    import numcodecs

    codecs = {"lz4": numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE),
              "zstd": numcodecs.Zstd(level=3), "none": None}
    return {"compressor": codecs[compression]}


#: Chunk keys of the arrays made (Zarr 3): ``c.<i>.<j>...``, every chunk a file in its array's
#: folder.  Every array here is chunked along one axis only, so the default ``c/<i>/<j>/...``
#: would spread the chunks over as many folders (one per chunk, plus one per chunk inside it)
#: without spreading them any better, and making each folder costs as much as writing the chunk.
_FLAT_KEYS = {"name": "default", "separator": "."}


def _create(group, name: str, shape: tuple, chunks: tuple, dtype, fill_value,
            compression: str | None = None):
    """A new array in a group being made, compressed with ``compression`` (one of
    :data:`COMPRESSIONS`; None: zarr's default).  On a Zarr 3 local store its ``zarr.json`` is
    written directly (:func:`_create_direct`), otherwise the array is made through zarr
    (``overwrite``: zarr need not look for one first)."""
    codecs = {} if compression is None else _codecs(compression)
    if not _ZARR3:
        return group.create_dataset(name, shape=shape, chunks=chunks, dtype=dtype,
                                    fill_value=fill_value, overwrite=True, **codecs)
    arr = _create_direct(group, name, shape, chunks, dtype, fill_value, compression)
    if arr is not None:
        return arr
    return group.create_array(name, shape=shape, chunks=chunks, dtype=dtype,
                              fill_value=fill_value, overwrite=True,
                              chunk_key_encoding=_FLAT_KEYS, **codecs)


def _array_document(shape: tuple, chunks: tuple, dtype, fill_value,
                    compression: str | None) -> dict:
    """The Zarr 3 metadata document (``zarr.json``, as the Zarr 3 specification writes it) of an
    array that ``group.create_array`` makes with :func:`_create`'s arguments: the bytes codec (or
    vlen-utf8 for text), then the compressor; zstd level 0 where none is named, as zarr does."""
    if dtype is str:
        data_type, itemsize, fill = "string", 0, str(fill_value)
        serializer = {"name": "vlen-utf8", "configuration": {}}
    else:
        dt = np.dtype(dtype)
        data_type, itemsize = dt.name, dt.itemsize
        value = dt.type(fill_value)
        if dt.kind == "c":
            fill = [_json_float(value.real), _json_float(value.imag)]
        elif dt.kind == "f":
            fill = _json_float(value)
        else:
            fill = value.item()
        serializer = ({"name": "bytes", "configuration": {"endian": "little"}} if itemsize > 1
                      else {"name": "bytes"})
    if compression is None:
        compressors = [{"name": "zstd", "configuration": {"level": 0, "checksum": False}}]
    else:
        compressors = [c.to_dict() for c in _codecs(compression)["compressors"] or ()]
        for c in compressors:
            if c["name"] == "blosc":  # zarr sets it from the data type when making the array
                c["configuration"]["typesize"] = max(1, itemsize)
    return {"shape": list(shape), "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
            "chunk_key_encoding": {"name": _FLAT_KEYS["name"],
                                   "configuration": {"separator": _FLAT_KEYS["separator"]}},
            "fill_value": fill, "codecs": [serializer, *compressors], "attributes": {},
            "zarr_format": 3, "node_type": "array", "storage_transformers": []}


def _json_float(x) -> float | str:
    """A float as the Zarr 3 metadata writes it ("NaN", "Infinity", "-Infinity" for those)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _create_direct(group, name: str, shape: tuple, chunks: tuple, dtype, fill_value,
                   compression: str | None):
    """:func:`_create` on a Zarr 3 local store without zarr's event loop: the metadata that zarr
    makes from the document of :func:`_array_document` (zarr parses and checks it), written as
    the array's ``zarr.json``, and the array object made from it.  ``group.create_array`` costs
    about 0.7 ms of CPU per array, most of it in zarr's asynchronous machinery: a new store (a
    dozen arrays, its attributes, the file list) took 20 ms, as long as computing 70 mel clips of
    3 s, against 6-8 ms now.  None where this does not apply (another store, another zarr, a
    folder that is there already): the caller then goes through zarr."""
    try:
        from zarr.core.buffer import default_buffer_prototype
        from zarr.core.metadata.v3 import ArrayV3Metadata
        from zarr.storage import LocalStore

        if not isinstance(group.store, LocalStore):
            return None
        md = ArrayV3Metadata.from_dict(_array_document(shape, chunks, dtype, fill_value,
                                                       compression))
        data = md.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        arr = zarr.Array(zarr.AsyncArray(md, group.store_path / name))
        folder = os.path.join(_local_folder(group), name)
    except Exception:  # noqa: BLE001 - another zarr than the one this was written for
        return None
    try:
        os.mkdir(folder)
    except FileExistsError:  # an array there: zarr replaces it
        return None
    _replace_file(os.path.join(folder, "zarr.json"), data)
    return arr


def _local_folder(node) -> str:
    """The folder of a zarr group or array on a local store."""
    return os.path.join(os.fspath(node.store.root), *node.path.split("/"))


def _set_group_attribute(group, key: str, value) -> bool:
    """``group.attrs[key] = value`` on a Zarr 3 local store without zarr's event loop: the
    group's metadata as zarr updates it, its ``zarr.json`` written atomically, then set on the
    group object; False where this does not apply (the caller goes through zarr)."""
    try:
        from zarr.core.buffer import default_buffer_prototype
        from zarr.storage import LocalStore

        async_group = group._async_group
        old = async_group.metadata
        if (not isinstance(group.store, LocalStore) or old.zarr_format != 3
                or old.consolidated_metadata is not None):
            return False
        md = dataclasses.replace(old, attributes={**old.attributes, key: value})
        data = md.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        folder = _local_folder(group)
    except Exception:  # noqa: BLE001 - another zarr than the one this was written for
        return False
    _replace_file(os.path.join(folder, "zarr.json"), data)
    object.__setattr__(async_group, "metadata", md)
    return True


def _replace_file(path: str, data) -> None:
    """Write ``data`` as the file ``path`` atomically (a temporary file renamed over it), as
    zarr's local store writes a key."""
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _put(arr, index: np.ndarray, values: np.ndarray) -> None:
    """``arr[index] = values`` for sorted, unique ``index``: a slice when it is a range."""
    if len(index) and index[-1] - index[0] + 1 == len(index):
        arr[int(index[0]):int(index[-1]) + 1] = values
    elif len(index):
        arr.oindex[index] = values


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class _Absent:
    def __repr__(self) -> str:
        return "absent"


_ABSENT = _Absent()


def _diff(old: dict, new: dict, prefix: str = "") -> list[str]:
    """The differing entries of two configurations, as ``key: old -> new``."""
    out = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _diff(a, b, f"{prefix}{key}.")
        elif a != b:
            a, b = ("present" if isinstance(v, dict) else repr(v) for v in (a, b))
            out.append(f"{prefix}{key}: {a} -> {b}")
    return out


class _Lock:
    """An advisory, exclusive lock on the store's directory (released by the system on exit)."""

    def __init__(self, path: str):
        self.fd = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock here (Windows): no protection
            return
        self.fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise ParameterError(
                f"store {path!r} is being written by another process; wait for it to finish"
            ) from None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Store:
    """A store being written: its arrays, its files, what is finished; the commit protocol."""

    def __init__(self, path: str, group, config: ExtractConfig, feats: dict[str, _Feature],
                 lock: _Lock):
        self.path = path
        self.group = group
        self.config = config
        self.feats = feats
        self.lock = lock
        self.created = False
        self.arrays: dict = {}  # the arrays made by this run (:meth:`array`)
        self.layout = config.layout
        self.per_file = ["files", "status", "error", "duration", "source_sr", "source_channels"]
        if self.layout == "clips":
            self.per_file += ["offset", "count"]
            self.per_row = ["clip_file", "clip_start", *feats]
        else:
            self.per_file += [f"{n}_{k}" for n in feats for k in ("offset", "count")]
            self.per_row = []

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, store, config: ExtractConfig, feats: dict[str, _Feature], *, overwrite: bool,
             compression: str, files: list[str] | None = None) -> _Store:
        """Open or create the store; a new one gets ``files`` as its file list (``created``)."""
        path = os.path.abspath(os.fspath(store))
        if os.path.exists(path) and not os.path.isdir(path):
            raise ParameterError(f"store {path!r} is a file; a Zarr store is a directory")
        os.makedirs(path, exist_ok=True)  # an unwritable place fails here, naming it
        lock = _Lock(path)
        try:
            attrs = None
            if os.listdir(path):
                try:
                    attrs = dict(zarr.open_group(path, mode="r").attrs).get("gaborcore")
                except Exception:  # noqa: BLE001 - whatever zarr raises: not a store of ours
                    attrs = None
                if attrs is None:
                    raise ParameterError(
                        f"{path!r} exists and is not a gaborcore store; choose another output "
                        "(it is not overwritten, not even with overwrite)"
                    )
            new = config.to_dict()
            ready = attrs is not None and attrs.get("ready", False)
            if ready and attrs.get("config") != new and not overwrite:
                changes = _diff(attrs.get("config") or {}, new)
                raise ParameterError(
                    f"store {path!r} holds features made with other parameters "
                    f"({'; '.join(changes[:4])}{'; ...' if len(changes) > 4 else ''}); "
                    "use overwrite (--overwrite) to replace it, or another output"
                )
            # replaced when asked, or when its creation was interrupted (it holds nothing yet)
            if attrs is not None and (overwrite or not ready):
                for entry in os.scandir(path):
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
                attrs = None
            if attrs is None:
                group = zarr.open_group(path, mode="a")
                self = cls(path, group, config, feats, lock)
                self._create(compression, files or [])
                self.created = True
            else:
                group = zarr.open_group(path, mode="r+")
                self = cls(path, group, config, feats, lock)
                self._repair()
        except BaseException:
            lock.release()
            raise
        return self

    def _create(self, compression: str, files: list[str]) -> None:
        """A new store: every array with no row, the per-file arrays with ``files`` pending.

        The attributes come first, marked not ready until every array exists: a store whose
        creation was interrupted is recognised as ours, and made again.
        """
        from . import __version__

        cfg, g = self.config, self.group
        ch = None if cfg.mono else cfg.channels
        lead = () if ch is None else (ch,)
        meta = {name: {**f.metadata(self.layout, ch), "dtype": f.dtype.name,
                       "frequencies": f"{name}_frequencies"} for name, f in self.feats.items()}
        self._write_attrs({
            "format": FORMAT_VERSION, "version": __version__, "created": _now(),
            "config": cfg.to_dict(), "layout": self.layout, "feature_names": list(cfg.features),
            "features": meta, "status_codes": STATUS, "n_files": 0, "runs": [], "ready": False,
        })
        nf, fc = (len(files),), (_FILE_CHUNK,)
        made = self.arrays

        def create(name, *spec, compression=None):
            made[name] = _create(g, name, *spec, compression)
            return made[name]

        create("files", nf, fc, str, "")[:] = np.array(files, dtype=_TEXT)
        create("status", nf, fc, "int8", PENDING)
        create("error", nf, fc, str, "")
        create("duration", nf, fc, "float64", math.nan)
        create("source_sr", nf, fc, "int32", 0)
        create("source_channels", nf, fc, "int16", 0)
        offsets = ["offset"] if self.layout == "clips" else [f"{n}_offset" for n in self.feats]
        for name in offsets:
            create(name, nf, fc, "int64", -1)
            create(name[:-len("offset")] + "count", nf, fc, "int64", 0)
        for name, f in self.feats.items():
            if self.layout == "clips":
                shape = (*lead, *f.shape(cfg.clip_samples))
                rows = max(1, _CHUNK_BYTES // (math.prod(shape) * f.dtype.itemsize))
                create(name, (0, *shape), (rows, *shape), f.dtype, 0, compression=compression)
            else:
                shape = (*lead, *f.shape(cfg.sr)[:-1])
                cols = max(64, _CHUNK_BYTES // (math.prod(shape) * f.dtype.itemsize))
                create(name, (*shape, 0), (*shape, cols), f.dtype, 0, compression=compression)
            freq = create(f"{name}_frequencies", f.frequencies.shape, f.frequencies.shape,
                          "float64", math.nan)
            direct = _ChunkFiles.of(freq)
            if direct is None:
                freq[:] = f.frequencies
            else:  # one chunk
                direct.write(0, 0, np.ascontiguousarray(f.frequencies, np.float64))
        if self.layout == "clips":
            rows = max(1, min(_FILE_CHUNK, min(made[n].chunks[0] for n in self.feats) * 64))
            create("clip_file", (0,), (rows,), "int64", -1)
            create("clip_start", (0,), (rows,), "float64", math.nan)
        self._set_attrs(ready=True, n_files=len(files))

    def array(self, name: str):
        """The array ``name`` (the object made, for a store made by this run)."""
        arr = self.arrays.get(name)
        return self.group[name] if arr is None else arr

    @property
    def attrs(self) -> dict:
        return dict(self.group.attrs["gaborcore"])

    def _set_attrs(self, **changes) -> None:
        self._write_attrs({**self.attrs, **changes})

    def _write_attrs(self, meta: dict) -> None:
        """Set the group's ``gaborcore`` attribute to ``meta`` (see :func:`_set_group_attribute`)."""
        if not _set_group_attribute(self.group, "gaborcore", meta):
            self.group.attrs["gaborcore"] = meta

    def _repair(self) -> None:
        """Undo what an interrupted run left unfinished: files being added, uncommitted rows."""
        n = self.attrs["n_files"]
        for name in self.per_file:
            if self.group[name].shape[0] != n:
                self.group[name].resize((n,))
        # rows belong to the store only through an ok status (a failed file being retried may
        # have its new offset written and its status not yet)
        done = self.status() == OK
        if self.layout == "clips":
            end = self._end(self.group["offset"][:], self.group["count"][:], done)
            for name in self.per_row:
                self._cut(self.group[name], 0, end)
        else:
            for name in self.feats:
                end = self._end(self.group[f"{name}_offset"][:], self.group[f"{name}_count"][:],
                                done)
                self._cut(self.group[name], -1, end)

    @staticmethod
    def _cut(arr, axis: int, end: int) -> None:
        """Cut ``arr`` to ``end`` rows along ``axis``, with the chunk files past them."""
        if arr.shape[axis] != end:
            shape = list(arr.shape)
            shape[axis] = end
            arr.resize(tuple(shape))
        files = _ChunkFiles.of(arr)
        if files is not None:
            files.prune(axis % arr.ndim, -(-end // arr.chunks[axis]))

    @staticmethod
    def _end(offset: np.ndarray, count: np.ndarray, done: np.ndarray) -> int:
        """One past the last committed row: the append position."""
        ends = (offset + count)[done & (count > 0)]
        return int(ends.max()) if ends.size else 0

    # ---- files -----------------------------------------------------------------------------
    def status(self) -> np.ndarray:
        return np.asarray(self.group["status"][:], np.int8)

    def add_files(self, paths: list[str]) -> np.ndarray:
        """Indices of ``paths`` in the store, appending those not in it yet (as pending)."""
        known = {p: i for i, p in enumerate(self.group["files"][:].tolist())}
        new = [p for p in paths if p not in known]
        if new:
            n0 = len(known)
            n1 = n0 + len(new)
            for name in self.per_file:
                self.group[name].resize((n1,))
            self.group["files"][n0:n1] = np.array(new, dtype=_TEXT)
            self._set_attrs(n_files=n1)  # the commit point of the new entries
            known.update((p, n0 + i) for i, p in enumerate(new))
        return np.array([known[p] for p in paths], np.int64)

    def log_run(self, entry: dict) -> None:
        runs = list(self.attrs.get("runs", []))[-99:]
        self._set_attrs(runs=[*runs, entry])


class _ChunkFiles:
    """Writes whole chunks of a Zarr 3 array on a local store directly as files.

    The writer appends megabytes of feature rows per second; ``arr[a:b] = rows`` goes through
    zarr's asynchronous machinery (several copies, a round trip through its event loop, the GIL
    held for much of it), which cost more than decoding the audio.  Here a chunk is encoded with
    the array's own codec (numcodecs' Blosc or Zstd, which release the GIL) and written to a
    temporary file that is then renamed over the chunk's key, as zarr's local store does.  Used
    only for what this module creates: a zarr 3 array on a :class:`zarr.storage.LocalStore` with
    the default chunk keys (``"."`` or ``"/"`` separated), bytes codec in native little-endian
    order and at most one compressor (Blosc or Zstd); any other array is written through zarr.
    """

    def __init__(self, arr, folder: str, encode):
        self.arr = arr
        self.folder = folder
        self.encode = encode
        self.made: set[str] = set()

    @classmethod
    def of(cls, arr) -> _ChunkFiles | None:
        if not _ZARR3 or sys.byteorder != "little" or arr.dtype.kind not in "biufc":
            return None
        try:
            from zarr.codecs import BloscCodec, BytesCodec, ZstdCodec
            from zarr.core.chunk_key_encodings import DefaultChunkKeyEncoding
            from zarr.storage import LocalStore

            md = arr.metadata
            codecs = tuple(md.codecs)
            if (md.zarr_format != 3 or not isinstance(arr.store, LocalStore)
                    or md.storage_transformers
                    or type(md.chunk_key_encoding) is not DefaultChunkKeyEncoding
                    or md.chunk_key_encoding.separator not in ("/", ".")
                    or not 1 <= len(codecs) <= 2 or type(codecs[0]) is not BytesCodec
                    or (arr.dtype.itemsize > 1 and codecs[0].endian.value != "little")):
                return None
            import numcodecs

            if len(codecs) == 1:
                codec = None
            elif type(codecs[1]) is BloscCodec and codecs[1].typesize == arr.dtype.itemsize:
                c = codecs[1]
                shuffle = {"noshuffle": numcodecs.Blosc.NOSHUFFLE,
                           "shuffle": numcodecs.Blosc.SHUFFLE,
                           "bitshuffle": numcodecs.Blosc.BITSHUFFLE}[c.shuffle.value]
                codec = numcodecs.Blosc(cname=c.cname.value, clevel=c.clevel, shuffle=shuffle,
                                        blocksize=c.blocksize)
            elif type(codecs[1]) is ZstdCodec:
                codec = numcodecs.Zstd(level=codecs[1].level, checksum=codecs[1].checksum)
            else:
                return None
            folder = _local_folder(arr)
        except Exception:  # noqa: BLE001 - another zarr than the one this was written for
            return None
        encode = (lambda a: memoryview(a).cast("B")) if codec is None else codec.encode
        return cls(arr, folder, encode)

    def _key(self, axis: int, index: int) -> list[str]:
        coords = [0] * self.arr.ndim
        coords[axis] = index
        return self.arr.metadata.encode_chunk_key(tuple(coords)).split("/")

    def write(self, axis: int, index: int, chunk: np.ndarray) -> None:
        """Chunk number ``index`` along ``axis`` (the array has one chunk along the others)."""
        path = os.path.join(self.folder, *self._key(axis, index))
        parent = os.path.dirname(path)
        if parent not in self.made:
            os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        _replace_file(path, self.encode(chunk))

    def grow(self, shape: tuple) -> bool:
        """Set the array's shape to a larger ``shape`` by writing its ``zarr.json`` as zarr's
        ``resize`` does (the metadata zarr itself makes, written atomically, then set on the
        array), without a round trip through zarr's event loop; False if this zarr does not
        allow it (the caller then resizes through zarr)."""
        try:
            from zarr.core.buffer import default_buffer_prototype

            async_arr = self.arr._async_array
            old = async_arr.metadata
            if len(shape) != len(old.shape) or any(a < b for a, b in zip(shape, old.shape, strict=True)):
                return False
            md = old.update_shape(tuple(shape))
            data = md.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        except Exception:  # noqa: BLE001 - another zarr than the one this was written for
            return False
        _replace_file(os.path.join(self.folder, "zarr.json"), data)
        object.__setattr__(async_arr, "metadata", md)
        return True

    def prune(self, axis: int, keep: int) -> None:
        """Remove the chunks from number ``keep`` on (rows an interrupted run left past the end)."""
        parts = self._key(axis, 0)
        where = axis + 1  # the component of the key that numbers the chunks along ``axis``
        if len(parts) == 1:  # "." keys: every chunk a file c.<i>.<j>... of the array's folder
            for entry in list(os.scandir(self.folder)):
                fields = entry.name.split(".")
                if fields[0] != "c" or len(fields) <= where or not fields[where].isdigit():
                    continue
                if int(fields[where]) >= keep or entry.name.endswith(".partial"):
                    os.unlink(entry.path)
            return
        folder = os.path.join(self.folder, *parts[:where])
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return
        for entry in entries:
            stem = entry.name.split(".", 1)[0]
            if stem.isdigit() and (int(stem) >= keep or entry.name.endswith(".partial")):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)


class _Appender:
    """Appends blocks to a Zarr array along ``axis`` (one chunk across the other axes), through
    zarr: several chunks at a time, the array growing geometrically while rows stream in.

    Rows appended past the last commit are not part of the store yet (no status says so): an
    interruption leaves them as the garbage that the next run cuts off.  ``write(partial=True)``
    (a commit) writes every row appended and sets the array's exact length, its metadata last.
    :meth:`of` picks :class:`_ChunkAppender` where it can.
    """

    def __init__(self, arr, axis: int):
        self.arr = arr
        self.axis = axis % arr.ndim
        self.chunk = arr.chunks[self.axis]
        self.written = arr.shape[self.axis]
        self.length = self.written
        self.blocks: list[np.ndarray] = []
        self.buffered = 0
        row_bytes = math.prod(arr.chunks) // self.chunk * arr.dtype.itemsize
        self.batch = self.chunk * max(1, _WRITE_BYTES // (self.chunk * row_bytes))

    @staticmethod
    def of(arr, axis: int, pool=None, threads: int = 1) -> _Appender:
        """A :class:`_ChunkAppender` (chunks written on ``pool``, of ``threads`` threads) where it
        can, else one of these."""
        files = _ChunkFiles.of(arr)
        return (_Appender(arr, axis) if files is None
                else _ChunkAppender(arr, axis, files, pool, threads))

    def flush(self) -> None:
        """Wait for the writes still running (none here: zarr's are done when they return)."""

    @property
    def end(self) -> int:
        """Where the next block goes."""
        return self.written + self.buffered

    def append(self, block: np.ndarray) -> None:
        if block.shape[self.axis]:
            self.blocks.append(block)
            self.buffered += block.shape[self.axis]
            if self.buffered >= self.batch:
                self.write(partial=False)

    def _resize(self, n: int) -> None:
        if self.length != n:
            shape = list(self.arr.shape)
            shape[self.axis] = self.length = n
            self.arr.resize(tuple(shape))

    def _slice(self, start: int, stop: int | None) -> tuple:
        where = [slice(None)] * self.arr.ndim
        where[self.axis] = slice(start, stop)
        return tuple(where)

    def write(self, *, partial: bool) -> None:
        """Write the whole chunks buffered, or everything and set the exact length (``partial``)."""
        stop = self.end if partial else self.end // self.chunk * self.chunk
        if stop > self.written:
            data = (self.blocks[0] if len(self.blocks) == 1
                    else np.concatenate(self.blocks, axis=self.axis))
            n = stop - self.written
            if stop > self.length:
                self._resize(stop if partial else max(stop, 2 * self.length))
            self.arr[self._slice(self.written, stop)] = data[self._slice(0, n)]
            rest = self.buffered - n
            self.blocks = [data[self._slice(n, None)]] if rest else []
            self.written, self.buffered = stop, rest
        if partial:
            self._resize(self.written)


class _ChunkAppender(_Appender):
    """An :class:`_Appender` that writes each chunk as a file (:class:`_ChunkFiles`) once its
    rows are all there; a commit writes the partly filled chunk too.

    Appending only notes which rows of which blocks make up the chunk being filled.  A full
    chunk is put together (no copy when one contiguous block holds it), encoded and written on
    ``pool`` when one is given: the writing thread then does little more than bookkeeping, so
    that one writer keeps up with many workers (the codec and the file writes release the GIL).
    At most :data:`_CHUNKS_IN_FLIGHT` per thread wait or are being written (memory stays bounded);
    :meth:`flush` waits for them and raises the error of one that failed.
    """

    def __init__(self, arr, axis: int, files: _ChunkFiles, pool=None, threads: int = 1):
        super().__init__(arr, axis)
        self.files = files
        self.pool = pool
        self.limit = _CHUNKS_IN_FLIGHT * threads
        self.inflight: collections.deque = collections.deque()
        self.failed: BaseException | None = None
        self.spare: list[np.ndarray] = []  # buffers to put chunks together in
        self.index, self.fill = divmod(self.written, self.chunk)
        self.pieces: list[np.ndarray] = []  # the rows of the chunk being filled, in order
        if self.fill:  # the committed rows of the chunk being filled
            start = self.index * self.chunk
            self.pieces.append(arr[self._slice(start, self.written)])

    @property
    def end(self) -> int:
        return self.index * self.chunk + self.fill

    def append(self, block: np.ndarray) -> None:
        m, pos = block.shape[self.axis], 0
        while pos < m:
            k = min(self.chunk - self.fill, m - pos)
            self.pieces.append(block[self._slice(pos, pos + k)])
            self.fill += k
            pos += k
            if self.fill == self.chunk:
                self._submit(self.index, self.pieces)
                self.index += 1
                self.fill = 0
                self.pieces = []

    def _submit(self, index: int, pieces: list) -> None:
        if self.pool is None:
            self._write_chunk(index, pieces)
            return
        while len(self.inflight) >= self.limit:
            self._wait()
        self.inflight.append(self.pool.submit(self._write_chunk, index, pieces))

    def _wait(self) -> None:
        """Wait for the oldest chunk written on the pool.  A chunk that could not be written
        fails every later wait too: no commit may then count its rows as written."""
        exc = self.inflight[0].exception()  # (an interruption of this wait leaves it queued)
        self.inflight.popleft()
        if exc is not None:
            self.failed = exc
            raise exc

    def _write_chunk(self, index: int, pieces: list) -> None:
        """Put chunk ``index`` together from ``pieces`` (the fill value after them) and write it."""
        one = pieces[0] if len(pieces) == 1 else None
        if (one is not None and one.shape == tuple(self.arr.chunks) and one.flags.c_contiguous
                and one.dtype == self.arr.dtype):
            self.files.write(self.axis, index, one)  # a whole chunk of one block: no copy
            return
        try:  # (list.pop is atomic: threads never share a buffer)
            buf = self.spare.pop()
        except IndexError:
            buf = np.empty(self.arr.chunks, self.arr.dtype)
        try:
            pos = 0
            for piece in pieces:
                n = piece.shape[self.axis]
                buf[self._slice(pos, pos + n)] = piece
                pos += n
            if pos < self.chunk:
                buf[self._slice(pos, None)] = self.arr.fill_value
            self.files.write(self.axis, index, buf)
        finally:
            self.spare.append(buf)

    def flush(self) -> None:
        while self.inflight:
            self._wait()
        if self.failed is not None:
            raise self.failed

    def _resize(self, n: int) -> None:
        if self.length != n:
            shape = list(self.arr.shape)
            shape[self.axis] = n
            if not self.files.grow(tuple(shape)):
                self.arr.resize(tuple(shape))
            self.length = n

    def write(self, *, partial: bool) -> None:
        """A commit (``partial``, after :meth:`flush`): the chunk being filled and the length."""
        if partial:
            if self.fill:
                self._write_chunk(self.index, self.pieces)
            self.written = self.end
            self._resize(self.written)


class _Column:
    """Writes entries of a per-file array (``status``, ``duration``, ...) at a commit.

    Numeric arrays on a local store are written as chunk files (:class:`_ChunkFiles`): the chunk
    being filled is kept (read once, or known to hold the fill value in a store made by this
    run) and written whole, about 0.2 ms against 0.7 ms through zarr, which counts because a
    commit writes every per-file array and the last commit is a pause of the job.  Any other
    array (text, other stores) is written through zarr.  One chunk is kept at a time: memory
    does not grow with the number of files.
    """

    def __init__(self, arr, fresh: bool):
        self.arr = arr
        self.files = _ChunkFiles.of(arr) if arr.ndim == 1 else None
        self.fresh = fresh  # made by this run: a chunk not written yet holds the fill value
        self.written: set[int] = set()
        self.index, self.buf = -1, None

    def _chunk(self, k: int) -> np.ndarray:
        if k != self.index:
            c = self.arr.chunks[0]
            buf = np.full(c, self.arr.fill_value, self.arr.dtype)
            if not self.fresh or k in self.written:
                start = k * c
                stop = min(start + c, self.arr.shape[0])
                buf[:stop - start] = self.arr[start:stop]
            self.index, self.buf = k, buf
        return self.buf

    def put(self, index: np.ndarray, values: np.ndarray) -> None:
        """``arr[index] = values`` for sorted, unique ``index``."""
        if self.files is None:
            _put(self.arr, index, values)
            return
        c = self.arr.chunks[0]
        which = index // c
        for k in np.unique(which):
            sel = which == k
            buf = self._chunk(int(k))
            buf[index[sel] - k * c] = values[sel]
            self.files.write(0, int(k), buf)
            self.written.add(int(k))


def _joined(blocks: list[np.ndarray]) -> np.ndarray:
    """``np.concatenate(blocks)``, or a read-only view where the blocks are consecutive rows of
    one array (the slices of a batch's output that its files were given)."""
    if len(blocks) == 1:
        return blocks[0]
    full = [b for b in blocks if len(b)]
    if full:
        first = full[0]
        row = first.itemsize * math.prod(first.shape[1:])
        ptr, n = first.ctypes.data, 0
        for b in full:
            if (b.base is None or b.base is not first.base or not b.flags.c_contiguous
                    or b.shape[1:] != first.shape[1:] or b.ctypes.data != ptr + n * row):
                break
            n += len(b)
        else:
            return np.lib.stride_tricks.as_strided(first, (n, *first.shape[1:]),
                                                   (row, *first.strides[1:]), writeable=False)
    return np.concatenate(blocks)


def _cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chunk_threads(workers: int, local_workers: int) -> int:
    """Threads that encode and write feature chunks for ``workers`` workers, ``local_workers``
    of them on this machine; 0: the writing thread does it itself.

    Encoding and writing a chunk costs about a fifth of computing its rows (mel, lz4), so one
    thread writing keeps up with four or five workers: beyond, the writing would bound the job.
    Threads for it (one per four workers, at most 16) pay only where cores are left over for
    them: with every core busy computing, handing chunks over costs more (2-4 % on two cores)
    than it spreads.
    """
    spare = _cores() - local_workers - 1  # (one core for the writing thread itself)
    if spare < 1:
        return 0
    return min(16, spare, max(1, -(-workers // 4)))


def _is_local(address: str) -> bool:
    """Whether a Dask worker address (``tcp://host:port``) is on this machine."""
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in _local_hosts()


@functools.cache
def _local_hosts() -> frozenset:
    import socket

    hosts = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
    try:
        names = {socket.gethostname(), socket.getfqdn()}
        hosts |= names | {info[4][0] for name in names for info in socket.getaddrinfo(name, None)}
    except OSError:
        pass
    return frozenset(hosts)


class _Writer:
    """Takes results in file order, streams their rows, commits them: index first, status last."""

    def __init__(self, store: _Store, chunk_threads: int = 0):
        self.store = store
        # the arrays of a commit are written on these threads, and with ``chunk_threads`` the
        # feature chunks too (see _chunk_threads); started now: making them at the last commit
        # would add to the pause that they shorten
        threads = max(_COMMIT_THREADS, chunk_threads)
        self.pool: ThreadPoolExecutor | None = ThreadPoolExecutor(
            threads, thread_name_prefix="gaborcore-write")
        concurrent.futures.wait([self.pool.submit(int) for _ in range(threads)])
        pool = self.pool if chunk_threads else None
        if store.layout == "clips":
            self.rows = {name: _Appender.of(store.array(name), 0, pool, chunk_threads)
                         for name in store.per_row}
        else:
            self.rows = {name: _Appender.of(store.array(name), -1, pool, chunk_threads)
                         for name in store.feats}
        self.columns = {name: _Column(store.array(name), store.created) for name in store.per_file}
        self.pending: list[tuple[_FileResult, dict]] = []
        self.last = time.monotonic()
        self.seconds = 0.0

    def add(self, results: list[_FileResult]) -> None:
        """Give a batch's files their rows (after the previous files') and buffer them."""
        t0 = time.perf_counter()
        if self.store.layout == "clips":
            self._add_clips(results)
        else:
            for r in results:
                where = {}
                for name in self.store.feats:
                    n = 0 if r.error else r.arrays[name].shape[-1]
                    where[f"{name}_offset"] = (self.rows[name].end, n)
                    if n:
                        self.rows[name].append(r.arrays[name])
                r.arrays = {}
                self.pending.append((r, where))
        self.seconds += time.perf_counter() - t0

    def _add_clips(self, results: list[_FileResult]) -> None:
        """The clips layout, a batch at a time: one block per array (no copy where the files'
        rows lie one after another in the batch's output, as they do)."""
        end = self.rows["clip_file"].end
        ok = []
        for r in results:
            n = 0 if r.error else len(r.clip_start)
            self.pending.append((r, {"offset": (end, n)}))
            end += n
            if n:
                ok.append(r)
        if ok:
            count = [len(r.clip_start) for r in ok]
            self.rows["clip_file"].append(np.repeat(np.array([r.index for r in ok], np.int64),
                                                    count))
            self.rows["clip_start"].append(
                np.concatenate([np.asarray(r.clip_start, np.float64) for r in ok]))
            for name in self.store.feats:
                self.rows[name].append(_joined([r.arrays[name] for r in ok]))
        for r in results:
            r.arrays = {}

    def due(self) -> bool:
        return bool(self.pending) and (len(self.pending) >= COMMIT_FILES
                                       or time.monotonic() - self.last >= COMMIT_SECONDS)

    def commit(self) -> None:
        """Make the pending files part of the store; safe to call again if interrupted inside."""
        if not self.pending:
            return
        t0 = time.perf_counter()
        pending = sorted(self.pending, key=lambda p: p[0].index)
        results = [r for r, _ in pending]
        index = np.array([r.index for r in results], np.int64)
        per_file = {
            "error": np.array([r.error for r in results], dtype=_TEXT),
            "duration": np.array([r.duration for r in results], np.float64),
            "source_sr": np.array([r.source_sr for r in results], np.int32),
            "source_channels": np.array([r.source_channels for r in results], np.int16),
        }
        for key in pending[0][1]:
            off = np.array([w[key][0] for _, w in pending], np.int64)
            cnt = np.array([w[key][1] for _, w in pending], np.int64)
            per_file[key] = np.where(cnt > 0, off, -1)
            per_file[key[:-len("offset")] + "count"] = cnt
        if self.store.created and not any(r.error for r in results):
            del per_file["error"]  # "" already: each file is committed once in a run
        for rows in self.rows.values():  # the full chunks still being written (on the pool)
            rows.flush()
        writes = [functools.partial(rows.write, partial=True) for rows in self.rows.values()]
        writes += [functools.partial(self.columns[name].put, index, values)
                   for name, values in per_file.items()]
        self._together(writes)
        status = np.array([FAILED if r.error else OK for r in results], np.int8)
        self.columns["status"].put(index, status)  # the commit point, after everything else
        self.pending = []
        self.last = time.monotonic()
        self.seconds += time.perf_counter() - t0

    def _together(self, calls: list) -> None:
        """Run ``calls`` (writes of different arrays) on a few threads and wait for all of them,
        also when interrupted: no write of this commit is left running.  Each array is a few
        small file and metadata writes, and the last commit is a pause of the whole job."""
        futures = [self.pool.submit(call) for call in calls]
        try:
            for future in futures:
                future.result()
        finally:
            concurrent.futures.wait(futures)

    def close(self) -> None:
        """Stop the writing threads (after the last commit, which waited for every write)."""
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


# ---- runners ---------------------------------------------------------------------------------

class _LocalRunner:
    """A thread pool in this process; the workers share the client's plans."""

    def __init__(self, workers: int):
        self.slots = self.local_threads = workers
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="gaborcore-extract")
        self.description = f"{workers} thread{'s' if workers > 1 else ''}"

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def close(self, *, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class _DaskRunner:
    """A Dask distributed client: workers decode and compute, this process writes."""

    def __init__(self, scheduler):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        self.own_client = True
        if isinstance(scheduler, Client):
            self.client, self.own_client = scheduler, False
        elif scheduler.startswith("local:"):
            n = int(scheduler.split(":", 1)[1])
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler, timeout="20s")
        nthreads = self.client.nthreads()
        self.slots = max(1, sum(nthreads.values()))
        self.local_threads = sum(n for address, n in nthreads.items() if _is_local(address))
        self.description = f"Dask {self.client.scheduler.address} ({self.slots} threads)"
        self.futures: list = []

    def submit(self, fn, *args):
        fut = self.client.submit(fn, *args, pure=False)
        self.futures.append(fut)
        if len(self.futures) > 4 * self.slots:
            self.futures = [f for f in self.futures if not f.done()]
        return fut

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            self.client.cancel([f for f in self.futures if not f.done()])
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _check_scheduler(scheduler, workers):
    """Validate ``scheduler`` (and ``workers``) before anything is written."""
    if scheduler is None:
        return None
    if workers is not None:
        raise ParameterError("workers applies to the local thread pool; with scheduler= the "
                             "cluster's workers do the work")
    try:
        import dask.distributed  # noqa: F401 - only checked here, used by _DaskRunner
    except ImportError:
        raise RuntimeError(
            "scheduler= needs dask.distributed; install it with pip install 'gaborcore[dask]'"
        ) from None
    if not isinstance(scheduler, str):
        return scheduler  # a dask.distributed.Client
    if scheduler.startswith("local:"):
        n = scheduler.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise ParameterError(f"scheduler={scheduler!r}: expected local:N with N >= 1 workers")
        return scheduler
    if "://" not in scheduler:
        raise ParameterError(
            f"scheduler={scheduler!r}: expected the address of a Dask scheduler "
            "(tcp://HOST:PORT) or local:N"
        )
    return scheduler


# ---- the job ---------------------------------------------------------------------------------

@dataclasses.dataclass
class ExtractReport:
    """What a run of :func:`extract` did.

    Attributes
    ----------
    store : str
        The store's path.
    features : tuple of str
        The features extracted.
    n_inputs : int
        Files named by the inputs.
    n_skipped : int
        Of those, finished by an earlier run (skipped).
    n_ok, n_failed : int
        Files done by this run, and those of them that failed.
    failures : list of (str, str)
        Path and reason of each file that failed in this run.
    audio_seconds : float
        Audio decoded by this run, at ``sr``.
    elapsed_seconds : float
        Wall time of the whole call.
    setup_seconds : float
        Of that, the time before the first task: inputs, store, plans and their first call
        (FFT planning) in this process.
    decode_seconds, compute_seconds : float
        Time the workers spent decoding (and resampling, cutting clips) and computing features,
        summed over workers.
    write_seconds : float
        Time this process spent writing the store.
    runner : str
        Where the work ran.
    """

    store: str
    features: tuple
    n_inputs: int = 0
    n_skipped: int = 0
    n_ok: int = 0
    n_failed: int = 0
    failures: list = dataclasses.field(default_factory=list)
    audio_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    setup_seconds: float = 0.0
    decode_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    runner: str = ""

    @property
    def audio_seconds_per_second(self) -> float:
        """Throughput: seconds of audio per second of wall time, setup excluded."""
        return self.audio_seconds / max(self.elapsed_seconds - self.setup_seconds, 1e-9)

    @property
    def decode_share(self) -> float:
        """Decoding's share of the workers' time (decoding + computing)."""
        busy = self.decode_seconds + self.compute_seconds
        return self.decode_seconds / busy if busy else 0.0

    def summary(self) -> str:
        """A few lines for people."""
        if self.n_ok + self.n_failed == 0:
            return (f"{self.store}: nothing to do, the {self.n_skipped} files given are done "
                    "(retry_failed / --retry-failed processes the failed ones again)")
        lines = [
            f"{self.store}: {self.n_ok} file{'' if self.n_ok == 1 else 's'} extracted "
            f"({', '.join(self.features)}), "
            f"{self.n_failed} failed, {self.n_skipped} already done, on {self.runner}",
            f"  {self.audio_seconds:,.1f} s of audio in {self.elapsed_seconds:.2f} s (setup "
            f"{self.setup_seconds:.2f} s) = {self.audio_seconds_per_second:,.0f} s of audio per "
            "second; workers decoding "
            f"{100 * self.decode_share:.0f} %, computing {100 * (1 - self.decode_share):.0f} %; "
            f"writing {self.write_seconds:.2f} s",
        ]
        for path, reason in self.failures[:10]:
            lines.append(f"  failed: {path}: {reason}")
        if len(self.failures) > 10:
            lines.append(f"  ... and {len(self.failures) - 10} more (see the store's status and "
                         "error arrays)")
        return "\n".join(lines)


def extract(files, feature=None, store: str | os.PathLike = "features.zarr", *, config=None,
            workers: int | None = None, scheduler=None, batch_size: int | None = None,
            overwrite: bool = False, retry_failed: bool = False, compression: str = "lz4",
            extensions: Iterable[str] = io.AUDIO_EXTENSIONS, backend: str | None = None,
            progress: bool = False, **options) -> ExtractReport:
    """Extract features of many audio files into a Zarr store; resumable.

    Parameters
    ----------
    files : str, path-like or sequence of them
        Audio files, folders (searched recursively for ``extensions``) and list files (``.txt``,
        ``.lst``: one path per line); see :func:`gaborcore.io.find_audio`.
    feature : str, sequence of str or mapping, optional
        ``"stft"``, ``"mel"``, ``"nsgt"``, ``"cqt"``, several, or ``{name: params}``; default:
        the config's features, else ``"mel"``.
    store : str or path-like
        The Zarr store (a directory), created if needed; an existing one of the same
        configuration is resumed.
    config : str, path-like, dict or ExtractConfig, optional
        A TOML file (:func:`load_config`) or its contents: the base that ``feature`` and
        ``**options`` override.
    workers : int, optional
        Threads decoding and computing in this process (files in parallel); ``None``: the
        :func:`gaborcore.set_workers` default (1); negative values count back from the CPUs.
    scheduler : str or dask.distributed.Client, optional
        ``"tcp://HOST:PORT"`` (an existing Dask scheduler), ``"local:N"`` (a
        ``dask.distributed.LocalCluster`` of N single-threaded worker processes, closed at the
        end) or a client.  Workers decode and compute; this process writes the store.  The audio
        paths must be readable by the workers.
    batch_size : int, optional
        Files per task (default 16, 64 with ``scheduler``); the excerpts of a task's files go
        through each kernel in one call.  The last two tasks per worker are cut a quarter as
        large, so that the workers finish together.
    overwrite : bool
        Replace a store made with other parameters (or start this one afresh).  A path that is not
        a gaborcore store is never replaced.
    retry_failed : bool
        Process again the files that failed in an earlier run.
    compression : {"lz4", "zstd", "none"}
        Codec of the feature arrays when the store is created: ``"lz4"`` is Blosc-LZ4 with bit
        shuffle (on float32 spectrograms 1.2-1.4 x smaller at 4-5 GB/s on one core, faster and
        smaller than byte shuffle), ``"zstd"`` plain zstd level 3 (1.1-1.2 x at 1.3-1.5 GB/s,
        for readers without Blosc), ``"none"``.
    extensions : sequence of str
        Extensions taken from folders.
    backend : str, optional
        Kernel backend (``"c"``, ``"numba"``, ``"numpy"``); default as everywhere.
    progress : bool
        Show a progress bar (files, and seconds of audio per second) on stderr.
    **options
        Job options (``sr``, ``channels``, ``clip``, ``clip_hop``, ``pad``, ``dtype``,
        ``resample_quality``) and feature parameters (``n_fft``, ``n_mels``, ``db``, ...: see
        :data:`FEATURE_PARAMETERS`), applied to every feature that has them.

    Returns
    -------
    ExtractReport
        Counts, failures, throughput and where the time went.

    Raises
    ------
    gaborcore.ParameterError
        A bad argument (unknown feature or parameter, missing input, no audio file found, a store
        made with other parameters, a path that is not a store).  Files that cannot be decoded
        do not raise: they are recorded as failed, with the reason, and the job goes on.
    OSError
        The store cannot be written.
    KeyboardInterrupt
        After committing every file finished so far; run again to resume.

    Examples
    --------
    >>> import os, tempfile, numpy as np, soundfile
    >>> from gaborcore.dataset import extract, open_store
    >>> d = tempfile.mkdtemp()
    >>> for i in range(3):
    ...     soundfile.write(os.path.join(d, f"{i}.wav"), np.zeros(22050, np.float32), 22050)
    >>> report = extract(d, "mel", os.path.join(d, "f.zarr"), clip=0.5, n_mels=64)
    >>> report.n_ok, report.n_failed
    (3, 0)
    >>> open_store(os.path.join(d, "f.zarr")).feature("mel", 0).shape
    (2, 64, 22)
    """
    t_start = time.perf_counter()
    compression = _validation.choice("compression", compression, COMPRESSIONS)
    overwrite = _check_bool("overwrite", overwrite)
    retry_failed = _check_bool("retry_failed", retry_failed)
    if batch_size is None:  # larger tasks on Dask: its per-task overhead is larger
        batch_size = 16 if scheduler is None else 64
    batch_size = _validation.positive_int("batch_size", batch_size)
    cfg = ExtractConfig.build(feature, config=config, **options)
    if backend is not None:
        _backend.resolve_backend(backend)
    scheduler = _check_scheduler(scheduler, workers)
    n_workers = None if scheduler is not None else _backend.resolve_workers(workers)
    config_json = cfg.to_json()
    feats = _features(config_json)
    paths = io.find_audio(files, extensions=extensions)
    path = os.path.abspath(os.fspath(store))
    report = ExtractReport(store=path, features=tuple(cfg.features), n_inputs=len(paths))
    started = _now()
    jobs = None
    if scheduler is None and _is_new(path):
        # nothing to resume: every file is to do, in input order, so the workers start on them
        # while this thread makes the store
        jobs = _Jobs(list(enumerate(paths)), _local_runner(n_workers, feats, cfg, backend),
                     config_json, backend, batch_size, _batch_bytes(feats, cfg, batch_size))
    try:
        st = _Store.open(path, cfg, feats, overwrite=overwrite, compression=compression,
                         files=paths)
    except BaseException:
        if jobs is not None:
            jobs.runner.close(cancel=True)
        raise
    try:
        if jobs is not None and not st.created:  # made by another run meanwhile: resume it
            jobs.runner.close(cancel=True)
            jobs = None
        if jobs is None:
            index = np.arange(len(paths)) if st.created else st.add_files(paths)
            status = st.status()
            todo_mask = (status[index] == PENDING) | (retry_failed & (status[index] == FAILED))
            todo = [(int(i), p) for i, p, t in zip(index, paths, todo_mask, strict=True) if t]
            if todo:
                runner = (_local_runner(n_workers, feats, cfg, backend) if scheduler is None
                          else _DaskRunner(scheduler))
                jobs = _Jobs(todo, runner, config_json, backend, batch_size,
                             _batch_bytes(feats, cfg, batch_size))
        if jobs is not None:
            report.n_skipped = len(paths) - len(jobs.todo)
            report.runner = jobs.runner.description
            report.setup_seconds = jobs.started - t_start
            try:
                _run(jobs, st, progress, report)
            finally:
                from . import __version__

                st.log_run({"started": started, "finished": _now(), "version": __version__,
                            "files": report.n_ok + report.n_failed, "failed": report.n_failed})
        else:
            report.n_skipped = len(paths)
            report.runner = "nothing to do"
    finally:
        st.lock.release()
    report.elapsed_seconds = time.perf_counter() - t_start
    return report


def _is_new(path: str) -> bool:
    """Whether a store at ``path`` would be made from nothing (no path, or an empty folder)."""
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True
    except OSError:  # not a folder, not readable: _Store.open says what is wrong
        return False


def _local_runner(workers: int, feats: dict[str, _Feature], cfg: ExtractConfig,
                  backend) -> _LocalRunner:
    """The thread pool, after one call of each feature in this thread: kernels and FFT plans are
    made before the workers start (they share these plans), and the first batch is not slower
    than the others."""
    n = cfg.clip_samples or cfg.sr
    y = np.zeros((1, *(() if cfg.mono else (cfg.channels,)), n), cfg.dtype)
    _compute(feats, y, backend)
    return _LocalRunner(workers)


def _batches(todo: list, size: int, slots: int) -> list[list]:
    """``todo`` cut into batches of ``size``, in order, but for the last two per worker, which
    are cut a quarter as large: the workers then finish within a small batch of each other
    instead of one idling for up to a whole batch at the end of the job."""
    small = max(1, size // 4)
    cut = max(0, len(todo) - 2 * slots * size)
    cut -= cut % size
    return ([todo[i:i + size] for i in range(0, cut, size)]
            + [todo[i:i + small] for i in range(cut, len(todo), small)])


class _Jobs:
    """The files to do, cut into batches, and the batches submitted to a runner, oldest first.

    ``depth`` batches are submitted at once (a new store is made while they are computed), then
    a batch is submitted whenever fewer than two per worker are queued or running: the workers
    never wait for this thread, and the results waiting to be written are at most ``depth``
    batches (about :data:`_WINDOW_BYTES` of features, 2 to 16 batches per worker; 2 when the
    size of a result is not known beforehand), whatever the number of files.
    """

    def __init__(self, todo: list, runner, config_json: str, backend, batch_size: int,
                 batch_bytes: int | None = None):
        self.todo = todo
        self.runner = runner
        self.args = (config_json, backend)
        self.batches = iter(_batches(todo, batch_size, runner.slots))
        self.window: collections.deque = collections.deque()
        slots = runner.slots
        per_slot = 2 if not batch_bytes else min(16, max(2, _WINDOW_BYTES // (batch_bytes * slots)))
        self.depth = per_slot * slots
        self.started = time.perf_counter()  # the first task submitted
        self._submit(self.depth)

    def _submit(self, n: int) -> None:
        for batch in itertools.islice(self.batches, max(n, 0)):
            self.window.append((batch, self.runner.submit(_run_batch, self.args[0], batch,
                                                          self.args[1])))

    def fill(self) -> None:
        """Keep two batches per worker queued or running, and at most ``depth`` not yet taken."""
        busy = sum(not future.done() for _, future in self.window)
        self._submit(min(self.depth - len(self.window), 2 * self.runner.slots - busy))


def _batch_bytes(feats: dict[str, _Feature], cfg: ExtractConfig, batch_size: int) -> int | None:
    """Bytes of the features of a batch of files of one excerpt each; None without clips."""
    if cfg.layout != "clips":
        return None
    lead = 1 if cfg.mono else cfg.channels
    return batch_size * lead * sum(math.prod(f.shape(cfg.clip_samples)) * f.dtype.itemsize
                                   for f in feats.values())


def _run(jobs: _Jobs, st: _Store, progress: bool, report: ExtractReport) -> None:
    """Take the batches' results in order, write and commit them; commit what is done on Ctrl-C."""
    writer = _Writer(st, _chunk_threads(jobs.runner.slots, jobs.runner.local_threads))
    paths = dict(jobs.todo)
    window = jobs.window
    t0 = jobs.started
    bar = tqdm(total=len(jobs.todo), unit="file", desc="extract", disable=not progress,
               dynamic_ncols=True, file=sys.stderr)
    cancel = True
    try:
        while window:
            batch, future = window.popleft()
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost task (dead worker): its files fail
                reason = f"task failed: {_describe(exc)}"
                result = _BatchResult([_FileResult(i, error=reason) for i, _ in batch])
            jobs.fill()
            writer.add(result.files)
            for r in result.files:
                if r.error:
                    report.n_failed += 1
                    report.failures.append((paths[r.index], r.error))
                else:
                    report.n_ok += 1
                    report.audio_seconds += r.duration
            report.decode_seconds += result.decode_seconds
            report.compute_seconds += result.compute_seconds
            bar.update(len(batch))
            rate = report.audio_seconds / max(time.perf_counter() - t0, 1e-9)
            bar.set_postfix_str(f"{rate:,.0f} s audio/s" +
                                (f", {report.n_failed} failed" if report.n_failed else ""),
                                refresh=False)
            if writer.due():
                writer.commit()
        cancel = False
    finally:
        bar.close()
        jobs.runner.close(cancel=cancel)
        # every result taken is a whole file: commit them, also when interrupted
        try:
            writer.commit()
        finally:
            writer.close()
        report.write_seconds = writer.seconds


# ---- reading ---------------------------------------------------------------------------------

class StoreReader:
    """Read access to a store written by :func:`extract`.

    Attributes
    ----------
    group : zarr.Group
        The store itself.
    files : list of str
        The files, in store order.
    status : ndarray of int8
        0 pending, 1 ok, 2 failed.
    config : dict
        The configuration the store was made with.
    layout : str
        ``"clips"`` or ``"ragged"``.
    """

    def __init__(self, group):
        self.group = group
        meta = dict(group.attrs).get("gaborcore")
        if meta is None:
            raise ParameterError("not a gaborcore store (no 'gaborcore' attribute)")
        self.attrs = meta
        n = meta["n_files"]
        self.files = group["files"][:n].tolist()
        self.status = np.asarray(group["status"][:n], np.int8)
        self.config = meta["config"]
        self.layout = meta["layout"]
        self.features = tuple(meta["feature_names"])

    @property
    def errors(self) -> dict[str, str]:
        """Path and reason of each failed file."""
        failed = np.flatnonzero(self.status == FAILED)
        reasons = self.group["error"].oindex[failed].tolist() if failed.size else []
        return {self.files[i]: r for i, r in zip(failed, reasons, strict=True)}

    def frequencies(self, feature: str) -> np.ndarray:
        return self.group[f"{feature}_frequencies"][:]

    def feature(self, feature: str, file: int | str) -> np.ndarray:
        """The feature of one finished file (by index or path).

        Returns ``(count, [channels,] ...)`` in the clips layout, ``([channels,] ..., frames)``
        in the ragged layout.
        """
        i = self.files.index(file) if isinstance(file, str) else int(file)
        if self.status[i] != OK:
            state = {v: k for k, v in STATUS.items()}[int(self.status[i])]
            raise ParameterError(f"file {i} ({self.files[i]}) is {state}, not ok")
        if self.layout == "clips":
            off, cnt = int(self.group["offset"][i]), int(self.group["count"][i])
            return self.group[feature][off:off + cnt] if cnt else np.empty(
                (0, *self.group[feature].shape[1:]), self.group[feature].dtype)
        off = int(self.group[f"{feature}_offset"][i])
        cnt = int(self.group[f"{feature}_count"][i])
        return self.group[feature][..., off:off + cnt] if cnt else np.empty(
            (*self.group[feature].shape[:-1], 0), self.group[feature].dtype)


def open_store(store: str | os.PathLike) -> StoreReader:
    """Open a store written by :func:`extract` for reading.

    Raises
    ------
    ParameterError
        The path is not a gaborcore store.
    """
    path = os.fspath(store)
    try:
        group = zarr.open_group(path, mode="r")
    except Exception as exc:  # noqa: BLE001 - zarr's errors differ between versions
        if not os.path.exists(path):
            raise ParameterError(f"store {path!r} does not exist") from None
        raise ParameterError(f"{path!r} is not a Zarr store ({_describe(exc)})") from None
    return StoreReader(group)
