"""The demo's data set: the synthetic labelled clips of :mod:`gaborcore.demo`, and its writers
(16-bit WAV files, ``labels.csv``).  Its public names are those of :mod:`gaborcore.demo`."""

from __future__ import annotations

import csv
import dataclasses
import os
from pathlib import Path

import numpy as np
import scipy.signal
import soundfile

from .. import _validation

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
