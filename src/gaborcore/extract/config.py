"""What determines a store's contents: the features, their parameters and the job's options.

:class:`ExtractConfig` is built from a TOML file (:func:`load_config`), the features asked for
and keyword options, on the defaults and validation of :mod:`gaborcore.extract.params` (every
derived value made explicit, so that the stored configuration says it all); :func:`config_diff`
says how two configurations differ (why a store is refused).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Mapping

from .._validation import ParameterError
from .params import (
    FEATURE_PARAMETERS,
    FEATURES,
    OPTIONS,
    resolve_feature,
    resolve_options,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["FEATURES", "FEATURE_PARAMETERS", "OPTIONS", "ExtractConfig", "load_config",
           "config_diff"]


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

    Parameters
    ----------
    path : str or path-like
        The TOML file.

    Returns
    -------
    dict
        ``{"features": {name: params}, **options}``, not yet validated (see :class:`ExtractConfig`).

    Raises
    ------
    ParameterError
        The file is missing or not valid TOML.

    See Also
    --------
    ExtractConfig.build : resolves and checks what this returns.

    Examples
    --------
    >>> import os, tempfile
    >>> from gaborcore.extract import load_config
    >>> path = os.path.join(tempfile.mkdtemp(), "job.toml")
    >>> with open(path, "w") as f:
    ...     _ = f.write("sr = 16000\\n[features.mel]\\nn_mels = 40\\n")
    >>> load_config(path)
    {'sr': 16000, 'features': {'mel': {'n_mels': 40}}}
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


def _select(feature, tables: Mapping) -> dict:
    """The selected features and their parameters from the base's tables."""
    if feature is None:
        selected = {name: dict(params) for name, params in tables.items()} or {"mel": {}}
    elif isinstance(feature, str):
        selected = {feature: dict(tables.get(feature, {}))}
    elif isinstance(feature, Mapping):
        selected = {name: {**tables.get(name, {}), **params} for name, params in feature.items()}
    else:
        selected = {name: dict(tables.get(name, {})) for name in feature}
    if not selected:
        raise ParameterError("feature=[] selects nothing; allowed: " + ", ".join(FEATURES))
    for name in selected:
        if name not in FEATURES:
            raise ParameterError(f"feature={name!r} is not one of {list(FEATURES)}")
    return selected


@dataclasses.dataclass(frozen=True)
class ExtractConfig:
    """Everything that determines the contents of a store: the features and the job's options.

    Build one with :meth:`build`; the values here are resolved (defaults filled in, ``win_length``,
    ``hop_length``, ``fmax``, ``n_bins`` and ``clip_hop`` made explicit) and validated.

    Parameters
    ----------
    features : dict
        ``{name: {parameter: value}}`` for each feature, in order.
    sr : int
        Sampling rate every file is resampled to (soxr), Hz.
    channels : "mono" or int
        ``"mono"`` averages the channels; an integer keeps that many: a mono file is duplicated
        to them (its ``source_channels`` says so), a file with another count fails.
    clip, clip_hop : float or None
        Length and hop of the excerpts in seconds ("clips" layout); ``None``: whole files.
    pad : bool
        Zero-pad the last, partial excerpt of a file (and a file shorter than ``clip``); with
        ``False`` they are dropped.
    dtype : {"float32", "float64"}
        Precision of the samples and features (complex64 / complex128 for ``nsgt``).
    resample_quality : {"VHQ", "HQ", "MQ", "LQ", "QQ"}
        soxr's recipe.

    See Also
    --------
    gaborcore.extract.extract : takes one (``config=``), or builds one from its arguments.
    load_config : a TOML file's contents.

    Examples
    --------
    >>> from gaborcore.extract import ExtractConfig
    >>> cfg = ExtractConfig.build("mel", sr=16000, clip=1.0, n_fft=512)
    >>> cfg.layout, cfg.clip_samples, cfg.features["mel"]["hop_length"]
    ('clips', 16000, 128)
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

        Returns
        -------
        ExtractConfig
            Resolved and validated; every feature's plan has been made once (the plans'
            constructors check the values this module does not).

        Raises
        ------
        ParameterError
            An unknown feature, option or parameter, or a bad value.

        See Also
        --------
        load_config : reads the TOML file that ``config=`` may name.
        ExtractConfig.to_dict : the form :meth:`build` takes back as ``config=``.

        Examples
        --------
        >>> from gaborcore import ParameterError
        >>> from gaborcore.extract import ExtractConfig
        >>> base = ExtractConfig.build("mel", sr=16000, n_fft=512)
        >>> cfg = ExtractConfig.build(config=base, n_mels=64, clip=1.0)
        >>> cfg.features["mel"]["n_mels"], cfg.features["mel"]["n_fft"], cfg.clip
        (64, 512, 1.0)
        >>> try:
        ...     ExtractConfig.build("mel", n_mfcc=13)  # an MFCC parameter, mel selected
        ... except ParameterError as exc:
        ...     print(exc)
        n_mfcc is neither an option nor a parameter of feature(s) mel
        """
        from .features import prepared

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
        selected = _select(feature, tables)
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
        opts = resolve_options(opts)
        feats = {name: resolve_feature(name, params, opts) for name, params in selected.items()}
        config = cls(features=feats, **opts)
        prepared(config.to_json())  # the plans: their constructors check every value
        return config

    @property
    def layout(self) -> str:
        """The store layout this configuration gives: clips or whole files.

        Returns
        -------
        str
            ``"clips"`` (fixed-size excerpts, one row each) when ``clip`` is set, else
            ``"ragged"`` (each file's frames appended along the time axis).

        See Also
        --------
        gaborcore.extract.layout : the arrays of each layout.

        Examples
        --------
        >>> from gaborcore.extract import ExtractConfig
        >>> ExtractConfig.build("mel", clip=2.0).layout, ExtractConfig.build("mel").layout
        ('clips', 'ragged')
        """
        return "ragged" if self.clip is None else "clips"

    @property
    def mono(self) -> bool:
        """Whether the channels are averaged to one.

        Returns
        -------
        bool
            True for ``channels="mono"`` (the default), False when a channel count is kept.

        See Also
        --------
        ExtractConfig : the ``channels`` option.

        Examples
        --------
        >>> from gaborcore.extract import ExtractConfig
        >>> ExtractConfig.build("mel").mono, ExtractConfig.build("mel", channels=2).mono
        (True, False)
        """
        return self.channels == "mono"

    @property
    def clip_samples(self) -> int | None:
        """Samples per excerpt: ``clip`` seconds at ``sr``, rounded.

        Returns
        -------
        int or None
            ``round(clip * sr)``; None without clips (``"ragged"`` layout).

        See Also
        --------
        ExtractConfig.clip_hop_samples : samples between excerpts.

        Examples
        --------
        >>> from gaborcore.extract import ExtractConfig
        >>> ExtractConfig.build("mel", sr=16000, clip=1.0).clip_samples
        16000
        >>> print(ExtractConfig.build("mel").clip_samples)
        None
        """
        return None if self.clip is None else int(round(self.clip * self.sr))

    @property
    def clip_hop_samples(self) -> int | None:
        """Samples between the starts of consecutive excerpts: ``clip_hop`` seconds at ``sr``.

        Returns
        -------
        int or None
            ``round(clip_hop * sr)`` (``clip_hop`` defaults to ``clip``: no overlap); None
            without clips.

        See Also
        --------
        ExtractConfig.clip_samples : samples per excerpt.

        Examples
        --------
        >>> from gaborcore.extract import ExtractConfig
        >>> cfg = ExtractConfig.build("mel", sr=16000, clip=1.0, clip_hop=0.5)
        >>> cfg.clip_samples, cfg.clip_hop_samples
        (16000, 8000)
        """
        return None if self.clip_hop is None else int(round(self.clip_hop * self.sr))

    def to_dict(self) -> dict:
        """The configuration as a JSON-compatible dict (what the store's attributes hold).

        Returns
        -------
        dict
            The fields (``features``, ``sr``, ``channels``, ``clip``, ...), every value resolved;
            :meth:`build` takes it back as ``config=`` and gives an equal configuration.

        See Also
        --------
        ExtractConfig.to_json : the same as JSON text.
        ExtractConfig.build : takes it back.

        Examples
        --------
        >>> from gaborcore.extract import ExtractConfig
        >>> cfg = ExtractConfig.build("mel", sr=16000, clip=1.0)
        >>> d = cfg.to_dict()
        >>> d["sr"], d["clip"], list(d["features"])
        (16000, 1.0, ['mel'])
        >>> ExtractConfig.build(config=d) == cfg
        True
        """
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text (the key of the plans made for it).

        Returns
        -------
        str
            ``json.dumps(self.to_dict())``: equal configurations give the same text.

        See Also
        --------
        ExtractConfig.to_dict : the same as a dict.

        Examples
        --------
        >>> import json
        >>> from gaborcore.extract import ExtractConfig
        >>> cfg = ExtractConfig.build("mel", sr=16000)
        >>> text = cfg.to_json()
        >>> json.loads(text)["sr"], ExtractConfig.build(config=json.loads(text)) == cfg
        (16000, True)
        """
        return json.dumps(self.to_dict())


class _Absent:
    def __repr__(self) -> str:
        return "absent"


_ABSENT = _Absent()


def config_diff(old: dict, new: dict, prefix: str = "") -> list[str]:
    """The differing entries of two configurations, as ``key: old -> new``."""
    out = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if isinstance(a, dict) and isinstance(b, dict):
            out += config_diff(a, b, f"{prefix}{key}.")
        elif a != b:
            a, b = ("present" if isinstance(v, dict) else repr(v) for v in (a, b))
            out.append(f"{prefix}{key}: {a} -> {b}")
    return out
