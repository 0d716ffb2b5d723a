"""The built-in demo job: a small synthetic, labelled data set through the extraction job.

``gaborcore demo`` (or :func:`run_demo`) runs, end to end, what ``gaborcore extract`` does on
real audio (:func:`gaborcore.extract.extract`), on data that needs no download:

1. synthesise ``n_signals`` clips deterministically from a seed (damped harmonic notes at four
   pitches, exponential chirps up and down, band-limited noise bursts), each with a label;
2. write every clip as a 16-bit PCM WAV file (soundfile) and the labels as ``labels.csv``;
3. extract float32 power spectrograms (``"stft"``: ``n_fft=1024``, ``hop_length=256``, Hann) and
   mel spectrograms (``"mel"``: 128 Slaney mel bands on the same STFT) of the WAV files into the
   Zarr store ``features.zarr``, one clip per file, with the progress bar, and add the labels to
   it;
4. draw six examples in ``spectrograms.png``, each as a dB spectrogram above its log-mel
   spectrogram (only when matplotlib is installed).

Layout of the output directory::

    audio/0000_note_A3.wav ...   one mono 16-bit WAV per clip
    labels.csv                   index, file, label, kind, f0_hz, f1_hz, onset_s
    features.zarr                the store of gaborcore.extract ("clips" layout): stft
                                 (n_signals, 513, n_frames) float32, mel (n_signals, 128,
                                 n_frames) float32, files, status, id, label, ...
    spectrograms.png             six examples: dB spectrogram above log-mel spectrogram

In ``labels.csv``, ``f0_hz`` / ``f1_hz`` are the pitch (twice) for a note, the start and end
frequency of a chirp and the band edges of a noise burst; ``onset_s`` is when the sound starts.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import os
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.signal
import soundfile
import zarr

from . import _backend, _validation
from .extract import Entries, ExtractConfig, extract
from .features import power_to_db
from .filterbanks import EmptyFilterWarning, hz_to_mel

__all__ = ["DemoConfig", "Clip", "synthesize", "run_demo", "write_wav", "LABELS"]

#: Pitches of the damped harmonic notes (an A major triad and its octave), Hz.
NOTE_PITCHES = {"A3": 220.0, "C#4": 277.18, "E4": 329.63, "A4": 440.0}
#: Variants of each kind of clip; clip ``i`` is of kind ``KINDS[i % 3]``.
VARIANTS = {
    "note": tuple(f"note_{name}" for name in NOTE_PITCHES),
    "chirp": ("chirp_up", "chirp_down"),
    "noise": ("noise_low", "noise_high"),
}
KINDS = tuple(VARIANTS)
#: Every label the demo data set uses.
LABELS = tuple(label for kind in KINDS for label in VARIANTS[kind])

_N_PARTIALS = 8
_PEAK = 0.8  # peak amplitude of every clip (headroom for 16-bit PCM)
_NOISE_FLOOR = 3e-4  # white background, about -70 dB below the peak
_N_EXAMPLES = 6  # spectrograms in the PNG grid


@dataclasses.dataclass(frozen=True)
class DemoConfig:
    """Parameters of the demo data set and of its features.

    Parameters
    ----------
    n_signals : int
        Number of clips.
    sr : int
        Sampling rate in Hz (at least 8000).
    duration : float
        Length of every clip in seconds.
    seed : int
        Seed of the synthesis; the same seed gives bit-identical clips.
    n_fft, hop_length : int
        STFT lattice of the spectrograms.
    window : str
        STFT window.
    n_mels : int
        Mel bands of the mel spectrograms (Slaney mel, 0 Hz to ``sr / 2``, ``norm="slaney"``).
    batch_size : int
        Files per extraction task (their clips go through each kernel in one call).
    """

    n_signals: int = 24
    sr: int = 22050
    duration: float = 3.0
    seed: int = 0
    n_fft: int = 1024
    hop_length: int = 256
    window: str = "hann"
    n_mels: int = 128
    batch_size: int = 8

    def __post_init__(self) -> None:
        _validation.positive_int("n_signals", self.n_signals)
        _validation.positive_int("sr", self.sr, minimum=8000)
        _validation.positive_float("duration", self.duration)
        _validation.positive_int("seed", self.seed, minimum=0)
        _validation.positive_int("n_mels", self.n_mels)
        _validation.positive_int("batch_size", self.batch_size)
        if self.n_samples < self.n_fft:
            raise _validation.ParameterError(
                f"duration={self.duration} s at sr={self.sr} gives {self.n_samples} samples; "
                f"at least n_fft={self.n_fft} are needed"
            )

    @property
    def n_samples(self) -> int:
        """Samples per clip."""
        return int(round(self.duration * self.sr))


@dataclasses.dataclass(frozen=True, eq=False)
class Clip:
    """One synthetic clip and its annotation.

    Parameters
    ----------
    index : int
        Position in the data set.
    label : str
        One of :data:`LABELS`.
    kind : str
        ``"note"``, ``"chirp"`` or ``"noise"``.
    y : ndarray, shape (n_samples,), float32
        The samples, peak amplitude 0.8.
    f0_hz, f1_hz : float
        Pitch (twice) of a note, start and end frequency of a chirp, band edges of a noise burst.
    onset_s : float
        Start of the sound in seconds.
    """

    index: int
    label: str
    kind: str
    y: np.ndarray
    f0_hz: float
    f1_hz: float
    onset_s: float

    @property
    def filename(self) -> str:
        """The WAV file's path relative to the output directory."""
        return f"audio/{self.index:04d}_{self.label.replace('#', 's')}.wav"


# ---- synthesis -------------------------------------------------------------------------------

def _note(rng: np.random.Generator, t: np.ndarray, sr: int, duration: float, f0: float):
    """A damped harmonic tone: partials ``1/p`` decaying faster with ``p``, a 5 ms attack."""
    onset = rng.uniform(0.02, 0.3) * duration
    tau = rng.uniform(0.15, 0.35) * duration
    rel = np.clip(t - onset, 0.0, None)
    attack = np.clip(rel / 0.005, 0.0, 1.0)
    y = np.zeros_like(t)
    for p in range(1, _N_PARTIALS + 1):
        if p * f0 >= 0.45 * sr:
            break
        phase = rng.uniform(0.0, 2.0 * np.pi)
        y += np.sin(2.0 * np.pi * p * f0 * t + phase) * np.exp(-rel * np.sqrt(p) / tau) / p
    return y * attack, f0, f0, onset


def _chirp(rng: np.random.Generator, t: np.ndarray, sr: int, duration: float, up: bool):
    """An exponential sweep between a low and a high frequency, Tukey envelope."""
    lo = rng.uniform(100.0, 300.0)
    hi = rng.uniform(0.5, 0.8) * min(8000.0, 0.45 * sr)
    f_start, f_end = (lo, hi) if up else (hi, lo)
    t0 = rng.uniform(0.05, 0.2) * duration
    t1 = duration - rng.uniform(0.05, 0.2) * duration
    span = t1 - t0
    inside = (t >= t0) & (t < t1)
    tau = np.clip(t - t0, 0.0, span)
    k = np.log(f_end / f_start)
    phase = 2.0 * np.pi * f_start * span / k * np.expm1(k * tau / span)
    env = np.zeros_like(t)
    env[inside] = scipy.signal.windows.tukey(int(inside.sum()), alpha=0.2)
    return np.sin(phase) * env, f_start, f_end, t0


def _noise(rng: np.random.Generator, t: np.ndarray, sr: int, duration: float, high: bool):
    """Three to five bursts of band-limited noise with Hann envelopes."""
    nyq = 0.5 * sr
    band = (2500.0, min(7000.0, 0.8 * nyq)) if high else (200.0, 1500.0)
    sos = scipy.signal.butter(4, band, btype="bandpass", fs=sr, output="sos")
    noise = scipy.signal.sosfilt(sos, rng.standard_normal(t.shape[0]))
    env = np.zeros_like(t)
    onsets = []
    for _ in range(int(rng.integers(3, 6))):
        length = int(rng.uniform(0.04, 0.12) * duration * sr)
        start = int(rng.integers(0, max(1, t.shape[0] - length)))
        env[start:start + length] = np.maximum(env[start:start + length], np.hanning(length))
        onsets.append(start / sr)
    return noise * env, band[0], band[1], min(onsets)


def synthesize(config: DemoConfig) -> list[Clip]:
    """The demo data set: ``config.n_signals`` labelled clips, reproducible from ``config.seed``.

    Clip ``i`` is of kind ``KINDS[i % 3]`` and takes the variants of its kind in turn, so every
    label occurs and the classes stay balanced.  Each clip draws from its own generator, seeded
    with ``(seed, i)``: a clip does not change when ``n_signals`` does.

    Parameters
    ----------
    config : DemoConfig
        Size, sampling rate, duration and seed.

    Returns
    -------
    list of Clip
        float32 samples of ``config.n_samples`` each, peak 0.8 or below, 10 ms fades at the ends.

    Examples
    --------
    >>> from gaborcore.demo import DemoConfig, synthesize
    >>> clips = synthesize(DemoConfig(n_signals=4, duration=0.5))
    >>> [c.label for c in clips]
    ['note_A3', 'chirp_up', 'noise_low', 'note_C#4']
    >>> clips[0].y.dtype, clips[0].y.shape
    (dtype('float32'), (11025,))
    """
    t = np.arange(config.n_samples) / config.sr
    makers = {
        "note": lambda rng, v: _note(rng, t, config.sr, config.duration,
                                     NOTE_PITCHES[v.removeprefix("note_")]),
        "chirp": lambda rng, v: _chirp(rng, t, config.sr, config.duration, v == "chirp_up"),
        "noise": lambda rng, v: _noise(rng, t, config.sr, config.duration, v == "noise_high"),
    }
    # 10 ms fades at both ends, so that cutting a sounding note makes no click at the clip's end
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
    clips = []
    for i in range(config.n_signals):
        kind = KINDS[i % len(KINDS)]
        variants = VARIANTS[kind]
        label = variants[(i // len(KINDS)) % len(variants)]
        rng = np.random.default_rng([config.seed, i])
        y, f0, f1, onset = makers[kind](rng, label)
        y = y + _NOISE_FLOOR * np.max(np.abs(y)) * rng.standard_normal(y.shape[0])
        y *= fade * (_PEAK / np.max(np.abs(y)))
        clips.append(Clip(i, label, kind, y.astype(np.float32), round(float(f0), 2),
                          round(float(f1), 2), round(float(onset), 4)))
    return clips


# ---- writers ---------------------------------------------------------------------------------

def write_wav(path: str | os.PathLike, y: np.ndarray, sr: int) -> None:
    """Write a mono float signal in [-1, 1] as a 16-bit PCM WAV file: ``round(32767 y)``."""
    pcm = np.round(np.clip(y, -1.0, 1.0) * 32767.0).astype("<i2")
    soundfile.write(os.fspath(path), pcm, int(sr), subtype="PCM_16")


def write_labels(path: Path, clips: list[Clip]) -> None:
    """``labels.csv``: one row per clip."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["index", "file", "label", "kind", "f0_hz", "f1_hz", "onset_s"])
        for c in clips:
            writer.writerow([c.index, c.filename, c.label, c.kind, c.f0_hz, c.f1_hz, c.onset_s])


def _features(config: DemoConfig) -> dict:
    """The demo's features for :func:`gaborcore.extract.extract`."""
    lattice = {"n_fft": config.n_fft, "hop_length": config.hop_length, "window": config.window}
    return {"stft": dict(lattice), "mel": {**lattice, "n_mels": config.n_mels}}


def _extract_config(config: DemoConfig) -> tuple[ExtractConfig, list[str]]:
    """The extraction's configuration (checked, plans made) and notes: a
    :class:`~gaborcore.EmptyFilterWarning` becomes one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EmptyFilterWarning)
        cfg = ExtractConfig.build(_features(config), sr=config.sr, clip=config.duration)
    notes = []
    for w in caught:
        if issubclass(w.category, EmptyFilterWarning):
            notes.append(f"mel: {w.message}")
        else:
            warnings.warn(w.message, w.category, stacklevel=3)
    return cfg, notes


def _example_indices(clips: list[Clip], k: int) -> list[int]:
    """Up to ``k`` clips with distinct labels, taking the kinds in turn."""
    picked, seen = [], set()
    for c in clips:
        if c.label not in seen:
            picked.append(c.index)
            seen.add(c.label)
        if len(picked) == k:
            break
    return picked


def _mel_ticks(band_hz: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Positions (in bands, from the bottom edge) and labels of round frequencies on a mel axis."""
    candidates = np.array([500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0])
    hz = candidates[(candidates >= band_hz[0]) & (candidates <= band_hz[-1])]
    where = np.interp(hz_to_mel(hz), hz_to_mel(band_hz), np.arange(band_hz.shape[0])) + 0.5
    return where, [f"{f / 1000:g}k" if f >= 1000 else f"{f:g}" for f in hz]


def plot_examples(path: Path, spectrograms, mel, band_hz: np.ndarray, clips: list[Clip],
                  config: DemoConfig) -> None:
    """Up to six examples, each a dB spectrogram above its log-mel spectrogram; Agg backend.

    ``spectrograms`` and ``mel`` are indexed by clip (arrays, or the store's Zarr arrays: only the
    examples are read).  Both are :func:`gaborcore.power_to_db` of the power, re the clip's
    maximum, 80 dB range.  ``band_hz`` are the centre frequencies of the mel bands (to label the
    mel axis in Hz).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    idx = _example_indices(clips, _N_EXAMPLES)
    ncols = min(3, len(idx))
    nrows = -(-len(idx) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 4.6 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2 * nrows, ncols, squeeze=False, sharex=True)
    seconds = config.n_samples / config.sr
    lin_extent = (0.0, seconds, 0.0, config.sr / 2000.0)
    mel_extent = (0.0, seconds, 0.0, float(mel.shape[1]))
    mel_ticks, mel_labels = _mel_ticks(band_hz)
    style = dict(origin="lower", aspect="auto", cmap="magma", vmin=-80.0, vmax=0.0,
                 interpolation="nearest")
    image = None
    for j, i in enumerate(idx):
        ax_lin, ax_mel = axes[2 * (j // ncols), j % ncols], axes[2 * (j // ncols) + 1, j % ncols]
        image = ax_lin.imshow(power_to_db(spectrograms[i], ref=np.max, top_db=80.0),
                              extent=lin_extent, **style)
        ax_lin.set_title(f"{i}: {clips[i].label}")
        ax_mel.imshow(power_to_db(mel[i], ref=np.max, top_db=80.0), extent=mel_extent, **style)
        ax_mel.set_yticks(mel_ticks, mel_labels)
    for r in range(nrows):
        axes[2 * r, 0].set_ylabel("frequency (kHz)")
        axes[2 * r + 1, 0].set_ylabel(f"{mel.shape[1]} mel bands (Hz)")
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    for j in range(len(idx), nrows * ncols):  # empty slots: the mel plot above gets the x axis
        axes[2 * (j // ncols), j % ncols].set_axis_off()
        axes[2 * (j // ncols) + 1, j % ncols].set_axis_off()
        above = axes[2 * (j // ncols) - 1, j % ncols]
        above.xaxis.set_tick_params(labelbottom=True)
        above.set_xlabel("time (s)")
    fig.colorbar(image, ax=axes, label="dB re max", shrink=0.6)
    fig.suptitle(f"gaborcore demo: power spectrograms and log-mel spectrograms "
                 f"(n_fft={config.n_fft}, hop={config.hop_length}, sr={config.sr} Hz)")
    fig.savefig(path, dpi=100)


# ---- the job ---------------------------------------------------------------------------------

def run_demo(out_dir: str | os.PathLike, *, n_signals: int = 24, sr: int = 22050,
             duration: float = 3.0, workers: int | None = None, backend: str | None = None,
             plot: bool = True, progress: bool = True, seed: int = 0, n_mels: int = 128,
             batch_size: int = 8) -> dict:
    """Synthesise the demo data set as WAV files, extract its features into a Zarr store.

    Parameters
    ----------
    out_dir : str or path-like
        Output directory, created if needed; existing demo files in it (the store included) are
        overwritten.
    n_signals : int
        Number of clips (classes balanced over :data:`LABELS`).
    sr : int
        Sampling rate in Hz (at least 8000).
    duration : float
        Seconds per clip.
    workers : int, optional
        Threads of the extraction (files in parallel); ``None`` uses the
        :func:`gaborcore.set_workers` default, negative values count back from the number of CPUs.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Transform backend; default: the ``set_backend`` context, ``GABORCORE_BACKEND``, else auto.
    plot : bool
        Write ``spectrograms.png`` (skipped with a note when matplotlib is not installed).
    progress : bool
        Show the progress bar and print notes and the summary; ``False`` runs silently.
    seed : int
        Seed of the synthesis.
    n_mels : int
        Bands of the mel spectrograms.
    batch_size : int
        Files per extraction task.

    Returns
    -------
    dict
        ``out_dir``, ``files`` (every path written; the store counts as one), ``audio_files``,
        ``labels_csv``, ``store``, ``png`` (``None`` when not drawn), ``n_signals``, ``labels``,
        ``shape`` (of the store's ``stft`` array), ``mel_shape`` (of its ``mel`` array),
        ``backend``, ``workers``, ``audio_seconds``, ``audio_seconds_per_second`` (of the
        extraction: decoding, features and writing), ``decode_share`` (of the workers' time),
        ``report`` (the :class:`gaborcore.extract.ExtractReport`), ``elapsed_seconds`` (the whole
        job) and ``notes``.

    Raises
    ------
    gaborcore.ParameterError
        A bad argument.
    RuntimeError
        The requested backend is not available.
    OSError
        ``out_dir`` cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> from gaborcore.demo import run_demo
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = run_demo(d, n_signals=3, duration=0.5, plot=False, progress=False)
    >>> result["shape"], result["mel_shape"], result["labels"]
    ((3, 513, 44), (3, 128, 44), ['note_A3', 'chirp_up', 'noise_low'])
    """
    start = time.perf_counter()
    config = DemoConfig(n_signals=n_signals, sr=sr, duration=duration, seed=seed,
                        n_mels=n_mels, batch_size=batch_size)
    backend_name = _backend.resolve_backend(backend)
    n_workers = _backend.resolve_workers(workers)
    extract_config, notes = _extract_config(config)  # every argument checked before writing
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out))
    out.mkdir(parents=True, exist_ok=True)
    (out / "audio").mkdir(exist_ok=True)

    clips = synthesize(config)
    audio_files = []
    for c in clips:
        write_wav(out / c.filename, c.y, config.sr)
        audio_files.append(out / c.filename)
    labels_csv = out / "labels.csv"
    write_labels(labels_csv, clips)

    store = out / "features.zarr"
    entries = Entries([os.path.abspath(p) for p in audio_files],
                      {"id": [str(c.index) for c in clips], "label": [c.label for c in clips]})
    report = extract(entries, store=store, config=extract_config, workers=n_workers,
                             backend=backend_name, batch_size=config.batch_size,
                             overwrite=True, progress=progress)
    if report.failures:
        path, reason = report.failures[0]
        raise RuntimeError(f"the demo could not extract {path}: {reason}")
    group = zarr.open_group(os.fspath(store), mode="r")

    png = None
    if plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            notes.append("matplotlib is not installed: spectrograms.png skipped "
                         "(pip install 'gaborcore[plot]')")
        else:
            png = out / "spectrograms.png"
            plot_examples(png, group["stft"], group["mel"], group["mel_frequency"][:], clips,
                          config)

    files = [*audio_files, labels_csv, store] + ([png] if png is not None else [])
    result = {
        "out_dir": str(out),
        "files": [str(f) for f in files],
        "audio_files": [str(f) for f in audio_files],
        "labels_csv": str(labels_csv),
        "store": str(store),
        "png": None if png is None else str(png),
        "n_signals": config.n_signals,
        "labels": [c.label for c in clips],
        "shape": tuple(group["stft"].shape),
        "mel_shape": tuple(group["mel"].shape),
        "backend": backend_name,
        "workers": n_workers,
        "audio_seconds": report.audio_seconds,
        "audio_seconds_per_second": report.audio_seconds_per_second,
        "decode_share": report.decode_share,
        "report": report,
        "elapsed_seconds": time.perf_counter() - start,
        "notes": notes,
    }
    if progress:
        print(format_summary(result))
    return result


def format_summary(result: dict) -> str:
    """The human-readable report of a :func:`run_demo` result."""
    n_audio = len(result["audio_files"])
    report = result["report"]
    lines = [*(f"note: {n}" for n in result["notes"]),
             f"gaborcore demo: {result['n_signals']} clips, "
             f"{len(set(result['labels']))} labels, written to {result['out_dir']}",
             f"  audio/            {n_audio} WAV files (16-bit PCM)",
             f"  labels.csv        {result['labels_csv']}",
             f"  features.zarr     {result['store']}",
             f"                    stft {result['shape']} float32, "
             f"mel {result['mel_shape']} float32, files, status, id, label"]
    if result["png"] is not None:
        lines.append(f"  spectrograms.png  {result['png']}")
    lines.append(f"extraction: {report.audio_seconds:.1f} s of audio in "
                 f"{report.elapsed_seconds:.2f} s, {report.setup_seconds:.2f} s of it setup "
                 f"(store, plans): {report.audio_seconds_per_second:,.0f} s of audio per second "
                 f"(backend {result['backend']}, {report.runner}; workers decoding "
                 f"{100 * report.decode_share:.0f} %, computing "
                 f"{100 * (1 - report.decode_share):.0f} %)")
    lines.append(f"{len(result['files'])} files written; the whole job took "
                 f"{result['elapsed_seconds']:.2f} s")
    return "\n".join(lines)
