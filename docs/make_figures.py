"""Draw the figures of the documentation into docs/_static/.

Run from anywhere after installing gaborcore and matplotlib::

    python docs/make_figures.py

Every figure is computed by gaborcore itself:

* ``filterbanks.png`` (:doc:`scales`): the filters of every scale;
* ``overview.png`` (the landing page): one mixture of three clips of the demo's data set as a
  power spectrogram, a mel spectrogram and a constant-Q NSGT;
* ``demo_spectrograms.png`` (:doc:`getting_started`, the extraction tutorial): the figure that
  ``gaborcore demo`` draws, from a run of :func:`gaborcore.demo.run_demo` in a temporary folder;
* ``nsgt_filter.png`` (the NSGT tutorial): the overview signal before and after a constant-Q
  filter that zeroes the NSGT bands above 1 kHz.

The PNG files are committed; run this again when the filter-bank design, the demo or the transforms
change.  ``docs/make_nsgt_figures.py`` draws the NSGT page's figures, ``gaborcore figure1 --out
docs/_static`` the paper's Figure 1.
"""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import gaborcore
from gaborcore import demo

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


def overview_signal() -> tuple[np.ndarray, int]:
    """A note, a chirp and noise bursts of the demo's data set (seed 0), summed: 3 s at 22.05 kHz."""
    config = demo.DemoConfig(n_signals=3)
    clips = demo.synthesize(config)  # note_A3, chirp_up, noise_low
    y = sum(clip.y.astype(np.float64) for clip in clips)
    return (y / np.abs(y).max()).astype(np.float32), config.sr


def overview_figure(path: Path) -> None:
    """One signal, three time-frequency representations that gaborcore computes."""
    y, sr = overview_signal()
    seconds = y.shape[-1] / sr
    n_fft, hop = 1024, 256
    S = gaborcore.power_to_db(gaborcore.spectrogram(y, n_fft=n_fft, hop_length=hop), ref=np.max,
                              top_db=80.0)
    M = gaborcore.power_to_db(gaborcore.melspectrogram(y, sr=sr, n_fft=n_fft, hop_length=hop,
                                                       n_mels=128), ref=np.max, top_db=80.0)
    fmin, bins, per_octave = 55.0, 84, 12
    plan = gaborcore.NSGT(length=y.shape[-1], sr=sr, scale="cqt", fmin=fmin, n_bins=bins,
                          bins_per_octave=per_octave, layout="full")
    C = plan.forward(y).matrix()
    C = gaborcore.amplitude_to_db(np.abs(C), ref=np.max, top_db=80.0)

    fig = Figure(figsize=(10.0, 3.3), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    style = dict(aspect="auto", origin="lower", cmap="magma", vmin=-80.0, vmax=0.0,
                 interpolation="nearest")
    axes[0].imshow(S, extent=(0.0, seconds, 0.0, sr / 2000.0), **style)
    axes[0].set_ylabel("frequency (kHz)")
    axes[0].set_title(f"gaborcore.spectrogram\nn_fft={n_fft}, hop={hop}", fontsize=9)
    axes[1].imshow(M, extent=(0.0, seconds, -0.5, M.shape[0] - 0.5), **style)
    axes[1].set_ylabel("mel band")
    axes[1].set_title("gaborcore.melspectrogram\n128 Slaney mel bands", fontsize=9)
    image = axes[2].imshow(C, extent=(0.0, seconds, -0.5, C.shape[0] - 0.5), **style)
    octaves = np.arange(0, bins, per_octave)
    axes[2].set_yticks(octaves, [f"{fmin * 2 ** (k / per_octave):g}" for k in octaves])
    axes[2].set_ylabel("centre frequency (Hz)")
    axes[2].set_title(f"gaborcore.NSGT (constant-Q)\n{bins} bins from {fmin:g} Hz, "
                      f"{per_octave} per octave", fontsize=9)
    for ax in axes:
        ax.set_xlabel("time (s)")
    fig.colorbar(image, ax=axes, shrink=0.9, label="dB re max")
    save_small_png(fig, path, dpi=90, colors=128)


def nsgt_filter_figure(path: Path) -> None:
    """The NSGT tutorial's constant-Q filter: the overview signal before and after zeroing the
    bands above 1 kHz, both shown as the full-layout NSGT of the signal."""
    y, sr = overview_signal()
    y = y.astype(np.float64)
    seconds = y.shape[-1] / sr
    scale = dict(sr=sr, scale="cqt", fmin=55.0, n_bins=84, bins_per_octave=12)
    plan = gaborcore.NSGT(length=y.shape[-1], **scale)
    c = plan.forward(y)
    for k, band in enumerate(c.bands()):
        if plan.bands.centre_hz[k] > 1000.0:
            band[...] = 0
    y_low = plan.inverse(c)
    full = gaborcore.NSGT(length=y.shape[-1], layout="full", **scale)
    images = [np.abs(full.forward(x).matrix()) for x in (y, y_low)]
    ref = max(float(m.max()) for m in images)
    fig = Figure(figsize=(10.0, 3.3), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2, sharey=True)
    style = dict(aspect="auto", origin="lower", cmap="magma", vmin=-80.0, vmax=0.0,
                 interpolation="nearest")
    titles = ("the signal", "after zeroing the bands above 1 kHz and inverting")
    for ax, image, title in zip(axes, images, titles, strict=True):
        db = gaborcore.amplitude_to_db(image, ref=ref, top_db=None)
        shown = ax.imshow(db, extent=(0.0, seconds, -0.5, image.shape[0] - 0.5), **style)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("time (s)")
    octaves = np.arange(0, 84, 12)
    axes[0].set_yticks(octaves, [f"{55.0 * 2 ** (k / 12):g}" for k in octaves])
    axes[0].set_ylabel("centre frequency (Hz)")
    fig.colorbar(shown, ax=axes, shrink=0.9, label="dB re max")
    save_small_png(fig, path, dpi=90, colors=128)


def demo_figure(path: Path) -> None:
    """The figure of ``gaborcore demo``, drawn by :func:`gaborcore.demo.run_demo` itself."""
    with tempfile.TemporaryDirectory() as out_dir:
        result = demo.run_demo(out_dir, progress=False)
        with Image.open(result["png"]) as image:
            image.convert("RGB").quantize(colors=128).save(path, optimize=True)


def main() -> None:
    STATIC.mkdir(exist_ok=True)
    for name, draw in (("filterbanks.png", filterbanks_figure), ("overview.png", overview_figure),
                       ("demo_spectrograms.png", demo_figure),
                       ("nsgt_filter.png", nsgt_filter_figure)):
        path = STATIC / name
        draw(path)
        print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
