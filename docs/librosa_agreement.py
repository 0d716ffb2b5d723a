"""Agreement of gaborcore with librosa, as reported in docs/migration.rst.

Run ``python docs/librosa_agreement.py`` where librosa is installed.  It prints the largest
difference of each quantity over every backend and the settings below, as
``max |gaborcore - librosa| / max |librosa|`` (the decibel rows: the absolute difference in dB).
"""

import warnings

import librosa
import numpy as np
import scipy.signal

import gaborcore as gc

STFT_SETTINGS = [
    dict(n_fft=2048, hop_length=512),
    dict(n_fft=1023, hop_length=129),
    dict(n_fft=512, hop_length=128, window="hamming"),
    dict(n_fft=1024, hop_length=300, win_length=800, window=("kaiser", 8.0)),
    dict(n_fft=400, hop_length=160, center=False),
    dict(n_fft=2048, hop_length=512, pad_mode="reflect"),
    dict(n_fft=2048, hop_length=512, pad_mode="edge"),
]
MFCC_SETTINGS = [dict(), dict(n_mfcc=13, lifter=22), dict(dct_type=3, norm=None),
                 dict(n_mels=40, htk=True)]
WINDOWS = ["hann", "hamming", "blackman", "bartlett", "flattop", ("gaussian", 7.0),
           ("kaiser", 8.0), 8.6, ("tukey", 0.3), scipy.signal.windows.hann]

results: dict[str, float] = {}


def record(name: str, value: float) -> None:
    results[name] = max(results.get(name, 0.0), float(value))


def rel(a, b) -> float:
    return np.abs(a - b).max() / np.abs(b).max()


def stft_family(rng) -> None:
    for dt in (np.float32, np.float64):
        name = np.dtype(dt).name
        y = rng.standard_normal((2, 66150)).astype(dt)
        top = np.abs(y).max()
        for be in gc.available_backends():
            for c in STFT_SETTINGS:
                D = librosa.stft(y, **c)
                record(f"stft {name}", rel(gc.stft(y, backend=be, **c), D))
                inv = {k: v for k, v in c.items() if k != "pad_mode"}
                L = librosa.istft(D, length=y.shape[-1], **inv)
                g = gc.istft(D, length=y.shape[-1], backend=be, **inv)
                if c.get("center", True):
                    record(f"istft centred {name}", rel(g, L))
                else:
                    n = c["n_fft"]
                    record(f"istft uncentred, away from the ends {name}",
                           rel(g[..., n:-n], L[..., n:-n]))
                    exact = librosa.istft(D.astype(np.complex128), **inv)
                    ours, theirs = gc.istft(D, backend=be, **inv), librosa.istft(D, **inv)
                    record(f"istft uncentred, last 40 samples vs float64: gaborcore {name}",
                           np.abs(ours[..., -40:] - exact[..., -40:]).max() / top)
                    record(f"istft uncentred, last 40 samples vs float64: librosa {name}",
                           np.abs(theirs[..., -40:] - exact[..., -40:]).max() / top)
                record(f"melspectrogram {name}",
                       rel(gc.melspectrogram(y, backend=be, **c),
                           librosa.feature.melspectrogram(y=y, **c)))
            for kw in MFCC_SETTINGS:
                record(f"mfcc {name}", rel(gc.mfcc(y=y, backend=be, **kw),
                                           librosa.feature.mfcc(y=y, **kw)))
        S = np.abs(librosa.stft(y[0])) ** 2
        record(f"power_to_db (dB) {name}",
               np.abs(gc.power_to_db(S, ref=np.max) - librosa.power_to_db(S, ref=np.max)).max())
        A = np.sqrt(S)
        record(f"amplitude_to_db (dB) {name}",
               np.abs(gc.amplitude_to_db(A) - librosa.amplitude_to_db(A)).max())


def filters_and_helpers(rng) -> None:
    for sr in (8000, 16000, 22050, 44100):
        for n_fft in (256, 1025, 2048):
            for n_mels in (40, 128):
                for htk in (False, True):
                    for fmax in (None, sr / 2 * 1.05):
                        kw = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, fmax=fmax)
                        record("filters.mel (float32)",
                               rel(gc.mel(**kw), librosa.filters.mel(**kw)))
    for w in WINDOWS:
        record("get_window", rel(gc.get_window(w, 1000), librosa.filters.get_window(w, 1000)))
    x = rng.standard_normal((20, 300))
    for kw in (dict(), dict(order=2), dict(width=3, mode="nearest")):
        record("delta (absolute)",
               np.abs(gc.delta(x, **kw) - librosa.feature.delta(x, **kw)).max())
    kw = dict(sr=16000, hop_length=160, n_fft=400)
    record("times_like (absolute, s)",
           np.abs(gc.times_like(x, **kw) - librosa.times_like(x, **kw)).max())


def main() -> None:
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(2026)
    stft_family(rng)
    filters_and_helpers(rng)
    for name, value in results.items():
        print(f"{name:62s} {value:.1e}")


if __name__ == "__main__":
    main()
