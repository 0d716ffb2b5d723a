"""librosa's public names, mapped onto gaborcore: the thin layer the ported peer tests call.

A ported test calls ``lr.stft(...)``, ``lr.filters.mel(...)``, ``lr.feature.mfcc(...)`` exactly as
its upstream counterpart calls ``librosa.stft(...)`` and so on; here each name is gaborcore's
function of the same meaning.  The real librosa, where installed, serves as the oracle
(:data:`librosa` is None without it).
"""

from __future__ import annotations

import types

import gaborcore

try:  # the oracle, optional
    import librosa
except ImportError:  # pragma: no cover - librosa is a test dependency
    librosa = None

lr = types.SimpleNamespace(
    ParameterError=gaborcore.ParameterError,
    stft=gaborcore.stft,
    istft=gaborcore.istft,
    power_to_db=gaborcore.power_to_db,
    amplitude_to_db=gaborcore.amplitude_to_db,
    db_to_power=gaborcore.db_to_power,
    db_to_amplitude=gaborcore.db_to_amplitude,
    fft_frequencies=gaborcore.fft_frequencies,
    mel_frequencies=gaborcore.mel_frequencies,
    hz_to_mel=gaborcore.hz_to_mel,
    mel_to_hz=gaborcore.mel_to_hz,
    frames_to_samples=gaborcore.frames_to_samples,
    samples_to_frames=gaborcore.samples_to_frames,
    frames_to_time=gaborcore.frames_to_time,
    time_to_frames=gaborcore.time_to_frames,
    samples_to_time=gaborcore.samples_to_time,
    time_to_samples=gaborcore.time_to_samples,
    times_like=gaborcore.times_like,
    samples_like=gaborcore.samples_like,
    filters=types.SimpleNamespace(mel=gaborcore.mel, get_window=gaborcore.get_window),
    util=types.SimpleNamespace(pad_center=gaborcore.pad_center),
    feature=types.SimpleNamespace(melspectrogram=gaborcore.melspectrogram,
                                  mfcc=gaborcore.mfcc, delta=gaborcore.delta),
)


def chirp(*, fmin: float, fmax: float, sr: int, duration: float):
    """An exponential sine sweep (the stand-in for librosa.chirp and its recorded test audio)."""
    import numpy as np

    t = np.arange(int(sr * duration)) / sr
    k = np.log(fmax / fmin) / duration
    return np.sin(2 * np.pi * fmin * (np.exp(k * t) - 1) / k)


def stereo(sr: int = 22050, seconds: float = 2.0, seed: int = 14):
    """Two different channels (the stand-in for librosa's stereo test recording)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    left = chirp(fmin=110, fmax=4000, sr=sr, duration=seconds)
    right = 0.3 * rng.standard_normal(left.size) + np.sin(2 * np.pi * 660 * np.arange(
        left.size) / sr)
    return np.stack([left, right]).astype(np.float32)
