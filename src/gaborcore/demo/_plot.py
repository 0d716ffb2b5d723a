"""The demo's figure: ``spectrograms.png``, a few clips of the demo's store, each as a dB
spectrogram above its log-mel spectrogram (matplotlib, imported when drawing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..features import power_to_db
from ..filterbanks import hz_to_mel
from ._synth import Clip, DemoConfig

_N_EXAMPLES = 6  # spectrograms in the PNG grid


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
