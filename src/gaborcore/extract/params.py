"""The job's parameters: their defaults and the validation that makes every derived value explicit.

:data:`OPTIONS` (the job's) and :data:`FEATURE_PARAMETERS` (each feature's) hold the defaults;
:func:`resolve_options` and :func:`resolve_feature` check given values and fill in the derived
ones (``hop_length`` from ``win_length``, ``fmax`` from ``sr``, ...), so that a stored
configuration says it all.  :mod:`gaborcore.extract.config` builds configurations from them.
"""

from __future__ import annotations

import numpy as np

from .. import _validation, io
from .._validation import ParameterError

__all__ = ["FEATURES", "FEATURE_PARAMETERS", "OPTIONS", "LATTICE", "NSGT_SCALE", "none_or",
           "check_bool", "resolve_options", "resolve_feature"]

#: Features the job computes (see :mod:`gaborcore.extract.features`).
FEATURES = ("stft", "mel", "mfcc", "nsgt", "cqt")

#: Options of the whole job, with their defaults.
OPTIONS = {"sr": 22050, "channels": "mono", "clip": None, "clip_hop": None, "pad": True,
           "dtype": "float32", "resample_quality": "HQ"}

LATTICE = {"n_fft": 2048, "hop_length": None, "win_length": None, "window": "hann",
           "center": True, "pad_mode": "constant"}
DECIBELS = {"db": False, "top_db": 80.0}
NSGT_SCALE = {"fmin": 32.7, "fmax": None, "n_bins": None, "bins_per_octave": 12,
              "window": "hann", "min_win": 4, "qvar": 1.0, "oversampling": 1.0}
MEL_BANK = {"n_mels": 128, "fmin": 0.0, "fmax": None, "htk": False, "norm": "slaney",
            "scale": "mel"}
#: Parameters of each feature, with their defaults (``None``: derived, see :class:`ExtractConfig`:
#: ``hop_length`` is ``win_length // 4`` as in librosa, ``win_length`` is ``n_fft``, ``fmax`` is
#: the Nyquist frequency).
FEATURE_PARAMETERS = {
    "stft": {**LATTICE, "power": 2.0, **DECIBELS},
    "mel": {**LATTICE, "power": 2.0, **MEL_BANK, **DECIBELS},
    "mfcc": {**LATTICE, **MEL_BANK, "n_mfcc": 20, "dct_type": 2, "lifter": 0.0, "top_db": 80.0},
    "nsgt": {"scale": "cqt", **NSGT_SCALE, "gamma": 0.0, "layout": "ragged"},
    "cqt": {**NSGT_SCALE, "power": 1.0, **DECIBELS, "slice_length": 32768},
}
DEFAULT_N_BINS = 84  # seven octaves of semitones from fmin, librosa's cqt default


def none_or(value, check):
    """``None`` (also spelt ``"none"``, for TOML and the command line) or ``check(value)``."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    return check(value)


def check_bool(name: str, value) -> bool:
    """``value`` as a bool; anything but a bool is refused (``"yes"`` and 1 are not booleans)."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{name}={value!r} must be true or false")
    return bool(value)


def filter_norm(value):
    """A filter normalisation: "slaney" or a number (also written as text)."""
    if isinstance(value, str) and value != "slaney":
        try:
            return float(value)
        except ValueError:
            raise ParameterError(f"norm={value!r} must be 'slaney', 'none' or a number") from None
    return value


def resolve_options(options: dict) -> dict:
    """The job's options checked, ``clip_hop`` defaulting to ``clip``."""
    out = dict(options)
    out["sr"] = _validation.positive_int("sr", out["sr"])
    ch = out["channels"]
    out["channels"] = ch if ch == "mono" else _validation.positive_int(
        "channels", int(ch) if isinstance(ch, str) and ch.isdigit() else ch)
    out["clip"] = none_or(out["clip"], lambda v: _validation.positive_float("clip", v))
    out["clip_hop"] = none_or(out["clip_hop"], lambda v: _validation.positive_float("clip_hop", v))
    if out["clip"] is None and out["clip_hop"] is not None:
        raise ParameterError("clip_hop needs clip (the length of the excerpts)")
    if out["clip"] is not None and out["clip_hop"] is None:
        out["clip_hop"] = out["clip"]
    out["pad"] = check_bool("pad", out["pad"])
    out["dtype"] = _validation.float_dtype("dtype", out["dtype"]).name
    out["resample_quality"] = _validation.choice("resample_quality", out["resample_quality"],
                                                 io.RESAMPLE_QUALITIES)
    if out["clip"] is not None and round(out["clip"] * out["sr"]) < 16:
        raise ParameterError(f"clip={out['clip']} s is under 16 samples at sr={out['sr']}; "
                             "allowed: at least 16 / sr seconds")
    if out["clip"] is not None and round(out["clip_hop"] * out["sr"]) < 1:
        raise ParameterError(f"clip_hop={out['clip_hop']} s is under one sample at "
                             f"sr={out['sr']}")
    return out


def resolve_feature(name: str, params: dict, opts: dict) -> dict:
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
    if "top_db" in p:
        p["top_db"] = none_or(p["top_db"], lambda v: _validation.positive_float("top_db", v))
    if "db" in p:
        p["db"] = check_bool("db", p["db"])
        if p["db"] and p["power"] not in (1, 2):
            raise ParameterError(f"db=true needs power 1 or 2 for feature {name!r}, "
                                 f"not {p['power']!r}")
    if "n_fft" in p:
        p["n_fft"] = _validation.positive_int("n_fft", p["n_fft"], minimum=2)
        p["center"] = check_bool("center", p["center"])
        if p["win_length"] is None:
            p["win_length"] = p["n_fft"]
        p["win_length"] = _validation.positive_int("win_length", p["win_length"])
        if p["win_length"] > p["n_fft"]:
            raise ParameterError(f"win_length={p['win_length']} must be at most "
                                 f"n_fft={p['n_fft']}")
        if p["hop_length"] is None:  # librosa's default: a quarter of the window
            p["hop_length"] = max(1, p["win_length"] // 4)
    if "n_mels" in p:
        p["htk"] = check_bool("htk", p["htk"])
        p["norm"] = none_or(p["norm"], filter_norm)
        if p["fmax"] is None:
            p["fmax"] = sr / 2
    if name in ("nsgt", "cqt"):
        scale = p.get("scale", "cqt")
        if scale in ("cqt", "vqt"):
            if p["n_bins"] is None and p["fmax"] is None:
                p["n_bins"] = DEFAULT_N_BINS
        else:
            p["n_bins"] = DEFAULT_N_BINS if p["n_bins"] is None else p["n_bins"]
            p["fmax"] = 0.95 * sr / 2 if p["fmax"] is None else p["fmax"]
    if name == "nsgt" and opts["clip"] is None:
        raise ParameterError(
            "feature 'nsgt' stores each clip's complex coefficients, whose layout depends on the "
            "signal length: give clip (seconds); for whole files use feature 'cqt'"
        )
    return p
