"""Draw the figures of the documentation into docs/_static/.

Run from anywhere after installing gaborcore and matplotlib::

    python docs/make_figures.py

The PNG files are committed; run this again when the filter-bank design changes.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import gaborcore

STATIC = Path(__file__).resolve().parent / "_static"

SR, N_FFT, N_BANDS, FMIN = 22050, 2048, 40, 50.0
PANELS = [
    ("mel", "mel (Slaney)"),
    ("bark", "Bark (Traunmüller)"),
    ("erb", "ERB-rate (Glasberg & Moore)"),
    ("log", "log (octaves)"),
    ("linear", "linear"),
]


def filterbanks_figure(path: Path) -> None:
    """The filters of every scale, one panel each, peaks at 1 (``norm=None``)."""
    freqs = gaborcore.fft_frequencies(sr=SR, n_fft=N_FFT) / 1000.0
    fig = Figure(figsize=(8.0, 9.0), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(PANELS), 1, sharex=True)
    colors = ("#1f77b4", "#d62728")
    for ax, (scale, title) in zip(axes, PANELS, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("error", gaborcore.EmptyFilterWarning)
            W = gaborcore.filterbank(sr=SR, n_fft=N_FFT, n_bands=N_BANDS, fmin=FMIN,
                                     scale=scale, norm=None, dtype=np.float64)
        for i, row in enumerate(W):
            support = np.flatnonzero(row)
            lo, hi = max(support[0] - 1, 0), min(support[-1] + 2, row.shape[0])
            ax.plot(freqs[lo:hi], row[lo:hi], color=colors[i % 2], linewidth=0.8)
        ax.set_title(title, loc="left", fontsize=10)
        ax.set_ylim(0.0, 1.08)
        ax.set_yticks([0.0, 1.0])
    axes[-1].set_xlim(0.0, SR / 2000.0)
    axes[-1].set_xlabel("frequency (kHz)")
    fig.suptitle(f"{N_BANDS} triangular filters per scale: sr={SR} Hz, n_fft={N_FFT}, "
                 f"fmin={FMIN:g} Hz, fmax=sr/2, norm=None", fontsize=11)
    save_small_png(fig, path)


def save_small_png(fig: Figure, path: Path, *, dpi: int = 80, colors: int = 64) -> None:
    """Save as an optimised palette PNG: line plots need few colours, and the file stays small."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    with Image.open(buf) as image:
        image.convert("RGB").quantize(colors=colors).save(path, optimize=True)


def main() -> None:
    STATIC.mkdir(exist_ok=True)
    path = STATIC / "filterbanks.png"
    filterbanks_figure(path)
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
